"""Cards and lists: one application's card and its keyboards, /list pages, /prospects."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.capture import URL, Draft
from bot.domain.dates import DateOrder, NumericDate, compact_day
from bot.domain.lessons import GAP_CHARS, QUOTE_CHARS, all_lessons, gaps, lesson_pages
from bot.domain.models import Event, JobApplication
from bot.domain.notes import brief, note_pages
from bot.domain.stages import REJECTION_REASONS, Outcome, Stage
from bot.domain.weekly import list_order
from bot.domain.words import plural
from bot.views.markup import Rendered, button, clip, days_until, esc, keyboard, local_moment, short_day
from bot.views.onboarding import reading_note

PAGE_SIZE = 20


COMPANY_QUESTION = "Let's save a job. Which <b>company</b>? (/cancel to stop)"


def track_question(tracks: Sequence[str]) -> Rendered:
    """Guided add, step 3: the user's tracks as buttons (by index: callback data never holds user text)."""
    buttons = [button(track, "add", "track", i) for i, track in enumerate(tracks)]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append([button("Skip", "add", "track", "-")])
    return "Which <b>track</b> is it (e.g. SRE, Developer, DevRel)? Tap one or type a new one.", keyboard(*rows)


def stage_question() -> Rendered:
    """Guided add, last step: prospect or applied."""
    return (
        "Have you applied yet?",
        keyboard([button("Not yet: prospect", "add", "stage", 0), button("Yes, applied", "add", "stage", 1)]),
    )


def undo_keyboard(entry_id: int) -> InlineKeyboardMarkup:
    return keyboard([button("↩ Undo", "undo", "do", entry_id)])


def app_title(app: JobApplication) -> str:
    return f"#{app.number} <b>{esc(app.company)}</b> — {esc(app.role)}"


def app_line(app: JobApplication, today: date | None = None) -> str:
    """One compact line for lists: number, company, role, and what needs attention."""
    extras = []
    if app.track:
        extras.append(esc(app.track))
    if app.fit is not None and app.stage == Stage.PROSPECT:
        extras.append(f"fit {app.fit}")
    if app.closes_on and app.is_open and app.stage == Stage.PROSPECT:
        extras.append(f"closes {closing_phrase(app.closes_on, today)}")
    if app.outcome is not None:
        extras.append(app.outcome.value)
    tail = f" · {' · '.join(extras)}" if extras else ""
    return f"{app_title(app)}{tail}"


def closing_phrase(day: date, today: date | None) -> str:
    if today is None:
        return f"{day.day} {day:%b}"
    delta = (day - today).days
    if delta < 0:
        year = f" {day.year}" if day.year != today.year else ""
        return f"{day.day} {day:%b}{year} (passed)"
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta < 7:
        return f"{day:%a} {day.day} {day:%b}"
    return f"{day.day} {day:%b}" + (f" {day.year}" if day.year != today.year else "")


NOTE_PREFIXES = {"lesson": "Lesson: ", "question": "To ask: "}  # how the card marks other kinds of note
CARD_NOTES, CARD_NOTE_CHARS = 6, 150  # the card quotes notes briefly; /notes N shows them whole


def card(
    app: JobApplication, tz: ZoneInfo, today: date, *, undo: int | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """The full view of one application, with buttons for what can happen next (and ↩ Undo for
    the change just made, when ``undo`` is its entry id)."""
    lines = [app_title(app), f"Stage: <b>{esc(app.status_label())}</b>"]
    if app.reason:
        lines.append(f"Reason: {esc(app.reason)}")
    facts = []
    if app.track:
        facts.append(f"track {esc(app.track)}")
    if app.camp:
        facts.append(f"camp {app.camp.value}")
    if app.source:
        facts.append(f"via {app.source.value}")
    if app.fit is not None:
        facts.append(f"fit {app.fit_contribute or '–'}/{app.fit_learn or '–'}")
    if facts:
        lines.append(" · ".join(facts))
    if app.closes_on and app.is_open and app.stage == Stage.PROSPECT:
        lines.append(f"Closes: {short_day(app.closes_on)} ({days_until(app.closes_on, today)})")
    if app.link and URL.fullmatch(app.link):  # data from before import checks may hold anything
        host = urlsplit(app.link).netloc or "link"
        lines.append(f'Link: <a href="{esc(app.link)}">{esc(host)}</a>')
    if app.interviews:
        lines.append("Interviews: " + ", ".join(local_moment(m, tz) for m in app.interviews))
    if app.take_home_due is not None and app.is_open:
        lines.append(f"Take-home due: {local_moment(app.take_home_due, tz)}")
    lines.append("")
    lines.append("<b>History</b>")
    if len(app.history) > 12:
        lines.append(f"• … {len(app.history) - 12} earlier")
    for event in app.history[-12:]:
        lines.append(f"• {local_moment(event.at, tz)}: {esc(describe_event(event))}")
    if app.notes:
        lines.append("")
        lines.append("<b>Notes</b>")
        shortened = len(app.notes) > CARD_NOTES
        for note in app.notes[-CARD_NOTES:]:
            prefix = NOTE_PREFIXES.get(note.kind, "")
            quote, cut = brief(note.text, CARD_NOTE_CHARS)
            shortened = shortened or cut
            lines.append(f"• {local_moment(note.at, tz)}: {prefix}{esc(quote)}")
        if shortened:
            lines.append(f"Read them whole: /notes {app.number}")
    markup = card_keyboard(app)
    if undo is not None:
        markup = keyboard(*markup.inline_keyboard, [button("↩ Undo", "undo", "do", undo)])
    return clip("\n".join(lines)), markup


def describe_event(event: Event) -> str:
    if event.kind == "created":
        return f"saved as {event.stage.label.lower() if event.stage is not None else 'prospect'}"
    if event.kind == "stage" and event.stage is not None:
        prefix = "corrected back to" if event.correction else "→"
        return f"{prefix} {event.stage.label}"
    if event.kind == "closed" and event.outcome is not None:
        reason = f" ({event.detail})" if event.detail else ""
        return f"closed: {event.outcome.value}{reason}"
    if event.kind == "reopened":
        return "reopened"
    if event.kind == "edited":
        return f"edited {event.detail}"
    if event.kind == "imported":
        at = f" at {event.stage.label.lower()}" if event.stage is not None else ""
        return f"imported{at} (no dates)"
    if event.kind == "interview":
        return f"interview scheduled {event.detail}".strip()
    if event.kind == "takehome":
        return f"take-home {event.detail}".strip()
    return event.kind


def card_keyboard(app: JobApplication) -> InlineKeyboardMarkup:
    n = app.number
    if app.is_open:
        rows: list[list[InlineKeyboardButton]] = []
        nxt = app.stage.next
        if nxt is not None:
            rows.append([button(f"➡ {nxt.label}", "app", "adv", n, int(app.stage))])
        closing = [button("✖ Rejected", "app", "rej", n), button("🚪 Withdrawn", "app", "wd", n)]
        if app.stage == Stage.PROSPECT:
            closing = [button("✖ Not interested", "app", "wd", n)]
        rows.append(closing)
        rows.append([button("📝 Note", "app", "note", n), button("⋯ More", "app", "more", n)])
        return keyboard(*rows)
    return keyboard([button("📝 Note", "app", "note", n), button("⋯ More", "app", "more", n)])


def more_keyboard(app: JobApplication) -> InlineKeyboardMarkup:
    n = app.number
    row1 = []
    if app.is_open and app.stage >= Stage.APPLIED:
        row1.append(button("👻 Ghosted", "app", "gh", n))
    if app.is_open and app.stage >= Stage.OFFER:
        row1.append(button("🙅 Declined offer", "app", "dec", n))
    if app.outcome is not None:
        row1.append(button("♻ Reopen", "app", "reopen", n))
    row2 = [button("⭐ Rate fit", "fit", "ask", n), button("🗑 Delete", "app", "del", n)]
    return keyboard(row1, row2, [button("« Back", "app", "show", n)])


def reason_keyboard(app: JobApplication) -> InlineKeyboardMarkup:
    n = app.number
    choices = [button(label, "app", "rejr", n, key) for key, label in REJECTION_REASONS.items()]
    rows = [choices[i : i + 2] for i in range(0, len(choices), 2)]
    rows.append([button("No reason given", "app", "rejr", n, "-")])
    rows.append([button("« Back", "app", "show", n)])
    return keyboard(*rows)


def fit_keyboard(app: JobApplication, contribute: int | None) -> InlineKeyboardMarkup:
    n = app.number
    if contribute is None:
        return keyboard([button(str(v), "fit", "c", n, v) for v in range(1, 6)])
    return keyboard([button(str(v), "fit", "l", n, contribute, v) for v in range(1, 6)])


def delete_keyboard(app: JobApplication) -> InlineKeyboardMarkup:
    n = app.number
    return keyboard([button("🗑 Yes, delete", "app", "delok", n), button("Keep it", "app", "show", n)])


def outcome_phrase(outcome: Outcome) -> str:
    return {
        Outcome.REJECTED: "marked as rejected",
        Outcome.WITHDRAWN: "withdrawn",
        Outcome.DECLINED: "marked as declined",
        Outcome.GHOSTED: "marked as ghosted",
    }[outcome]


def list_page(
    apps: Sequence[JobApplication], page: int, today: date, *, closed: bool = False
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Applications grouped by stage, furthest first, one page of PAGE_SIZE at a time."""
    shown = [a for a in apps if closed or a.is_open]
    if not shown:
        if apps:
            return f"No open applications. /list all shows your {len(apps)} closed ones.", None
        return "No applications yet. Add one: <code>/add Acme - Senior SRE</code>", None
    ordered = list_order(shown)  # prospects best fit first
    pages = max(1, -(-len(ordered) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    chunk = ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    title = "All applications" if closed else "Open applications"
    lines = [f"<b>{title}</b> ({len(ordered)})" + (f" · page {page}/{pages}" if pages > 1 else "")]
    heading = None
    for app in chunk:
        group = "Closed" if app.is_closed else app.stage.label
        if group != heading:
            heading = group
            lines.append(f"\n<b>{esc(group)}</b>")
        lines.append(app_line(app, today))
    lines.append("\nTap a number to open it.")
    numbers = [button(f"#{a.number}", "app", "show", a.number) for a in chunk]
    rows = [numbers[i : i + 5] for i in range(0, len(numbers), 5)]
    scope = "all" if closed else "open"
    nav = []
    if page > 1:
        nav.append(button("‹ Prev", "list", scope, page - 1))
    if page < pages:
        nav.append(button("Next ›", "list", scope, page + 1))
    rows.append(nav)
    return clip("\n".join(lines)), keyboard(*rows)


def prospects_view(ranked: Sequence[JobApplication], today: date) -> tuple[str, InlineKeyboardMarkup | None]:
    """Prospects best fit first, with buttons to re-rate the top ones or mark them applied."""
    if not ranked:
        return "No prospects saved. Add one: <code>/add Acme - Senior SRE</code>", None
    lines = ["<b>Prospects by fit</b> (contribute + learn, 2–10)"]
    for place, app in enumerate(ranked[:PAGE_SIZE], start=1):
        fit = f"fit {app.fit}" if app.fit is not None else "unrated"
        closes = f" · closes {closing_phrase(app.closes_on, today)}" if app.closes_on else ""
        lines.append(f"{place}. #{app.number} <b>{esc(app.company)}</b> — {esc(app.role)} · {fit}{closes}")
    if len(ranked) > PAGE_SIZE:
        lines.append(f"…and {len(ranked) - PAGE_SIZE} more.")
    lines.append("\nRe-rank by rating fit (⭐), or mark one applied (✅).")
    rows = [
        [button(f"⭐ #{a.number}", "fit", "ask", a.number), button(f"✅ #{a.number}", "app", "did", a.number)]
        for a in ranked[:5]
    ]
    return clip("\n".join(lines)), keyboard(*rows)


# -- saving and changing -------------------------------------------------------------------------


def saved(
    app: JobApplication,
    draft: Draft,
    card_view: Rendered,
    *,
    duplicate: int | None,
    today: date,
    reading: NumericDate | None,
    order: DateOrder,
    rank: tuple[int, int] | None = None,
) -> Rendered:
    """ "Saved as prospect #3." with the heads-ups (a duplicate, a passed or two-way closing date,
    a bare camp word, an unknown source), then the card; a two-way date gets a button for the other reading."""
    text, markup = card_view
    where = "applied" if app.stage == Stage.APPLIED else "prospect"
    notes = []
    if duplicate is not None:
        notes.append(
            f"Heads-up: you already have #{duplicate} for the same company and role. "
            "Tap Undo if this one is a duplicate."
        )
    if app.closes_on is not None and app.closes_on < today:
        notes.append("Heads-up: that closing date has already passed.")
    if rank is not None:
        notes.append(rank_note(app, *rank))
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
    if reading is not None:
        notes.append(reading_note(reading, order))
        if reading.other is not None and markup is not None:
            other = button(
                f"📅 I meant {reading.other:%-d %b %Y}",
                *("alt", "close", app.number, compact_day(reading.day), compact_day(reading.other)),
            )
            markup = keyboard(*markup.inline_keyboard, [other])
    extra = "".join(f"\n{note}" for note in notes)
    return f"Saved as {where} #{app.number}.{extra}\n\n{text}", markup


def link_offer(link: str) -> Rendered:
    return (
        f"Save this job as a prospect?\n{esc(link)}",
        keyboard([button("➕ Save as prospect", "add", "link"), button("No thanks", "add", "drop")]),
    )


def saving_link(link: str) -> str:
    return f"Saving {esc(link)}\nWhich <b>company and role</b>? E.g. <code>Acme - Senior SRE</code> (/cancel to stop)"


def role_question(company: str) -> str:
    return f"<b>{esc(company)}</b>. Which <b>role</b>?"


def track_chosen(track: str) -> str:
    return f"Track: {esc(track or 'none')}"


def congratulations(app: JobApplication) -> Rendered:
    return (
        f"🎉 Congratulations on {esc(app.company)}! That's what all those applications were for.\n"
        "Want a break from reminders now?",
        keyboard([button("⏸ Pause all nudges", "acc", "pause")]),
    )


def undone(label: str) -> str:
    return f"Undone: {esc(label)}."


def delete_question(app: JobApplication) -> Rendered:
    return f"Delete {app_title(app)} and its history?", delete_keyboard(app)


def deleted(app: JobApplication, undo: int | None) -> Rendered:
    return f"Deleted {app_title(app)}.", undo_keyboard(undo) if undo is not None else None


def reason_question(app: JobApplication) -> Rendered:
    return (
        f"{app_title(app)}\n{WHY_REJECTED}",
        reason_keyboard(app),
    )


def fit_question(app: JobApplication, contribute: int | None) -> Rendered:
    """⭐ Re-rate: first what you'd contribute, then (``contribute`` given) what you'd learn."""
    if contribute is None:
        return (
            f"{app_title(app)}\nHow much could you <b>contribute</b> there? 1 (little) – 5 (a lot)",
            fit_keyboard(app, None),
        )
    return f"{app_title(app)}\nHow much would you <b>learn</b> there? 1 – 5", fit_keyboard(app, contribute)


def note_question(app: JobApplication) -> str:
    return f"Send your note for {app_title(app)} (/cancel to stop)."


def moved(number: int, stage: Stage, verb: str = "Moved") -> str:
    return f"{verb} #{number} to <b>{stage.label}</b>."


def closing_date_now(number: int, day: date) -> str:
    return f"Closing date of #{number} is now <b>{day:%-d %B %Y}</b>."


def fit_usage(number: int) -> str:
    return (
        "Give two scores from 1 to 5: what you'd contribute, then what you'd "
        f"learn. E.g. <code>/fit {number} 4 5</code>."
    )


def which_field(number: int, fields: Sequence[str]) -> str:
    return f"Which field? One of: {', '.join(fields)}. E.g. <code>/edit {number} closes 2026-12-05</code>."


def what_value(number: int, field: str, *, clearable: bool) -> str:
    clear = " (or <code>none</code> to clear it)" if clearable else ""
    return f"What should the {field} be? E.g. <code>/edit {number} {field} …</code>{clear}."


def which_application(usage: str) -> str:
    return f"Which application? Give its number, e.g. <code>{esc(usage)}</code>. See /list."


# -- a job typed without /add, a link saved in few steps, notes read whole ----------------------------


def draft_summary(draft: Draft) -> str:
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


def job_offer(draft: Draft) -> Rendered:
    """A job typed without /add, offered with everything it holds."""
    where = "an application you've sent" if draft.applied else "a prospect"
    return (
        f"Save this job as {where}?\n{draft_summary(draft)}",
        keyboard([button("➕ Save it", "add", "draft"), button("No thanks", "add", "drop")]),
    )


CLOSING_LABELS = (("📅 in 1 week", 7), ("📅 in 2 weeks", 14), ("📅 in a month", 30))


def link_saved_options(number: int) -> Rendered:
    """After a link is saved: optional taps for the closing date and the fit."""
    closes = [button(label, "add", "cl", number, days) for label, days in CLOSING_LABELS]
    return (
        f"Optional for #{number}: when does it close, and how good a fit is it?",
        keyboard(closes, [button("⭐ Rate fit", "fit", "ask", number)]),
    )


def closing_set(number: int, day: date, undo: int | None) -> Rendered:
    rows = [[button("⭐ Rate fit", "fit", "ask", number)]]
    if undo is not None:
        rows.append([button("↩ Undo", "undo", "do", undo)])
    return f"Closing date of #{number}: <b>{short_day(day)}</b>. How good a fit is it?", keyboard(*rows)


def notes_view(app: JobApplication, page: int, tz: ZoneInfo) -> Rendered:
    """One page of #N's notes, oldest first, a long note in numbered parts; ◀ ▶ between pages."""
    if not app.notes:
        return f"{app_title(app)} has no notes yet. Add one: <code>/note {app.number} …</code>", None
    pages = note_pages(app.notes)
    page = max(0, min(page, len(pages) - 1))
    of = f" (page {page + 1} of {len(pages)})" if len(pages) > 1 else ""
    lines = [f"📝 <b>Notes</b> on {app_title(app)}{of}"]
    for piece in pages[page]:
        label = "Lesson" if piece.kind == "lesson" else "Note"
        part = f" (part {piece.part} of {piece.parts})" if piece.parts > 1 else ""
        lines.append(f"\n<b>{label} {piece.number}</b> · {local_moment(piece.at, tz)}{part}")
        lines.append(esc(piece.text))
    turns = []
    if page > 0:
        turns.append(button("◀ Back", "notes", "pg", app.number, page - 1))
    if page < len(pages) - 1:
        turns.append(button("More ▶", "notes", "pg", app.number, page + 1))
    return "\n".join(lines), keyboard(turns) if turns else None


# -- acting on a nudge in place (hunt item 8) -----------------------------------------------------------

_APPLIED_MARK = " · <i>applied</i>"


def _item_line(lines: list[str], number: int) -> int | None:
    """The index of the line that lists #``number`` ("1. #3 <b>Acme</b> …", "Best prospect: #3 …")."""
    item = re.compile(rf"(?:^|\d\. |: |✅ )#{number} ")
    return next((i for i, line in enumerate(lines) if item.search(line)), None)


def mark_applied(html_text: str, number: int) -> str:
    """The message (as HTML) with #``number``'s line marked done: ✅ before the number, "applied" after."""
    lines = html_text.split("\n")
    index = _item_line(lines, number)
    if index is None or lines[index].endswith(_APPLIED_MARK):
        return html_text
    lines[index] = lines[index].replace(f"#{number} ", f"✅ #{number} ", 1) + _APPLIED_MARK
    return "\n".join(lines)


def unmark_applied(html_text: str, number: int) -> str:
    """``mark_applied`` undone: the line of #``number`` as it was."""
    lines = html_text.split("\n")
    index = _item_line(lines, number)
    if index is None or not lines[index].endswith(_APPLIED_MARK):
        return html_text
    lines[index] = lines[index].removesuffix(_APPLIED_MARK).replace(f"✅ #{number} ", f"#{number} ", 1)
    return "\n".join(lines)


def swap_buttons(
    markup: InlineKeyboardMarkup | None, swaps: Mapping[str, Sequence[InlineKeyboardButton]]
) -> InlineKeyboardMarkup | None:
    """The same keyboard with each button whose data is a key of ``swaps`` replaced by its buttons (or none)."""
    if markup is None:
        return None
    rows = []
    for row in markup.inline_keyboard:
        new_row: list[InlineKeyboardButton] = []
        for key in row:
            data = key.callback_data if isinstance(key.callback_data, str) else ""
            new_row.extend(swaps.get(data, [key]))
        if new_row:
            rows.append(new_row)
    return keyboard(*rows) if rows else None


# -- why it closed, and what it taught (hunt items 6 and 7) ------------------------------------------

WHY_REJECTED = "Why were you rejected? Tap one, or just type it (/cancel to leave it)."
CHECK_IN_REJECTED = "✖ Rejected. That stings; every interview is practice for the one that works."


def no_reason(app: JobApplication) -> str:
    return f"{app_title(app)}\nNo reason recorded."


def feedback_question(app: JobApplication) -> str:
    return (
        f"Any feedback or lesson from {app_title(app)}? Something they asked, a gap to close… "
        "Reply with a sentence and I'll show it in your next interview prep and in /lessons (/cancel to skip)."
    )


def lessons_view(apps: Sequence[JobApplication], page: int, tz: ZoneInfo) -> Rendered:
    """One page of every lesson, newest first, with the gaps rejections named on top."""
    found, named = all_lessons(apps), gaps(apps)
    top = ", ".join(f"{esc(brief(reason, GAP_CHARS)[0])} ×{count}" for reason, count in named[:3])
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
        quote, cut = brief(lesson.text, QUOTE_CHARS)
        whole = f" (whole: /notes {lesson.number})" if cut else ""
        when = local_moment(lesson.at, tz)
        lines.append(f"\n#{lesson.number} <b>{esc(lesson.company)}</b> — {esc(lesson.role)} · {when}")
        if lesson.gap:
            lines.append(f"Gap: {esc(brief(lesson.gap, GAP_CHARS)[0])}")
        lines.append(f"• {esc(quote)}{whole}")
    turns = []
    if page > 0:
        turns.append(button("◀ Back", "lessons", "pg", page - 1))
    if page < len(pages) - 1:
        turns.append(button("More ▶", "lessons", "pg", page + 1))
    return clip("\n".join(lines), 1500), keyboard(turns) if turns else None


# -- accepting an offer: the other applications (hunt item 14) ------------------------------------------

ELSEWHERE_LINES = 10  # open applications listed under the congratulations; more are counted


def _elsewhere_lines(apps: Sequence[JobApplication]) -> list[str]:
    lines = [f"• {app_title(a)} ({esc(a.stage.label)})" for a in apps[:ELSEWHERE_LINES]]
    if len(apps) > ELSEWHERE_LINES:
        lines.append(f"…and {len(apps) - ELSEWHERE_LINES} more")
    return lines


def congratulations_elsewhere(app: JobApplication, others: Sequence[JobApplication]) -> Rendered:
    """The congratulations, the other open applications, and one tap to withdraw from them all."""
    pause = [button("⏸ Pause all nudges", "acc", "pause")]
    if not others:
        return congratulations(app)
    count = plural(len(others), "other application")
    lines = [congratulations(app)[0], f"\nYou still have {count} open:", *_elsewhere_lines(others)]
    lines.append("Withdraw from them now? Each one keeps the reason “accepted another offer”.")
    them = "it" if len(others) == 1 else f"all {len(others)}"
    return clip("\n".join(lines), 1500), keyboard(
        [button(f"🚪 Withdraw from {them}", "app", "wdall", app.number)], pause
    )


def withdrawn_elsewhere(others: Sequence[JobApplication]) -> Rendered:
    lines = [f"🚪 Withdrew from {plural(len(others), 'application')} (reason: accepted another offer):"]
    lines.extend(_elsewhere_lines(others))
    lines.append("\nChanged your mind about one? <code>/reopen N</code>.")
    return clip("\n".join(lines), 1500), keyboard([button("⏸ Pause all nudges", "acc", "pause")])


# -- saving a prospect: where it ranks (hunt item 15) ---------------------------------------------------


def rank_note(app: JobApplication, place: int, count: int) -> str:
    """Where a new prospect ranks among the others by fit (hunt item 15)."""
    if count == 1:
        return "It's your only prospect for now."
    fit = f"fit {app.fit}" if app.fit is not None else f"unrated (rate it: <code>/fit {app.number} 4 5</code>)"
    return f"It ranks <b>{place} of {count}</b> prospects by fit ({fit}). /prospects shows them all."
