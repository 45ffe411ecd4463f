"""Weekly nudges come at their scheduled minute only, never because a setting changed (scheduler ticks)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.scheduling import Scheduler
from tests.conftest import ADA
from tests.harness import Harness, text_of
from tests.test_scheduling import bot_texts, join, start_reminders, stop_reminders

TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
THURSDAY_CHECK = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)  # 18:00 Berlin
FRIDAY_NIGHT = datetime(2026, 11, 27, 3, 37, tzinfo=UTC)  # 04:37 Berlin


@pytest.fixture
async def nudger(bot: Harness) -> AsyncIterator[Scheduler]:
    scheduler = await start_reminders(bot.app)
    yield scheduler
    await stop_reminders(bot.app)


async def on_track_by_thursday(bot: Harness, nudger: Scheduler) -> None:
    """Target 1, one application on Tuesday, ticks through Thursday's check (which stays quiet)."""
    await join(bot)
    await bot.send(ADA, "/nudges plan off")
    await bot.send(ADA, "/target 1")
    bot.clock.set(TUESDAY)
    await bot.send(ADA, "/add Acme - SRE applied")
    bot.clock.set(THURSDAY_CHECK)
    await nudger.tick()
    assert not any(t.startswith("⏰ Mid-week check") for t in bot_texts(bot.tg, ADA))


async def test_raising_the_target_after_a_quiet_check_sends_no_check(bot: Harness, nudger: Scheduler) -> None:
    """/target 3 at 04:37, after a quiet Thursday check, sends no 'Mid-week check' on the next ticks."""
    await on_track_by_thursday(bot, nudger)
    bot.clock.set(FRIDAY_NIGHT)
    await bot.send(ADA, "/target 3")
    await nudger.tick()
    bot.clock.advance(minutes=1)
    await nudger.tick()
    assert not any(t.startswith("⏰ Mid-week check") for t in bot_texts(bot.tg, ADA))


async def test_moving_the_check_to_a_past_minute_sends_nothing_now(bot: Harness, nudger: Scheduler) -> None:
    """/nudges check fri 04:00 at 04:37 (behind target) waits for next week instead of firing at once."""
    await on_track_by_thursday(bot, nudger)
    bot.clock.set(FRIDAY_NIGHT)
    await bot.send(ADA, "/target 3")
    await bot.send(ADA, "/nudges check fri 04:00")
    report = await nudger.tick()
    assert report.keys == []
    assert not any(t.startswith("⏰ Mid-week check") for t in bot_texts(bot.tg, ADA))
    await bot.send(ADA, "/nudges check fri 04:37")  # this very minute: it comes now
    report = await nudger.tick()
    assert [k for _, k in report.keys] == ["check:2026-11-27"]
    assert "Mid-week check: 1 sent, 2 to go" in text_of(bot.last(ADA))
