"""PTB's JobQueue with a stop that lets running jobs finish and starts no new one.

``JobQueue.stop(wait=True)`` waits for the jobs that are running when it is called, then shuts the
scheduler down, which cancels whatever was submitted meanwhile. A job that fell due in that instant
(a start-up job one second in, a reminder tick at a SIGTERM) was cancelled before it ran a line,
and APScheduler logged it as an ERROR with a traceback. Pausing the scheduler first closes that
window: from the moment the stop begins nothing is submitted, and everything running finishes.
"""

from __future__ import annotations

import asyncio

from telegram.ext import JobQueue

from bot.context import BotContext


class GracefulJobQueue(JobQueue[BotContext]):
    """A JobQueue whose stop pauses the scheduler, then waits for every running job (see the module doc)."""

    async def stop(self, wait: bool = True) -> None:
        if self.scheduler.running:
            self.scheduler.pause()  # no job is submitted from here on
        if wait:
            # PTB's own stop gathers the same private set, but only after the window has closed
            # can it hold every job that will run.
            await asyncio.gather(*self._executor._pending_futures, return_exceptions=True)
        await super().stop(wait)
