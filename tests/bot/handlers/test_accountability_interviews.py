"""Interviews from a real chat: booking is a plan, the funnel counts only interviews that happened."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.domain.stages import Stage
from bot.scheduling import Scheduler
from tests.conftest import ADA
from tests.harness import Harness, text_of
from tests.test_scheduling import join, start_reminders, stop_reminders


@pytest.fixture
async def nudger(bot: Harness) -> AsyncIterator[Scheduler]:
    scheduler = await start_reminders(bot.app)
    yield scheduler
    await stop_reminders(bot.app)


async def test_cancelled_interview_leaves_the_funnel_as_it_was(bot: Harness) -> None:
    """/interview N mon 10:00 then /interview N cancel leaves #N at Applied and /funnel counts no interview."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/interview 1 mon 10:00")
    assert bot.repo.get_application(ADA, 1).stage == Stage.APPLIED  # type: ignore[union-attr]
    await bot.send(ADA, "/interview 1 cancel")
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and app.stage == Stage.APPLIED and app.interviews == []
    assert set(app.reached()) == {Stage.APPLIED}
    await bot.send(ADA, "/funnel")
    assert "Response 0% · Interview 0%" in text_of(bot.last(ADA))


async def test_check_in_after_the_interview_reaches_the_interview_stage(bot: Harness, nudger: Scheduler) -> None:
    """Answering the check-in ("No news yet") records the Interview stage, dated when the interview began."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/interview 1 2026-11-24 10:00")
    assert "Applied" in text_of((await bot.send(ADA, "/show 1"))[0])
    bot.clock.set(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    await nudger.tick()
    await bot.tap(ADA, "No news yet")
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and app.stage == Stage.INTERVIEW
    assert app.entered_at(Stage.INTERVIEW) == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
