"""``Repository.prefetch``: a user's file is read in a worker thread, so the event loop never waits
for the disk; and a read that lost a race with the bot's own writes is thrown away, never used."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

import storage.repository as repository_module
from bot.domain.models import Profile
from storage import CorruptDataError, Repository
from storage.index import IndexEntry
from storage.repository import CACHE_USERS, UserStore
from tests.storage.test_lazy_users import NOW, damage, populate


def reads_in(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of the thread of every user-file read from now on."""
    threads: list[str] = []
    real = repository_module.load_json

    def load_json(path: Path) -> object:
        threads.append(threading.current_thread().name)
        return real(path)

    monkeypatch.setattr(repository_module, "load_json", load_json)
    return threads


async def test_the_file_is_read_in_a_worker_thread_and_then_served_from_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    populate(tmp_path, 3)
    repo = Repository.open(tmp_path, fsync=False)
    threads = reads_in(monkeypatch)
    await repo.prefetch(2)
    assert len(threads) == 1 and threads[0] != threading.main_thread().name
    assert [a.company for a in repo.applications_view(2)] == ["Company 0", "Company 1", "Company 2"]
    assert repo.get_profile(2) is not None
    assert len(threads) == 1  # the reads after it found the file in memory
    await repo.prefetch(2)  # already open: nothing to read
    assert len(threads) == 1 and repo.opened_files == 1


async def test_unknown_users_cost_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    populate(tmp_path, 1)
    repo = Repository.open(tmp_path, fsync=False)
    threads = reads_in(monkeypatch)
    await repo.prefetch(99)
    assert threads == [] and repo.get_profile(99) is None


async def test_a_damaged_file_is_left_for_the_first_read_to_report(tmp_path: Path) -> None:
    populate(tmp_path, 2)
    repo = Repository.open(tmp_path, fsync=False)
    damage(tmp_path / "users" / "2.json")
    await repo.prefetch(2)  # says nothing: it is only a read ahead
    with pytest.raises(CorruptDataError) as caught:
        repo.list_applications(2)
    assert caught.value.path.name == "2.json"
    assert len(repo.list_applications(1)) == 3


class HeldRead:
    """Holds the prefetch's read in its worker thread until released, having read the file already."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.read = threading.Event()
        self.release = threading.Event()
        real = repository_module._read_user_file

        def held(path: Path, entry: IndexEntry, *, fsync: bool) -> UserStore:
            store = real(path, entry, fsync=fsync)
            if threading.current_thread() is not threading.main_thread():
                self.read.set()
                self.release.wait(5)
            return store

        monkeypatch.setattr(repository_module, "_read_user_file", held)

    async def started(self, repo: Repository, user_id: int) -> asyncio.Task[None]:
        task = asyncio.create_task(repo.prefetch(user_id))
        assert await asyncio.to_thread(self.read.wait, 5)
        return task


async def read_in_flight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, cache_users: int = CACHE_USERS
) -> tuple[Repository, HeldRead, asyncio.Task[None]]:
    """Two users on disk, and user 2's prefetch held in its thread, the file already read."""
    populate(tmp_path, 2)
    repo = Repository.open(tmp_path, fsync=False, cache_users=cache_users)
    held = HeldRead(monkeypatch)
    return repo, held, await held.started(repo, 2)


async def test_a_change_made_while_the_read_was_in_flight_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bot opened the file itself and wrote to it meanwhile: the prefetched copy is older, so it goes."""
    repo, held, prefetch = await read_in_flight(tmp_path, monkeypatch, cache_users=1)
    profile = repo.get_profile(2)
    assert profile is not None
    profile.first_name = "Ada"
    repo.save_profile(profile)
    repo.get_profile(1)  # and the cache (of one) lets user 2's store go again
    held.release.set()
    await prefetch
    stored = repo.get_profile(2)
    assert stored is not None and stored.first_name == "Ada"


async def test_a_user_deleted_while_the_read_was_in_flight_stays_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, held, prefetch = await read_in_flight(tmp_path, monkeypatch)
    assert repo.delete_user(2)
    held.release.set()
    await prefetch
    assert repo.get_profile(2) is None and 2 not in repo.user_ids()
    assert not (tmp_path / "users" / "2.json").exists()


async def test_other_users_are_served_while_a_read_waits_for_the_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, held, prefetch = await read_in_flight(tmp_path, monkeypatch)
    repo.save_profile(Profile(user_id=3, chat_id=3, created_at=NOW, first_name="Bob"))  # the loop is free
    bob = repo.get_profile(3)
    assert bob is not None and bob.first_name == "Bob"
    held.release.set()
    await prefetch
    assert len(repo.applications_view(2)) == 3


async def test_callers_for_one_user_share_one_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The update and a reminder refresh both ask for the same user: one read, and both find it in memory."""
    repo, held, first = await read_in_flight(tmp_path, monkeypatch)
    second = asyncio.create_task(repo.prefetch(2))
    await asyncio.sleep(0)
    held.release.set()
    await asyncio.gather(first, second)
    assert repo.opened_files == 1
    threads = reads_in(monkeypatch)
    assert len(repo.applications_view(2)) == 3 and threads == []


async def test_an_urgent_read_never_queues_behind_the_schedulers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduler's reads (a fan-out reads hundreds of files) have their own thread: while one
    of them waits for the disk, a reply's read of another user goes ahead in its own."""
    populate(tmp_path, 3)
    repo = Repository.open(tmp_path, fsync=False)
    stuck, release = threading.Event(), threading.Event()
    threads: list[str] = []
    real = repository_module._read_user_file

    def read(path: Path, entry: IndexEntry, *, fsync: bool) -> UserStore:
        name = threading.current_thread().name
        threads.append(name)
        if name.startswith("funnelbot-read-bg"):
            stuck.set()
            release.wait(5)
        return real(path, entry, fsync=fsync)

    monkeypatch.setattr(repository_module, "_read_user_file", read)
    background = [asyncio.create_task(repo.prefetch(user)) for user in (1, 2)]  # one thread: 2 waits for 1
    await asyncio.to_thread(stuck.wait, 5)
    try:
        await asyncio.wait_for(repo.prefetch(3, urgent=True), 2)
        assert repo.opened_files == 1 and repo.get_profile(3) is not None
        assert not any(task.done() for task in background)
    finally:
        release.set()
        await asyncio.gather(*background)
    assert repo.opened_files == 3
    assert sorted(name.startswith("funnelbot-read-bg") for name in threads) == [False, True, True]
    repo.close()


async def test_reads_never_run_far_ahead_of_the_callers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Twelve users' updates at once, and the event loop busy: the threads read no more than
    READ_AHEAD files that their callers have not taken up yet; in the end each is read once."""
    populate(tmp_path, 12)
    repo = Repository.open(tmp_path, fsync=False)
    real = repository_module._read_user_file
    reads: list[str] = []

    def read(path: Path, entry: IndexEntry, *, fsync: bool) -> UserStore:
        reads.append(path.stem)
        return real(path, entry, fsync=fsync)

    monkeypatch.setattr(repository_module, "_read_user_file", read)
    callers = [asyncio.create_task(repo.prefetch(user, urgent=True)) for user in range(1, 13)]
    await asyncio.sleep(0)  # each caller starts its read, or waits for a slot to start one
    time.sleep(0.3)  # noqa: ASYNC251 - the loop is busy meanwhile (a big chart, say); the threads are not
    assert len(reads) == repository_module.READ_AHEAD
    await asyncio.wait_for(asyncio.gather(*callers), 5)
    assert sorted(int(user) for user in reads) == list(range(1, 13))
    assert repo.opened_files == 12
    repo.close()


async def test_a_fan_out_through_the_cache_keeps_the_users_who_are_talking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Background reads (the scheduler's) beyond BACKGROUND_KEEP make room before users an update
    read: a fan-out through the whole cache leaves the talkers in memory, and keeps its own most
    recent users (those it is still working on)."""
    monkeypatch.setattr(repository_module, "BACKGROUND_KEEP", 3)
    populate(tmp_path, 30, apps=1)
    repo = Repository.open(tmp_path, fsync=False, cache_users=8)
    talkers, passers_by = [1, 2, 3, 4], list(range(5, 31))
    for user_id in talkers:
        await repo.prefetch(user_id, urgent=True)
    for user_id in passers_by:
        await repo.prefetch(user_id)
        assert repo.get_profile(user_id) is not None  # as a tick reads them
    threads = reads_in(monkeypatch)
    for user_id in [*talkers, *passers_by[-3:]]:
        await repo.prefetch(user_id, urgent=user_id in talkers)
        assert repo.get_profile(user_id) is not None
    assert threads == []  # every one of them was still in memory


async def test_a_user_the_scheduler_read_and_an_update_then_needed_counts_as_talking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repository_module, "BACKGROUND_KEEP", 2)
    populate(tmp_path, 20, apps=1)
    repo = Repository.open(tmp_path, fsync=False, cache_users=6)
    await repo.prefetch(1)  # the scheduler reads them first ...
    await repo.prefetch(1, urgent=True)  # ... then they send a command: no second read, but promoted
    for user_id in range(2, 21):
        await repo.prefetch(user_id)
    threads = reads_in(monkeypatch)
    await repo.prefetch(1, urgent=True)
    assert threads == [] and repo.get_profile(1) is not None


async def test_with_few_background_users_the_cache_is_plain_least_recently_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Up to BACKGROUND_KEEP of them, background users take their turn like anyone else: a tick's
    user read after a talker stays while that older talker makes room."""
    monkeypatch.setattr(repository_module, "BACKGROUND_KEEP", 3)
    populate(tmp_path, 10, apps=1)
    repo = Repository.open(tmp_path, fsync=False, cache_users=4)
    await repo.prefetch(2, urgent=True)  # the least recently used
    await repo.prefetch(1)  # a background user
    for user_id in [3, 4, 5]:  # talkers fill the cache past its bound
        await repo.prefetch(user_id, urgent=True)
    threads = reads_in(monkeypatch)
    await repo.prefetch(1)
    assert threads == []  # still in memory
    await repo.prefetch(2, urgent=True)
    assert len(threads) == 1  # the oldest talker had left the cache
