"""Capturing jobs and moving them through the funnel: /add, /list, /show, buttons, /undo."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.callback_data import decode, int_args
from bot.context import BotContext
from bot.domain import interviews, moves, notes
from bot.domain.capture import (
    CaptureError,
    Draft,
    closing_problem,
    find_link,
    parse_quick_add,
    read_job,
    split_job_names,
    validate_name,
)
from bot.domain.dates import DateOrder, ambiguous_far, parse_day, read_compact_day
from bot.domain.lessons import as_lesson
from bot.domain.models import Event, JobApplication, Profile, parse_camp, parse_source
from bot.domain.moves import InvalidMove
from bot.domain.stages import REJECTION_REASONS, Outcome, Stage, parse_stage, read_reason, stage_choices
from bot.domain.weekly import prospect_rank, rank_prospects
from bot.handlers import onboarding, people
from bot.handlers.common import (
    Registered,
    answer,
    changed,
    edit,
    find_app,
    profile_of,
    reply,
    today_for,
)
from bot.handlers.questions import END, Ask, close, current, live, open_question
from bot.views.cards import (
    CHECK_IN_REJECTED,
    COMPANY_QUESTION,
    card,
    closing_date_now,
    closing_set,
    congratulations,
    congratulations_elsewhere,
    delete_question,
    deleted,
    draft_summary,
    feedback_question,
    fit_question,
    fit_usage,
    job_offer,
    lessons_view,
    link_offer,
    link_saved_options,
    list_page,
    mark_applied,
    more_keyboard,
    moved,
    no_reason,
    note_question,
    notes_view,
    outcome_phrase,
    prospects_view,
    reason_question,
    role_question,
    saved,
    saving_link,
    stage_question,
    swap_buttons,
    track_chosen,
    track_question,
    undo_keyboard,
    undone,
    unmark_applied,
    what_value,
    which_field,
    withdrawn_elsewhere,
)
from bot.views.markup import button, esc, reason
from bot.views.settings import lesson_kept
from storage import UndoEntry

logger = logging.getLogger(__name__)


# -- saving ----------------------------------------------------------------------------------


async def _save_new(update: Update, context: BotContext, profile: Profile, draft: Draft) -> JobApplication:
    same = [
        a
        for a in context.repo.applications_view(profile.user_id)
        if (a.company.casefold(), a.role.casefold()) == (draft.company.casefold(), draft.role.casefold())
    ]
    app = context.repo.add_application(profile, moves.new_application(draft, context.now()), "added #{n}")
    logger.info("application.added user=%s number=%s", profile.user_id, app.number)
    changed(context, profile.user_id)
    entry = context.repo.last_undo(profile.user_id)
    text, markup = _card(app, profile, context, undo=entry)
    order = onboarding.order_for(profile, context)
    today = today_for(profile, context)
    found = ambiguous_far(draft.closes_typed, today, order) if draft.closes_typed else None
    duplicate = same[0].number if same else None
    rank = prospect_rank(context.repo.applications_view(profile.user_id), app.number)
    referrer = people.link_referrer(context, profile.user_id, app.number, draft.source_text)
    if referrer is not None:  # "via Jane Doe" named a contact: no "unknown source" heads-up
        draft.source_text = ""
    said, buttons = saved(
        app, draft, (text, markup), duplicate=duplicate, today=today, reading=found, order=order, rank=rank
    )
    await reply(update, people.referrer_note(referrer, said), buttons)
    return app


def _card(
    app: JobApplication, profile: Profile, context: BotContext, undo: UndoEntry | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    return card(app, context.user_tz(profile.timezone), today_for(profile, context), undo=undo.id if undo else None)


# -- /add -------------------------------------------------------------------------------------


async def add_application(update: Update, context: BotContext) -> Ask | int:
    """/add with text saves in one go; /add alone starts the guided questions."""
    profile = profile_of(update, context)
    text = " ".join(context.args or [])
    if not text:
        open_question(context, "add", draft={})
        await reply(update, COMPANY_QUESTION)
        return Ask.ADD_COMPANY
    link = find_link(text)
    if link is not None and text.strip() == link:
        await _offer_to_save(update, context, link)  # `/add <link>` alone: same as sending the link
        return END
    try:
        draft = parse_quick_add(text, today_for(profile, context), order=onboarding.order_for(profile, context))
    except CaptureError as error:
        await reply(update, reason(error))
        return END
    await _save_new(update, context, profile, draft)
    return END


async def offer_link(update: Update, context: BotContext) -> None:
    """A bare job link: offer to save it as a prospect."""
    assert update.effective_message is not None
    link = find_link(update.effective_message.text or "")
    if link is not None:
        await _offer_to_save(update, context, link)


async def _offer_to_save(update: Update, context: BotContext, link: str) -> None:
    context.scratch["pending_link"] = link
    await reply(update, *link_offer(link))


async def start_from_link(update: Update, context: BotContext) -> Ask | int:
    """The "Save as prospect" button under a bare link starts the guided add."""
    query = update.callback_query
    assert query is not None
    await answer(query)
    link = context.scratch.pop("pending_link", "")
    if not link:
        await edit(update, "That link has expired; send it again, please.")
        return END
    open_question(context, "add", draft={"link": link})
    await edit(update, saving_link(link))
    return Ask.ADD_COMPANY


async def drop_link(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    await answer(query)
    context.scratch.pop("pending_link", None)
    context.scratch.pop("pending_draft", None)
    await edit(update, "OK, not saved.")


def _draft(context: BotContext) -> dict[str, Any]:
    """The guided add's answers so far (company, role, track, link)."""
    question = current(context)
    draft: dict[str, Any] = question["draft"] if question is not None else {}
    return draft


async def answer_as_text(update: Update, context: BotContext) -> None:
    """Text that answers no (live) question: a link is offered for saving, anything else gets a hint."""
    assert update.effective_message is not None
    await offer_typed_job(update, context)


async def ask_role(update: Update, context: BotContext) -> Ask | int:
    """Guided add, step 2: the company is in, ask for the role."""
    assert update.effective_message is not None
    draft = _draft(context)
    names = split_job_names(update.effective_message.text or "") if draft.get("link") else None
    if names is not None:  # a saved link: "Acme - SRE" answers both at once
        draft["company"], draft["role"] = names
        return await _save_from_link(update, context)
    try:
        company = validate_name(update.effective_message.text or "", "company")
    except CaptureError as error:
        await reply(update, f"{reason(error)} Which company?")
        return Ask.ADD_COMPANY
    _draft(context)["company"] = company
    await reply(update, role_question(company))
    return Ask.ADD_ROLE


async def ask_track(update: Update, context: BotContext) -> Ask | int:
    """Guided add, step 3: offer the user's tracks back as buttons."""
    assert update.effective_message is not None
    try:
        role = validate_name(update.effective_message.text or "", "role")
    except CaptureError as error:
        await reply(update, f"{reason(error)} Which role?")
        return Ask.ADD_ROLE
    _draft(context)["role"] = role
    if _draft(context).get("link"):
        return await _save_from_link(update, context)
    profile = profile_of(update, context)
    # The buttons carry an index into this exact list (callback data never holds user text).
    _draft(context)["track_choices"] = list(profile.tracks)
    await reply(update, *track_question(profile.tracks))
    return Ask.ADD_TRACK


async def _ask_stage(update: Update) -> Ask:
    await reply(update, *stage_question())
    return Ask.ADD_STAGE


async def track_typed(update: Update, context: BotContext) -> Ask | int:
    """Guided add, step 3 typed: a new track (or skip)."""
    assert update.effective_message is not None
    typed = (update.effective_message.text or "").strip().lstrip("#")
    if typed.lower() in ("skip", "none", "no", "-"):
        typed = ""
    try:
        track = validate_name(typed, "track") if typed else ""
    except CaptureError as error:
        await reply(update, reason(error))
        return Ask.ADD_TRACK
    _draft(context)["track"] = track
    return await _ask_stage(update)


async def stage_needs_tap(update: Update, context: BotContext) -> Ask | int:
    """Text while we wait for the prospect/applied buttons."""
    await reply(update, "Tap one of the buttons above (not yet / applied), or /cancel.")
    return Ask.ADD_STAGE


async def track_tapped(update: Update, context: BotContext) -> Ask | int:
    """Guided add, step 3 tapped: one of the user's tracks (or Skip)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await answer(query)
    if current(context) is None:
        await edit(update, "That question has expired. Start again with /add.")
        return END
    draft = _draft(context)
    _, _, args = decode(query.data)
    index = int_args(args, 1)
    choices: list[str] = draft.pop("track_choices", [])
    if index is not None and 0 <= index[0] < len(choices):
        draft["track"] = choices[index[0]]
    await edit(update, track_chosen(draft.get("track", "")))
    return await _ask_stage(update)


async def stage_tapped(update: Update, context: BotContext) -> int:
    """Guided add, last step: prospect or applied, then save."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await answer(query)
    question = close(context)
    answers = question.get("draft", {}) if question is not None else {}
    if not answers.get("company") or not answers.get("role"):
        await edit(update, "That question has expired. Start again with /add.")
        return END
    draft = Draft(company=answers["company"], role=answers["role"], link=answers.get("link", ""))
    draft.track = answers.get("track", "")
    draft.applied = query.data.endswith(":1")
    await edit(update, "Applied." if draft.applied else "Prospect.")
    await _save_new(update, context, profile_of(update, context), draft)
    return END


async def nothing_to_cancel(update: Update, context: BotContext) -> None:
    """/cancel when no question is open (an open one is cancelled by ``questions.cancel``)."""
    await reply(update, "Nothing to cancel: I wasn't waiting for an answer.")


# -- viewing ----------------------------------------------------------------------------------


async def list_applications(update: Update, context: BotContext) -> None:
    """/list: open applications grouped by stage, paged; /list all includes closed ones."""
    profile = profile_of(update, context)
    scope = (context.args or ["open"])[0].lower()
    apps = context.repo.applications_view(profile.user_id)
    text, markup = list_page(apps, 1, today_for(profile, context), closed=scope == "all")
    await reply(update, text, markup)


async def list_page_tapped(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await answer(query)
    _, scope, args = decode(query.data)
    page = int_args(args, 1)
    profile = profile_of(update, context)
    apps = context.repo.applications_view(profile.user_id)
    text, markup = list_page(apps, page[0] if page else 1, today_for(profile, context), closed=scope == "all")
    await edit(update, text, markup)


async def show_prospects(update: Update, context: BotContext) -> None:
    """/prospects: prospects ranked by fit, with re-rate buttons."""
    profile = profile_of(update, context)
    ranked = rank_prospects(context.repo.applications_view(profile.user_id))
    text, markup = prospects_view(ranked, today_for(profile, context))
    await reply(update, text, markup)


async def show_application(update: Update, context: BotContext) -> None:
    """/show N: the card with history and buttons."""
    app = await find_app(update, context, context.args or [], "/show 3")
    if app is None:
        return
    text, markup = _card(app, profile_of(update, context), context)
    await reply(update, text, markup)


# -- typed changes ----------------------------------------------------------------------------


async def _apply(
    update: Update,
    context: BotContext,
    app: JobApplication,
    label: str,
    headline: str,
    toast: str | None = None,
) -> None:
    """Store a change made to ``app`` and confirm it with an Undo button.

    The store happens before the first ``await``, so the read-modify-write that began when the
    handler loaded ``app`` is never interleaved with a job. A button press is answered right after.
    """
    profile = profile_of(update, context)
    entry = context.repo.save_application(profile.user_id, app, label)
    logger.info("application.changed user=%s number=%s", profile.user_id, app.number)
    changed(context, profile.user_id)
    text, markup = _card(app, profile, context, undo=entry)
    if update.callback_query is not None:
        await answer(update.callback_query, toast)
        await edit(update, f"{headline}\n\n{text}", markup)
    else:
        await reply(update, f"{headline}\n\n{text}", markup)
    if app.stage == Stage.ACCEPTED and app.outcome is None:
        others = moves.open_elsewhere(context.repo.applications_view(profile.user_id), app.number)
        await reply(update, *congratulations_elsewhere(app, others))


async def move_application(update: Update, context: BotContext) -> None:
    """/move N <stage>: jump forwards (skipped stages recorded) or correct backwards."""
    args = context.args or []
    app = await find_app(update, context, args, "/move 3 interview")
    if app is None:
        return
    stage = parse_stage(" ".join(args[1:])) if len(args) > 1 else None
    if stage is None:
        await reply(update, f"Move #{app.number} to which stage? Use a name or number: {stage_choices()}.")
        return
    try:
        correction = moves.move(app, stage, context.now())
    except InvalidMove as error:
        await reply(update, reason(error))
        return
    verb = "Corrected" if correction else "Moved"
    await _apply(update, context, app, f"moved #{app.number} to {stage.label}", moved(app.number, stage, verb))


async def _typed_change(
    update: Update,
    context: BotContext,
    usage: str,
    change: Callable[[JobApplication, list[str]], tuple[str, str]],
) -> None:
    """Shared shape of /reject, /withdraw, /reopen, /note...: find #N, change it, store, confirm.

    ``change`` gets the application and the words after N, applies a domain move and returns
    (undo label, headline); an InvalidMove becomes a friendly reply and nothing is stored.
    """
    args = context.args or []
    app = await find_app(update, context, args, usage)
    if app is None:
        return
    try:
        label, headline = change(app, args[1:])
    except InvalidMove as error:
        await reply(update, reason(error))
        return
    await _apply(update, context, app, label, headline)


async def _close_typed(update: Update, context: BotContext, outcome: Outcome, usage: str) -> None:
    def close(app: JobApplication, words: list[str]) -> tuple[str, str]:
        if moves.give_reason(app, outcome, context.now(), read_reason(" ".join(words), outcome)):
            return f"reason for #{app.number}", f"Updated the reason: #{app.number} {outcome_phrase(outcome)}."
        return f"{outcome.value} #{app.number}", f"#{app.number} {outcome_phrase(outcome)}."

    await _typed_change(update, context, usage, close)


async def withdraw_application(update: Update, context: BotContext) -> None:
    """/withdraw N [reason] (again with a reason on a withdrawn one: the reason is updated)"""
    await _close_typed(update, context, Outcome.WITHDRAWN, "/withdraw 3 accepted another offer")


async def ghost_application(update: Update, context: BotContext) -> None:
    """/ghosted N"""
    await _close_typed(update, context, Outcome.GHOSTED, "/ghosted 3")


async def decline_application(update: Update, context: BotContext) -> None:
    """/decline N"""
    await _close_typed(update, context, Outcome.DECLINED, "/decline 3")


async def reopen_application(update: Update, context: BotContext) -> None:
    """/reopen N"""

    def reopen(app: JobApplication, _words: list[str]) -> tuple[str, str]:
        moves.reopen(app, context.now())
        return f"reopened #{app.number}", f"Reopened #{app.number}."

    await _typed_change(update, context, "/reopen 3", reopen)


async def note_application(update: Update, context: BotContext) -> None:
    """/note N <text>"""

    def note(app: JobApplication, words: list[str]) -> tuple[str, str]:
        typed = notes.text_after(update.effective_message.text or "", 2) if update.effective_message else ""
        lesson = as_lesson(typed or " ".join(words))  # "/note 3 lesson: …" is a lesson
        if lesson is not None:
            moves.add_note(app, lesson, context.now(), kind="lesson")
            return f"lesson on #{app.number}", f"Lesson added to #{app.number}."
        moves.add_note(app, typed or " ".join(words), context.now())  # whole, line breaks kept
        return f"note on #{app.number}", f"Note added to #{app.number}."

    await _typed_change(update, context, "/note 3 Ask about on-call", note)


async def rate_fit(update: Update, context: BotContext) -> None:
    """/fit N <contribute> <learn>: re-rank a prospect."""
    args = context.args or []
    app = await find_app(update, context, args, "/fit 3 4 5")
    if app is None:
        return
    scores = int_args(args[1:], 2)
    if scores is None or not all(1 <= s <= 5 for s in scores):
        await reply(update, fit_usage(app.number))
        return
    app.fit_contribute, app.fit_learn = scores
    await _apply(
        update, context, app, f"rated #{app.number}", f"#{app.number} fit is now {app.fit} ({scores[0]}/{scores[1]})."
    )


EDITABLE = ("company", "role", "link", "track", "camp", "source", "closes")


async def edit_application(update: Update, context: BotContext) -> None:
    """/edit N <field> <value>"""
    args = context.args or []
    app = await find_app(update, context, args, "/edit 3 role Staff SRE")
    if app is None:
        return
    field = args[1].lower() if len(args) > 1 else ""
    value = " ".join(args[2:]).strip()
    if field not in EDITABLE:
        await reply(update, which_field(app.number, EDITABLE))
        return
    if not value:
        await reply(update, what_value(app.number, field, clearable=field not in ("company", "role")))
        return
    profile = profile_of(update, context)
    problem = _set_field(app, field, value, today_for(profile, context), onboarding.order_for(profile, context))
    if problem:
        await reply(update, reason(problem))
        return
    app.history.append(Event(at=context.now(), kind="edited", detail=field))
    if field == "track" and app.track:
        profile.remember_track(app.track)
        context.repo.save_profile(profile)
    await _apply(update, context, app, f"edited #{app.number} {field}", f"Updated the {field} of #{app.number}.")


def _set_field(app: JobApplication, field: str, value: str, today: date, order: DateOrder) -> str | None:
    """Change one field; return a friendly problem description instead when the value is bad.

    ``none`` clears an optional field.
    """
    if value.lower() in ("none", "-") and field not in ("company", "role"):
        value = ""
    if field in ("company", "role"):
        try:
            setattr(app, field, validate_name(value, field))
        except CaptureError as error:
            return str(error)
    elif field == "link":
        if value and not find_link(value):
            return "That doesn't look like a link; it should start with https://"
        app.link = find_link(value) or ""
    elif field == "track":
        app.track = value.lstrip("#")[:60]
    elif field == "camp":
        camp = parse_camp(value)
        if camp is None and value:
            return "Camp is one of: safe, growth, adventurous."
        app.camp = camp
    elif field == "source":
        source = parse_source(value)
        if source is None and value:
            return "Source is one of: job board, referral, network, recruiter, other."
        app.source = source
    elif field == "closes":
        day = parse_day(value, today, order=order) if value else None
        if value and day is None:
            return "I couldn't read that date. Try 2026-12-05, friday or in 2 weeks (or none)."
        if day is not None and (problem := closing_problem(day, today)):
            return problem
        app.closes_on = day
    return None


async def delete_application(update: Update, context: BotContext) -> None:
    """/delete N asks to confirm with buttons."""
    app = await find_app(update, context, context.args or [], "/delete 3")
    if app is None:
        return
    await reply(update, *delete_question(app))


async def undo_last(update: Update, context: BotContext) -> None:
    """/undo reverts the most recent change (an add, a move, a delete...)."""
    profile = profile_of(update, context)
    entry = context.repo.undo(profile.user_id)
    if entry is None:
        await reply(update, "Nothing to undo.")
        return
    changed(context, profile.user_id)
    await reply(update, undone(entry.label))


# -- buttons ----------------------------------------------------------------------------------


async def closing_reading_tapped(update: Update, context: BotContext) -> None:
    """``alt:close:<n>:<read>:<other>``: the closing date typed as 3/12 was meant the other way round."""
    found = await _app_from_query(update, context)
    if found is None:
        return
    _, app, _, _, args = found
    read, other = (read_compact_day(arg) for arg in [*args, "", ""][1:3])
    if read is None or other is None or app.closes_on != read:
        assert update.callback_query is not None
        await answer(update.callback_query, "That closing date has changed since; use /edit.", alert=True)
        return
    app.closes_on = other
    app.history.append(Event(at=context.now(), kind="edited", detail="closes"))
    headline = closing_date_now(app.number, other)
    await _apply(update, context, app, f"edited #{app.number} closes", headline, "Closing date changed")


async def _app_from_query(
    update: Update, context: BotContext, count: int = 1
) -> tuple[Profile, JobApplication, str, list[int], list[str]] | None:
    """Decode ``<area>:<action>:<n>[:…]`` and find #n in the presser's own data.

    Returns (profile, application, action, the first ``count`` args as ints, all args), or None
    after telling the presser that the application is gone (or the data was not ours).
    """
    query = update.callback_query
    assert query is not None and query.data is not None
    _, action, args = decode(query.data)
    numbers = int_args(args, count)
    profile = profile_of(update, context)
    app = context.repo.get_application(profile.user_id, numbers[0]) if numbers else None
    if app is None or numbers is None:
        await answer(query, "That application no longer exists.", alert=True)
        return None
    return profile, app, action, numbers, args


ButtonAction = Callable[[Update, BotContext, Profile, JobApplication, list[str]], Awaitable[None]]


async def _show_card(update: Update, context: BotContext, profile: Profile, app: JobApplication, _: list[str]) -> None:
    assert update.callback_query is not None
    await answer(update.callback_query)
    text, markup = _card(app, profile, context)
    await edit(update, text, markup)


async def _advance_card(
    update: Update, context: BotContext, profile: Profile, app: JobApplication, args: list[str]
) -> None:
    expected = int_args(args[1:], 1)
    if expected is not None and expected[0] != app.stage:
        assert update.callback_query is not None
        await answer(update.callback_query, "That was out of date; here it is now.")
        text, markup = _card(app, profile, context)
        await edit(update, text, markup)
        return
    stage = moves.advance(app, context.now())
    await _apply(
        update,
        context,
        app,
        f"moved #{app.number} to {stage.label}",
        moved(app.number, stage),
        toast=f"#{app.number} → {stage.label}",
    )


async def _ask_reason(update: Update, context: BotContext, profile: Profile, app: JobApplication, _: list[str]) -> None:
    assert update.callback_query is not None
    await answer(update.callback_query)
    await edit(update, *reason_question(app))


def _closer(outcome: Outcome) -> ButtonAction:
    async def close(
        update: Update, context: BotContext, profile: Profile, app: JobApplication, args: list[str]
    ) -> None:
        reason = REJECTION_REASONS.get(args[1], "") if outcome == Outcome.REJECTED and len(args) > 1 else ""
        moves.close(app, outcome, context.now(), reason)
        await _apply(
            update,
            context,
            app,
            f"{outcome.value} #{app.number}",
            f"#{app.number} {outcome_phrase(outcome)}.",
            toast=f"#{app.number} {outcome.value}",
        )

    return close


async def _reopen_card(
    update: Update, context: BotContext, profile: Profile, app: JobApplication, _: list[str]
) -> None:
    moves.reopen(app, context.now())
    await _apply(update, context, app, f"reopened #{app.number}", f"Reopened #{app.number}.")


async def _show_more(update: Update, context: BotContext, profile: Profile, app: JobApplication, _: list[str]) -> None:
    assert update.callback_query is not None
    await answer(update.callback_query)
    text, _markup = _card(app, profile, context)
    await edit(update, text, more_keyboard(app))


async def _ask_delete(update: Update, context: BotContext, profile: Profile, app: JobApplication, _: list[str]) -> None:
    assert update.callback_query is not None
    await answer(update.callback_query)
    await edit(update, *delete_question(app))


async def _delete_card(
    update: Update, context: BotContext, profile: Profile, app: JobApplication, _: list[str]
) -> None:
    entry = context.repo.delete_application(profile.user_id, app.number, f"deleted #{app.number}")
    changed(context, profile.user_id)
    assert update.callback_query is not None
    await answer(update.callback_query, "Deleted")
    await edit(update, *deleted(app, entry.id if entry else None))


BUTTON_ACTIONS: dict[str, ButtonAction] = {
    "show": _show_card,
    "adv": _advance_card,
    "wd": _closer(Outcome.WITHDRAWN),
    "gh": _closer(Outcome.GHOSTED),
    "dec": _closer(Outcome.DECLINED),
    "reopen": _reopen_card,
    "more": _show_more,
    "del": _ask_delete,
    "delok": _delete_card,
}


async def application_button(update: Update, context: BotContext) -> None:
    """Every ``app:<action>:<n>`` button; the number is looked up in the presser's own data."""
    found = await _app_from_query(update, context)
    if found is None:
        return
    profile, app, action, _, args = found
    assert update.callback_query is not None
    if live(context, "reason") is not None:  # another button (« Back) leaves the "why?" question
        close(context)
    handler = BUTTON_ACTIONS.get(action)
    if handler is None:
        await answer(update.callback_query, "That button is from an older version; try /list.")
        return
    try:
        await handler(update, context, profile, app, args)
    except InvalidMove as error:
        await answer(update.callback_query, str(error)[:200], alert=True)


async def fit_button(update: Update, context: BotContext) -> None:
    """``fit:ask:<n>`` -> contribute 1-5 -> learn 1-5 -> saved, prospects re-ranked."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, action, _ = decode(query.data)
    found = await _app_from_query(update, context, {"ask": 1, "c": 2, "l": 3}.get(action, 9))
    if found is None:
        return
    profile, app, _, numbers, _ = found
    if not all(1 <= v <= 5 for v in numbers[1:]):
        await answer(query, "Scores go from 1 to 5.", alert=True)
        return
    if action == "ask":
        await answer(query)
        await edit(update, *fit_question(app, None))
    elif action == "c":
        await answer(query)
        await edit(update, *fit_question(app, numbers[1]))
    else:
        app.fit_contribute, app.fit_learn = numbers[1], numbers[2]
        context.repo.save_application(profile.user_id, app, f"rated #{app.number}")
        changed(context, profile.user_id)
        await answer(query, f"#{app.number} fit {app.fit}")
        ranked = rank_prospects(context.repo.applications_view(profile.user_id))
        text, markup = prospects_view(ranked, today_for(profile, context))
        await edit(update, f"#{app.number} fit is now {app.fit}.\n\n{text}", markup)


async def undo_button(update: Update, context: BotContext) -> None:
    """``undo:do:<id>`` undoes that change if it is still the latest one."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, _, args = decode(query.data)
    ids = int_args(args, 1)
    profile = profile_of(update, context)
    entry = context.repo.undo(profile.user_id, ids[0]) if ids else None
    if entry is None:
        await answer(query, "That's no longer the latest change. /undo undoes the most recent one.", alert=True)
        return
    changed(context, profile.user_id)
    await answer(query, "Undone")
    app = context.repo.get_application(profile.user_id, entry.number)
    if app is None:
        await edit(update, undone(entry.label))
        return
    text, markup = _card(app, profile, context)
    await edit(update, f"{undone(entry.label)}\n\n{text}", markup)


# -- notes by button ------------------------------------------------------------------------


async def ask_note(update: Update, context: BotContext) -> Ask | int:
    found = await _app_from_query(update, context)
    if found is None:
        return END
    _, app, _, _, _ = found
    assert update.callback_query is not None
    await answer(update.callback_query)
    open_question(context, "note", number=app.number)
    await reply(update, note_question(app))
    return Ask.NOTE


async def save_note(update: Update, context: BotContext) -> int:
    assert update.effective_message is not None
    question = close(context)
    number = question.get("number") if question is not None else None
    profile = profile_of(update, context)
    app = context.repo.get_application(profile.user_id, number) if number else None
    if app is None:
        await reply(update, "That application no longer exists.")
        return END
    try:
        moves.add_note(app, update.effective_message.text or "", context.now())
    except InvalidMove as error:
        await reply(update, reason(error))
        return END
    await _apply(update, context, app, f"note on #{app.number}", f"Note added to #{app.number}.")
    return END


# -- wiring -----------------------------------------------------------------------------------

TEXT = filters.TEXT & ~filters.COMMAND


def question_entries() -> list[Registered]:
    """What opens this module's questions (see ``bot.handlers.questions``)."""
    return [
        CommandHandler("add", add_application),
        CallbackQueryHandler(start_from_link, pattern=r"^add:link$"),
        CallbackQueryHandler(ask_note, pattern=r"^app:note:"),
        CommandHandler("reject", reject_application),
        CommandHandler("lesson", record_lesson),
        CallbackQueryHandler(ask_rejection_reason, pattern=r"^app:rej:"),
        CallbackQueryHandler(reason_tapped, pattern=r"^app:rejr:"),
        CallbackQueryHandler(check_in_rejected, pattern=r"^acc:ci:\d+:rej$"),  # before the check-in's own
    ]


def question_states() -> dict[Ask, tuple[str, list[Registered]]]:
    """The guided add's steps and the note question, each with the question kind it belongs to."""
    return {
        Ask.ADD_COMPANY: ("add", [MessageHandler(TEXT, ask_role)]),
        Ask.ADD_ROLE: ("add", [MessageHandler(TEXT, ask_track)]),
        Ask.ADD_TRACK: (
            "add",
            [MessageHandler(TEXT, track_typed), CallbackQueryHandler(track_tapped, pattern=r"^add:track:")],
        ),
        Ask.ADD_STAGE: (
            "add",
            [CallbackQueryHandler(stage_tapped, pattern=r"^add:stage:"), MessageHandler(TEXT, stage_needs_tap)],
        ),
        Ask.NOTE: ("note", [MessageHandler(TEXT, save_note)]),
        Ask.REASON: ("reason", [MessageHandler(TEXT, reason_typed)]),
    }


def handlers() -> list[Registered]:
    show_shortcut = MessageHandler(filters.Regex(r"^/show_?(\d+)(@\w+)?$"), _show_shortcut)
    return [
        CommandHandler("list", list_applications),
        CommandHandler("prospects", show_prospects),
        CommandHandler("show", show_application),
        show_shortcut,
        CommandHandler("move", move_application),
        CommandHandler("withdraw", withdraw_application),
        CommandHandler("ghosted", ghost_application),
        CommandHandler("decline", decline_application),
        CommandHandler("reopen", reopen_application),
        CommandHandler("note", note_application),
        CommandHandler("fit", rate_fit),
        CommandHandler("edit", edit_application),
        CommandHandler("delete", delete_application),
        CommandHandler("undo", undo_last),
        CommandHandler("cancel", nothing_to_cancel),
        CallbackQueryHandler(application_button, pattern=r"^app:"),
        CallbackQueryHandler(fit_button, pattern=r"^fit:"),
        CallbackQueryHandler(undo_button, pattern=r"^undo:"),
        CallbackQueryHandler(closing_reading_tapped, pattern=r"^alt:close:"),
        CallbackQueryHandler(list_page_tapped, pattern=r"^list:"),
        CallbackQueryHandler(drop_link, pattern=r"^add:drop$"),
        CallbackQueryHandler(save_offered_job, pattern=r"^add:draft$"),
        CallbackQueryHandler(closing_in_tapped, pattern=r"^add:cl:"),
        CommandHandler("notes", show_notes),
        CallbackQueryHandler(notes_page_tapped, pattern=r"^notes:(pg|open):"),
        CommandHandler("lessons", show_lessons),
        CallbackQueryHandler(lessons_page_tapped, pattern=r"^lessons:pg:"),
    ]


def late_handlers() -> list[Registered]:
    """Catch-alls for plain text, registered after the feature modules' own questions."""
    return [MessageHandler(TEXT, offer_typed_job)]  # a job or a link; other text goes on to the hints


async def _show_shortcut(update: Update, context: BotContext) -> None:
    """``/show_3`` (tappable in lists) is the same as ``/show 3``."""
    assert update.effective_message is not None and update.effective_message.text is not None
    digits = "".join(ch for ch in update.effective_message.text.split("@")[0] if "0" <= ch <= "9")
    context.args = [digits]
    await show_application(update, context)


# -- a job typed without /add --------------------------------------------------------------------


async def offer_typed_job(update: Update, context: BotContext) -> None:
    """Text without /add: a job is offered with all it holds, a bare link as before, anything else a hint."""
    assert update.effective_message is not None
    text = update.effective_message.text or ""
    profile = profile_of(update, context)
    try:
        draft = read_job(text, today_for(profile, context), order=onboarding.order_for(profile, context))
    except CaptureError as error:
        await reply(update, f"That looks like a job, but: {reason(error)} Nothing was saved.")
        return
    if draft is None:
        if find_link(text):
            await offer_link(update, context)
        else:
            await onboarding.unknown_text(update, context)
        return
    context.scratch["pending_draft"] = draft.to_dict()  # JSON: the scratch is stored (bot/persistence.py)
    await reply(update, *job_offer(draft))


async def save_offered_job(update: Update, context: BotContext) -> None:
    """``add:draft``: the job offered from typed text is saved with everything it held."""
    query = update.callback_query
    assert query is not None
    await answer(query)
    pending = context.scratch.pop("pending_draft", None)
    if not isinstance(pending, dict):
        await edit(update, "That offer has expired; send the job again, please.")
        return
    draft = Draft.from_dict(pending)
    await edit(update, f"Saving {draft_summary(draft)}")
    await _save_new(update, context, profile_of(update, context), draft)


# -- a link saved in as few steps as possible ------------------------------------------------------


async def _save_from_link(update: Update, context: BotContext) -> int:
    """Company and role are in for a saved link: save the prospect, then offer optional taps."""
    question = close(context)
    answers = question.get("draft", {}) if question is not None else {}
    draft = Draft(company=answers.get("company", ""), role=answers.get("role", ""), link=answers.get("link", ""))
    profile = profile_of(update, context)
    app = await _save_new(update, context, profile, draft)
    await reply(update, *link_saved_options(app.number))
    return END


async def closing_in_tapped(update: Update, context: BotContext) -> None:
    """``add:cl:<n>:<days>``: the optional closing-date tap offered after saving a link."""
    found = await _app_from_query(update, context, 2)
    if found is None:
        return
    profile, app, _, numbers, _ = found
    try:
        day = moves.set_closing_in(app, numbers[1], today_for(profile, context), context.now())
    except InvalidMove as error:
        assert update.callback_query is not None
        await answer(update.callback_query, str(error), alert=True)
        return
    entry = context.repo.save_application(profile.user_id, app, f"edited #{app.number} closes")
    changed(context, profile.user_id)
    assert update.callback_query is not None
    await answer(update.callback_query, "Closing date set")
    await edit(update, *closing_set(app.number, day, entry.id if entry is not None else None))


# -- reading notes whole ---------------------------------------------------------------------------


async def show_notes(update: Update, context: BotContext) -> None:
    """/notes N: every note of #N, whole, a phone screen at a time."""
    app = await find_app(update, context, context.args or [], "/notes 3")
    if app is None:
        return
    profile = profile_of(update, context)
    await reply(update, *notes_view(app, 0, context.user_tz(profile.timezone)))


async def notes_page_tapped(update: Update, context: BotContext) -> None:
    """``notes:pg:<n>:<page>`` turns the page in place; ``notes:open:<n>:0`` (under a prep note) sends page 1."""
    found = await _app_from_query(update, context, 2)
    if found is None:
        return
    profile, app, action, numbers, _ = found
    assert update.callback_query is not None
    await answer(update.callback_query)
    view = notes_view(app, numbers[1], context.user_tz(profile.timezone))
    if action == "open":
        await reply(update, *view)
    else:
        await edit(update, *view)


# -- why it closed, and what it taught (hunt items 6 and 7) ------------------------------------------
# The "why?" question is kind "reason" (state Ask.REASON); the lesson asked afterwards is the same
# "lesson" question as after an interview check-in (Ask.LESSON, answered by accountability.save_lesson).


async def _ask_lesson(update: Update, context: BotContext, app: JobApplication) -> Ask:
    open_question(context, "lesson", number=app.number)
    await reply(update, feedback_question(app))
    return Ask.LESSON


async def _after_rejection(update: Update, context: BotContext, app: JobApplication) -> Ask:
    """A new rejection: ask why when no reason was given, else ask for a lesson."""
    if app.reason:
        return await _ask_lesson(update, context, app)
    open_question(context, "reason", number=app.number)
    await reply(update, *reason_question(app))
    return Ask.REASON


async def reject_application(update: Update, context: BotContext) -> Ask | int:
    """/reject N [reason]: closed as rejected (or its reason updated); then why, or a lesson."""
    args = context.args or []
    app = await find_app(update, context, args, "/reject 3 salary")
    if app is None:
        return END
    try:
        typed = read_reason(" ".join(args[1:]), Outcome.REJECTED)
        updated = moves.give_reason(app, Outcome.REJECTED, context.now(), typed)
    except InvalidMove as error:
        await reply(update, reason(error))
        return END
    if updated:
        headline = f"Updated why #{app.number} was rejected."
        await _apply(update, context, app, f"reason for #{app.number}", headline)
        return END
    await _apply(update, context, app, f"rejected #{app.number}", f"#{app.number} {outcome_phrase(Outcome.REJECTED)}.")
    return await _after_rejection(update, context, app)


async def ask_rejection_reason(update: Update, context: BotContext) -> Ask | int:
    """``app:rej:<n>`` (the card's Rejected): the reasons as buttons, or the next text is the reason."""
    found = await _app_from_query(update, context)
    if found is None:
        return END
    profile, app, _, _, args = found
    await _ask_reason(update, context, profile, app, args)
    open_question(context, "reason", number=app.number)
    return Ask.REASON


async def _record_reason(update: Update, context: BotContext, app: JobApplication, why: str) -> Ask | int:
    """Close #N as rejected with ``why`` (or give a rejected one its reason), then ask for a lesson."""
    close(context)
    if app.outcome == Outcome.REJECTED and not why:
        if update.callback_query is not None:
            await answer(update.callback_query)
            await edit(update, no_reason(app))
    else:
        try:
            updated = moves.give_reason(app, Outcome.REJECTED, context.now(), why)
        except InvalidMove as error:
            if update.callback_query is not None:
                await answer(update.callback_query, str(error)[:200], alert=True)
            else:
                await reply(update, reason(error))
            return END
        label = f"reason for #{app.number}" if updated else f"rejected #{app.number}"
        because = f": {esc(why)}" if why else ""
        await _apply(update, context, app, label, f"#{app.number} {outcome_phrase(Outcome.REJECTED)}{because}.")
    return await _ask_lesson(update, context, app)


async def reason_tapped(update: Update, context: BotContext) -> Ask | int:
    """``app:rejr:<n>:<key>``: a quick reason (``-``: none given)."""
    found = await _app_from_query(update, context)
    if found is None:
        return END
    _, app, _, _, args = found
    return await _record_reason(update, context, app, REJECTION_REASONS.get(args[1], "") if len(args) > 1 else "")


async def reason_typed(update: Update, context: BotContext) -> Ask | int:
    """The text after "Why were you rejected?" is the reason."""
    assert update.effective_message is not None
    question = current(context)
    number = question.get("number") if question is not None else None
    profile = profile_of(update, context)
    app = context.repo.get_application(profile.user_id, number) if isinstance(number, int) else None
    if app is None:
        close(context)
        await reply(update, "That application no longer exists.")
        return END
    return await _record_reason(
        update, context, app, read_reason(update.effective_message.text or "", Outcome.REJECTED)
    )


async def check_in_rejected(update: Update, context: BotContext) -> Ask | int:
    """``acc:ci:<n>:rej`` ("How did the interview go?" -> Rejected): close it, then ask why."""
    found = await _app_from_query(update, context)
    if found is None:
        return END
    profile, app, _, _, _ = found
    assert update.callback_query is not None
    try:
        interviews.check_in(app, "rej", context.now())
    except InvalidMove as error:
        await answer(update.callback_query, str(error)[:200], alert=True)
        return END
    context.repo.save_application(profile.user_id, app, f"interview check-in for #{app.number}")
    changed(context, profile.user_id)
    await answer(update.callback_query)
    open_question(context, "reason", number=app.number)
    text, markup = reason_question(app)
    await edit(update, f"{CHECK_IN_REJECTED}\n\n{text}", markup)
    return Ask.REASON


async def record_lesson(update: Update, context: BotContext) -> Ask | int:
    """/lesson N text keeps a lesson; /lesson N alone asks for it."""
    args = context.args or []
    app = await find_app(update, context, args, "/lesson 3 Practise a system design story")
    if app is None:
        return END
    typed = notes.text_after(update.effective_message.text or "", 2) if update.effective_message else ""
    if not typed:
        return await _ask_lesson(update, context, app)
    try:
        moves.add_note(app, typed, context.now(), kind="lesson")  # kept whole
    except InvalidMove as error:
        await reply(update, reason(error))
        return END
    profile = profile_of(update, context)
    context.repo.save_application(profile.user_id, app, f"lesson on #{app.number}")
    changed(context, profile.user_id)
    await reply(update, lesson_kept(app))
    return END


async def show_lessons(update: Update, context: BotContext) -> None:
    """/lessons: every lesson, newest first, and the gaps rejections named."""
    profile = profile_of(update, context)
    apps = context.repo.applications_view(profile.user_id)
    await reply(update, *lessons_view(apps, 0, context.user_tz(profile.timezone)))


async def lessons_page_tapped(update: Update, context: BotContext) -> None:
    """``lessons:pg:<page>`` turns the page in place."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await answer(query)
    page = int_args(decode(query.data)[2], 1)
    profile = profile_of(update, context)
    apps = context.repo.applications_view(profile.user_id)
    await edit(update, *lessons_view(apps, page[0] if page else 0, context.user_tz(profile.timezone)))


# -- accepting an offer: the other applications (hunt item 14) ------------------------------------------


async def _withdraw_elsewhere(
    update: Update, context: BotContext, profile: Profile, app: JobApplication, _: list[str]
) -> None:
    """``app:wdall:<n>``: withdraw from every other open application, #n being accepted (one file write)."""
    assert update.callback_query is not None
    if app.stage != Stage.ACCEPTED or app.outcome is not None:
        await answer(
            update.callback_query, f"#{app.number} is no longer accepted, so nothing was withdrawn.", alert=True
        )
        return
    others = moves.open_elsewhere(context.repo.list_applications(profile.user_id), app.number)
    if not others:
        await answer(update.callback_query, "Nothing left to withdraw from.")
        await edit(update, *congratulations(app))
        return
    moves.withdraw_all(others, context.now())
    with context.repo.transaction(profile.user_id):  # one write; each still has its own /undo step
        for other in others:
            context.repo.save_application(profile.user_id, other, f"withdrawn #{other.number}")
    changed(context, profile.user_id)
    logger.info("application.withdrawn_elsewhere user=%s count=%s", profile.user_id, len(others))
    await answer(update.callback_query, f"Withdrawn from {len(others)}")
    await edit(update, *withdrawn_elsewhere(others))


BUTTON_ACTIONS["wdall"] = _withdraw_elsewhere


# -- acting on a nudge in place (hunt item 8) ---------------------------------------------------------


def _nudge_message(update: Update) -> tuple[CallbackQuery, Message] | None:
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return None
    return query, query.message


async def _applied_in_place(
    update: Update, context: BotContext, profile: Profile, app: JobApplication, _: list[str]
) -> None:
    """``app:did:<n>`` (the plan's and /prospects' ✅): #n is applied; only its line and button change."""
    found = _nudge_message(update)
    assert update.callback_query is not None
    if app.outcome is not None or app.stage != Stage.PROSPECT:
        await answer(update.callback_query, f"#{app.number} is {app.status_label().lower()} already.")
        return
    moves.move(app, Stage.APPLIED, context.now())
    entry = context.repo.save_application(profile.user_id, app, f"applied to #{app.number}")
    changed(context, profile.user_id)
    await answer(update.callback_query, f"#{app.number} → Applied")
    if found is None:  # the message is too old to edit: say it in a new one
        await reply(update, moved(app.number, Stage.APPLIED), undo_keyboard(entry.id))
        return
    query, message = found
    swaps = {
        query.data or "": [
            button(f"↩ Undo #{app.number}", "app", "undid", app.number, entry.id),
            button(f"📇 #{app.number}", "app", "card", app.number),
        ]
    }
    await edit(update, mark_applied(message.text_html, app.number), swap_buttons(message.reply_markup, swaps))


async def _unapplied_in_place(
    update: Update, context: BotContext, profile: Profile, app: JobApplication, args: list[str]
) -> None:
    """``app:undid:<n>:<entry>``: undo that ✅ in place, if it is still the latest change."""
    found = _nudge_message(update)
    assert update.callback_query is not None
    ids = int_args(args, 2)
    entry = context.repo.undo(profile.user_id, ids[1]) if ids else None
    if entry is None or found is None:
        await answer(
            update.callback_query, "That's no longer the latest change. /undo undoes the most recent one.", alert=True
        )
        return
    changed(context, profile.user_id)
    await answer(update.callback_query, "Undone")
    query, message = found
    markup = message.reply_markup
    ranked = markup is not None and any(
        str(b.callback_data).startswith("fit:ask:") for row in markup.inline_keyboard for b in row
    )
    label = f"✅ #{app.number}" if ranked else f"✅ Applied to #{app.number}"  # /prospects or a nudge
    swaps = {
        query.data or "": [button(label, "app", "did", app.number)],
        f"app:card:{app.number}": [],
    }
    await edit(update, unmark_applied(message.text_html, app.number), swap_buttons(markup, swaps))


async def _send_card(update: Update, context: BotContext, profile: Profile, app: JobApplication, _: list[str]) -> None:
    """``app:card:<n>``: #n's card as a new message, leaving the nudge as it is."""
    assert update.callback_query is not None
    await answer(update.callback_query)
    await reply(update, *_card(app, profile, context))


BUTTON_ACTIONS["did"] = _applied_in_place
BUTTON_ACTIONS["undid"] = _unapplied_in_place
BUTTON_ACTIONS["card"] = _send_card
