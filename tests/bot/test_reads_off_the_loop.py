"""Users' files are read in a worker thread, never on the event loop: for their updates and for the
scheduler's ticks, even when the cache (here of one user) has let their file go in between."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.config import Settings
from storage import Repository
from tests.conftest import ADA, BOB
from tests.harness import Harness, text_of
from tests.storage.test_prefetch import reads_in
from tests.test_scheduling import bot_texts, join, start_reminders, stop_reminders

MONDAY_PLAN = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 in Berlin: the weekly plan's minute


@pytest.fixture
def repo(settings: Settings) -> Iterator[Repository]:
    repository = Repository.open(settings.data_dir, fsync=False, cache_users=1)
    yield repository
    repository.close()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The thread of every user-file read."""
    return reads_in(monkeypatch)


async def test_updates_read_their_users_file_off_the_loop(bot: Harness, reads: list[str]) -> None:
    await bot.send(ADA, "/add Acme - SRE")
    await bot.send(BOB, "/add Globex - DevRel")
    reads.clear()
    for _ in range(3):  # each user's update finds the other's file gone from the cache
        assert "Acme" in text_of((await bot.send(ADA, "/list"))[-1])
        assert "Globex" in text_of((await bot.send(BOB, "/list"))[-1])
    assert len(reads) >= 6
    assert threading.main_thread().name not in reads


async def test_a_tick_reads_each_users_file_off_the_loop(bot: Harness, reads: list[str]) -> None:
    nudger = await start_reminders(bot.app)
    try:
        await join(bot, ADA)
        await join(bot, BOB)
        reads.clear()
        bot.clock.set(MONDAY_PLAN)
        report = await nudger.tick()
    finally:
        await stop_reminders(bot.app)
    assert sorted(report.keys) == [(ADA, "plan:2026-11-23"), (BOB, "plan:2026-11-23")]
    assert bot_texts(bot.tg, ADA)[-1].startswith("🗓 Your week (from Mon 23 Nov 2026)")
    assert bot_texts(bot.tg, BOB)[-1].startswith("🗓 Your week (from Mon 23 Nov 2026)")
    assert reads and threading.main_thread().name not in reads
