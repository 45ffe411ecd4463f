"""Fixtures for the fake Telegram's own tests: a controllable clock and a started chat."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.faketelegram import FakeTelegram

USER = 42


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> FakeTelegram:
    """A fake where user 42 has started the bot (and that update is already consumed)."""
    telegram = FakeTelegram(clock=clock)
    telegram.send_text(USER, "/start")
    telegram.pop_updates()
    return telegram


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    """A real PTB Bot whose transport is the fake, initialised (getMe done)."""
    async with Bot(fake.token, request=fake.request(), get_updates_request=fake.request()) as b:
        yield b
