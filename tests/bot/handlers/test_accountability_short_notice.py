"""Short-notice interviews: the prep comes at once (and only once), and the confirmation says so."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.scheduling import Scheduler
from tests.conftest import ADA
from tests.harness import Harness, text_of
from tests.test_scheduling import bot_texts, join, start_reminders, stop_reminders

TUESDAY_MORNING = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 10:00 Berlin


@pytest.fixture
async def nudger(bot: Harness) -> AsyncIterator[Scheduler]:
    scheduler = await start_reminders(bot.app)
    yield scheduler
    await stop_reminders(bot.app)


def preps(bot: Harness) -> list[str]:
    return [t for t in bot_texts(bot.tg, ADA) if t.startswith("🎯 Interview")]


async def test_interview_within_two_hours_gets_its_prep_at_once(bot: Harness, nudger: Scheduler) -> None:
    """/interview 1 in 1 hour: the reply says prep follows now, the prep comes with it, and no tick repeats it."""
    await join(bot)
    await bot.send(ADA, "/nudges plan off")
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/pitch I make systems boring")
    bot.clock.set(TUESDAY_MORNING)
    replies = await bot.send(ADA, "/interview 1 11:00")
    assert "follow right away" in text_of(replies[0]) and "evening before" not in text_of(replies[0])
    assert len(replies) == 2 and text_of(replies[1]).startswith("🎯 Interview at 11:00 today")
    assert "I make systems boring" in text_of(replies[1])
    await nudger.tick()
    bot.clock.advance(minutes=1)
    await nudger.tick()
    assert len(preps(bot)) == 1
    assert bot.repo.reminder_statuses(ADA)["prep-2h:#1:2026-11-24T10:00Z"] == "sent"


async def test_late_evening_booking_gets_one_prep_not_two(bot: Harness, nudger: Scheduler) -> None:
    """Booked at 23:00 for 00:30: the evening prep is already stale, so only the 2-hour one is sent."""
    await join(bot)
    await bot.send(ADA, "/nudges plan off")
    await bot.send(ADA, "/add Acme - SRE applied")
    bot.clock.set(datetime(2026, 11, 24, 22, 0, tzinfo=UTC))  # Tuesday 23:00 Berlin
    await bot.send(ADA, "/interview 1 2026-11-25 00:30")
    await nudger.tick()
    assert len(preps(bot)) == 1


async def test_paused_user_is_not_promised_prep(bot: Harness, nudger: Scheduler) -> None:
    """While paused, booking an interview says no prep will come instead of promising it."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/pause")
    replies = await bot.send(ADA, "/interview 1 2026-11-26 10:00")
    assert "paused" in text_of(replies[0]) and "I'll send prep notes" not in text_of(replies[0])
    assert len(replies) == 1
