"""Capturing jobs and moving them through the funnel: /add, /list, /show, buttons, /undo."""

from __future__ import annotations

import enum
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import date
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

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
from bot.domain.dates import DateOrder, ambiguous_far, compact_day, parse_day, read_compact_day
from bot.domain.funnel import plural
from bot.domain.lessons import GAP_CHARS, QUOTE_CHARS, all_lessons, as_lesson, gaps, lesson_pages
from bot.domain.models import Event, JobApplication, Profile, parse_camp, parse_source
from bot.domain.moves import InvalidMove
from bot.domain.stages import REJECTION_REASONS, Outcome, Stage, parse_stage, read_reason, stage_choices
from bot.domain.weekly import prospect_rank, rank_prospects
from bot.handlers import onboarding
from bot.handlers.common import (
    answer,
    changed,
    edit,
    find_app,
    profile_of,
    reply,
    today_for,
)
from bot.rendering import (
    app_title,
    button,
    card,
    clip,
    delete_keyboard,
    esc,
    fit_keyboard,
    keyboard,
    list_page,
    local_moment,
    mark_applied,
    more_keyboard,
    outcome_phrase,
    prospects_view,
    reason_keyboard,
    short_day,
    swap_buttons,
    undo_keyboard,
    unmark_applied,
)
from storage import UndoEntry

logger = logging.getLogger(__name__)


class AddState(enum.IntEnum):
    AWAIT_COMPANY = 1
    AWAIT_ROLE = 2
    AWAIT_TRACK = 3
    AWAIT_STAGE = 4


class NoteState(enum.IntEnum):
    AWAIT_NOTE = 1


# -- saving ----------------------------------------------------------------------------------


async def _save_new(update: Update, context: BotContext, profile: Profile, draft: Draft) -> JobApplication:
    same = [
        a
        for a in context.repo.list_applications(profile.user_id)
        if (a.company.casefold(), a.role.casefold()) == (draft.company.casefold(), draft.role.casefold())
    ]
    app = context.repo.add_application(profile, moves.new_application(draft, context.now()), "added #{n}")
    logger.info("application.added user=%s number=%s", profile.user_id, app.number)
    changed(context, profile.user_id)
    entry = context.repo.last_undo(profile.user_id)
    text, markup = _card(app, profile, context, undo=entry)
    where = "applied" if app.stage == Stage.APPLIED else "prospect"
    notes = []
    if same:
        notes.append(
            f"Heads-up: you already have #{same[0].number} for the same company and role. "
            "Tap Undo if this one is a duplicate."
        )
    if app.closes_on is not None and app.closes_on < today_for(profile, context):
        notes.append("Heads-up: that closing date has already passed.")
    if (rank := prospect_rank(context.repo.list_applications(profile.user_id), app.number)) is not None:
        notes.append(_rank_note(app, *rank))
    if draft.camp_bare and draft.camp is not None:
        notes.append(
            f"I read “{draft.camp.value}” as the camp. If it belongs to the role: "
            f"<code>/edit {app.number} role {esc(app.role)} {draft.camp.value}</code>."
        )
    if draft.source_text:
        notes.append(
            f"I don't know the source “{esc(draft.source_text)}”, so it counts as <i>other</i> in /stats; "
            "I kept it as written in a note."
        )
    order = onboarding.order_for(profile, context)
    if draft.closes_typed and (found := ambiguous_far(draft.closes_typed, today_for(profile, context), order)):
        notes.append(onboarding.reading_note(found, order))
        if found.other is not None:
            other = button(
                f"📅 I meant {found.other:%-d %b %Y}",
                *("alt", "close", app.number, compact_day(found.day), compact_day(found.other)),
            )
            markup = keyboard(*markup.inline_keyboard, [other])
    extra = "".join(f"\n{note}" for note in notes)
    await reply(update, f"Saved as {where} #{app.number}.{extra}\n\n{text}", markup)
    return app


def _card(
    app: JobApplication, profile: Profile, context: BotContext, undo: UndoEntry | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    text, markup = card(app, context.user_tz(profile.timezone), today_for(profile, context))
    if undo is not None:
        rows = [list(row) for row in markup.inline_keyboard]
        rows.append([button("↩ Undo", "undo", "do", undo.id)])
        markup = keyboard(*rows)
    return text, markup


# -- /add -------------------------------------------------------------------------------------


async def add_application(update: Update, context: BotContext) -> AddState | int:
    """/add with text saves in one go; /add alone starts the guided questions."""
    profile = profile_of(update, context)
    text = " ".join(context.args or [])
    if not text:
        context.scratch["draft"] = Draft()
        await reply(update, "Let's save a job. Which <b>company</b>? (/cancel to stop)")
        return AddState.AWAIT_COMPANY
    link = find_link(text)
    if link is not None and text.strip() == link:
        await _offer_to_save(update, context, link)  # `/add <link>` alone: same as sending the link
        return ConversationHandler.END
    try:
        draft = parse_quick_add(text, today_for(profile, context), order=onboarding.order_for(profile, context))
    except CaptureError as error:
        await reply(update, f"{error}")
        return ConversationHandler.END
    await _save_new(update, context, profile, draft)
    return ConversationHandler.END


async def offer_link(update: Update, context: BotContext) -> None:
    """A bare job link: offer to save it as a prospect."""
    assert update.effective_message is not None
    link = find_link(update.effective_message.text or "")
    if link is not None:
        await _offer_to_save(update, context, link)


async def _offer_to_save(update: Update, context: BotContext, link: str) -> None:
    context.scratch["pending_link"] = link
    await reply(
        update,
        f"Save this job as a prospect?\n{esc(link)}",
        keyboard([button("➕ Save as prospect", "add", "link"), button("No thanks", "add", "drop")]),
    )


async def start_from_link(update: Update, context: BotContext) -> AddState | int:
    """The "Save as prospect" button under a bare link starts the guided add."""
    query = update.callback_query
    assert query is not None
    await answer(query)
    link = context.scratch.pop("pending_link", "")
    if not link:
        await edit(update, "That link has expired; send it again, please.")
        return ConversationHandler.END
    context.scratch["draft"] = Draft(link=link)
    await edit(
        update,
        f"Saving {esc(link)}\nWhich <b>company and role</b>? E.g. <code>Acme - Senior SRE</code> (/cancel to stop)",
    )
    return AddState.AWAIT_COMPANY


async def drop_link(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    await answer(query)
    context.scratch.pop("pending_link", None)
    context.scratch.pop("pending_draft", None)
    await edit(update, "OK, not saved.")


QUESTION_KEYS = ("draft", "note_for", "track_choices", "reason_for", "lesson_due")
KEEPS_QUESTIONS = ("cancel", "add", "skip")


async def forget_open_questions(update: Update, context: BotContext) -> None:
    """Group -1: another command (or a file) abandons an open add or note question.

    ConversationHandler can't be ended from outside, so the scratch data goes; the step handlers
    then treat a later answer as ordinary text (see ``_abandoned``).
    """
    message = update.effective_message
    if message is None:
        return
    command = (message.text or "").split(maxsplit=1)[0].lstrip("/").split("@")[0].lower() if message.text else ""
    if command in KEEPS_QUESTIONS:
        return
    for key in QUESTION_KEYS:
        context.scratch.pop(key, None)


async def _abandoned(update: Update, context: BotContext, key: str) -> bool:
    """True (after answering it as ordinary text) when the question was left for something else."""
    if key in context.scratch:
        return False
    assert update.effective_message is not None
    await offer_typed_job(update, context)
    return True


async def ask_role(update: Update, context: BotContext) -> AddState | int:
    """Guided add, step 2: the company is in, ask for the role."""
    assert update.effective_message is not None
    if await _abandoned(update, context, "draft"):
        return ConversationHandler.END
    names = split_job_names(update.effective_message.text or "") if context.scratch["draft"].link else None
    if names is not None:  # a saved link: "Acme - SRE" answers both at once
        context.scratch["draft"].company, context.scratch["draft"].role = names
        return await _save_from_link(update, context)
    try:
        company = validate_name(update.effective_message.text or "", "company")
    except CaptureError as error:
        await reply(update, f"{error} Which company?")
        return AddState.AWAIT_COMPANY
    context.scratch["draft"].company = company
    await reply(update, f"<b>{esc(company)}</b>. Which <b>role</b>?")
    return AddState.AWAIT_ROLE


async def ask_track(update: Update, context: BotContext) -> AddState | int:
    """Guided add, step 3: offer the user's tracks back as buttons."""
    assert update.effective_message is not None
    if await _abandoned(update, context, "draft"):
        return ConversationHandler.END
    try:
        role = validate_name(update.effective_message.text or "", "role")
    except CaptureError as error:
        await reply(update, f"{error} Which role?")
        return AddState.AWAIT_ROLE
    context.scratch["draft"].role = role
    if context.scratch["draft"].link:
        return await _save_from_link(update, context)
    profile = profile_of(update, context)
    # The buttons carry an index into this exact list (callback data never holds user text).
    context.scratch["track_choices"] = list(profile.tracks)
    buttons = [button(track, "add", "track", i) for i, track in enumerate(profile.tracks)]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append([button("Skip", "add", "track", "-")])
    await reply(
        update,
        "Which <b>track</b> is it (e.g. SRE, Developer, DevRel)? Tap one or type a new one.",
        keyboard(*rows),
    )
    return AddState.AWAIT_TRACK


async def _ask_stage(update: Update) -> AddState:
    await reply(
        update,
        "Have you applied yet?",
        keyboard([button("Not yet: prospect", "add", "stage", 0), button("Yes, applied", "add", "stage", 1)]),
    )
    return AddState.AWAIT_STAGE


async def track_typed(update: Update, context: BotContext) -> AddState | int:
    assert update.effective_message is not None
    if await _abandoned(update, context, "draft"):
        return ConversationHandler.END
    typed = (update.effective_message.text or "").strip().lstrip("#")
    if typed.lower() in ("skip", "none", "no", "-"):
        typed = ""
    try:
        track = validate_name(typed, "track") if typed else ""
    except CaptureError as error:
        await reply(update, f"{error}")
        return AddState.AWAIT_TRACK
    context.scratch["draft"].track = track
    return await _ask_stage(update)


async def stage_needs_tap(update: Update, context: BotContext) -> AddState | int:
    """Text while we wait for the prospect/applied buttons."""
    if await _abandoned(update, context, "draft"):
        return ConversationHandler.END
    await reply(update, "Tap one of the buttons above (not yet / applied), or /cancel.")
    return AddState.AWAIT_STAGE


async def track_tapped(update: Update, context: BotContext) -> AddState | int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await answer(query)
    if "draft" not in context.scratch:
        await edit(update, "That question has expired. Start again with /add.")
        return ConversationHandler.END
    _, _, args = decode(query.data)
    index = int_args(args, 1)
    choices: list[str] = context.scratch.pop("track_choices", [])
    if index is not None and 0 <= index[0] < len(choices):
        context.scratch["draft"].track = choices[index[0]]
    await edit(update, f"Track: {esc(context.scratch['draft'].track or 'none')}")
    return await _ask_stage(update)


async def stage_tapped(update: Update, context: BotContext) -> int:
    """Guided add, last step: prospect or applied, then save."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await answer(query)
    draft: Draft | None = context.scratch.pop("draft", None)
    if draft is None or not draft.company or not draft.role:
        await edit(update, "That question has expired. Start again with /add.")
        return ConversationHandler.END
    draft.applied = query.data.endswith(":1")
    await edit(update, "Applied." if draft.applied else "Prospect.")
    await _save_new(update, context, profile_of(update, context), draft)
    return ConversationHandler.END


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel ends whatever conversation is going on; nothing half-done is saved."""
    context.scratch.pop("draft", None)
    context.scratch.pop("note_for", None)
    await reply(update, "Cancelled. Nothing was saved.")
    return ConversationHandler.END


async def nothing_to_cancel(update: Update, context: BotContext) -> None:
    """/cancel outside the add and note questions (the lesson question is dropped in group 1)."""
    if "lesson_for" in context.scratch:
        await reply(update, "OK, no lesson this time.")
        return
    await reply(update, "Nothing to cancel: I wasn't waiting for an answer.")


async def step_needs_text(update: Update, context: BotContext) -> None:
    """Anything that isn't text (a photo, a sticker) during a question."""
    await reply(update, "Please answer with text, or /cancel.")


# -- viewing ----------------------------------------------------------------------------------


async def list_applications(update: Update, context: BotContext) -> None:
    """/list: open applications grouped by stage, paged; /list all includes closed ones."""
    profile = profile_of(update, context)
    scope = (context.args or ["open"])[0].lower()
    apps = context.repo.list_applications(profile.user_id)
    text, markup = list_page(apps, 1, today_for(profile, context), closed=scope == "all")
    await reply(update, text, markup)


async def list_page_tapped(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await answer(query)
    _, scope, args = decode(query.data)
    page = int_args(args, 1)
    profile = profile_of(update, context)
    apps = context.repo.list_applications(profile.user_id)
    text, markup = list_page(apps, page[0] if page else 1, today_for(profile, context), closed=scope == "all")
    await edit(update, text, markup)


async def show_prospects(update: Update, context: BotContext) -> None:
    """/prospects: prospects ranked by fit, with re-rate buttons."""
    profile = profile_of(update, context)
    ranked = rank_prospects(context.repo.list_applications(profile.user_id))
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
        others = moves.open_elsewhere(context.repo.list_applications(profile.user_id), app.number)
        await reply(update, *_congratulations_view(app, others))


def congratulations(app: JobApplication) -> str:
    return (
        f"🎉 Congratulations on {esc(app.company)}! That's what all those applications were for.\n"
        "Want a break from reminders now?"
    )


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
        await reply(update, esc(error))
        return
    verb = "Corrected" if correction else "Moved"
    await _apply(
        update, context, app, f"moved #{app.number} to {stage.label}", f"{verb} #{app.number} to <b>{stage.label}</b>."
    )


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
        await reply(update, esc(error))
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
        await reply(
            update,
            "Give two scores from 1 to 5: what you'd contribute, then what you'd "
            f"learn. E.g. <code>/fit {app.number} 4 5</code>.",
        )
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
        await reply(
            update,
            f"Which field? One of: {', '.join(EDITABLE)}. E.g. <code>/edit {app.number} closes 2026-12-05</code>.",
        )
        return
    if not value:
        clear = "" if field in ("company", "role") else " (or <code>none</code> to clear it)"
        await reply(update, f"What should the {field} be? E.g. <code>/edit {app.number} {field} …</code>{clear}.")
        return
    profile = profile_of(update, context)
    problem = _set_field(app, field, value, today_for(profile, context), onboarding.order_for(profile, context))
    if problem:
        await reply(update, problem)
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
    await reply(update, f"Delete {app_title(app)} and its history?", delete_keyboard(app))


async def undo_last(update: Update, context: BotContext) -> None:
    """/undo reverts the most recent change (an add, a move, a delete...)."""
    profile = profile_of(update, context)
    entry = context.repo.undo(profile.user_id)
    if entry is None:
        await reply(update, "Nothing to undo.")
        return
    changed(context, profile.user_id)
    await reply(update, f"Undone: {esc(entry.label)}.")


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
    headline = f"Closing date of #{app.number} is now <b>{other:%-d %B %Y}</b>."
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
        f"Moved #{app.number} to <b>{stage.label}</b>.",
        toast=f"#{app.number} → {stage.label}",
    )


async def _ask_reason(update: Update, context: BotContext, profile: Profile, app: JobApplication, _: list[str]) -> None:
    assert update.callback_query is not None
    await answer(update.callback_query)
    await edit(update, f"{app_title(app)}\n{WHY_REJECTED}", reason_keyboard(app))


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
    await edit(update, f"Delete {app_title(app)} and its history?", delete_keyboard(app))


async def _delete_card(
    update: Update, context: BotContext, profile: Profile, app: JobApplication, _: list[str]
) -> None:
    entry = context.repo.delete_application(profile.user_id, app.number, f"deleted #{app.number}")
    changed(context, profile.user_id)
    assert update.callback_query is not None
    await answer(update.callback_query, "Deleted")
    await edit(update, f"Deleted {app_title(app)}.", undo_keyboard(entry.id) if entry else None)


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
    context.scratch.pop("reason_for", None)  # another button (« Back) leaves the "why?" question
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
        await edit(
            update,
            f"{app_title(app)}\nHow much could you <b>contribute</b> there? 1 (little) – 5 (a lot)",
            fit_keyboard(app, None),
        )
    elif action == "c":
        await answer(query)
        await edit(
            update, f"{app_title(app)}\nHow much would you <b>learn</b> there? 1 – 5", fit_keyboard(app, numbers[1])
        )
    else:
        app.fit_contribute, app.fit_learn = numbers[1], numbers[2]
        context.repo.save_application(profile.user_id, app, f"rated #{app.number}")
        changed(context, profile.user_id)
        await answer(query, f"#{app.number} fit {app.fit}")
        ranked = rank_prospects(context.repo.list_applications(profile.user_id))
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
        await edit(update, f"Undone: {esc(entry.label)}.")
        return
    text, markup = _card(app, profile, context)
    await edit(update, f"Undone: {esc(entry.label)}.\n\n{text}", markup)


# -- notes by button ------------------------------------------------------------------------


async def ask_note(update: Update, context: BotContext) -> NoteState | int:
    found = await _app_from_query(update, context)
    if found is None:
        return ConversationHandler.END
    _, app, _, _, _ = found
    assert update.callback_query is not None
    await answer(update.callback_query)
    context.scratch["note_for"] = app.number
    await reply(update, f"Send your note for {app_title(app)} (/cancel to stop).")
    return NoteState.AWAIT_NOTE


async def save_note(update: Update, context: BotContext) -> int:
    assert update.effective_message is not None
    if await _abandoned(update, context, "note_for"):
        return ConversationHandler.END
    number = context.scratch.pop("note_for", None)
    profile = profile_of(update, context)
    app = context.repo.get_application(profile.user_id, number) if number else None
    if app is None:
        await reply(update, "That application no longer exists.")
        return ConversationHandler.END
    try:
        moves.add_note(app, update.effective_message.text or "", context.now())
    except InvalidMove as error:
        await reply(update, esc(error))
        return ConversationHandler.END
    await _apply(update, context, app, f"note on #{app.number}", f"Note added to #{app.number}.")
    return ConversationHandler.END


# -- wiring -----------------------------------------------------------------------------------

TEXT = filters.TEXT & ~filters.COMMAND
NOT_TEXT = ~filters.TEXT & ~filters.COMMAND & ~filters.Document.ALL  # a file goes to /import


def conversations() -> list[BaseHandler]:  # type: ignore[type-arg]
    with warnings.catch_warnings():
        # We track conversations per chat and user on purpose, not per message.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        add = ConversationHandler(
            entry_points=[
                CommandHandler("add", add_application),
                CallbackQueryHandler(start_from_link, pattern=r"^add:link$"),
            ],
            states={
                AddState.AWAIT_COMPANY: [MessageHandler(TEXT, ask_role)],
                AddState.AWAIT_ROLE: [MessageHandler(TEXT, ask_track)],
                AddState.AWAIT_TRACK: [
                    MessageHandler(TEXT, track_typed),
                    CallbackQueryHandler(track_tapped, pattern=r"^add:track:"),
                ],
                AddState.AWAIT_STAGE: [
                    CallbackQueryHandler(stage_tapped, pattern=r"^add:stage:"),
                    MessageHandler(TEXT, stage_needs_tap),
                ],
            },
            fallbacks=[CommandHandler("cancel", cancel), MessageHandler(NOT_TEXT, step_needs_text)],
            name="add",
            allow_reentry=True,  # /add in the middle starts over
            conversation_timeout=30 * 60,
        )
        note = ConversationHandler(
            entry_points=[CallbackQueryHandler(ask_note, pattern=r"^app:note:")],
            states={NoteState.AWAIT_NOTE: [MessageHandler(TEXT, save_note)]},
            fallbacks=[CommandHandler("cancel", cancel)],
            name="note",
            conversation_timeout=30 * 60,
        )
    return [add, note]


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    show_shortcut = MessageHandler(filters.Regex(r"^/show_?(\d+)(@\w+)?$"), _show_shortcut)
    return [
        *conversations(),
        feedback_conversation(),
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


def late_handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """Catch-alls for plain text, registered after the feature modules' own questions."""
    return [MessageHandler(TEXT, offer_typed_job)]  # a job or a link; other text goes on to the hints


async def _show_shortcut(update: Update, context: BotContext) -> None:
    """``/show_3`` (tappable in lists) is the same as ``/show 3``."""
    assert update.effective_message is not None and update.effective_message.text is not None
    digits = "".join(ch for ch in update.effective_message.text.split("@")[0] if "0" <= ch <= "9")
    context.args = [digits]
    await show_application(update, context)


# -- a job typed without /add --------------------------------------------------------------------


def _draft_summary(draft: Draft) -> str:
    """ "<b>Canonical — Senior SRE</b>" and a line with whatever else was typed, escaped."""
    parts = [f"#{esc(draft.track)}"] if draft.track else []
    if draft.closes_on:
        parts.append(f"closes {short_day(draft.closes_on)}")
    if draft.camp:
        parts.append(f"camp {draft.camp.value}")
    if draft.source:
        parts.append(f"via {esc(draft.source_text or draft.source.value)}")
    if draft.fit_contribute:
        parts.append(f"fit {draft.fit_contribute}/{draft.fit_learn}")
    extra = f"\n{' · '.join(parts)}" if parts else ""
    link = f"\n{esc(draft.link)}" if draft.link else ""
    return f"<b>{esc(draft.company)} — {esc(draft.role)}</b>{extra}{link}"


async def offer_typed_job(update: Update, context: BotContext) -> None:
    """Text without /add: a job is offered with all it holds, a bare link as before, anything else a hint."""
    assert update.effective_message is not None
    text = update.effective_message.text or ""
    profile = profile_of(update, context)
    try:
        draft = read_job(text, today_for(profile, context), order=onboarding.order_for(profile, context))
    except CaptureError as error:
        await reply(update, f"That looks like a job, but: {error} Nothing was saved.")
        return
    if draft is None:
        if find_link(text):
            await offer_link(update, context)
        else:
            await onboarding.unknown_text(update, context)
        return
    context.scratch["pending_draft"] = draft
    where = "an application you've sent" if draft.applied else "a prospect"
    await reply(
        update,
        f"Save this job as {where}?\n{_draft_summary(draft)}",
        keyboard([button("➕ Save it", "add", "draft"), button("No thanks", "add", "drop")]),
    )


async def save_offered_job(update: Update, context: BotContext) -> None:
    """``add:draft``: the job offered from typed text is saved with everything it held."""
    query = update.callback_query
    assert query is not None
    await answer(query)
    draft = context.scratch.pop("pending_draft", None)
    if not isinstance(draft, Draft):
        await edit(update, "That offer has expired; send the job again, please.")
        return
    await edit(update, f"Saving {_draft_summary(draft)}")
    await _save_new(update, context, profile_of(update, context), draft)


# -- a link saved in as few steps as possible ------------------------------------------------------


async def _save_from_link(update: Update, context: BotContext) -> int:
    """Company and role are in for a saved link: save the prospect, then offer optional taps."""
    draft: Draft = context.scratch.pop("draft")
    profile = profile_of(update, context)
    app = await _save_new(update, context, profile, draft)
    closes = [button(label, "add", "cl", app.number, days) for label, days in _CLOSING_LABELS]
    await reply(
        update,
        f"Optional for #{app.number}: when does it close, and how good a fit is it?",
        keyboard(closes, [button("⭐ Rate fit", "fit", "ask", app.number)]),
    )
    return ConversationHandler.END


_CLOSING_LABELS = (("📅 in 1 week", 7), ("📅 in 2 weeks", 14), ("📅 in a month", 30))


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
    rows = [[button("⭐ Rate fit", "fit", "ask", app.number)]]
    if entry is not None:
        rows.append([button("↩ Undo", "undo", "do", entry.id)])
    assert update.callback_query is not None
    await answer(update.callback_query, "Closing date set")
    await edit(
        update, f"Closing date of #{app.number}: <b>{short_day(day)}</b>. How good a fit is it?", keyboard(*rows)
    )


# -- reading notes whole ---------------------------------------------------------------------------


def _notes_view(app: JobApplication, page: int, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of #N's notes, oldest first, a long note in numbered parts; ◀ ▶ between pages."""
    if not app.notes:
        return f"{app_title(app)} has no notes yet. Add one: <code>/note {app.number} …</code>", None
    pages = notes.note_pages(app.notes)
    page = max(0, min(page, len(pages) - 1))
    of = f" (page {page + 1} of {len(pages)})" if len(pages) > 1 else ""
    lines = [f"📝 <b>Notes</b> on {app_title(app)}{of}"]
    for piece in pages[page]:
        label = {"lesson": "Lesson", "question": "Question"}.get(piece.kind, "Note")
        part = f" (part {piece.part} of {piece.parts})" if piece.parts > 1 else ""
        lines.append(f"\n<b>{label} {piece.number}</b> · {local_moment(piece.at, tz)}{part}")
        lines.append(esc(piece.text))
    turns = []
    if page > 0:
        turns.append(button("◀ Back", "notes", "pg", app.number, page - 1))
    if page < len(pages) - 1:
        turns.append(button("More ▶", "notes", "pg", app.number, page + 1))
    return "\n".join(lines), keyboard(turns) if turns else None


async def show_notes(update: Update, context: BotContext) -> None:
    """/notes N: every note of #N, whole, a phone screen at a time."""
    app = await find_app(update, context, context.args or [], "/notes 3")
    if app is None:
        return
    profile = profile_of(update, context)
    await reply(update, *_notes_view(app, 0, context.user_tz(profile.timezone)))


async def notes_page_tapped(update: Update, context: BotContext) -> None:
    """``notes:pg:<n>:<page>`` turns the page in place; ``notes:open:<n>:0`` (under a prep note) sends page 1."""
    found = await _app_from_query(update, context, 2)
    if found is None:
        return
    profile, app, action, numbers, _ = found
    assert update.callback_query is not None
    await answer(update.callback_query)
    view = _notes_view(app, numbers[1], context.user_tz(profile.timezone))
    if action == "open":
        await reply(update, *view)
    else:
        await edit(update, *view)


# -- why it closed, and what it taught (hunt items 6 and 7) ------------------------------------------

WHY_REJECTED = "Why were you rejected? Tap one, or just type it (/cancel to leave it)."


class FeedbackState(enum.IntEnum):
    AWAIT_REASON = 1
    AWAIT_LESSON = 2


async def _ask_lesson(update: Update, context: BotContext, app: JobApplication) -> FeedbackState:
    context.scratch["lesson_due"] = app.number
    await reply(
        update,
        f"Any feedback or lesson from {app_title(app)}? Something they asked, a gap to close… "
        "Reply with a sentence and I'll show it in your next interview prep and in /lessons "
        "(/cancel to skip).",
    )
    return FeedbackState.AWAIT_LESSON


async def _after_rejection(update: Update, context: BotContext, app: JobApplication) -> FeedbackState:
    """A new rejection: ask why when no reason was given, else ask for a lesson."""
    if app.reason:
        return await _ask_lesson(update, context, app)
    context.scratch["reason_for"] = app.number
    await reply(update, f"{app_title(app)}\n{WHY_REJECTED}", reason_keyboard(app))
    return FeedbackState.AWAIT_REASON


async def reject_application(update: Update, context: BotContext) -> FeedbackState | int:
    """/reject N [reason]: closed as rejected (or its reason updated); then why, or a lesson."""
    args = context.args or []
    app = await find_app(update, context, args, "/reject 3 salary")
    if app is None:
        return ConversationHandler.END
    try:
        reason = read_reason(" ".join(args[1:]), Outcome.REJECTED)
        updated = moves.give_reason(app, Outcome.REJECTED, context.now(), reason)
    except InvalidMove as error:
        await reply(update, esc(error))
        return ConversationHandler.END
    if updated:
        headline = f"Updated why #{app.number} was rejected."
        await _apply(update, context, app, f"reason for #{app.number}", headline)
        return ConversationHandler.END
    await _apply(update, context, app, f"rejected #{app.number}", f"#{app.number} {outcome_phrase(Outcome.REJECTED)}.")
    return await _after_rejection(update, context, app)


async def ask_rejection_reason(update: Update, context: BotContext) -> FeedbackState | int:
    """``app:rej:<n>`` (the card's Rejected): the reasons as buttons, or the next text is the reason."""
    found = await _app_from_query(update, context)
    if found is None:
        return ConversationHandler.END
    profile, app, _, _, args = found
    await _ask_reason(update, context, profile, app, args)
    context.scratch["reason_for"] = app.number
    return FeedbackState.AWAIT_REASON


async def _record_reason(update: Update, context: BotContext, app: JobApplication, reason: str) -> FeedbackState | int:
    """Close #N as rejected with ``reason`` (or give a rejected one its reason), then ask for a lesson."""
    context.scratch.pop("reason_for", None)
    if app.outcome == Outcome.REJECTED and not reason:
        if update.callback_query is not None:
            await answer(update.callback_query)
            await edit(update, f"{app_title(app)}\nNo reason recorded.")
    else:
        try:
            updated = moves.give_reason(app, Outcome.REJECTED, context.now(), reason)
        except InvalidMove as error:
            if update.callback_query is not None:
                await answer(update.callback_query, str(error)[:200], alert=True)
            else:
                await reply(update, esc(error))
            return ConversationHandler.END
        label = f"reason for #{app.number}" if updated else f"rejected #{app.number}"
        because = f": {esc(reason)}" if reason else ""
        await _apply(update, context, app, label, f"#{app.number} {outcome_phrase(Outcome.REJECTED)}{because}.")
    return await _ask_lesson(update, context, app)


async def reason_tapped(update: Update, context: BotContext) -> FeedbackState | int:
    """``app:rejr:<n>:<key>``: a quick reason (``-``: none given)."""
    found = await _app_from_query(update, context)
    if found is None:
        return ConversationHandler.END
    _, app, _, _, args = found
    return await _record_reason(update, context, app, REJECTION_REASONS.get(args[1], "") if len(args) > 1 else "")


async def reason_typed(update: Update, context: BotContext) -> FeedbackState | int:
    """The text after "Why were you rejected?" is the reason."""
    assert update.effective_message is not None
    if await _abandoned(update, context, "reason_for"):
        return ConversationHandler.END
    profile = profile_of(update, context)
    app = context.repo.get_application(profile.user_id, context.scratch.pop("reason_for"))
    if app is None:
        await reply(update, "That application no longer exists.")
        return ConversationHandler.END
    reason = read_reason(update.effective_message.text or "", Outcome.REJECTED)
    return await _record_reason(update, context, app, reason)


async def check_in_rejected(update: Update, context: BotContext) -> FeedbackState | int:
    """``acc:ci:<n>:rej`` ("How did the interview go?" -> Rejected): close it, then ask why."""
    found = await _app_from_query(update, context)
    if found is None:
        return ConversationHandler.END
    profile, app, _, _, _ = found
    assert update.callback_query is not None
    try:
        interviews.check_in(app, "rej", context.now())
    except InvalidMove as error:
        await answer(update.callback_query, str(error)[:200], alert=True)
        return ConversationHandler.END
    context.repo.save_application(profile.user_id, app, f"interview check-in for #{app.number}")
    changed(context, profile.user_id)
    await answer(update.callback_query)
    context.scratch["reason_for"] = app.number
    await edit(
        update,
        f"{app_title(app)}\n✖ Rejected. That stings; every interview is practice for the one that works.\n\n"
        f"{WHY_REJECTED}",
        reason_keyboard(app),
    )
    return FeedbackState.AWAIT_REASON


async def lesson_typed(update: Update, context: BotContext) -> int:
    """The text after "Any feedback or lesson?" is kept as a lesson note."""
    assert update.effective_message is not None
    if await _abandoned(update, context, "lesson_due"):
        return ConversationHandler.END
    profile = profile_of(update, context)
    app = context.repo.get_application(profile.user_id, context.scratch.pop("lesson_due"))
    if app is None:
        await reply(update, "That application no longer exists.")
        return ConversationHandler.END
    try:
        moves.add_note(app, update.effective_message.text or "", context.now(), kind="lesson")  # kept whole
    except InvalidMove as error:
        await reply(update, esc(error))
        return ConversationHandler.END
    context.repo.save_application(profile.user_id, app, f"lesson on #{app.number}")
    changed(context, profile.user_id)
    await reply(update, f"📝 Lesson kept with {app_title(app)}. It'll be in your next prep notes and in /lessons.")
    return ConversationHandler.END


async def skip_feedback(update: Update, context: BotContext) -> int:
    """/cancel while asked why or for a lesson: nothing more is asked."""
    reason, lesson = context.scratch.pop("reason_for", None), context.scratch.pop("lesson_due", None)
    if lesson is not None:
        await reply(update, "OK, no lesson this time.")
    elif reason is not None:
        app = context.repo.get_application(profile_of(update, context).user_id, reason)
        still_open = app is not None and app.is_open  # the card's Rejected only asked; nothing was closed
        await reply(update, f"OK, #{reason} stays open." if still_open else "OK, I won't ask why.")
    else:
        await nothing_to_cancel(update, context)
    return ConversationHandler.END


def feedback_conversation() -> BaseHandler:  # type: ignore[type-arg]
    """Rejected -> why? (buttons or text) -> any lesson? (text, or /cancel). Like the note question."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[
                CommandHandler("reject", reject_application),
                CommandHandler("lesson", record_lesson),
                CallbackQueryHandler(ask_rejection_reason, pattern=r"^app:rej:"),
                CallbackQueryHandler(reason_tapped, pattern=r"^app:rejr:"),
                CallbackQueryHandler(check_in_rejected, pattern=r"^acc:ci:\d+:rej$"),
            ],
            states={
                FeedbackState.AWAIT_REASON: [MessageHandler(TEXT, reason_typed)],
                FeedbackState.AWAIT_LESSON: [MessageHandler(TEXT, lesson_typed)],
            },
            fallbacks=[CommandHandler("cancel", skip_feedback)],
            name="feedback",
            allow_reentry=True,  # another rejection (or a reason tapped) while we wait starts over
            conversation_timeout=30 * 60,
        )


async def record_lesson(update: Update, context: BotContext) -> FeedbackState | int:
    """/lesson N text keeps a lesson; /lesson N alone asks for it."""
    args = context.args or []
    app = await find_app(update, context, args, "/lesson 3 Practise a system design story")
    if app is None:
        return ConversationHandler.END
    typed = notes.text_after(update.effective_message.text or "", 2) if update.effective_message else ""
    if not typed:
        return await _ask_lesson(update, context, app)
    try:
        moves.add_note(app, typed, context.now(), kind="lesson")  # kept whole
    except InvalidMove as error:
        await reply(update, esc(error))
        return ConversationHandler.END
    profile = profile_of(update, context)
    context.repo.save_application(profile.user_id, app, f"lesson on #{app.number}")
    changed(context, profile.user_id)
    await reply(update, f"📝 Lesson kept with {app_title(app)}. It'll be in your next prep notes and in /lessons.")
    return ConversationHandler.END


def _lessons_view(apps: list[JobApplication], page: int, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of every lesson, newest first, with the gaps rejections named on top."""
    found, named = all_lessons(apps), gaps(apps)
    top = ", ".join(f"{esc(notes.brief(reason, GAP_CHARS)[0])} ×{count}" for reason, count in named[:3])
    gap_line = f"<b>Gaps rejections named</b>: {top}" if top else ""
    if not found:
        lines = ["📚 No lessons yet. After an interview or a rejection I ask for one; or add one:"]
        lines.append("<code>/lesson 3 Practise a system design story</code>")
        return "\n".join([*lines, *([f"\n{gap_line}"] if gap_line else [])]), None
    pages = lesson_pages(found)
    page = max(0, min(page, len(pages) - 1))
    of = f" · page {page + 1}/{len(pages)}" if len(pages) > 1 else ""
    lines = [f"📚 <b>Lessons</b> ({len(found)}, newest first){of}"]
    if gap_line and page == 0:
        lines.append(gap_line)
    for lesson in pages[page]:
        quote, cut = notes.brief(lesson.text, QUOTE_CHARS)
        whole = f" (whole: /notes {lesson.number})" if cut else ""
        when = local_moment(lesson.at, tz)
        lines.append(f"\n#{lesson.number} <b>{esc(lesson.company)}</b> — {esc(lesson.role)} · {when}")
        if lesson.gap:
            lines.append(f"Gap: {esc(notes.brief(lesson.gap, GAP_CHARS)[0])}")
        lines.append(f"• {esc(quote)}{whole}")
    turns = []
    if page > 0:
        turns.append(button("◀ Back", "lessons", "pg", page - 1))
    if page < len(pages) - 1:
        turns.append(button("More ▶", "lessons", "pg", page + 1))
    return clip("\n".join(lines), 1500), keyboard(turns) if turns else None


async def show_lessons(update: Update, context: BotContext) -> None:
    """/lessons: every lesson, newest first, and the gaps rejections named."""
    profile = profile_of(update, context)
    apps = context.repo.list_applications(profile.user_id)
    await reply(update, *_lessons_view(apps, 0, context.user_tz(profile.timezone)))


async def lessons_page_tapped(update: Update, context: BotContext) -> None:
    """``lessons:pg:<page>`` turns the page in place."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await answer(query)
    page = int_args(decode(query.data)[2], 1)
    profile = profile_of(update, context)
    apps = context.repo.list_applications(profile.user_id)
    await edit(update, *_lessons_view(apps, page[0] if page else 0, context.user_tz(profile.timezone)))


# -- accepting an offer: the other applications (hunt item 14) ------------------------------------------

ELSEWHERE_LINES = 10  # open applications listed under the congratulations; more are counted


def _elsewhere_lines(apps: list[JobApplication]) -> list[str]:
    lines = [f"• {app_title(a)} ({esc(a.stage.label)})" for a in apps[:ELSEWHERE_LINES]]
    if len(apps) > ELSEWHERE_LINES:
        lines.append(f"…and {len(apps) - ELSEWHERE_LINES} more")
    return lines


def _congratulations_view(app: JobApplication, others: list[JobApplication]) -> tuple[str, InlineKeyboardMarkup]:
    """The congratulations, the other open applications, and one tap to withdraw from them all."""
    pause = [button("⏸ Pause all nudges", "acc", "pause")]
    if not others:
        return congratulations(app), keyboard(pause)
    count = plural(len(others), "other application")
    lines = [congratulations(app), f"\nYou still have {count} open:", *_elsewhere_lines(others)]
    lines.append("Withdraw from them now? Each one keeps the reason “accepted another offer”.")
    them = "it" if len(others) == 1 else f"all {len(others)}"
    return clip("\n".join(lines), 1500), keyboard(
        [button(f"🚪 Withdraw from {them}", "app", "wdall", app.number)], pause
    )


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
        await edit(update, congratulations(app), keyboard([button("⏸ Pause all nudges", "acc", "pause")]))
        return
    moves.withdraw_all(others, context.now())
    with context.repo.transaction(profile.user_id):  # one write; each still has its own /undo step
        for other in others:
            context.repo.save_application(profile.user_id, other, f"withdrawn #{other.number}")
    changed(context, profile.user_id)
    logger.info("application.withdrawn_elsewhere user=%s count=%s", profile.user_id, len(others))
    await answer(update.callback_query, f"Withdrawn from {len(others)}")
    lines = [f"🚪 Withdrew from {plural(len(others), 'application')} (reason: accepted another offer):"]
    lines.extend(_elsewhere_lines(others))
    lines.append("\nChanged your mind about one? <code>/reopen N</code>.")
    await edit(update, clip("\n".join(lines), 1500), keyboard([button("⏸ Pause all nudges", "acc", "pause")]))


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
        await reply(update, f"Moved #{app.number} to <b>Applied</b>.", undo_keyboard(entry.id))
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


def _rank_note(app: JobApplication, place: int, count: int) -> str:
    """Where a new prospect ranks among the others by fit (hunt item 15)."""
    if count == 1:
        return "It's your only prospect for now."
    fit = f"fit {app.fit}" if app.fit is not None else f"unrated (rate it: <code>/fit {app.number} 4 5</code>)"
    return f"It ranks <b>{place} of {count}</b> prospects by fit ({fit}). /prospects shows them all."
