"""Domain objects -> (HTML text, inline keyboard). Every piece of user text is escaped here."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from bot.callback_data import encode
from bot.domain.capture import URL
from bot.domain.models import Event, JobApplication
from bot.domain.notes import brief
from bot.domain.stages import REJECTION_REASONS, Outcome, Stage
from bot.domain.weekly import list_order

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH
PAGE_SIZE = 20
Keyboard = InlineKeyboardMarkup | None


def esc(text: object) -> str:
    """Escape user or stored text for Telegram's HTML parse mode."""
    return html.escape(str(text), quote=True)


def button(text: str, area: str, action: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=encode(area, action, *args))


def keyboard(*rows: Sequence[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in rows if row])


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """Keep a message under Telegram's limit (in UTF-16 units), cutting between lines.

    Callers pass already-escaped HTML built line by line, so cutting between lines keeps the
    markup balanced. The HTML is at least as long as the text Telegram shows, so measuring it is
    safe. A single line longer than the limit is cut with its tags removed.
    """
    if utf16_len(text) <= limit:
        return text
    kept: list[str] = []
    used = 2  # the closing "\n…"
    for line in text.split("\n"):
        size = utf16_len(line) + 1
        if used + size > limit:
            break
        kept.append(line)
        used += size
    if not kept:  # one enormous first line: show its plain text, cut to fit
        plain = html.unescape(re.sub(r"<[^>]*>", "", text.split("\n", 1)[0]))
        shown = html.escape(plain, quote=False)
        while utf16_len(shown) > limit - 2:
            plain = plain[: len(plain) * 9 // 10]
            shown = html.escape(plain, quote=False)
        kept = [shown]
    return "\n".join(kept) + "\n…"


def preview(text: str, limit: int = 400) -> str:
    """A long user text shortened for a list or a card (before escaping)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def days_until(day: date, today: date) -> str:
    delta = (day - today).days
    if delta < 0:
        return "passed"
    return {0: "today", 1: "tomorrow"}.get(delta, f"in {delta} days")


def short_day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def local_moment(moment: datetime, tz: ZoneInfo) -> str:
    try:
        local = moment.astimezone(tz)
    except OverflowError:  # a stored moment at the calendar's edge: show it in UTC
        local = moment
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


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


def card(app: JobApplication, tz: ZoneInfo, today: date) -> tuple[str, InlineKeyboardMarkup]:
    """The full view of one application, with buttons for what can happen next."""
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
    return clip("\n".join(lines)), card_keyboard(app)


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
