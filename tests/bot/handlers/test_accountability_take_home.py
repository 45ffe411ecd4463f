"""A technical test or take-home with its own deadline reminder (hunt: closing the loop)."""

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


async def test_take_home_is_reminded_and_submitted(bot: Harness, nudger: Scheduler) -> None:
    """/takehome N fri 18:00: the card shows it, Thursday 10:00 reminds, ✅ Submitted stops the reminders."""
    await join(bot)  # Sunday 22 Nov, Berlin
    await bot.send(ADA, "/nudges plan off")
    await bot.send(ADA, "/nudges check off")
    await bot.send(ADA, "/add Acme - SRE applied")
    replies = await bot.send(ADA, "/takehome 1 2026-11-27 18:00")
    assert "Take-home for #1 Acme — SRE due on Fri 27 Nov 2026 at 18:00" in text_of(replies[0])
    assert "Take-home due: Fri 27 Nov 2026, 18:00" in text_of((await bot.send(ADA, "/show 1"))[0])
    assert "#1 Acme" in text_of((await bot.send(ADA, "/takehome"))[0])
    bot.clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))  # Thursday 10:00 Berlin
    report = await nudger.tick()
    assert [k for _, k in report.keys] == ["th-eve:#1:2026-11-27T17:00Z"]
    assert "Take-home due tomorrow at 18:00" in text_of(bot.last(ADA))
    await bot.tap(ADA, "Submitted")
    assert bot.repo.get_application(ADA, 1).take_home_due is None  # type: ignore[union-attr]
    assert "submitted" in text_of(bot.last(ADA))
    bot.clock.set(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # Friday 10:00: nothing more
    assert [k for _, k in (await nudger.tick()).keys if k.startswith("th-")] == []


async def test_take_home_bad_input_changes_nothing(bot: Harness) -> None:
    """No deadline, a past one, a prospect or an unknown number: a clear reply and nothing stored."""
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/add Globex - Platform")
    assert "When is it due?" in text_of((await bot.send(ADA, "/takehome 1"))[0])
    assert "When is it due?" in text_of((await bot.send(ADA, "/takehome 1 someday"))[0])
    assert "passed already" in text_of((await bot.send(ADA, "/takehome 1 2026-01-05 10:00"))[0])
    assert "still a prospect" in text_of((await bot.send(ADA, "/takehome 2 2026-12-04"))[0])
    assert "no application #7" in text_of((await bot.send(ADA, "/takehome 7 2026-12-04"))[0])
    assert "no take-home on record" in text_of((await bot.send(ADA, "/takehome 1 done"))[0])
    assert [a.take_home_due for a in bot.repo.list_applications(ADA)] == [None, None]
