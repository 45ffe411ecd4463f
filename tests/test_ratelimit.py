"""The one send limiter: a sliding window overall, a bucket per chat, replies first, 429s per chat."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.ratelimit import SendLimiter, background
from tests.harness import FloodClock

pytestmark = pytest.mark.usefixtures("timedelta_env")


@pytest.fixture
def timedelta_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB 22 warns on building RetryAfter otherwise


class Sender:
    """Stands in for PTB's request: records when each message was let go, optionally refuses some."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, Any]] = []
        self.refuse: dict[Any, int] = {}

    async def __call__(self, chat_id: Any, label: str = "") -> bool:
        if self.refuse.get(chat_id, 0) > 0:
            self.refuse[chat_id] -= 1
            raise RetryAfter(timedelta(seconds=0.2))
        self.sent.append((time.monotonic(), label or chat_id))
        return True


async def send(
    limiter: SendLimiter, sender: Sender, chat_id: int, label: str = "", endpoint: str = "sendMessage"
) -> Any:
    return await limiter.process_request(sender, (chat_id, label), {}, endpoint, {"chat_id": chat_id}, None)


async def test_no_window_ever_holds_more_than_the_limit() -> None:
    """30 messages to 30 chats with 10 allowed per 0.2 s: never 11 inside any 0.2 s, and no idling."""
    limiter, sender = SendLimiter(per_window=10, window=0.2, reserved=0), Sender()
    start = time.monotonic()
    await asyncio.gather(*(send(limiter, sender, chat) for chat in range(1, 31)))
    times = sorted(t for t, _ in sender.sent)
    assert all(later - earlier >= 0.2 for earlier, later in zip(times, times[10:], strict=False))
    assert 0.4 <= time.monotonic() - start < 1.0


async def test_one_chat_gets_a_burst_then_its_rate() -> None:
    """Burst of 2, then 10 a second: the third message to one chat waits about 0.1 s; others don't."""
    limiter, sender = SendLimiter(chat_burst=2, chat_per_second=10), Sender()
    start = time.monotonic()
    await asyncio.gather(send(limiter, sender, 1), send(limiter, sender, 1), send(limiter, sender, 1))
    assert time.monotonic() - start >= 0.09
    start = time.monotonic()
    await send(limiter, sender, 2)
    assert time.monotonic() - start < 0.05


async def test_replies_go_before_nudges() -> None:
    """With the window full, a reply queued after a batch of nudges still goes out before them."""
    limiter, sender = SendLimiter(per_window=2, window=0.1, reserved=0), Sender()

    async def nudges() -> None:
        with background():
            await asyncio.gather(*(send(limiter, sender, 100 + i, "nudge") for i in range(6)))

    batch = asyncio.create_task(nudges())
    await asyncio.sleep(0.01)  # the batch has taken the window and waits
    await send(limiter, sender, 1, "reply")
    labels = [label for _, label in sender.sent]
    await batch
    assert labels.index("reply") <= 3 and labels.count("nudge") < 6


async def test_a_429_holds_back_only_its_chat() -> None:
    """Chat 1 is told to wait 0.2 s and is retried after it; chat 2 goes out meanwhile."""
    limiter, sender = SendLimiter(), Sender()
    sender.refuse[1] = 1
    first = asyncio.create_task(send(limiter, sender, 1, "one"))
    await asyncio.sleep(0.01)
    start = time.monotonic()
    await send(limiter, sender, 2, "two")
    assert time.monotonic() - start < 0.1
    await first
    assert [label for _, label in sender.sent] == ["two", "one"] and limiter.refused == 1


async def test_after_its_retries_a_429_reaches_the_caller() -> None:
    """Refused more often than max_retries: the RetryAfter is raised to the caller (the scheduler waits)."""
    limiter, sender = SendLimiter(max_retries=1), Sender()
    sender.refuse[1] = 5
    with pytest.raises(RetryAfter):
        await send(limiter, sender, 1)
    assert sender.refuse[1] == 3


async def test_requests_that_send_nothing_are_not_paced() -> None:
    """Answering a tap or getFile doesn't count against the window, even when it is full."""
    limiter, sender = SendLimiter(per_window=1, window=5.0, reserved=0), Sender()
    await send(limiter, sender, 1)
    start = time.monotonic()
    await send(limiter, sender, 2, endpoint="answerCallbackQuery")
    await send(limiter, sender, 3, endpoint="getFile")
    assert time.monotonic() - start < 0.05


async def test_edits_take_from_the_chats_bucket_like_sends() -> None:
    """Burst of 2: a send, an edit, then a third request to the chat waits a (virtual) second."""
    flood = FloodClock()
    limiter, sender = SendLimiter(chat_burst=2, clock=flood, sleep=flood.sleep), Sender()
    start = flood()
    await send(limiter, sender, 1)
    await send(limiter, sender, 1, endpoint="editMessageText")
    assert flood() == start
    await send(limiter, sender, 1, endpoint="editMessageReplyMarkup")
    assert flood() - start == pytest.approx(1.0)


async def test_a_group_keeps_to_its_messages_a_minute() -> None:
    """Three a minute in a group: the fourth waits for the minute after the first; a private chat doesn't."""
    flood = FloodClock()
    limiter = SendLimiter(group_per_minute=3, chat_burst=10, clock=flood, sleep=flood.sleep)
    sender = Sender()
    start = flood()
    for _ in range(3):
        await send(limiter, sender, -100123)
    await send(limiter, sender, 7)
    assert flood() == start
    await send(limiter, sender, -100123, endpoint="editMessageText")
    assert flood() - start == pytest.approx(60.0, abs=0.01)
    assert len(sender.sent) == 5
