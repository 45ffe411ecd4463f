"""Notes kept whole, and read back a phone screen at a time. Pure.

A note is kept as typed, line breaks included, up to ``moves.MAX_NOTE`` characters (a Telegram
message holds 4,096, so a typed note always fits). Reading splits the notes into pages of about one
phone screen; a note longer than a page is split between lines (or words) and its parts are numbered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.models import Note

PAGE_CHARS = 1200  # note text per page, leaving room for headers within about 1,500 characters
_HEADER_CHARS = 40  # "Note 3 · Tue 1 Dec 2026, 14:00 (part 2 of 3)" and the blank line


@dataclass(frozen=True)
class NotePiece:
    """All of a note, or one part of a long one, as shown on a page."""

    number: int  # 1 = the oldest note
    at: datetime
    kind: str
    text: str
    part: int = 1
    parts: int = 1


def text_after(message: str, words: int) -> str:
    """The message after its first ``words`` words, line breaks kept ("/note 3 a\\nb" -> "a\\nb")."""
    match = re.match(rf"\s*(?:\S+\s+){{{words}}}", message + " ")
    return message[match.end() :].strip() if match else ""


def _split(text: str, limit: int) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` characters, at a line break or a space if there is one."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:  # no sensible break: cut the word
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not parts:
        parts.append(rest)
    return parts


def note_pages(notes: Sequence[Note], limit: int = PAGE_CHARS) -> list[list[NotePiece]]:
    """The notes, oldest first, in pages of at most ``limit`` characters of text (always one page at least)."""
    pages: list[list[NotePiece]] = [[]]
    used = 0
    for number, note in enumerate(notes, start=1):
        parts = _split(note.text, limit - _HEADER_CHARS)
        for index, part in enumerate(parts, start=1):
            size = len(part) + _HEADER_CHARS
            if pages[-1] and used + size > limit:
                pages.append([])
                used = 0
            pages[-1].append(NotePiece(number, note.at, note.kind, part, index, len(parts)))
            used += size
    return pages


def brief(text: str, limit: int = 100) -> tuple[str, bool]:
    """The start of a note for a quote (its first line, at most ``limit`` characters) and whether it was cut."""
    first = text.strip().split("\n", 1)[0]
    if len(first) > limit:
        return first[: limit - 1].rstrip() + "…", True
    return first, first != text.strip()
