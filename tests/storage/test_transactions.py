"""One atomic write per change: transactions, write counts, update ids, locks, reminders, failed writes."""

from __future__ import annotations

import asyncio
import builtins
import errno
import inspect
import json
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.domain.models import Event, JobApplication, Profile
from bot.domain.stages import Stage
from storage import Repository, RepositoryProtocol, StorageWriteError

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ADA = 1


class Replaces:
    """Counts os.replace calls: every file write ends in exactly one."""

    def __init__(self) -> None:
        self.count = 0


@pytest.fixture
def replaces(monkeypatch: pytest.MonkeyPatch) -> Replaces:
    counter = Replaces()
    real = os.replace

    def counting(src: Any, dst: Any) -> None:
        counter.count += 1
        real(src, dst)

    monkeypatch.setattr(os, "replace", counting)
    return counter


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repository]:
    """Ada with two applications (#1 edited once) and one reminder record."""
    repository = Repository.open(tmp_path, fsync=False)
    profile = Profile(user_id=ADA, chat_id=ADA, created_at=NOW)
    repository.save_profile(profile)
    repository.add_application(profile, new_app("Acme"), "added #{n}")
    repository.add_application(profile, new_app("Beta"), "added #{n}")
    app = repository.get_application(ADA, 1)
    assert app is not None
    app.role = "Staff SRE"
    repository.save_application(ADA, app, "edited #1")
    repository.mark_reminder(ADA, "plan:1", NOW - timedelta(days=90), "sent")
    yield repository
    repository.close()


def new_app(company: str) -> JobApplication:
    return JobApplication(0, company, "SRE", NOW, history=[Event(NOW, "created", Stage.PROSPECT)])


def profile_of(repo: Repository) -> Profile:
    profile = repo.get_profile(ADA)
    assert profile is not None
    return profile


def import_two(repo: Repository) -> None:
    profile = profile_of(repo)
    apps = [new_app("Imp A"), new_app("Imp B")]
    for app in apps:
        app.number = profile.next_number
        profile.next_number += 1
    repo.save_applications(ADA, apps, "imported 2")


def edit_first(repo: Repository) -> None:
    app = repo.get_application(ADA, 1)
    assert app is not None
    app.company = "Acme Corp"
    repo.save_application(ADA, app, "edited #1")


class Boom(Exception):
    """Raised on purpose inside a transaction."""


def fail_after(repo: Repository, user_id: int, changes: Callable[[], object]) -> None:
    """Make some changes in a transaction, then fail before it ends."""
    with repo.transaction(user_id):
        changes()
        raise Boom


def file_of(repo: Repository, user_id: int = ADA) -> Path:
    return repo.users_dir / f"{user_id}.json"


def on_disk(repo: Repository, user_id: int = ADA) -> dict[str, Any]:
    return json.loads(file_of(repo, user_id).read_text())  # type: ignore[no-any-return]


MUTATIONS: dict[str, Callable[[Repository], object]] = {
    "save_profile": lambda repo: repo.save_profile(profile_of(repo)),
    "save_profile of a new user": lambda repo: repo.save_profile(Profile(user_id=2, chat_id=2, created_at=NOW)),
    "add_application": lambda repo: repo.add_application(profile_of(repo), new_app("Gamma"), "added #{n}"),
    "save_application": edit_first,
    "save_applications": import_two,
    "delete_application": lambda repo: repo.delete_application(ADA, 2, "deleted #2"),
    "undo": lambda repo: repo.undo(ADA),
    "mark_reminder (new key)": lambda repo: repo.mark_reminder(ADA, "check:1", NOW),
    "mark_reminder (same key)": lambda repo: repo.mark_reminder(ADA, "plan:1", NOW, "failed"),
    "unmark_reminder": lambda repo: repo.unmark_reminder(ADA, "plan:1"),
    "forget_reminders": lambda repo: repo.forget_reminders(ADA, NOW - timedelta(days=30)),
}

READS_AND_NO_OPS: dict[str, Callable[[Repository], object]] = {
    "reads": lambda repo: (
        repo.get_profile(ADA),
        list(repo.profiles()),
        repo.user_ids(),
        repo.list_applications(ADA),
        repo.get_application(ADA, 1),
        repo.last_undo(ADA),
        repo.sent_reminders(ADA),
        repo.reminder_statuses(ADA),
        repo.last_update_id(ADA),
        repo.get_profile(99),
        repo.list_applications(99),
    ),
    "delete of a missing number": lambda repo: repo.delete_application(ADA, 42, "deleted #42"),
    "undo of a stale entry": lambda repo: repo.undo(ADA, entry_id=1),
    "unmark of an unknown key": lambda repo: repo.unmark_reminder(ADA, "nope"),
    "forget with nothing old": lambda repo: repo.forget_reminders(ADA, NOW - timedelta(days=365)),
}


@pytest.mark.parametrize("mutation", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_each_mutating_method_is_one_file_write(
    repo: Repository, replaces: Replaces, mutation: Callable[[Repository], object]
) -> None:
    """Every public change (counter, record, undo entry, undo trimming) reaches the disk in one replace."""
    mutation(repo)
    assert replaces.count == 1


@pytest.mark.parametrize("action", READS_AND_NO_OPS.values(), ids=READS_AND_NO_OPS.keys())
def test_reads_and_no_op_changes_write_nothing(
    repo: Repository, replaces: Replaces, action: Callable[[Repository], object]
) -> None:
    """Reads, and changes that find nothing to change, leave the files alone."""
    before = file_of(repo).read_bytes()
    action(repo)
    assert file_of(repo).read_bytes() == before
    assert replaces.count == 0


def test_a_transaction_that_changes_nothing_writes_nothing(repo: Repository, replaces: Replaces) -> None:
    """An empty transaction writes no file, and one for an unknown user leaves no trace of them."""
    with repo.transaction(ADA):
        repo.list_applications(ADA)
    with repo.transaction(3):
        assert repo.get_profile(3) is None
    assert replaces.count == 0
    assert repo.user_ids() == [ADA]
    assert not file_of(repo, 3).exists()


def test_a_transaction_batches_many_changes_into_one_write(repo: Repository, replaces: Replaces) -> None:
    """Changes inside one transaction are visible at once but reach the file together, at the end."""
    before = file_of(repo).read_bytes()
    with repo.transaction(ADA):
        profile = profile_of(repo)
        profile.first_name = "Ada"
        repo.save_profile(profile)
        repo.add_application(profile, new_app("Gamma"), "added #{n}")
        repo.delete_application(ADA, 1, "deleted #1")
        repo.mark_reminder(ADA, "check:1", NOW)
        assert [a.company for a in repo.list_applications(ADA)] == ["Beta", "Gamma"]
        assert file_of(repo).read_bytes() == before
    assert replaces.count == 1
    again = Repository.open(repo.data_dir, fsync=False)
    assert [a.company for a in again.list_applications(ADA)] == ["Beta", "Gamma"]
    assert profile_of(again).first_name == "Ada"
    assert again.last_undo(ADA).label == "deleted #1"  # type: ignore[union-attr]


def test_an_exception_discards_every_change_of_the_transaction(repo: Repository, replaces: Replaces) -> None:
    """A failure inside a transaction leaves memory and file exactly as the last successful write."""
    before_bytes = file_of(repo).read_bytes()
    before_undo = repo.last_undo(ADA)
    profile = profile_of(repo)

    def changes() -> None:
        repo.add_application(profile, new_app("Gamma"), "added #{n}")
        repo.delete_application(ADA, 1, "deleted #1")
        repo.mark_reminder(ADA, "check:1", NOW)

    with pytest.raises(Boom):
        fail_after(repo, ADA, changes)
    assert replaces.count == 0
    assert file_of(repo).read_bytes() == before_bytes
    assert [a.company for a in repo.list_applications(ADA)] == ["Acme", "Beta"]
    assert repo.last_undo(ADA) == before_undo
    assert "check:1" not in repo.sent_reminders(ADA)
    assert repo.add_application(profile_of(repo), new_app("Delta"), "added #{n}").number == 3


def test_a_failed_first_change_leaves_no_new_user_behind(repo: Repository) -> None:
    """A new user whose first transaction fails has no file and is not listed."""
    with pytest.raises(Boom):
        fail_after(repo, 5, lambda: repo.save_profile(Profile(user_id=5, chat_id=5, created_at=NOW)))
    assert repo.user_ids() == [ADA]
    assert repo.get_profile(5) is None
    assert not file_of(repo, 5).exists()


def test_a_nested_transaction_joins_the_outer_one(repo: Repository, replaces: Replaces) -> None:
    """An inner transaction writes nothing itself; the outer one commits or discards both."""
    with repo.transaction(ADA):
        with repo.transaction(ADA):
            repo.delete_application(ADA, 1, "deleted #1")
        assert replaces.count == 0
        repo.delete_application(ADA, 2, "deleted #2")
    assert replaces.count == 1
    assert on_disk(repo)["applications"] == {}

    def inner() -> None:
        with repo.transaction(ADA):
            repo.undo(ADA)

    with pytest.raises(Boom):
        fail_after(repo, ADA, inner)
    assert replaces.count == 1
    assert repo.list_applications(ADA) == []


def test_other_users_transactions_are_independent(repo: Repository, replaces: Replaces) -> None:
    """A transaction for one user does not hold back another user's write."""
    with repo.transaction(ADA):
        repo.delete_application(ADA, 1, "deleted #1")
        repo.save_profile(Profile(user_id=2, chat_id=2, created_at=NOW))
        assert file_of(repo, 2).exists() and replaces.count == 1
    assert replaces.count == 2


def test_handling_update_records_the_update_id_in_the_same_write(repo: Repository, replaces: Replaces) -> None:
    """Writes made while handling an update store its id with the change; reads and others don't."""
    assert repo.last_update_id(ADA) is None
    with repo.handling_update(ADA, 500):
        repo.list_applications(ADA)
        assert replaces.count == 0 and repo.last_update_id(ADA) is None
        repo.delete_application(ADA, 1, "deleted #1")
    assert replaces.count == 1
    assert repo.last_update_id(ADA) == 500
    repo.delete_application(ADA, 2, "deleted #2")
    assert repo.last_update_id(ADA) == 500
    with repo.handling_update(ADA, 501):
        repo.save_profile(Profile(user_id=2, chat_id=2, created_at=NOW))
    assert repo.last_update_id(2) is None
    again = Repository.open(repo.data_dir, fsync=False)
    assert again.last_update_id(ADA) == 500
    assert on_disk(repo)["meta"]["1"]["last_update_id"] == 500


def test_a_failed_update_does_not_record_its_id(repo: Repository) -> None:
    """If handling an update fails, its id is not stored, so a re-delivery is handled again."""
    with repo.handling_update(ADA, 600):
        repo.delete_application(ADA, 1, "deleted #1")
    with pytest.raises(Boom), repo.handling_update(ADA, 601):
        fail_after(repo, ADA, lambda: repo.delete_application(ADA, 2, "deleted #2"))
    assert repo.last_update_id(ADA) == 600
    assert Repository.open(repo.data_dir, fsync=False).last_update_id(ADA) == 600


def test_a_new_users_first_write_records_the_update_id(tmp_path: Path) -> None:
    """The /start that creates a user's file already carries the update id."""
    repo = Repository.open(tmp_path, fsync=False)
    with repo.handling_update(9, 77):
        repo.save_profile(Profile(user_id=9, chat_id=9, created_at=NOW))
    meta = json.loads((tmp_path / "users" / "9.json").read_text())["meta"]["1"]
    assert meta["schema"] == 1 and meta["last_update_id"] == 77 and isinstance(meta["last_update_at"], int)


def test_a_recorded_update_is_a_redelivery_only_while_recent(repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids at or below the recorded one are re-deliveries for 48 hours; after that (Telegram
    restarts its numbering after a week of silence) they are new updates again."""

    with repo.handling_update(ADA, 500):
        repo.save_profile(Profile(user_id=ADA, chat_id=ADA, created_at=NOW))
    assert repo.already_applied(ADA, 500) and repo.already_applied(ADA, 499)
    assert not repo.already_applied(ADA, 501) and not repo.already_applied(ADA + 1, 1)
    later = time.time() + 8 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: later)  # the clock storage.repository reads
    assert not repo.already_applied(ADA, 12)


async def test_a_job_writing_meanwhile_does_not_record_the_commands_update(repo: Repository) -> None:
    """Only the task handling an update stamps its id; a reminder job for the same user doesn't."""
    handling = asyncio.Event()
    job_done = asyncio.Event()

    async def command() -> None:
        with repo.handling_update(ADA, 700):
            handling.set()
            await job_done.wait()  # e.g. sending a reply
        assert repo.last_update_id(ADA) is None  # this command never wrote

    async def job() -> None:
        await handling.wait()
        repo.mark_reminder(ADA, "check:1", NOW)
        job_done.set()

    await asyncio.gather(command(), job())
    assert repo.last_update_id(ADA) is None
    assert "check:1" in repo.sent_reminders(ADA)


async def test_writing_into_another_tasks_open_transaction_is_refused(repo: Repository) -> None:
    """A write for a user whose transaction is open in another task raises instead of joining it."""
    inside = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        with repo.transaction(ADA):
            repo.delete_application(ADA, 1, "deleted #1")
            inside.set()
            await release.wait()

    async def intruder() -> None:
        await inside.wait()
        try:
            with pytest.raises(RuntimeError, match="lock"):
                repo.delete_application(ADA, 2, "deleted #2")
        finally:
            release.set()

    await asyncio.gather(holder(), intruder())
    assert [a.number for a in repo.list_applications(ADA)] == [2]


def test_lock_is_one_asyncio_lock_per_user(repo: Repository) -> None:
    """The same user always gets the same lock; another user gets another one."""
    lock = repo.lock(ADA)
    assert isinstance(lock, asyncio.Lock)
    assert repo.lock(ADA) is lock
    assert repo.lock(2) is not lock


async def test_the_lock_serialises_one_users_updates(repo: Repository) -> None:
    """Two coroutines holding the same user's lock never overlap; another user's lock is free."""
    order: list[str] = []

    async def hold(name: str) -> None:
        async with repo.lock(ADA):
            order.append(f"{name} in")
            await asyncio.sleep(0)
            order.append(f"{name} out")

    await asyncio.gather(hold("a"), hold("b"))
    assert order == ["a in", "a out", "b in", "b out"]
    async with repo.lock(ADA):
        assert not repo.lock(2).locked()


def test_mark_reminder_is_an_upsert_by_key(repo: Repository) -> None:
    """Marking a key again replaces its status and time; a key never has two records."""
    repo.mark_reminder(ADA, "plan:1", NOW, "timeout")
    repo.mark_reminder(ADA, "plan:1", NOW + timedelta(hours=1), "sent")
    records = list(on_disk(repo)["reminders"].values())
    assert records == [{"key": "plan:1", "at": "2026-11-23T10:00:00+00:00", "status": "sent"}]
    assert repo.reminder_statuses(ADA) == {"plan:1": "sent"}
    assert repo.sent_reminders(ADA) == {"plan:1": "2026-11-23T10:00:00+00:00"}


def test_unmark_reminder_forgets_the_key(repo: Repository) -> None:
    """An unmarked reminder no longer counts as recorded, in memory and on disk."""
    repo.mark_reminder(ADA, "check:1", NOW)
    repo.unmark_reminder(ADA, "plan:1")
    assert repo.sent_reminders(ADA) == {"check:1": "2026-11-23T09:00:00+00:00"}
    assert [r["key"] for r in on_disk(repo)["reminders"].values()] == ["check:1"]


def test_marking_a_key_cleans_up_duplicates_from_older_files(tmp_path: Path) -> None:
    """Files written before the upsert may hold a key twice; marking it leaves one record."""
    users = tmp_path / "users"
    users.mkdir()
    profile = Profile(user_id=ADA, chat_id=ADA, created_at=NOW).to_dict()
    twice = {str(i): {"key": "plan:1", "at": "2026-11-23T09:00:00+00:00", "status": "sent"} for i in (1, 2)}
    tables = {"meta": {"1": {"schema": 1}}, "profile": {"1": profile}, "reminders": twice}
    (users / "1.json").write_text(json.dumps(tables))
    repo = Repository.open(tmp_path, fsync=False)
    repo.mark_reminder(ADA, "plan:1", NOW, "skipped")
    assert list(json.loads((users / "1.json").read_text())["reminders"].values()) == [
        {"key": "plan:1", "at": "2026-11-23T09:00:00+00:00", "status": "skipped"}
    ]


def test_a_stale_profile_copy_never_hands_a_number_out_again(repo: Repository) -> None:
    """Adding through an old or a discarded copy of the profile neither reuses nor skips a number."""
    stale = profile_of(repo)
    repo.add_application(profile_of(repo), new_app("Gamma"), "added #{n}")
    assert repo.add_application(stale, new_app("Delta"), "added #{n}").number == 4
    older = profile_of(repo)
    older.next_number = 2
    older.first_name = "Ada"
    repo.save_profile(older)
    assert profile_of(repo).next_number == 5 and profile_of(repo).first_name == "Ada"
    assert [a.company for a in repo.list_applications(ADA)] == ["Acme", "Beta", "Gamma", "Delta"]
    ahead = profile_of(repo)
    ahead.next_number = 9  # a copy whose number was claimed by a change that was then discarded
    assert repo.add_application(ahead, new_app("Eps"), "added #{n}").number == 5


def test_storing_applications_keeps_the_counter_past_their_numbers(repo: Repository, replaces: Replaces) -> None:
    """Saving applications numbered beyond the counter moves it on in the same write."""
    imported = [new_app("Imp A"), new_app("Imp B")]
    imported[0].number, imported[1].number = 5, 6
    repo.save_applications(ADA, imported, "imported 2")
    assert profile_of(repo).next_number == 7
    far = new_app("Far")
    far.number = 9
    repo.save_application(ADA, far, "edited #9")
    assert replaces.count == 2
    assert profile_of(repo).next_number == 10
    assert repo.add_application(profile_of(repo), new_app("Next"), "added #{n}").number == 10


def test_undo_entry_ids_are_never_reused(repo: Repository) -> None:
    """After every change is undone, a new change gets a new id, so an old Undo button stays dead."""
    first = repo.last_undo(ADA)
    assert first is not None
    while repo.undo(ADA) is not None:
        pass
    repo.add_application(profile_of(repo), new_app("Gamma"), "added #{n}")
    newest = repo.last_undo(ADA)
    assert newest is not None and newest.id > first.id
    assert repo.undo(ADA, first.id) is None


def test_undo_keeps_only_the_last_twenty_changes(repo: Repository, replaces: Replaces) -> None:
    """Trimming old undo entries happens inside the change's own single write."""
    profile = profile_of(repo)
    for i in range(25):
        repo.add_application(profile, new_app(f"C{i}"), "added #{n}")
    assert replaces.count == 25
    assert len(on_disk(repo)["undo"]) == 20


def _fail_open(path: Any, *args: Any, **kwargs: Any) -> Any:
    if str(path).endswith(".tmp"):
        raise OSError(errno.EROFS, "Read-only file system")
    return REAL_OPEN(path, *args, **kwargs)


class _FullFile:
    """A temp file whose write fails as on a full disk."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def __enter__(self) -> _FullFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def _full_open(path: Any, *args: Any, **kwargs: Any) -> Any:
    handle = REAL_OPEN(path, *args, **kwargs)
    return _FullFile(handle) if str(path).endswith(".tmp") else handle


def _fail(code: int, message: str) -> Callable[..., None]:
    def fail(*args: object) -> None:
        raise OSError(code, message)

    return fail


REAL_OPEN = builtins.open
FAULTS: dict[str, tuple[Any, str, Callable[..., Any], int]] = {
    "read-only (open)": (builtins, "open", _fail_open, errno.EROFS),
    "disk full (write)": (builtins, "open", _full_open, errno.ENOSPC),
    "i/o error (fsync)": (os, "fsync", _fail(errno.EIO, "Input/output error"), errno.EIO),
    "disk full (replace)": (os, "replace", _fail(errno.ENOSPC, "No space left on device"), errno.ENOSPC),
    "permission (replace)": (os, "replace", _fail(errno.EACCES, "Permission denied"), errno.EACCES),
}


@pytest.mark.parametrize(("target", "name", "fault", "code"), FAULTS.values(), ids=FAULTS.keys())
def test_a_failed_write_raises_storage_write_error_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: Any, name: str, fault: Callable[..., Any], code: int
) -> None:
    """Any OSError while saving is a StorageWriteError with path and errno; memory still equals the file."""
    repo = Repository.open(tmp_path, fsync=True)
    profile = Profile(user_id=ADA, chat_id=ADA, created_at=NOW)
    repo.save_profile(profile)
    repo.add_application(profile, new_app("Acme"), "added #{n}")
    before = file_of(repo).read_bytes()
    monkeypatch.setattr(target, name, fault)
    with pytest.raises(StorageWriteError) as caught:
        repo.add_application(profile, new_app("Beta"), "added #{n}")
    monkeypatch.undo()
    assert caught.value.errno == code and caught.value.path == file_of(repo)
    assert "Beta" not in str(caught.value)
    assert file_of(repo).read_bytes() == before
    assert [p.name for p in (tmp_path / "users").iterdir()] == ["1.json"]
    assert [a.company for a in repo.list_applications(ADA)] == ["Acme"]
    assert repo.last_undo(ADA).label == "added #1"  # type: ignore[union-attr]
    assert profile.next_number == 2
    assert repo.add_application(profile, new_app("Gamma"), "added #{n}").number == 2


def test_a_failed_first_write_of_a_new_user_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new user whose first save hits a full disk is not half-created."""
    repo = Repository.open(tmp_path, fsync=False)
    monkeypatch.setattr(os, "replace", _fail(errno.ENOSPC, "No space left on device"))
    with pytest.raises(StorageWriteError):
        repo.save_profile(Profile(user_id=ADA, chat_id=ADA, created_at=NOW))
    monkeypatch.undo()
    assert repo.user_ids() == [] and repo.get_profile(ADA) is None
    assert list((tmp_path / "users").iterdir()) == []


def test_repository_satisfies_the_protocol() -> None:
    """Every member of RepositoryProtocol exists on Repository with the same parameters."""
    members = [name for name in vars(RepositoryProtocol) if not name.startswith("_")]
    assert {"transaction", "handling_update", "last_update_id", "lock", "unmark_reminder"} <= set(members)
    for name in members:
        wanted = inspect.signature(getattr(RepositoryProtocol, name))
        got = inspect.signature(getattr(Repository, name))
        assert [(p.name, p.kind) for p in got.parameters.values()] == [
            (p.name, p.kind) for p in wanted.parameters.values()
        ], name
    _typed: RepositoryProtocol = Repository(Path("unused"))  # mypy checks this assignment structurally
