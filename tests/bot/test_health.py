"""The operator hears that the bot started (and what was odd), a daily summary, and failed starts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from telegram.ext import Job

from bot import health
from bot.app import build_application
from bot.config import Settings
from bot.faketelegram import FakeTelegram
from storage import Repository
from tests.conftest import ADA, BOB
from tests.faults import FaultyRequest
from tests.harness import FakeClock, Harness, text_of

ADMIN = 4242


@pytest.fixture
async def operated(settings: Settings, repo: Repository, tg: FakeTelegram, clock: FakeClock) -> AsyncIterator[Harness]:
    """The real app with ADMIN_CHAT_ID set; its command menu is refused once at start-up."""
    tg.send_text(ADMIN, "/start")  # the operator has talked to the bot
    tg.pop_updates()
    request = FaultyRequest(tg)
    request.arm("400", "setMyCommands", times=1)
    app = build_application(replace(settings, admin_chat_id=ADMIN), repo, request=request, clock=clock)
    async with app:
        await app.post_init(app)  # type: ignore[misc]
        yield Harness(app=app, tg=tg, repo=repo, clock=clock)


def _context(bot: Harness):  # type: ignore[no-untyped-def]
    return bot.app.context_types.context.from_job(Job(health.daily_summary), bot.app)


def _admin(bot: Harness) -> list[str]:
    return [text_of(m) for m in bot.tg.bot_messages(ADMIN)]


async def test_the_operator_hears_the_bot_started_and_what_was_odd(operated: Harness) -> None:
    """Start-up sends one line with the user count and the refused command menu."""
    await operated.send(ADA, "/add Acme - SRE")
    await health.started(_context(operated))
    line = _admin(operated)[-1]
    assert line.startswith("Funnelbot started with 1 user.") and "command menu" in line


async def test_the_daily_summary_counts_and_starts_again(operated: Harness) -> None:
    """Users active and blocked, updates and errors, nudges; then the counts reset."""
    await operated.send(ADA, "/add Acme - SRE")
    await operated.send(BOB, "/list")
    operated.tg.block(BOB)
    await operated.pump()
    operated.app.bot_data["health"].count("nudges_sent", 3)
    operated.clock.advance(hours=24)
    await health.daily_summary(_context(operated))
    line = _admin(operated)[-1]
    assert "1 active user, 1 blocked" in line and "3 sent" in line and "updates handled" in line
    assert "Acme" not in line
    await health.daily_summary(_context(operated))
    assert "0 updates handled, 0 errors; nudges 0 sent" in _admin(operated)[-1]


async def test_errors_are_counted_for_the_summary(operated: Harness) -> None:
    """A failure handled by the error handler shows in the next summary."""
    request = operated.app.bot.request
    assert isinstance(request, FaultyRequest)
    request.arm("400", "sendMessage", chat_id=ADA, times=1)
    await operated.send(ADA, "/help")
    await health.daily_summary(_context(operated))
    assert ", 1 errors;" in _admin(operated)[-1]
