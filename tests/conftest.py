"""Shared fixtures: a temporary data dir, a settable clock, the offline Telegram and the real app."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.faketelegram import FakeTelegram, FloodLimits
from storage import Repository
from tests.harness import FakeClock, Harness

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
def tg() -> FakeTelegram:
    # Handler tests play a whole conversation in milliseconds, so the per-chat flood limit is off
    # here; tests/faketelegram and the nudge-burst tests exercise it with a controlled clock.
    return FakeTelegram(token=TOKEN, bot_username="funnelbot_test", flood=FloodLimits(enabled=False))


@pytest.fixture
async def bot(settings: Settings, repo: Repository, tg: FakeTelegram, clock: FakeClock) -> AsyncIterator[Harness]:
    app = build_application(settings, repo, request=tg.request(), clock=clock)
    async with app:
        await app.post_init(app)  # type: ignore[misc]  # run_polling would; tests don't poll
        yield Harness(app=app, tg=tg, repo=repo, clock=clock)
