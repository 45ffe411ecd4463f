"""The markup primitives every view uses: escaping, clipping to Telegram's limit, buttons, dates.

Telegram's HTML parse mode is set once (``Defaults`` in ``bot/app.py``); every piece of user or
stored text passes through :func:`esc` in a view, and anything that can grow goes through
:func:`clip`. Handlers and the domain never build markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from bot.callback_data import encode

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH
Keyboard = InlineKeyboardMarkup | None
Rendered = tuple[str, Keyboard]
"""A message as a view returns it: HTML text and its keyboard (or None)."""


def esc(text: object) -> str:
    """Escape user or stored text for Telegram's HTML parse mode."""
    return html.escape(str(text), quote=True)


_TYPED = re.compile(r"`([^`\n]+)`")


def reason(text: object) -> str:
    """A plain-text reason from the domain (a refused move, an unreadable job, a bad setting) as
    HTML: escaped, with what to type (quoted in backticks) shown as code."""
    return _TYPED.sub(r"<code>\1</code>", esc(text))


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
