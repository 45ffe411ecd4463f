"""Fault injection in the HTTP fake: what a real PTB Bot sees, and what the fake stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import Bot
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.faketelegram import FakeTelegram

pytest.importorskip("aiohttp")

from bot.faketelegram.faults import FaultKind, FaultPlan
from bot.faketelegram.server import serve

USER = 42
OTHER = 43


@pytest.fixture
def plan() -> FaultPlan:
    return FaultPlan(seed=7)


@pytest.fixture
async def bot(fake: FakeTelegram, plan: FaultPlan) -> AsyncIterator[Bot]:
    """A PTB Bot over HTTP (short read timeout) against the fake served with ``plan``."""
    fake.send_text(OTHER, "/start")
    fake.pop_updates()
    runner, base_url, base_file_url = await serve(fake, faults=plan)
    request = HTTPXRequest(read_timeout=0.5)
    try:
        async with Bot(fake.token, base_url=base_url, base_file_url=base_file_url, request=request) as b:
            yield b
    finally:
        await runner.cleanup()


def texts(fake: FakeTelegram, chat: int) -> list[str | None]:
    return [m.text for m in fake.bot_messages(chat)]


@pytest.mark.parametrize(
    ("kind", "error", "delivered"),
    [
        (FaultKind.FAIL_BEFORE, NetworkError, False),
        (FaultKind.FAIL_AFTER, NetworkError, True),
        (FaultKind.DROP_BEFORE, NetworkError, False),
        (FaultKind.DROP_AFTER, NetworkError, True),
        (FaultKind.FORBIDDEN, Forbidden, False),
    ],
)
async def test_fault_reaches_ptb_as_telegram_error(
    fake: FakeTelegram, plan: FaultPlan, bot: Bot, kind: FaultKind, error: type[Exception], delivered: bool
) -> None:
    """Each fault raises PTB's error for it; "after" faults still store the message."""
    plan.add(kind, method="sendMessage", times=1)
    with pytest.raises(error):
        await bot.send_message(USER, "hello")
    assert texts(fake, USER) == (["hello"] if delivered else [])
    await bot.send_message(USER, "again")  # the rule fired once and is spent
    assert texts(fake, USER)[-1] == "again"
    assert [(i.method, i.chat_id, i.fault.kind) for i in plan.injected] == [("sendMessage", USER, kind)]


async def test_retry_after_carries_the_wait_and_stores_nothing(fake: FakeTelegram, plan: FaultPlan, bot: Bot) -> None:
    """A 429 rule answers Too Many Requests with its retry_after; Telegram did nothing."""
    plan.add(FaultKind.RETRY_AFTER, method="sendMessage", seconds=3)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(USER, "hello")
    assert raised.value.retry_after in (3, timedelta(seconds=3))
    assert texts(fake, USER) == []


async def test_delay_past_the_read_timeout_is_a_timeout_after_delivery(
    fake: FakeTelegram, plan: FaultPlan, bot: Bot
) -> None:
    """A delay longer than the client's read timeout: TimedOut, but the message is there."""
    plan.add(FaultKind.DELAY, method="sendMessage", seconds=1.0, times=1)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "slow")
    assert texts(fake, USER) == ["slow"]


async def test_rules_pick_their_chat_and_method(fake: FakeTelegram, plan: FaultPlan, bot: Bot) -> None:
    """A rule for one chat leaves other chats and other methods alone."""
    plan.add(FaultKind.FAIL_BEFORE, method="sendmessage", chat_id=OTHER)
    await bot.send_message(USER, "fine")
    await bot.get_me()
    with pytest.raises(NetworkError):
        await bot.send_message(OTHER, "refused")
    assert texts(fake, USER) == ["fine"] and texts(fake, OTHER) == []


async def test_rate_is_seeded_and_reproducible(fake: FakeTelegram, bot: Bot) -> None:
    """A rule with rate 0.5 hits about half the calls, the same ones for the same seed."""

    def hits(seed: int) -> list[bool]:
        plan = FaultPlan(seed=seed)
        plan.add(FaultKind.FAIL_BEFORE, rate=0.5)
        return [plan.pick("sendMessage", USER) is not None for _ in range(200)]

    assert hits(1) == hits(1) != hits(2)
    assert 70 < sum(hits(1)) < 130
