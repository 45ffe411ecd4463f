"""``Repository.writing``: a transaction whose file write runs in a worker thread.

What it must keep from a plain transaction: the change is on disk when the ``async with`` ends, a
failed write leaves memory and file as they were, and the file never moves backwards, whatever
other writes, evictions or deletions happen while the thread is writing. What it adds: the event
loop keeps running meanwhile.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.domain.models import Profile
from storage import Repository, StorageWriteError

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ADA, BOB = 1, 2


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repository]:
    repository = Repository.open(tmp_path / "data", fsync=True)
    for user in (ADA, BOB):
        repository.save_profile(Profile(user_id=user, chat_id=user, created_at=NOW))
    yield repository
    repository.close()


def on_disk(repo: Repository, user: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((repo.users_dir / f"{user}.json").read_text())
    return data


def keys_on_disk(repo: Repository, user: int) -> list[str]:
    return [doc["key"] for doc in on_disk(repo, user).get("reminders", {}).values()]


class SlowFsync:
    """Holds every fsync of a user file in its worker thread until released."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.release = threading.Event()
        self.entered = threading.Event()
        real = os.fsync

        def fsync(fd: int) -> None:
            if threading.current_thread() is not threading.main_thread():
                self.entered.set()
                self.release.wait(5)
            real(fd)

        monkeypatch.setattr(os, "fsync", fsync)


async def writing_first(repo: Repository, slow: SlowFsync) -> asyncio.Task[None]:
    """Start recording Ada's "first" through ``writing``; returns once its thread is in fsync."""

    async def job() -> None:
        async with repo.writing(ADA):
            repo.mark_reminder(ADA, "first", NOW, "sending")

    task = asyncio.create_task(job())
    await asyncio.to_thread(slow.entered.wait, 5)
    return task


async def test_the_change_is_on_disk_when_the_block_ends_and_the_loop_ran_meanwhile(
    repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = SlowFsync(monkeypatch)
    ticks = 0

    async def other_user() -> None:
        nonlocal ticks
        while not slow.entered.is_set() or ticks < 5:
            ticks += 1
            await asyncio.sleep(0.001)
        slow.release.set()

    async def write() -> None:
        async with repo.writing(ADA):
            repo.mark_reminder(ADA, "plan:2026-11-23", NOW, "sending")
        assert keys_on_disk(repo, ADA) == ["plan:2026-11-23"]

    await asyncio.gather(write(), other_user())
    assert ticks >= 5  # the loop served someone else while the file was being written
    assert repo.reminder_statuses(ADA) == {"plan:2026-11-23": "sending"}


async def test_a_failed_write_raises_and_memory_goes_back_to_the_file(
    repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(StorageWriteError) as raised:
        async with repo.writing(ADA):
            repo.mark_reminder(ADA, "plan:2026-11-23", NOW, "sending")
    assert raised.value.errno == errno.ENOSPC
    monkeypatch.undo()
    assert repo.reminder_statuses(ADA) == {}
    assert keys_on_disk(repo, ADA) == []
    assert not list(repo.users_dir.glob(".*.tmp"))


async def test_a_plain_write_during_the_threads_write_wins_and_the_file_never_moves_back(
    repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The thread holds an older snapshot; a newer one written on the loop meanwhile must stay."""
    slow = SlowFsync(monkeypatch)
    task = await writing_first(repo, slow)
    # A command's ordinary write (on the loop) has to wait its turn for the file; let it go.
    threading.Timer(0.05, slow.release.set).start()
    repo.mark_reminder(ADA, "second", NOW, "sent")
    await task
    assert sorted(keys_on_disk(repo, ADA)) == ["first", "second"]
    assert repo.reminder_statuses(ADA) == {"first": "sending", "second": "sent"}


async def test_a_store_being_written_is_not_evicted_and_a_deleted_user_stays_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = Repository.open(tmp_path / "data", fsync=True, cache_users=1)
    for user in (ADA, BOB):
        repo.save_profile(Profile(user_id=user, chat_id=user, created_at=NOW))
    slow = SlowFsync(monkeypatch)
    task = await writing_first(repo, slow)
    assert repo.get_profile(BOB) is not None  # opening Bob would evict Ada beyond the bound...
    assert repo.reminder_statuses(ADA) == {"first": "sending"}  # ...but she is kept while written
    threading.Timer(0.05, slow.release.set).start()
    assert repo.delete_user(ADA)  # waits for the write in flight, then deletes
    await task
    assert not (repo.users_dir / f"{ADA}.json").exists()
    assert repo.get_profile(ADA) is None
    repo.close()


async def test_the_index_vouches_for_the_file_once_it_is_written(repo: Repository, tmp_path: Path) -> None:
    async with repo.writing(ADA):
        repo.mark_reminder(ADA, "plan:2026-11-23", NOW, "sent")
    repo.close()
    again = Repository.open(tmp_path / "data", fsync=True)
    assert again.opened_files == 0  # nothing re-read at start-up: the index matched the file
    assert again.reminder_statuses(ADA) == {"plan:2026-11-23": "sent"}
    again.close()
