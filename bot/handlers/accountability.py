"""Accountability: targets, nudge schedule, pause, interviews, and the buttons on reminders.

The scheduler (``bot.scheduling``, built in ``bot/app.py``) decides *when*; ``bot.views.reminders``
decides *what* it says. The commands and buttons here change the settings the schedule is
computed from (each change calls ``changed()``); their texts are in ``bot.views.settings``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from bot.callback_data import decode, int_args
from bot.context import BotContext
from bot.domain import interviews, moves, settings_rules
from bot.domain.dates import ambiguous_far, parse_moment
from bot.domain.interviews import CHECK_IN_CHOICES
from bot.domain.models import Event, JobApplication, Profile
from bot.domain.moves import InvalidMove
from bot.domain.notes import text_after
from bot.domain.reminders import (
    Kind,
    Reminder,
    interview_prep,
    is_paused,
    prep_promise,
    standing,
)
from bot.domain.settings_rules import NUDGE_NAMES, SettingError, parse_list, parse_nudge, parse_target
from bot.handlers import onboarding
from bot.handlers.common import Registered, answer, changed, edit, find_app, profile_of, reply, today_for
from bot.handlers.questions import END, TEXT, Ask, close, open_question
from bot.views.cards import app_title
from bot.views.markup import Rendered, local_moment, reason
from bot.views.reminders import (
    question_kept,
    questions_list,
    render_prep,
    take_home_due_text,
    take_home_ended,
    take_home_when,
    take_homes_list,
)
from bot.views.settings import (
    CHECK_IN_HEADLINES,
    LESSON_QUESTION,
    OTHER_DAY_PROBLEMS,
    PITCH_EXAMPLE,
    QUESTIONS_EXAMPLE,
    SLOT_TITLES,
    VALUES_EXAMPLE,
    at_bound,
    example_sentence,
    follow_up_now,
    follow_up_set,
    interview_list,
    interview_problem,
    interview_saved,
    interview_saved_two_way,
    interviews_cancelled,
    items_shown,
    lesson_kept,
    nudges_view,
    pause_refused,
    paused_message,
    pitch_shown,
    settings_view,
    slot_text,
    streak_text,
    target_now,
    target_set,
    what_time,
)

logger = logging.getLogger(__name__)


# -- helpers -----------------------------------------------------------------------------------


def _tz(profile: Profile, context: BotContext) -> ZoneInfo:
    return context.user_tz(profile.timezone)


def _zone(profile: Profile, context: BotContext) -> str:
    return profile.timezone or context.settings.default_tz


def _save(context: BotContext, profile: Profile) -> None:
    context.repo.save_profile(profile)
    changed(context, profile.user_id)


async def _show(update: Update, view: Rendered) -> None:
    if update.callback_query is not None:
        await edit(update, *view)
    else:
        await reply(update, *view)


# -- targets and streak --------------------------------------------------------------------------


async def set_target(update: Update, context: BotContext) -> None:
    """/target 3 or /target 3 2: applications a week, and in flight beyond "Applied"."""
    profile = profile_of(update, context)
    args = context.args or []
    if not args:
        await reply(update, target_now(profile))
        return
    try:
        per_week, flight = parse_target(args)
    except SettingError as error:
        await reply(update, f"{reason(error)} Nothing was changed.")
        return
    profile.target_per_week = per_week
    if flight is not None:
        profile.target_in_flight = flight
    _save(context, profile)
    await reply(update, target_set(profile))


async def show_streak(update: Update, context: BotContext) -> None:
    """/streak: weeks in a row on target, this week so far and the buffer."""
    profile = profile_of(update, context)
    apps = context.repo.applications_view(profile.user_id)
    week = standing(profile, apps, context.now(), _tz(profile, context)).week
    await reply(update, streak_text(week))


# -- nudges, pause, settings -----------------------------------------------------------------------


async def set_nudges(update: Update, context: BotContext) -> None:
    """/nudges shows the schedule with buttons; /nudges plan mon 09:00 or /nudges check off changes it."""
    profile = profile_of(update, context)
    args = context.args or []
    if not args:
        await reply(update, *nudges_view(profile))
        return
    try:
        name, slot = parse_nudge(args)
    except SettingError as error:
        await reply(update, f"{reason(error)} Nothing was changed.")
        return
    settings_rules.set_slot(profile, name, slot, context.now())
    _save(context, profile)
    text, markup = nudges_view(profile)
    await reply(update, f"Set: {SLOT_TITLES[name].lower()} {slot_text(slot)}.\n\n{text}", markup)


async def nudge_button(update: Update, context: BotContext) -> None:
    """``nud:<action>:<plan|check|review>[:step]`` changes one nudge and redraws the view."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, action, args = decode(query.data)
    if not args or args[0] not in NUDGE_NAMES or action not in settings_rules.NUDGE_ACTIONS:
        await answer(query, "That button is out of date; send /nudges.", alert=True)
        return
    name, step = args[0], (int_args(args[1:], 1) or [0])[0]
    profile = profile_of(update, context)
    before = getattr(profile, name)
    after = settings_rules.nudge_change(before, action, name, step)
    if after == before:  # a stale button: nothing to change, and the message must stay as it is
        await answer(query, f"{SLOT_TITLES[name]} is already {slot_text(after)}.")
        return
    settings_rules.set_slot(profile, name, after, context.now())
    _save(context, profile)
    await answer(query, f"{SLOT_TITLES[name]}: {slot_text(after)}")
    await edit(update, *nudges_view(profile))


async def pause_nudges(update: Update, context: BotContext) -> None:
    """/pause, /pause until 2026-12-01, /pause for 2 weeks: no nudges or reminders meanwhile."""
    profile = profile_of(update, context)
    try:
        until = settings_rules.parse_pause(
            " ".join(context.args or []), today_for(profile, context), order=onboarding.order_for(profile, context)
        )
    except SettingError as error:
        await reply(update, pause_refused(error))
        return
    settings_rules.pause(profile, until)
    _save(context, profile)
    await reply(update, paused_message(until))


def _resume(context: BotContext, profile: Profile) -> None:
    """Resume and save (once); what fell due while paused is recorded as skipped, not sent."""
    settings_rules.resume(profile)
    context.repo.save_profile(profile)
    context.scheduler.skip_due(profile.user_id)
    changed(context, profile.user_id)


async def resume_nudges(update: Update, context: BotContext) -> None:
    """/resume: nudges and reminders flow again (nothing saved up from the pause)."""
    profile = profile_of(update, context)
    if not is_paused(profile, context.now(), _tz(profile, context)):
        await reply(update, "Your nudges are on already. /pause stops them for a while.")
        return
    _resume(context, profile)
    await reply(update, "▶ Welcome back! Nudges and reminders are on again. /settings shows them.")


async def show_settings(update: Update, context: BotContext) -> None:
    """/settings: everything, with buttons to change it."""
    profile = profile_of(update, context)
    await reply(update, *_settings(profile, context))


def _settings(profile: Profile, context: BotContext) -> Rendered:
    return settings_view(profile, _zone(profile, context), context.now(), _tz(profile, context))


async def settings_button(update: Update, context: BotContext) -> None:
    """``cfg:<action>[:arg]``: the buttons under /settings."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, action, args = decode(query.data)
    profile = profile_of(update, context)
    step = (int_args(args, 1) or [0])[0]
    if action == "tz":
        await answer(query, "Type /timezone and your city, e.g. /timezone Lisbon", alert=True)
        return
    if action == "nudges":
        await answer(query)
        await edit(update, *nudges_view(profile))
        return
    if action in settings_rules.STEPPED:
        old, new = settings_rules.step_setting(profile, action, step)
        if new == old:  # answer, but leave the message as it is: an identical edit is an error
            await answer(query, at_bound(profile, action, step), alert=action == "fu")
            return
        _save(context, profile)
    elif action == "pause":
        settings_rules.pause_for(profile, today_for(profile, context), step)
        _save(context, profile)
    elif action == "resume":
        _resume(context, profile)  # saves once, and skips what fell due meanwhile
    else:
        await answer(query, "That button is out of date; send /settings.", alert=True)
        return
    await answer(query, "Saved")
    await edit(update, *_settings(profile, context))


async def set_follow_up(update: Update, context: BotContext) -> None:
    """/followup 10 30: days of silence before a follow-up hint, and before "ghosted?"."""
    profile = profile_of(update, context)
    args = context.args or []
    numbers = int_args(args, len(args)) if 1 <= len(args) <= 2 else None
    follow = numbers[0] if numbers else 0
    ghost = numbers[1] if numbers and len(numbers) == 2 else profile.ghost_days
    if numbers is None or not 1 <= follow < ghost <= 180:
        await reply(update, follow_up_now(profile, refused=bool(args)))
        return
    profile.follow_up_days, profile.ghost_days = follow, ghost
    _save(context, profile)
    await reply(update, follow_up_set(profile))


# -- pitch, values, questions ------------------------------------------------------------------


async def set_pitch(update: Update, context: BotContext) -> None:
    """/pitch <text> stores your elevator pitch; /pitch alone shows it."""
    profile = profile_of(update, context)
    assert update.effective_message is not None
    text = (update.effective_message.text or "").partition(" ")[2].strip()
    if not text:
        await reply(update, pitch_shown(profile.pitch))
        return
    if text.lower() != "clear" and not any(ch.isalnum() for ch in text):
        await reply(update, f"A pitch needs words. {example_sentence('pitch', PITCH_EXAMPLE)} Nothing was changed.")
        return
    profile.pitch = "" if text.lower() == "clear" else text[:1000]
    _save(context, profile)
    await reply(update, "Pitch saved. It comes with every interview prep." if profile.pitch else "Pitch cleared.")


async def _set_items(update: Update, context: BotContext, field: str, title: str, example: str) -> None:
    """Store, show or clear one of the lists that come with interview prep (values, questions)."""
    profile = profile_of(update, context)
    assert update.effective_message is not None
    text = (update.effective_message.text or "").partition(" ")[2].strip()
    items: list[str] = getattr(profile, field)
    if not text:
        await reply(update, items_shown(title, field, items, example))
        return
    try:
        new = [] if text.lower() == "clear" else parse_list(text)
    except SettingError as error:
        await reply(update, f"{reason(error)} {example_sentence(field, example)} Nothing was changed.")
        return
    setattr(profile, field, new)
    _save(context, profile)
    if not new:
        await reply(update, f"{field.capitalize()} cleared.")
        return
    they = "It comes" if len(new) == 1 else "They come"
    await reply(update, f"{title}: {len(new)} saved. {they} with every interview prep.")


async def set_values(update: Update, context: BotContext) -> None:
    """/values a; b; c: what to probe in interviews; /values alone shows them."""
    await _set_items(update, context, "values", "Values to probe", VALUES_EXAMPLE)


async def set_questions(update: Update, context: BotContext) -> None:
    """/questions a; b: what to ask in interviews; /questions alone shows them."""
    await _set_items(update, context, "questions", "Questions to ask", QUESTIONS_EXAMPLE)


# -- interviews ------------------------------------------------------------------------------------


async def record_interview(update: Update, context: BotContext) -> None:
    """/interview N <when> records one (or moves that day's); /interview N move <when>; /interview N cancel."""
    args = context.args or []
    profile = profile_of(update, context)
    tz, now = _tz(profile, context), context.now()
    if not args:
        await reply(update, interview_list(context.repo.applications_view(profile.user_id), now, tz))
        return
    app = await find_app(update, context, args, "/interview 3 tomorrow 14:00")
    if app is None:
        return
    words = args[1:]
    move = bool(words) and words[0].lower() in ("move", "reschedule")
    text = " ".join(words[1:] if move else words).strip()
    if not move and text.lower() in ("cancel", "off", "none"):
        await _cancel_interviews(update, context, profile, app)
        return
    order = onboarding.order_for(profile, context)
    moment = parse_moment(text, now.astimezone(tz), order=order) if text else None
    if moment is not None and interviews.day_without_time(text, now.astimezone(tz), order=order):
        await reply(update, what_time(app.number, text, move))
        return
    found = interviews.problem(app, moment, now, move=move) if moment is not None else None
    if moment is None or found is not None:
        await reply(update, interview_problem(app, text, found, move))
        return
    recorded = interviews.record(app, moment, now, tz, lambda m: local_moment(m, tz), move=move)
    context.repo.save_application(profile.user_id, app, f"interview for #{app.number}")
    changed(context, profile.user_id)
    two_way = ambiguous_far(text, now.astimezone(tz).date(), order)
    promise = _promise(profile, context, app, recorded.moment)
    saved = interview_saved(profile, _zone(profile, context), tz, app, recorded, promise)
    if two_way is None or two_way.other is None:
        await reply(update, saved)
        await _prep_at_once(update, context, profile, app, recorded.moment)
        return
    other = datetime.combine(two_way.other, recorded.moment.astimezone(tz).time(), tzinfo=tz)
    await reply(update, *interview_saved_two_way(saved, two_way, order, app.number, recorded.moment, other))
    await _prep_at_once(update, context, profile, app, recorded.moment)


async def interview_reading_tapped(update: Update, context: BotContext) -> None:
    """``alt:ivw:<n>:<read>:<other>``: the interview typed as 3/12 was meant the other way round."""
    query = update.callback_query
    assert query is not None and query.data is not None
    numbers = int_args(decode(query.data)[2], 3)
    profile = profile_of(update, context)
    app = context.repo.get_application(profile.user_id, numbers[0]) if numbers else None
    read = datetime.fromtimestamp(numbers[1], UTC) if numbers else None
    if app is None or numbers is None or read not in app.interviews:
        await answer(query, "That interview has changed since; see /interview.", alert=True)
        return
    tz, now = _tz(profile, context), context.now()
    other = datetime.fromtimestamp(numbers[2], UTC)
    app.interviews.remove(read)
    found = interviews.problem(app, other, now)
    if found is not None:
        app.interviews.append(read)
        why = OTHER_DAY_PROBLEMS.get(found, "it's already recorded then")
        await answer(query, f"I can't move it to that day: {why}. Nothing was changed.", alert=True)
        return
    app.history.append(Event(at=now, kind="interview", detail=f"{local_moment(read, tz)} — cancelled"))
    recorded = interviews.record(app, other, now, tz, lambda m: local_moment(m, tz))
    context.repo.save_application(profile.user_id, app, f"interview for #{app.number}")
    changed(context, profile.user_id)
    await answer(query, "Interview moved")
    promise = _promise(profile, context, app, recorded.moment)
    await edit(update, interview_saved(profile, _zone(profile, context), tz, app, recorded, promise))
    await _prep_at_once(update, context, profile, app, recorded.moment)


async def _cancel_interviews(update: Update, context: BotContext, profile: Profile, app: JobApplication) -> None:
    """``/interview N cancel``: drop every upcoming interview of N, with its prep and check-in."""
    tz = _tz(profile, context)
    dropped = interviews.cancel_upcoming(app, context.now(), lambda m: local_moment(m, tz))
    if not dropped:
        await reply(update, f"#{app.number} has no upcoming interview. Nothing was changed.")
        return
    context.repo.save_application(profile.user_id, app, f"cancelled interview for #{app.number}")
    changed(context, profile.user_id)
    await reply(update, interviews_cancelled(app, dropped, tz))


# -- buttons on reminders ------------------------------------------------------------------------


async def _button_app(
    update: Update, context: BotContext
) -> tuple[CallbackQuery, Profile, JobApplication, list[str]] | None:
    """For ``<area>:<action>:<n>[:more]`` buttons: the query, profile, application n and the rest.

    When n is missing or the application is gone, answers "no longer exists" and returns None.
    """
    query = update.callback_query
    assert query is not None and query.data is not None
    _, _, args = decode(query.data)
    profile = profile_of(update, context)
    numbers = int_args(args, 1)
    app = context.repo.get_application(profile.user_id, numbers[0]) if numbers else None
    if app is None:
        await answer(query, "That application no longer exists.", alert=True)
        return None
    return query, profile, app, args[1:]


async def check_in(update: Update, context: BotContext) -> Ask | int:
    """``acc:ci:<n>:<next|offer|rej|wait>``: record the outcome, then ask for one lesson learned."""
    found = await _button_app(update, context)
    if found is None:
        return END
    query, profile, app, rest = found
    choice = rest[0] if rest else ""
    if choice not in CHECK_IN_CHOICES:
        await answer(query, "That button is out of date.", alert=True)
        return END
    before = len(app.history)
    try:
        headline = CHECK_IN_HEADLINES[interviews.check_in(app, choice, context.now())]
    except InvalidMove as error:
        await answer(query, str(error)[:200], alert=True)
        return END
    if len(app.history) != before:
        context.repo.save_application(profile.user_id, app, f"interview check-in for #{app.number}")
        changed(context, profile.user_id)
    await answer(query)
    open_question(context, "lesson", number=app.number)
    await edit(update, f"{app_title(app)}\n{headline}")
    await reply(update, LESSON_QUESTION)
    return Ask.LESSON


async def save_lesson(update: Update, context: BotContext) -> int:
    """The text after the lesson question becomes a "lesson" note."""
    assert update.effective_message is not None
    question = close(context)
    profile = profile_of(update, context)
    number = question.get("number") if question is not None else None
    app = context.repo.get_application(profile.user_id, number) if isinstance(number, int) else None
    if app is None:
        await reply(update, "That application no longer exists.")
        return END
    moves.add_note(app, update.effective_message.text or "", context.now(), kind="lesson")  # kept whole
    context.repo.save_application(profile.user_id, app, f"lesson on #{app.number}")
    changed(context, profile.user_id)
    await reply(update, lesson_kept(app))
    return END


async def still_waiting(update: Update, context: BotContext) -> None:
    """``acc:wait:<n>``: the answer to "still waiting or ghosted?"."""
    found = await _button_app(update, context)
    if found is None:
        return
    query = found[0]
    await answer(query, "OK, still waiting")
    await edit(
        update,
        "⏳ Still waiting: fingers crossed. I won't ask about this one again; /ghosted N when you give up on it.",
    )


async def pause_button(update: Update, context: BotContext) -> None:
    """``acc:pause`` (offered with the congratulations on an accepted offer) and ``acc:resume``."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, action, _ = decode(query.data)
    profile = profile_of(update, context)
    # Read, change and save with no await in between (STYLE §6); answer afterwards.
    if action == "resume":
        _resume(context, profile)
        text = "▶ Nudges and reminders are on again."
    else:
        settings_rules.pause(profile, None)
        _save(context, profile)
        text = paused_message(None) + " Enjoy the new job! 🎉"
    await answer(query)
    await edit(update, text)


# -- wiring ------------------------------------------------------------------------------------


def question_entries() -> list[Registered]:
    """The check-in buttons open the lesson question (see ``bot.handlers.questions``)."""
    return [CallbackQueryHandler(check_in, pattern=r"^acc:ci:")]


def question_states() -> dict[Ask, tuple[str, list[Registered]]]:
    return {Ask.LESSON: ("lesson", [MessageHandler(TEXT, save_lesson)])}


def handlers() -> list[Registered]:
    return [
        CommandHandler("target", set_target),
        CommandHandler("nudges", set_nudges),
        CommandHandler("pause", pause_nudges),
        CommandHandler("resume", resume_nudges),
        CommandHandler("settings", show_settings),
        CommandHandler("streak", show_streak),
        CommandHandler("followup", set_follow_up),
        CommandHandler("interview", record_interview),
        CommandHandler("pitch", set_pitch),
        CommandHandler("values", set_values),
        CommandHandler("questions", set_questions),
        CommandHandler("ask", ask_at_interview),
        CommandHandler("takehome", record_take_home),
        CallbackQueryHandler(take_home_button, pattern=r"^acc:th:"),
        CallbackQueryHandler(still_waiting, pattern=r"^acc:wait:"),
        CallbackQueryHandler(pause_button, pattern=r"^acc:(pause|resume)$"),
        CallbackQueryHandler(nudge_button, pattern=r"^nud:"),
        CallbackQueryHandler(settings_button, pattern=r"^cfg:"),
        CallbackQueryHandler(interview_reading_tapped, pattern=r"^alt:ivw:"),
    ]


# -- short-notice interviews -------------------------------------------------------------------------


def _preps(
    profile: Profile, context: BotContext, app: JobApplication, moment: datetime
) -> tuple[list[Reminder], list[Reminder]]:
    sent = context.repo.sent_reminders(profile.user_id)
    return interview_prep(profile, app, moment, sent, context.now(), _tz(profile, context))


def _promise(profile: Profile, context: BotContext, app: JobApplication, moment: datetime) -> str:
    """What the interview confirmation promises: only the preps and check-in that will come."""
    return prep_promise(*_preps(profile, context, app, moment))


async def _prep_at_once(
    update: Update, context: BotContext, profile: Profile, app: JobApplication, moment: datetime
) -> None:
    """An interview under two hours away: its prep goes out now, recorded as the scheduler would (once)."""
    prep = next((r for r in _preps(profile, context, app, moment)[0] if r.kind == Kind.PREP_SOON), None)
    if prep is None:
        return
    tz, now = _tz(profile, context), context.now()
    context.repo.mark_reminder(profile.user_id, prep.key, now, "sending")  # no await since the check
    apps = context.repo.applications_view(profile.user_id)
    await reply(update, *render_prep(app, prep, profile, tz, now.astimezone(tz).date(), apps))
    context.repo.mark_reminder(profile.user_id, prep.key, context.now(), "sent")
    changed(context, profile.user_id)


# -- per-application interview questions (hunt: closing the loop) ------------------------------------------


async def ask_at_interview(update: Update, context: BotContext) -> None:
    """/ask N question: a question for #N's interviews (its prep lists it first); /ask N lists them."""
    args = context.args or []
    app = await find_app(update, context, args, "/ask 3 How is on-call shared?")
    if app is None:
        return
    message = update.effective_message.text or "" if update.effective_message else ""
    typed = text_after(message, 2)
    profile = profile_of(update, context)
    if not typed:
        own = sum(1 for n in app.notes if n.kind == "question")
        await reply(update, questions_list(app, interviews.questions_for(app, profile.questions), own))
        return
    try:
        moves.add_note(app, typed, context.now(), kind="question")
    except InvalidMove as error:
        await reply(update, reason(error))
        return
    context.repo.save_application(profile.user_id, app, f"question for #{app.number}")
    changed(context, profile.user_id)
    await reply(update, question_kept(app))


# -- a technical test or take-home with its own deadline (hunt: closing the loop) -----------------------

TAKE_HOME_ENDINGS = {"done": "submitted", "submitted": "submitted", "sent": "submitted", "cancel": "cancelled"}


async def record_take_home(update: Update, context: BotContext) -> None:
    """/takehome N <deadline> records a technical test or take-home; ``done`` or ``cancel`` ends it; alone: the list."""
    args = context.args or []
    profile = profile_of(update, context)
    tz, now = _tz(profile, context), context.now()
    today = now.astimezone(tz).date()
    if not args:
        pending = sorted(
            (a for a in context.repo.applications_view(profile.user_id) if a.is_open and a.take_home_due),
            key=lambda a: a.take_home_due or now,
        )
        await reply(update, take_homes_list(pending, today, tz))
        return
    app = await find_app(update, context, args, "/takehome 3 fri 18:00")
    if app is None:
        return
    text = " ".join(args[1:])
    try:
        if (how := TAKE_HOME_ENDINGS.get(text.lower())) is not None:
            interviews.end_take_home(app, now, how)
            headline = take_home_ended(app, how)
        else:
            order = onboarding.order_for(profile, context)
            due = interviews.take_home_deadline(text, now.astimezone(tz), order=order) if text else None
            if due is None:
                await reply(update, take_home_when(app))
                return
            interviews.set_take_home(app, due, now, lambda moment: local_moment(moment, tz))
            headline = take_home_due_text(app, today, tz)
    except InvalidMove as error:
        await reply(update, reason(error))
        return
    context.repo.save_application(profile.user_id, app, f"take-home for #{app.number}")
    changed(context, profile.user_id)
    await reply(update, headline)


async def take_home_button(update: Update, context: BotContext) -> None:
    """``acc:th:<n>:done``: the take-home was sent in; its reminders stop."""
    found = await _button_app(update, context)
    if found is None:
        return
    query, profile, app, _ = found
    try:
        interviews.end_take_home(app, context.now(), "submitted")
    except InvalidMove as error:
        await answer(query, str(error)[:200], alert=True)
        return
    context.repo.save_application(profile.user_id, app, f"take-home for #{app.number}")
    changed(context, profile.user_id)
    await answer(query, "Submitted")
    await edit(update, take_home_ended(app, "submitted"))
