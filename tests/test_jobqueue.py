"""The job queue's stop: running jobs finish, nothing due during the stop starts, nothing is logged as an error."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.context import BotContext
from bot.jobqueue import GracefulJobQueue
from tests.harness import Harness


async def _until(condition: asyncio.Event) -> None:
    await asyncio.wait_for(condition.wait(), timeout=10)


async def test_stop_lets_a_running_job_finish_and_starts_no_new_one(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """A job running at the stop finishes (not cancelled); one due during the stop never starts; no ERROR."""
    job_queue = bot.app.job_queue
    assert isinstance(job_queue, GracefulJobQueue)
    started, release = asyncio.Event(), asyncio.Event()
    finished: list[str] = []

    async def slow(context: BotContext) -> None:
        started.set()
        await release.wait()
        finished.append("slow")

    async def late(context: BotContext) -> None:
        finished.append("late")

    await job_queue.start()
    job_queue.run_once(slow, when=0)
    await _until(started)
    stopping = asyncio.create_task(job_queue.stop())
    for _ in range(20):
        await asyncio.sleep(0)
    assert not stopping.done(), "the stop waits for the running job"
    job_queue.run_once(late, when=0)  # due at once, but the stop has begun
    for _ in range(20):
        await asyncio.sleep(0)
    release.set()
    with caplog.at_level(logging.DEBUG):
        await asyncio.wait_for(stopping, timeout=10)
    assert finished == ["slow"]
    assert not job_queue.scheduler.running
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_stop_without_wait_still_shuts_down(bot: Harness) -> None:
    """stop(wait=False) shuts the scheduler down at once, as PTB's does."""
    job_queue = bot.app.job_queue
    assert job_queue is not None
    await job_queue.start()
    await job_queue.stop(wait=False)
    assert not job_queue.scheduler.running
