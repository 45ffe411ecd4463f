"""Lessons feed the next interview: /lesson, /note N lesson:, /lessons, prep notes and /stats reasons (hunt item 7)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.scheduling import Scheduler
from tests.conftest import ADA
from tests.harness import Harness, text_of
from tests.test_scheduling import join, start_reminders, stop_reminders


@pytest.fixture
async def nudger(bot: Harness) -> AsyncIterator[Scheduler]:
    scheduler = await start_reminders(bot.app)
    yield scheduler
    await stop_reminders(bot.app)


async def test_lesson_command_and_note_prefix_record_lessons(bot: Harness) -> None:
    """/lesson N text and /note N lesson: text both keep a lesson; /lesson N alone asks for it."""
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/lesson 1 Practise a <system design> story")
    await bot.send(ADA, "/note 1 lesson: ask about on-call early")
    await bot.send(ADA, "/note 1 plain note")
    replies = await bot.send(ADA, "/lesson 1")
    assert "Any feedback or lesson" in text_of(replies[0])
    await bot.send(ADA, "Quantify the migration")
    notes = bot.repo.get_application(ADA, 1).notes  # type: ignore[union-attr]
    assert [(n.kind, n.text) for n in notes] == [
        ("lesson", "Practise a <system design> story"),
        ("lesson", "ask about on-call early"),
        ("note", "plain note"),
        ("lesson", "Quantify the migration"),
    ]


async def test_lesson_bad_input_changes_nothing(bot: Harness) -> None:
    """/lesson without a number, or with an unknown one, gets a hint and stores nothing."""
    await bot.send(ADA, "/add Acme - SRE applied")
    replies = await bot.send(ADA, "/lesson")
    assert "Which application?" in text_of(replies[0])
    replies = await bot.send(ADA, "/lesson 9 something")
    assert "no application #9" in text_of(replies[0])
    await bot.send(ADA, "something else")
    assert bot.repo.get_application(ADA, 1).notes == []  # type: ignore[union-attr]


async def test_lessons_lists_newest_first_with_the_gaps(bot: Harness) -> None:
    """/lessons shows every lesson newest first, escaped, with the gaps rejections named."""
    replies = await bot.send(ADA, "/lessons")
    assert "No lessons yet" in text_of(replies[0])
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/add Globex - Platform applied")
    await bot.send(ADA, "/reject 1 skills")
    await bot.send(ADA, "Learn <Terraform>")  # answers "any feedback or lesson?"
    bot.clock.advance(days=1)
    await bot.send(ADA, "/lesson 2 Prepare numbers")
    text = text_of((await bot.send(ADA, "/lessons"))[0])
    assert "Gaps rejections named: Skills fit ×1" in text
    assert text.index("Prepare numbers") < text.index("Learn <Terraform>")
    assert "Gap: Skills fit" in text


async def test_lessons_page_within_one_screen(bot: Harness) -> None:
    """Many long lessons come a phone screen at a time, with a More button that turns the page."""
    await bot.send(ADA, "/add Acme - SRE applied")
    for n in range(12):
        await bot.send(ADA, f"/lesson 1 Lesson {n} " + "word " * 60)
    first = (await bot.send(ADA, "/lessons"))[0]
    assert len(text_of(first)) <= 1500 and "page 1/" in text_of(first)
    await bot.tap(ADA, "More")
    assert "page 2/" in text_of(bot.last(ADA)) and len(text_of(bot.last(ADA))) <= 1500


async def test_prep_shows_lessons_from_other_applications_newest_first(bot: Harness, nudger: Scheduler) -> None:
    """An interview's prep lists the newest lessons of the whole search and the gaps, not only its own."""
    await join(bot)
    await bot.send(ADA, "/nudges plan off")
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/add Globex - Platform applied")
    await bot.send(ADA, "/reject 1 They wanted more hands-on AWS")
    await bot.send(ADA, "Build an AWS side project")
    await bot.send(ADA, "/interview 2 2026-12-01 14:00")
    bot.clock.set(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    await nudger.tick()
    prep = text_of(bot.last(ADA))
    assert "Interview tomorrow" in prep
    assert "#1 Acme: Build an AWS side project" in prep
    assert "Gaps rejections named: They wanted more hands-on AWS ×1" in prep


async def test_stats_reasons_by_stage(bot: Harness) -> None:
    """/stats reasons groups rejection reasons by the stage they came at."""
    replies = await bot.send(ADA, "/stats reasons")
    assert "No rejections" in text_of(replies[0])
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/add Globex - Platform applied")
    await bot.send(ADA, "/move 2 interview")
    await bot.send(ADA, "/reject 1 experience")
    await bot.send(ADA, "/reject 2 skills")
    text = text_of((await bot.send(ADA, "/stats reasons"))[0])
    assert "Applied (1): Experience level 1" in text
    assert "Interview (1): Skills fit 1" in text


async def test_lessons_with_long_names_and_reasons_fit_one_screen(bot: Harness) -> None:
    """Long companies, roles, reasons and lessons still give pages of at most 1,500 characters."""
    for n in range(1, 7):
        await bot.send(ADA, f"/add {'C' * 60}{n} - {'R' * 60} applied")
        await bot.send(ADA, f"/reject {n} {'why ' * 50}")
        await bot.send(ADA, "lesson " * 100)  # answers "any feedback or lesson?"
    page = (await bot.send(ADA, "/lessons"))[0]
    assert "page 1/" in text_of(page) and len(text_of(page)) <= 1500
    while any("More" in label for row in bot.last(ADA).buttons for label, _ in row):
        await bot.tap(ADA, "More")
        assert len(text_of(bot.last(ADA))) <= 1500


async def test_stats_reasons_fit_one_screen(bot: Harness) -> None:
    """Many long, different reasons at one stage: /stats reasons stays within one phone screen."""
    for n in range(1, 11):
        await bot.send(ADA, f"/add Co{n} - Dev applied")
        await bot.send(ADA, f"/reject {n} reason {n} " + "x" * 190)
    text = text_of((await bot.send(ADA, "/stats reasons"))[0])
    assert len(text) <= 1500 and "Applied (10)" in text and "…and 4 more" in text
