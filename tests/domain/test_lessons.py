"""Lessons across the search, the gaps rejections name, and rejection reasons by stage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import lessons, moves
from bot.domain.models import Event, JobApplication
from bot.domain.stages import Outcome, Stage

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def make_app(number: int, stage: Stage, outcome: Outcome | None = None, reason: str = "") -> JobApplication:
    app = JobApplication(number, f"Co{number}", "SRE", T0, history=[Event(T0, "created", Stage.PROSPECT)])
    moves.move(app, stage, T0)
    if outcome is not None:
        moves.close(app, outcome, T0, reason)
    return app


def test_all_lessons_are_most_recent_first_with_the_gap() -> None:
    """Lessons from every application come newest first; a rejected one carries its reason as the gap."""
    one, two = make_app(1, Stage.INTERVIEW, Outcome.REJECTED, "Skills fit"), make_app(2, Stage.SCREEN)
    moves.add_note(one, "old lesson", T0 + timedelta(days=1), kind="lesson")
    moves.add_note(two, "a plain note", T0 + timedelta(days=2))
    moves.add_note(two, "new lesson", T0 + timedelta(days=3), kind="lesson")
    found = lessons.all_lessons([one, two])
    assert [(item.number, item.text, item.gap) for item in found] == [
        (2, "new lesson", ""),
        (1, "old lesson", "Skills fit"),
    ]


def test_as_lesson_reads_the_prefix_only() -> None:
    """``lesson: x`` and ``Lesson - x`` are lessons; a note that merely mentions lessons is not."""
    assert lessons.as_lesson("lesson: practise system design") == "practise system design"
    assert lessons.as_lesson("Lesson - ask about on-call") == "ask about on-call"
    assert lessons.as_lesson("lessons learned from Acme") is None


def test_gaps_and_reasons_by_stage() -> None:
    """Gaps count the reasons given; by stage, an unexplained rejection counts as no reason given."""
    apps = [
        make_app(1, Stage.APPLIED, Outcome.REJECTED, "Experience level"),
        make_app(2, Stage.INTERVIEW, Outcome.REJECTED, "Skills fit"),
        make_app(3, Stage.INTERVIEW, Outcome.REJECTED, "Skills fit"),
        make_app(4, Stage.INTERVIEW, Outcome.REJECTED),
        make_app(5, Stage.INTERVIEW, Outcome.WITHDRAWN, "moved city"),
    ]
    assert lessons.gaps(apps) == [("Skills fit", 2), ("Experience level", 1)]
    assert lessons.reasons_by_stage(apps) == [
        (Stage.APPLIED, [("Experience level", 1)]),
        (Stage.INTERVIEW, [("Skills fit", 2), ("no reason given", 1)]),
    ]


def test_lesson_pages_split_and_never_leave_a_page_empty() -> None:
    """Many lessons split into pages under the limit; a single huge lesson still gets its page."""
    items = [lessons.Lesson(T0, n, "Co", "SRE", "x" * 200) for n in range(10)]
    pages = lessons.lesson_pages(items, limit=600)
    assert [len(page) for page in pages] == [2, 2, 2, 2, 2]
    assert lessons.lesson_pages([lessons.Lesson(T0, 1, "Co", "SRE", "y" * 4000)], limit=600) == [
        [lessons.Lesson(T0, 1, "Co", "SRE", "y" * 4000)]
    ]
    assert lessons.lesson_pages([]) == [[]]
