"""Shared fixtures: a temporary data dir, a settable clock, the offline Telegram and the real app."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.faketelegram import FakeTelegram
from bot.ratelimit import SendLimiter
from storage import Repository
from tests.harness import FakeClock, FloodClock, Harness

# PTB 22 returns RetryAfter.retry_after as a timedelta with this opt-in (as `funnelbot` sets it),
# instead of an int plus a deprecation warning.
os.environ["PTB_TIMEDELTA"] = "1"

TOKEN = "123456:TEST-TOKEN"
ADA = 1001
BOB = 2002


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(token=TOKEN, data_dir=tmp_path / "data", default_tz="Europe/London")


@pytest.fixture
def repo(settings: Settings) -> Iterator[Repository]:
    repository = Repository.open(settings.data_dir, fsync=False)
    yield repository
    repository.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def flood_clock() -> FloodClock:
    return FloodClock()


@pytest.fixture
def tg(flood_clock: FloodClock) -> Iterator[FakeTelegram]:
    """The offline Telegram with its flood limits on (sends and edits), on virtual time.

    A handler test plays a whole conversation in milliseconds; the bot's SendLimiter paces it on
    the same virtual clock, so it runs at full speed and is never refused. Any 429 fails the test.
    """
    fake = FakeTelegram(token=TOKEN, bot_username="funnelbot_test", clock=flood_clock)
    yield fake
    refused = [(method, description) for method, description in fake.errors if description.startswith("Too Many")]
    assert refused == [], f"Telegram refused the bot for flooding: {refused[:3]}"


@pytest.fixture
async def bot(
    settings: Settings, repo: Repository, tg: FakeTelegram, clock: FakeClock, flood_clock: FloodClock
) -> AsyncIterator[Harness]:
    limiter = SendLimiter(max_retries=3, clock=flood_clock, sleep=flood_clock.sleep)
    app = build_application(settings, repo, request=tg.request(), clock=clock, rate_limiter=limiter)
    async with app:
        await app.post_init(app)  # type: ignore[misc]  # run_polling would; tests don't poll
        yield Harness(app=app, tg=tg, repo=repo, clock=clock)
