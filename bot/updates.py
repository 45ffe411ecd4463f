"""How updates are taken in: one user at a time per user, many users at once, nobody starved.

PTB hands every update to an update processor. :class:`FairUpdateProcessor` runs different users'
updates concurrently but each user's strictly in order (a per-user FIFO lock), so a user with 5,000
applications sending 300 commands holds up only themselves: another user's ``/help`` is answered in
between. A user's backlog is bounded: past :data:`BACKLOG` waiting updates the extra ones are not
processed, and the user is told once per burst to slow down (nothing was changed by them). At most
:data:`RUNNING` updates are being handled at once, so a full batch from ``getUpdates`` is spread
over many turns of the event loop instead of holding it for one long one.

Around each update it also:

* skips a re-delivered update that was already applied: Telegram re-sends updates it had not
  yet been told were handled (a crash between handling and the next ``getUpdates``), and every
  change is stored together with the id of the update that made it, in one atomic write;
* answers a button tap that nothing answered ("this button has expired"), so no tap spins forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.handlers.common import EXPIRED_BUTTON, last_word, tracking_answers
from storage import Repository, StorageWriteError

logger = logging.getLogger(__name__)

BACKLOG = 50
"""Updates one user may have waiting; more than this in a burst is a flood."""

MAX_CONCURRENT = 4096
"""PTB's global cap; the per-user backlog is what really bounds the updates waiting."""

RUNNING = 32
"""Updates being handled at once, past their user's lock; the others wait for a turn, doing nothing.
Polling hands over up to 100 updates at a time, and each handler runs on the event loop until it
first waits (a file read, a Bot API request): without a bound a full batch ran 100 handlers in one
turn of the loop, and the benchmark caught such a turn holding the loop for 240 ms, which every
other user's reply, the scheduler and the network waited out. A user's own queued updates wait on
their lock and take no turn, so one busy user never crowds out the rest."""

SLOW_DOWN = (
    "⏳ You're sending faster than I can keep up, so I skipped some of your last messages; "
    "nothing was changed by them. Wait for my replies, then send what's missing again."
)


def user_of(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_user is not None:
        return update.effective_user.id
    return None


class FairUpdateProcessor(BaseUpdateProcessor):
    """Per-user order, cross-user concurrency, a bounded backlog per user."""

    def __init__(
        self,
        repo: Repository,
        backlog: int = BACKLOG,
        max_concurrent_updates: int = MAX_CONCURRENT,
        *,
        running: int = RUNNING,
        defer_writes: bool = False,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.repo = repo
        # Only where every Bot API request first awaits repo.flush_writes (the SendLimiter's
        # before_send): otherwise a reply could leave before its change is on disk.
        self.defer_writes = defer_writes
        self.backlog = backlog
        self.running = running
        self._turns: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        self._waiting: defaultdict[int, int] = defaultdict(int)
        self._warned: set[int] = set()
        self.skipped = 0

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user_id = user_of(update)
        if user_id is None:
            async with self._turn():
                await handle(update, coroutine)
            return
        if self._waiting[user_id] >= self.backlog:
            _discard(coroutine)
            self.skipped += 1
            await self._slow_down(user_id, update)
            return
        self._waiting[user_id] += 1
        try:
            async with self.repo.lock(user_id), self._turn():
                await self._handle_once(user_id, update, coroutine)
        finally:
            self._waiting[user_id] -= 1
            if self._waiting[user_id] == 0:
                # The burst is over: forget the user's bookkeeping (and the next flood warns again).
                del self._waiting[user_id]
                self._warned.discard(user_id)

    def _turn(self) -> asyncio.Semaphore:
        """One of the :data:`RUNNING` turns (made for the running loop: tests run several)."""
        loop = asyncio.get_running_loop()
        if self._turns is None or self._turns[0] is not loop:
            self._turns = (loop, asyncio.Semaphore(self.running))
        return self._turns[1]

    async def _handle_once(self, user_id: int, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle an update unless its change is already stored (Telegram re-delivers updates it
        was not yet told were handled, e.g. after a crash); its writes record its id."""
        update_id = update.update_id if isinstance(update, Update) else None
        if update_id is None:
            await handle(update, coroutine)
            return
        await self.repo.prefetch(user_id, urgent=True)  # the reads below and in the handler find it in memory
        if self.repo.already_applied(user_id, update_id):
            logger.info("update.redelivered user=%s update=%s skipped", user_id, update_id)
            _discard(coroutine)
            if isinstance(update, Update) and update.callback_query is not None:
                await last_word(update, None)
            return
        with self.repo.handling_update(user_id, update_id):
            if not self.defer_writes:
                await handle(update, coroutine)
                return
            with self.repo.deferring_writes():
                try:
                    await handle(update, coroutine)
                finally:
                    await self._flush(user_id, update_id)

    async def _flush(self, user_id: int, update_id: int) -> None:
        """The update's writes that no message followed (one did: they are on disk already)."""
        try:
            await self.repo.flush_writes()
        except StorageWriteError as error:
            # Nothing was said about this change, and memory is back to the file: it simply
            # didn't happen. The operator sees why; the user's next message is handled as usual.
            logger.error("storage.write_failed user=%s update=%s error=%s", user_id, update_id, error)

    async def _slow_down(self, user_id: int, update: object) -> None:
        logger.info("updates.flood user=%s skipped", user_id)
        if not isinstance(update, Update):
            return
        if update.callback_query is not None:
            await last_word(update, "Slow down a little: I'm still working on your last taps.")
        elif user_id not in self._warned:
            self._warned.add(user_id)
            await last_word(update, SLOW_DOWN)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


async def handle(update: object, coroutine: Awaitable[Any]) -> None:
    """Run PTB's handling of one update, then answer a tap that nothing answered."""
    with tracking_answers() as answered:
        await coroutine
    if isinstance(update, Update) and update.callback_query is not None and update.callback_query.id not in answered:
        await last_word(update, EXPIRED_BUTTON)


def _discard(coroutine: Awaitable[Any]) -> None:
    """Drop a handling we won't run (closing it avoids 'coroutine was never awaited')."""
    if isinstance(coroutine, Coroutine):
        coroutine.close()
