"""Lessons learned across the whole search, and the gaps rejections name. Pure.

A lesson is a note of kind ``lesson`` on any application (after an interview, after a rejection,
or typed with ``/lesson N`` or ``/note N lesson: …``). Lessons are read back most recent first, so
the freshest feedback leads into the next interview; the gaps are the reasons rejections gave.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.models import JobApplication
from bot.domain.stages import Outcome, Stage

PAGE_CHARS = 1100  # lesson text per /lessons page, leaving room for titles within one phone screen
QUOTE_CHARS = 300  # a long lesson is quoted this far in /lessons; /notes N has it whole
_ITEM_EXTRA = 60  # a lesson's header line besides company and role: number, date, "Gap: "
GAP_CHARS = 60  # a gap (a rejection reason) is quoted this far in lists

_LESSON_PREFIX = re.compile(r"^\s*lessons?\s*[:\-–—]\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Lesson:
    """One lesson, with the application it came from and the reason that one was rejected (if it was)."""

    at: datetime
    number: int
    company: str
    role: str
    text: str
    gap: str = ""


def as_lesson(text: str) -> str | None:
    """The lesson in a note typed as ``lesson: …`` (or ``Lesson - …``), else None."""
    match = _LESSON_PREFIX.match(text)
    if match is None:
        return None
    return text[match.end() :].strip()


def all_lessons(apps: Iterable[JobApplication]) -> list[Lesson]:
    """Every lesson of every application, most recent first (ties: the higher number first)."""
    found = [
        Lesson(
            note.at,
            app.number,
            app.company,
            app.role,
            note.text,
            app.reason if app.outcome == Outcome.REJECTED else "",
        )
        for app in apps
        for note in app.notes
        if note.kind == "lesson"
    ]
    return sorted(found, key=lambda lesson: (lesson.at, lesson.number), reverse=True)


def gaps(apps: Iterable[JobApplication]) -> list[tuple[str, int]]:
    """The reasons rejections gave, most common first (alphabetical on ties); unexplained ones left out."""
    counted = Counter(app.reason for app in apps if app.outcome == Outcome.REJECTED and app.reason)
    return sorted(counted.items(), key=lambda item: (-item[1], item[0].lower()))


def reasons_by_stage(apps: Iterable[JobApplication]) -> list[tuple[Stage, list[tuple[str, int]]]]:
    """Rejections grouped by the stage they came at (earliest first), each with its reasons counted.

    A rejection without a reason counts as ``no reason given``, so every rejection is in a group.
    """
    by_stage: dict[Stage, Counter[str]] = {}
    for app in apps:
        if app.outcome == Outcome.REJECTED:
            by_stage.setdefault(app.stage, Counter())[app.reason or "no reason given"] += 1
    return [
        (stage, sorted(by_stage[stage].items(), key=lambda item: (-item[1], item[0].lower())))
        for stage in sorted(by_stage)
    ]


def lesson_pages(lessons: Sequence[Lesson], limit: int = PAGE_CHARS) -> list[list[Lesson]]:
    """The lessons in pages of about ``limit`` characters (a page holds one lesson at least)."""
    pages: list[list[Lesson]] = [[]]
    used = 0
    for lesson in lessons:
        size = min(len(lesson.text), QUOTE_CHARS) + min(len(lesson.gap), GAP_CHARS)
        size += len(lesson.company) + len(lesson.role) + _ITEM_EXTRA
        if pages[-1] and used + size > limit:
            pages.append([])
            used = 0
        pages[-1].append(lesson)
        used += size
    return pages
