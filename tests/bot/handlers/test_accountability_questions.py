"""Per-application interview questions: /ask N, the prep lists them first (hunt: closing the loop)."""

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


async def test_ask_keeps_a_question_for_one_application(bot: Harness, nudger: Scheduler) -> None:
    """/ask N q is kept with #N only; its prep lists it before the general /questions, escaped."""
    await join(bot)
    await bot.send(ADA, "/nudges plan off")
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/add Globex - Platform applied")
    await bot.send(ADA, "/questions Team size?")
    replies = await bot.send(ADA, "/ask 1 Who owns the <pager>?")
    assert "Question kept for #1 Acme" in text_of(replies[0])
    listed = text_of((await bot.send(ADA, "/ask 1"))[0])
    assert listed.index("Who owns the <pager>?") < listed.index("Team size?")
    assert "Who owns" not in text_of((await bot.send(ADA, "/ask 2"))[0])
    await bot.send(ADA, "/interview 1 2026-12-01 14:00")
    bot.clock.set(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    await nudger.tick()
    prep = text_of(bot.last(ADA))
    questions = prep.split("Questions to ask", 1)[1]
    assert questions.index("• Who owns the <pager>?") < questions.index("• Team size?")
    assert "Who owns" not in prep.split("Questions to ask", 1)[0]  # not among "Your notes"


async def test_ask_bad_input_changes_nothing(bot: Harness) -> None:
    """/ask without a number, or with an unknown one, gets a hint and stores nothing."""
    await bot.send(ADA, "/add Acme - SRE applied")
    assert "Which application?" in text_of((await bot.send(ADA, "/ask"))[0])
    assert "no application #4" in text_of((await bot.send(ADA, "/ask 4 Why?"))[0])
    assert bot.repo.get_application(ADA, 1).notes == []  # type: ignore[union-attr]
