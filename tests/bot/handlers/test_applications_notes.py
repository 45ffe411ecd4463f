"""Long notes: kept whole, read back a phone screen at a time, quoted briefly in interview prep."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.scheduling import Scheduler
from tests.conftest import ADA
from tests.harness import Harness, text_of
from tests.test_scheduling import join, start_reminders, stop_reminders

SCREEN = 1500
PARAGRAPH = "On-call rota & <pager> duty: ask who covers weekends and how incidents are reviewed. "
LONG_NOTE = "\n".join(f"{i}. {PARAGRAPH * 3}" for i in range(16))[:4000]


@pytest.fixture
async def nudger(bot: Harness) -> AsyncIterator[Scheduler]:
    scheduler = await start_reminders(bot.app)
    yield scheduler
    await stop_reminders(bot.app)


async def test_a_4000_character_note_is_kept_whole(bot: Harness) -> None:
    """/note N with 4,000 characters over several lines stores all of it, line breaks included."""
    await bot.send(ADA, "/add Acme - SRE")
    reply = (await bot.send(ADA, f"/note 1 {LONG_NOTE}"))[0]
    assert "Note added to #1" in text_of(reply)
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and app.notes[-1].text == LONG_NOTE.strip()
    assert len(text_of(reply)) <= SCREEN and "/notes 1" in text_of(reply)


async def test_notes_reads_a_long_note_page_by_page(bot: Harness) -> None:
    """/notes N shows the note in parts that fit a phone screen; More ▶ turns the page; together they are the note."""
    await bot.send(ADA, "/add Acme - SRE")
    await bot.send(ADA, f"/note 1 {LONG_NOTE}")
    await bot.send(ADA, "/note 1 Recruiter: Sam")
    first = (await bot.send(ADA, "/notes 1"))[0]
    assert "(page 1 of" in text_of(first) and len(text_of(first)) <= SCREEN
    pages = [text_of(first)]
    while "More ▶" in [label for row in bot.last(ADA).buttons for label, _ in row]:
        await bot.tap(ADA, "More ▶")
        assert bot.last(ADA).message_id == first.message_id  # the page turns in place
        pages.append(text_of(bot.last(ADA)))
        assert len(pages[-1]) <= SCREEN
    text = "\n".join(pages)
    assert "Recruiter: Sam" in text and "(part 1 of" in text
    for line in LONG_NOTE.split("\n"):
        assert line.split(" ")[0] in text


async def test_notes_bad_input_changes_nothing(bot: Harness) -> None:
    """/notes with an unknown number, or for an application without notes, answers kindly."""
    await bot.send(ADA, "/add Acme - SRE")
    assert "#9" in text_of((await bot.send(ADA, "/notes 9"))[0])
    assert "no notes yet" in text_of((await bot.send(ADA, "/notes 1"))[0])


async def test_prep_quotes_notes_briefly_within_one_screen(bot: Harness, nudger: Scheduler) -> None:
    """With a 4,000-character note and long lists, the prep fits a phone screen and opens the notes with a tap."""
    await join(bot)
    await bot.send(ADA, "/nudges plan off")
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, f"/note 1 {LONG_NOTE}")
    await bot.send(ADA, "/pitch " + "I make on-call boring. " * 30)
    await bot.send(ADA, "/values " + "; ".join(f"value {i} " + "x" * 150 for i in range(10)))
    await bot.send(ADA, "/questions " + "; ".join(f"question {i} " + "y" * 150 for i in range(10)))
    await bot.send(ADA, "/interview 1 2026-12-01 14:00")
    bot.clock.set(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    await nudger.tick()
    prep = bot.last(ADA)
    assert text_of(prep).startswith("🎯 Interview tomorrow") and len(text_of(prep)) <= SCREEN
    assert "Good luck" in text_of(prep) and "/notes 1" in text_of(prep)
    await bot.tap(ADA, "Read all notes")
    assert "Notes on #1 Acme — SRE" in text_of(bot.last(ADA))
    assert bot.last(ADA).message_id != prep.message_id  # the prep stays as it was
