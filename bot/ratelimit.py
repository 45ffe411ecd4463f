"""The one send limiter: replies and nudges share Telegram's budget, replies first.

Telegram refuses (429) a bot that sends more than about 30 messages a second overall, or more than
about one a second to one chat after a short burst. :class:`SendLimiter` is a PTB rate limiter
(``ApplicationBuilder.rate_limiter``) that every request passes through:

* **Overall**, a sliding window: a message occupies its slot from the moment it is let go until one
  second after its answer came back. Telegram counts it somewhere in between, so counting the whole
  span means no one-second window at Telegram can ever hold more than :attr:`per_window` of ours,
  whatever the network or the event loop did meanwhile.
* **Per chat**, a token bucket: a small burst, then one message a second; a group (a negative
  chat id) also keeps to Telegram's 20 messages a minute, a sliding window like the overall one.
* **Replies before nudges.** Work started inside :func:`background` (the scheduler's sends) is low
  priority: it never takes the last :attr:`reserved` slots of the window, and waits while a reply
  is waiting for one. So a command's answer waits for at most one slot to come free.
* **A 429 that still happens** holds back only that chat, for the ``retry_after`` Telegram gave;
  the request is then retried (up to ``max_retries`` times) and other chats go on meanwhile.

Edits count like sends: Telegram's limits for sending and editing a chat's messages are shared.
Requests that neither send nor edit (answering a button, ``getFile``, ``getUpdates``) are let
through at once; only a chat that Telegram has asked to wait holds them back.

Time comes from ``clock`` and waits go through ``sleep``; both default to the event loop's. Tests
pass a virtual pair, so a conversation that runs into the per-chat limit costs no real seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

logger = logging.getLogger(__name__)

_background: ContextVar[bool] = ContextVar("send_in_background", default=False)

COUNTED_PREFIXES = ("send", "copyMessage", "forwardMessage", "editMessage")
"""Methods that put a message in a chat or change one (Telegram's flood limits count these)."""
NOT_COUNTED = frozenset({"sendChatAction"})


@contextlib.contextmanager
def background() -> Iterator[None]:
    """Sends made inside the block (and tasks it starts) are low priority: nudges, not replies."""
    token = _background.set(True)
    try:
        yield
    finally:
        _background.reset(token)


def retry_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds, whichever type this PTB version returns."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class _Window:
    """At most ``limit`` messages in any ``span`` seconds: a message occupies its place from the
    moment it is let go until ``span`` seconds after its answer came back."""

    def __init__(self, span: float) -> None:
        self.span = span
        self.in_flight = 0
        self.done: deque[float] = deque()  # when recent messages were answered, oldest first

    def wait(self, now: float, limit: int) -> float:
        """Seconds until one more message fits under ``limit`` (0: now)."""
        while self.done and self.done[0] <= now - self.span:
            self.done.popleft()
        used = self.in_flight + len(self.done)
        if used < limit:
            return 0.0
        if len(self.done) > used - limit:
            # Sorted enough: answers come back roughly in order; a late one only makes us wait longer.
            return max(0.001, self.done[used - limit] + self.span - now)
        return self.span  # everything counted is still in flight: an answer will wake us

    def release(self, now: float) -> None:
        self.in_flight -= 1
        if self.done and self.done[-1] > now:
            now = self.done[-1]  # keep the deque sorted
        self.done.append(now)

    @property
    def idle(self) -> bool:
        return self.in_flight == 0 and not self.done


class SendLimiter(BaseRateLimiter[None]):
    """A sliding one-second window overall, a token bucket per chat, replies before nudges."""

    def __init__(
        self,
        per_window: int = 29,
        window: float = 1.0,
        reserved: int = 1,
        chat_burst: int = 10,
        chat_per_second: float = 1.0,
        group_per_minute: int = 20,
        max_retries: int = 3,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        before_send: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.per_window = per_window
        self.window = window
        self.reserved = reserved
        self.chat_burst = chat_burst
        self.chat_per_second = chat_per_second
        self.group_per_minute = group_per_minute
        self.max_retries = max_retries
        self._clock = clock
        self._sleep = sleep or asyncio.sleep
        # Awaited before every request: the app puts the update's deferred writes on disk here
        # (storage's flush_writes), so nothing is said before what it says is saved. What it
        # raises (StorageWriteError) reaches the caller as it is, never as a Telegram error.
        self.before_send = before_send
        self._overall = _Window(window)
        self._groups: dict[int | str, _Window] = {}  # group -> its sliding minute
        self._buckets: dict[int | str, tuple[float, float]] = {}  # chat -> (tokens, at)
        self._held: dict[int | str, float] = {}  # chat -> until when Telegram asked us to wait
        self._replies_waiting = 0
        self._freed = asyncio.Event()
        self.refused = 0  # 429 answers seen (for logs and the benchmark)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat = data.get("chat_id")
        chat_id: int | str | None = chat if isinstance(chat, int | str) else None
        counted = chat_id is not None and endpoint.startswith(COUNTED_PREFIXES) and endpoint not in NOT_COUNTED
        low = _background.get()
        if self.before_send is not None:
            await self.before_send()
        for attempt in range(self.max_retries + 1):
            if chat_id is not None:
                await self._wait_for_chat(chat_id)
            if counted:
                assert chat_id is not None
                await self._take_slot(chat_id, low=low)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                self.refused += 1
                wait = retry_seconds(error)
                if chat_id is not None:
                    self._held[chat_id] = max(self._held.get(chat_id, 0.0), self.now() + wait)
                if attempt == self.max_retries:
                    logger.warning("ratelimit.gave_up chat=%s wait=%s tries=%s", chat_id, wait, attempt + 1)
                    raise
                logger.info("ratelimit.retry_after chat=%s wait=%s", chat_id, wait)
            finally:
                if counted:
                    assert chat_id is not None
                    self._release(chat_id)
        raise AssertionError("unreachable")  # the loop returns or raises

    async def _wait_for_chat(self, chat_id: int | str) -> None:
        """Wait out a 429 Telegram gave for this chat (only this chat waits)."""
        # A loop, not an Event: another 429 for the chat may push the time further meanwhile.
        while (wait := self._held.get(chat_id, 0.0) - self.now()) > 0:
            await self._sleep(wait)
        self._held.pop(chat_id, None)

    async def _take_slot(self, chat_id: int | str, *, low: bool) -> None:
        """Wait until the chat's bucket and the overall window both allow one more message."""
        while True:
            now = self.now()
            tokens, at = self._buckets.get(chat_id, (float(self.chat_burst), now))
            tokens = min(float(self.chat_burst), tokens + (now - at) * self.chat_per_second)
            if tokens < 1.0:
                await self._sleep((1.0 - tokens) / self.chat_per_second)
                continue
            if low and self._replies_waiting:
                await self._until_freed(self.window)
                continue
            group = self._group(chat_id)
            if group is not None and (wait := group.wait(now, self.group_per_minute)) > 0:
                await self._until_freed(wait)  # only this group waits: other chats' slots are untouched
                continue
            wait = self._overall.wait(now, self.per_window - (self.reserved if low else 0))
            if wait > 0:
                if low:
                    await self._until_freed(wait)
                else:
                    self._replies_waiting += 1
                    try:
                        await self._until_freed(wait)
                    finally:
                        self._replies_waiting -= 1
                continue
            self._buckets[chat_id] = (tokens - 1.0, now)
            self._overall.in_flight += 1
            if group is not None:
                group.in_flight += 1
            self._forget_idle_chats(now)
            return

    def _group(self, chat_id: int | str) -> _Window | None:
        """The sliding minute of a group or channel (a negative id or an @username); None for a private chat."""
        if isinstance(chat_id, int) and chat_id >= 0:
            return None
        return self._groups.setdefault(chat_id, _Window(60.0))

    async def _until_freed(self, seconds: float) -> None:
        """Sleep ``seconds``, or less if an answer comes back meanwhile (the caller looks again)."""
        if self._sleep is not asyncio.sleep:
            await self._sleep(seconds)  # virtual time: the wait is over at once either way
            return
        self._freed.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._freed.wait()

    def _release(self, chat_id: int | str) -> None:
        now = self.now()
        self._overall.release(now)
        group = self._groups.get(chat_id)
        if group is not None:
            group.release(now)
        self._freed.set()

    def _forget_idle_chats(self, now: float) -> None:
        """Drop full buckets and quiet groups now and then, so 10,000 chats don't stay in memory for good."""
        if len(self._groups) >= 256:
            for group_id, group in list(self._groups.items()):
                group.wait(now, 1)  # forgets what left the minute
                if group.idle:
                    del self._groups[group_id]
        if len(self._buckets) < 4096:
            return
        full = float(self.chat_burst)
        for chat_id, (tokens, at) in list(self._buckets.items()):
            if tokens + (now - at) * self.chat_per_second >= full:
                del self._buckets[chat_id]
