"""Funnelbot's persistence: one TinyDB file per user, written atomically, once per change.

A write rewrites only that user's file, so its cost follows the user's own data, not the number of
users. Every public method is synchronous and does its read-modify-write without yielding to the
event loop, so a scheduled job and a command can never interleave inside one.

Users are opened lazily. Start-up reads the small persisted index (:mod:`storage.index`) and the
directory listing; a user's file is parsed on first use and kept in a bounded cache (least recently
used first out, but users read only for the scheduler go before those an update needed), with its
applications parsed once and updated only where a change touched them.
Only files the index can't vouch for (changed since it was written, or new to it) are read and
fully checked at start-up, so a damaged file still stops start-up, naming it.

Every mutating method is one :meth:`Repository.transaction`: whatever it touches (the profile's
counter, the application, the undo entry, the trimming of old undo entries, the id of the Telegram
update being handled) reaches the disk in one atomic file replace, or not at all.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import itertools
import logging
import os
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Document, Table

from bot.domain.models import JobApplication, Profile, utc_iso
from storage.atomic_json import (
    AtomicJSONStorage,
    CorruptDataError,
    PendingWrite,
    StorageWriteError,
    fsync_dir,
    load_json,
    remove_stray_temp_files,
)
from storage.index import IndexEntry, IndexSnapshot, index_text, load_index, stat_of, write_index
from storage.schema import SCHEMA_VERSION, SchemaError, check, migrate, schema_version

logger = logging.getLogger(__name__)

REDELIVERY_WINDOW = 48 * 3600
"""Seconds during which a recorded update id can still come back (Telegram keeps updates 24 h)."""
UNDO_DEPTH = 20
CACHE_USERS = 64
"""Users whose parsed files stay in memory; the least recently used beyond this are let go."""
READERS = 2
"""Threads reading users' files for updates being handled (``prefetch(urgent=True)``)."""
BACKGROUND_READERS = 1
"""Threads reading users' files for the scheduler and jobs: their reads never queue ahead of a reply's."""
READ_AHEAD = 4
"""Urgent reads in flight, or done and not yet taken up by their caller (see ``prefetch``)."""
BACKGROUND_READ_AHEAD = 2
"""The same bound for the scheduler's and the jobs' reads."""
BACKGROUND_KEEP = 24
"""Users read only for the scheduler or a job (``prefetch`` without ``urgent``) that the cache keeps
before they, not users an update needed, make room for the next. A fan-out passes 1,000 users through
the cache once each; left to plain least-recently-used, it pushed out everyone who was talking to the
bot meanwhile, and each of their next replies waited for a file read. 24 is more than a tick works
on at once (its senders and the users it prepares ahead of them)."""


@dataclass(frozen=True)
class UndoEntry:
    id: int
    label: str
    number: int
    before: dict[str, Any] | None  # the application as it was; None when the change added it
    added: tuple[int, ...] = ()  # numbers a bulk change (an import) added; undo removes them all


_OPENED = itertools.count(1)


class UserStore:
    """One user's TinyDB file: tables meta, profile, applications, undo, reminders."""

    def __init__(self, path: Path, user_id: int, *, fsync: bool = True, data: dict[str, Any] | None = None) -> None:
        self.path = path
        self.user_id = user_id
        self.migrated_from: int | None = None  # the schema version read, when open migrated it
        self.serial = next(_OPENED)  # this opening of the file, unique in the process (see revision)
        self.storage = AtomicJSONStorage(path, fsync=fsync)
        if data is not None:
            self.storage.preload(data)
        self.db = self._tinydb()
        self.owner: asyncio.Task[Any] | None = None  # the task whose transaction is open, if any
        # Parsed applications by number, taken from the raw documents on first read. Every method
        # that changes an application drops its entry; a rollback drops them all.
        self.apps: dict[int, JobApplication] = {}

    def raw(self, table: str) -> dict[str, Any]:
        """One table's stored documents, read-only (TinyDB's own reads copy every document)."""
        data = self.storage.read() or {}
        docs: dict[str, Any] = data.get(table, {})
        return docs

    def application(self, number: int) -> JobApplication | None:
        """The parsed application (shared: callers must not change it), or None."""
        app = self.apps.get(number)
        if app is None:
            doc = self.raw("applications").get(str(number))
            if doc is None:
                return None
            app = self.apps[number] = JobApplication.from_dict(doc)
        return app

    def applications(self) -> list[JobApplication]:
        """Every parsed application in number order (shared: callers must not change them)."""
        numbers = sorted(int(key) for key in self.raw("applications"))
        return [app for app in map(self.application, numbers) if app is not None]

    def _tinydb(self) -> TinyDB:
        storage = self.storage
        return TinyDB(storage=lambda: storage)

    def table(self, name: str) -> Table:
        return self.db.table(name)

    def rollback(self) -> None:
        """Forget uncommitted changes, including TinyDB's per-table caches (next ids, queries)."""
        self.storage.rollback()
        self.db = self._tinydb()
        self.apps.clear()

    def close(self) -> None:
        self.db.close()


@dataclass
class _Deferred:
    """One update's committed writes still to be made (:meth:`Repository.deferring_writes`)."""

    owner: asyncio.Task[Any] | None  # the task handling the update: only its writes wait
    writes: list[tuple[UserStore, PendingWrite]] = field(default_factory=list)
    busy: asyncio.Future[None] | None = None  # set while flush_writes is writing them


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no event loop: plain synchronous use
        return None


def user_id_of(path: Path) -> int | None:
    """The user id a data file is named for (``42.json``), or None for any other name."""
    stem = path.name.removesuffix(".json")
    try:
        user_id = int(stem)
    except ValueError:
        return None
    return user_id if str(user_id) == stem else None


def open_user_file(path: Path, *, fsync: bool = True, trusted: bool = False) -> UserStore:
    """Read, fully check and (if older) migrate in memory one user file; CorruptDataError if unusable.

    ``trusted``: the file is byte for byte one this process checked or wrote (the index says so),
    so only its JSON and schema version are read, not every document.

    Nothing is written here: :meth:`Repository.open` saves migrations once every file has passed,
    so what the operator finds after a refused start is exactly what was there.
    """
    user_id = user_id_of(path)
    if user_id is None:
        raise CorruptDataError(path, "is not named after a user id (like 42.json)")
    tables = load_json(path)
    if tables is None:
        raise CorruptDataError(path, "disappeared while it was being opened")
    try:
        found = schema_version(tables)
        migrated = migrate(tables, found)
        if not trusted or found != SCHEMA_VERSION:
            check(migrated, user_id)
    except SchemaError as error:
        raise CorruptDataError(path, str(error)) from error
    except RecursionError as error:
        raise CorruptDataError(path, "is nested too deeply to be a Funnelbot data file") from error
    if found != SCHEMA_VERSION:
        migrated.setdefault("meta", {}).setdefault("1", {})["schema"] = SCHEMA_VERSION
    store = UserStore(path, user_id, fsync=fsync, data=migrated)
    store.migrated_from = found if found != SCHEMA_VERSION else None
    return store


def _read_user_file(path: Path, entry: IndexEntry, *, fsync: bool) -> UserStore:
    """:func:`open_user_file`, trusting the file only if it is still the one the index describes."""
    try:
        trusted = entry.stat is not None and entry.stat == stat_of(path)
    except OSError:
        trusted = False  # gone or unreadable: the full open says which, naming the file
    return open_user_file(path, fsync=fsync, trusted=trusted)


def _inactive_since(store: UserStore) -> str | None:
    doc = store.raw("profile").get("1")
    if not doc or doc.get("active", True):
        return None
    value = doc.get("inactive_since")
    return value if isinstance(value, str) else utc_iso(datetime.fromtimestamp(0, UTC))


def copy_application(app: JobApplication) -> JobApplication:
    """A copy the caller may change (events, notes and times are immutable; the lists are not)."""
    clone = copy.copy(app)
    clone.history, clone.notes, clone.interviews = list(app.history), list(app.notes), list(app.interviews)
    return clone


class Repository:
    """All users' data under ``data_dir``; open it once per process."""

    def __init__(self, data_dir: Path, *, fsync: bool = True, cache_users: int = CACHE_USERS) -> None:
        self.data_dir = Path(data_dir)
        self.users_dir = self.data_dir / "users"
        self.fsync = fsync
        self.cache_users = cache_users
        self._stores: OrderedDict[int, UserStore] = OrderedDict()  # opened users, least recent first
        self._index: dict[int, IndexEntry] = {}  # every user who has a file
        self.wake_context = ""  # what the index's wake times were computed with (see bot.scheduling)
        self.opened_files = 0  # files parsed since start-up (start-up's own checks included)
        self._locks: dict[int, asyncio.Lock] = {}
        # User -> the read in flight (and the index entry it started from); dropped when the bot
        # opens the file itself, since that store's writes may be newer than the read.
        self._readers: dict[bool, ThreadPoolExecutor] = {}  # urgent or not -> its pool (started on first use)
        self._slots_loop: asyncio.AbstractEventLoop | None = None
        self._slots: dict[bool, asyncio.Semaphore] = {}  # urgent or not -> its read-ahead bound
        self._prefetching: dict[int, tuple[asyncio.Future[UserStore], IndexEntry]] = {}
        self._background: set[int] = set()  # cached users read only for the scheduler or a job (so far)
        # The update each user's writes are made for, per asyncio task (a job running beside a
        # command must not record the command's update id): ((user_id, update_id), ...), newest last.
        self._handling: ContextVar[tuple[tuple[int, int], ...]] = ContextVar(f"handling_{id(self)}", default=())
        # While an update is handled (:meth:`deferring_writes`): its committed file writes, waiting
        # for :meth:`flush_writes` (before anything is sent, and at the end).
        self._deferring: ContextVar[_Deferred | None] = ContextVar(f"deferring_{id(self)}", default=None)

    @classmethod
    def open(cls, data_dir: Path | str, *, fsync: bool = True, cache_users: int = CACHE_USERS) -> Repository:
        """Open (creating if needed) the data directory; a damaged user file raises CorruptDataError.

        Files the persisted index vouches for (same size and modification time as when this bot
        last wrote or checked them) are not read; every other file is read and fully checked here.
        """
        repo = cls(Path(data_dir), fsync=fsync, cache_users=cache_users)
        repo.users_dir.mkdir(parents=True, exist_ok=True)
        for temp in [*remove_stray_temp_files(repo.users_dir), *remove_stray_temp_files(repo.data_dir)]:
            logger.warning("storage.temp_removed %s", temp.name)
        known, repo.wake_context = load_index(repo.data_dir)
        migrated: list[UserStore] = []
        checked = 0
        for name in sorted(entry.name for entry in os.scandir(repo.users_dir) if entry.name.endswith(".json")):
            if name.startswith("."):
                continue
            path = repo.users_dir / name
            user_id = user_id_of(path)
            entry = known.get(user_id) if user_id is not None else None
            if user_id is not None and entry is not None and entry.stat == stat_of(path):
                repo._index[user_id] = entry
                continue
            store = open_user_file(path, fsync=fsync)  # raises CorruptDataError, naming the file
            checked += 1
            repo._index[store.user_id] = IndexEntry(stat_of(path), _inactive_since(store))
            if store.migrated_from is not None:
                migrated.append(store)
            else:
                repo._remember(store)
        for store in migrated:
            data = store.storage.read()
            assert data is not None
            store.storage.write(data)
            repo._index[store.user_id] = replace(repo._index[store.user_id], stat=stat_of(store.path))
            repo._remember(store)
            logger.info("storage.migrated file=%s from=%s", store.path.name, store.migrated_from)
        repo.opened_files = checked
        logger.info("storage.opened users=%s checked=%s", len(repo._index), checked)
        return repo

    def close(self) -> None:
        """Save the index (so the next start-up reads only what changed) and let every file go."""
        self.save_index()
        for store in self._stores.values():
            store.close()
        self._stores.clear()
        for pool in self._readers.values():
            pool.shutdown(wait=False)
        self._readers.clear()

    # -- the index -----------------------------------------------------------------------------

    def index_snapshot(self) -> IndexSnapshot:
        """The index as of now: a dict copy, cheap on the event loop (save it from a worker thread)."""
        return IndexSnapshot(dict(self._index), self.wake_context)

    def save_index(self, snapshot: IndexSnapshot | None = None) -> None:
        """Encode and write the index (``snapshot`` from :meth:`index_snapshot`, or as of now); any thread."""
        if not self.users_dir.exists():
            return
        write_index(self.data_dir, index_text(snapshot or self.index_snapshot()), fsync=self.fsync)

    def wakes(self) -> dict[int, str | None]:
        """Each user's next reminder time as last remembered (ISO, None, or index.UNKNOWN)."""
        return {user_id: entry.wake for user_id, entry in self._index.items()}

    def remember_wake(self, user_id: int, wake: datetime | None) -> None:
        """Keep the user's next reminder time in the index (valid until their file changes)."""
        entry = self._index.get(user_id)
        if entry is not None:
            self._index[user_id] = replace(entry, wake=utc_iso(wake) if wake is not None else None)

    def activity_counts(self) -> tuple[int, int]:
        """(active, blocked) users, from the index: no file is opened."""
        blocked = sum(1 for entry in self._index.values() if entry.inactive_since is not None)
        return len(self._index) - blocked, blocked

    def inactive_profiles(self) -> list[Profile]:
        """The profiles of users who blocked the bot; the index says who, so only their files open."""
        users = [user_id for user_id, entry in self._index.items() if entry.inactive_since is not None]
        return [profile for profile in map(self.get_profile, users) if profile is not None]

    def _remember(self, store: UserStore, *, background: bool = False) -> None:
        """Put an opened store in the cache, letting the least recently used go beyond the bound
        (users read only in the ``background`` first, while there are more than BACKGROUND_KEEP)."""
        self._stores[store.user_id] = store
        self._stores.move_to_end(store.user_id)
        if background:
            self._background.add(store.user_id)
        else:
            self._background.discard(store.user_id)
        excess = len(self._stores) - self.cache_users
        if excess <= 0:
            return
        self._background.intersection_update(self._stores)  # forget users let go by other paths
        for user_id in self._eviction_order()[: excess + 8]:
            if excess <= 0:
                break
            old = self._stores[user_id]
            if old.storage.in_transaction or old.storage.writing or old is store:
                continue  # in use: its changes live only in memory until the commit (or its write)
            del self._stores[user_id]
            self._background.discard(user_id)
            old.close()
            excess -= 1

    def _eviction_order(self) -> list[int]:
        """Cached users, the first to let go first: least recently used, except that background
        users beyond :data:`BACKGROUND_KEEP` (the least recent of them) come before everyone."""
        order = list(self._stores)
        spare = len(self._background) - BACKGROUND_KEEP
        if spare <= 0:
            return order
        first = [user_id for user_id in order if user_id in self._background][:spare]
        chosen = set(first)
        return first + [user_id for user_id in order if user_id not in chosen]

    # -- transactions, locks, update ids -------------------------------------------------------

    def transaction(self, user_id: int) -> AbstractContextManager[None]:
        """Make every write to this user's file inside the block one atomic file write, at the end.

        Nothing is written if nothing changed. An exception discards every change (memory and file
        stay as the last successful write) and propagates; a failed write raises StorageWriteError.
        A nested ``transaction`` for the same user joins the outer one (no savepoints). Don't await
        inside one unless you hold :meth:`lock`: a write for the user from another task while it is
        open raises RuntimeError rather than being mixed into it.
        """
        return self._transaction(user_id, None)

    @contextmanager
    def _transaction(self, user_id: int, defer: list[tuple[UserStore, PendingWrite]] | None) -> Iterator[None]:
        """:meth:`transaction`; with ``defer`` (for :meth:`writing`) the commit keeps the change in
        memory and appends its file write to that list instead of making it."""
        deferring = self._deferring.get()
        if defer is None and deferring is not None and deferring.owner is _current_task():
            defer = deferring.writes  # (a task or job started from the update writes as usual)
        new = user_id not in self._index
        store = self._store(user_id, create=True)
        assert store is not None
        if store.storage.in_transaction:
            if store.owner is not _current_task():
                raise RuntimeError(
                    f"user {user_id}'s transaction is open in another task; hold repo.lock({user_id}) around it"
                )
            yield
            return
        store.storage.begin()
        store.owner = _current_task()
        try:
            yield
            written = store.storage.dirty
            if written:
                self._stamp_meta(store, user_id)
            pending = store.storage.commit(defer=defer is not None)
            if pending is not None:
                assert defer is not None
                store.storage.writing += 1  # cached until it is on disk; the index follows then
                defer.append((store, pending))
            elif written:
                # The index vouches for this file as just written; its wake time is for the
                # scheduler to say again (it refreshes the user after every change).
                self._index[user_id] = IndexEntry(stat_of(store.path), _inactive_since(store))
        except BaseException:
            store.rollback()
            raise
        finally:
            store.owner = None
            if new and not store.storage.writing and not store.path.exists():
                # A new user whose first change was discarded (or who changed nothing).
                self._stores.pop(user_id, None)
                self._index.pop(user_id, None)

    @asynccontextmanager
    async def writing(self, user_id: int) -> AsyncIterator[None]:
        """:meth:`transaction`, with the file write and its fsyncs in a worker thread.

        The block runs on the event loop like any transaction (don't await inside it). On leaving
        it the change is in memory, and this waits, without holding up the loop, until it is on
        disk: what follows (a message saying so) can rely on it. A failed write puts memory back
        to the file and raises StorageWriteError. Writes of one file never overlap and the file
        only moves forward, so a plain transaction meanwhile is safe.

        A file not in memory is first read in a worker thread (:meth:`prefetch`); only then is
        there an await before the block.
        """
        await self.prefetch(user_id)
        pending: list[tuple[UserStore, PendingWrite]] = []
        with self._transaction(user_id, pending):
            yield
        for store, write in pending:
            await self._put(store, write)

    @contextmanager
    def deferring_writes(self) -> Iterator[None]:
        """While active, this task's committed changes are in memory at once and written to disk by
        :meth:`flush_writes`, in a worker thread. The update processor wraps each update in it, and
        flushes before every Bot API request the update makes (the send limiter's ``before_send``)
        and once more at the end: nothing is said or confirmed before it is on disk, and the
        writes no longer hold up the event loop. Only the current task's writes wait; a task or a
        job started from it writes at once, as everywhere else.
        """
        token = self._deferring.set(_Deferred(owner=_current_task()))
        try:
            yield
        finally:
            self._deferring.reset(token)

    async def flush_writes(self) -> None:
        """Put this task's deferred writes on disk (nothing to do outside :meth:`deferring_writes`).

        Each user's newest snapshot only is written. A failed write puts that user's memory back to
        the file and raises StorageWriteError, after the others were written.
        """
        deferring = self._deferring.get()
        if deferring is None:
            return
        while deferring.busy is not None:  # a task sharing the batch is writing it: wait for it
            await asyncio.shield(deferring.busy)
        if not deferring.writes:
            return
        writes, deferring.writes = deferring.writes, []
        newest: dict[int, tuple[UserStore, PendingWrite]] = {}
        for store, write in writes:
            if id(store) in newest:
                store.storage.writing -= 1  # its changes are in the newer snapshot too
            newest[id(store)] = (store, write)
        deferring.busy = asyncio.get_running_loop().create_future()
        failed: StorageWriteError | None = None
        try:
            for store, write in newest.values():
                try:
                    await self._put(store, write)
                except StorageWriteError as error:
                    failed = failed or error
        finally:
            deferring.busy.set_result(None)
            deferring.busy = None
        if failed is not None:
            raise failed

    async def _put(self, store: UserStore, write: PendingWrite) -> None:
        user_id = store.user_id
        future = asyncio.get_running_loop().run_in_executor(None, store.storage.put, write)

        def landed(done: asyncio.Future[None]) -> None:  # on the loop, even if the waiter left
            store.storage.writing -= 1
            if done.cancelled() or done.exception() is not None:
                return
            if self._stores.get(user_id) is store and user_id in self._index:  # not deleted since
                self._index[user_id] = IndexEntry(stat_of(store.path), _inactive_since(store))

        future.add_done_callback(landed)
        try:
            await asyncio.shield(future)  # a cancelled waiter doesn't stop the write
        except StorageWriteError:
            if not store.storage.in_transaction and self._stores.get(user_id) is store:
                store.rollback()  # the file wins: the next read comes from it
            raise

    def _stamp_meta(self, store: UserStore, user_id: int) -> None:
        meta = store.table("meta")
        before = meta.get(doc_id=1)
        doc = dict(before or {})
        doc["schema"] = SCHEMA_VERSION
        update_id = dict(self._handling.get()).get(user_id)
        if update_id is not None:
            doc["last_update_id"] = update_id
            doc["last_update_at"] = int(time.time())
        if doc != before:
            meta.upsert(Document(doc, doc_id=1))

    @contextmanager
    def handling_update(self, user_id: int, update_id: int) -> Iterator[None]:
        """While active, every write for this user also records ``update_id`` (in that same write).

        It applies to writes made by the current asyncio task (and tasks it starts), not to a job
        that happens to write for the same user meanwhile.
        """
        token = self._handling.set((*self._handling.get(), (user_id, update_id)))
        try:
            yield
        finally:
            self._handling.reset(token)

    def last_update_id(self, user_id: int) -> int | None:
        """The Telegram update id recorded with this user's last write made under handling_update."""
        meta = self._meta(user_id)
        value = meta.get("last_update_id")
        return value if isinstance(value, int) else None

    def already_applied(self, user_id: int, update_id: int) -> bool:
        """Whether Telegram is re-delivering an update whose change is already stored.

        Telegram keeps unconfirmed updates for 24 hours and numbers them in order; after a week
        without any update it may restart the numbering lower. So an id at or below the recorded
        one is a re-delivery only while the record is recent.
        """
        meta = self._meta(user_id)
        last, at = meta.get("last_update_id"), meta.get("last_update_at")
        if not isinstance(last, int) or update_id > last:
            return False
        return not isinstance(at, int) or time.time() - at < REDELIVERY_WINDOW

    def lock(self, user_id: int) -> asyncio.Lock:
        """The one lock that serialises this user's updates and jobs (created on first use)."""
        lock = self._locks.get(user_id)
        if lock is None:
            lock = self._locks[user_id] = asyncio.Lock()
        return lock

    def _meta(self, user_id: int) -> dict[str, Any]:
        store = self._store(user_id)
        doc = store.table("meta").get(doc_id=1) if store else None
        return dict(doc) if doc else {}

    # -- users -------------------------------------------------------------------------------

    def user_ids(self) -> list[int]:
        return list(self._index)

    def revision(self, user_id: int) -> tuple[int, int] | None:
        """What the user's data is at right now, in memory; None if not in memory, or mid-change.

        Equal revisions mean nothing was committed for the user in between: work done on a
        snapshot meanwhile (in a worker thread) still holds. A store read again after leaving
        the cache has a revision of its own.
        """
        store = self._stores.get(user_id)
        if store is None or store.storage.in_transaction:
            return None
        return store.serial, store.storage.version

    def _store(self, user_id: int, *, create: bool = False) -> UserStore | None:
        """The user's opened file: from the cache, or read (and fully checked) on first use.

        A file that turns out damaged raises CorruptDataError naming it, and is never written.
        """
        store = self._stores.get(user_id)
        if store is not None:
            self._stores.move_to_end(user_id)
            return store
        path = self.users_dir / f"{user_id}.json"
        entry = self._index.get(user_id)
        if entry is not None:
            self._prefetching.pop(user_id, None)  # a read in flight may predate what this store writes
            store = _read_user_file(path, entry, fsync=self.fsync)
            self.opened_files += 1
            if store.migrated_from is not None:  # an older Funnelbot wrote it since start-up
                data = store.storage.read()
                assert data is not None
                store.storage.write(data)
                self._index[user_id] = IndexEntry(stat_of(path), _inactive_since(store))
        elif create:
            store = UserStore(path, user_id, fsync=self.fsync)
            self._index[user_id] = IndexEntry(None)
        else:
            return None
        self._remember(store)
        return store

    async def prefetch(self, user_id: int, *, urgent: bool = False) -> None:
        """Read the user's file into the cache in a worker thread, if it isn't open already.

        Every read here is synchronous, and a read of a file that is not cached waits for the disk:
        milliseconds usually, but a second or more while the disk is busy with other fsyncs, and
        the whole event loop would wait with it. So update handling and the scheduler call this
        first (holding the user's lock), and the reads that follow find the file in memory.

        ``urgent``: for an update being handled (someone waits for the reply). Urgent reads have
        threads of their own, so a reply's read never queues behind the scheduler's: a fan-out
        to 1,000 users reads 1,000 files, most of them not in the cache.

        At most :data:`READ_AHEAD` reads (:data:`BACKGROUND_READ_AHEAD` for the scheduler's) are in
        flight or read and not yet taken up by their caller: the threads never read far ahead of
        the event loop. (200 taps of 200 users at once had 200 parsed files waiting for the loop:
        45 MB more memory, and threads parsing files the loop had no time for yet.)

        Callers for the same user share one read. A file that can't be read or fails its checks
        is left alone: the first read opens it as usual and reports it. A file the bot opened
        itself meanwhile wins over this read (which may be older than what that store wrote).
        """
        if urgent:
            self._background.discard(user_id)  # an update needs them: no longer a passer-by
        if self._unread(user_id) is None:
            return
        async with self._read_slots(urgent):
            entry = self._unread(user_id)  # the wait for a slot may have changed what there is to read
            if entry is None:
                return
            pending = self._prefetching.get(user_id)
            if pending is None or pending[1] is not entry:
                path = self.users_dir / f"{user_id}.json"
                read = functools.partial(_read_user_file, path, entry, fsync=self.fsync)
                reading = asyncio.get_running_loop().run_in_executor(self._reader(urgent), read)
                pending = self._prefetching[user_id] = (reading, entry)
            try:
                store = await asyncio.shield(pending[0])
            except Exception:  # whatever it was, the first read meets it again and reports it
                store = None
            if self._prefetching.get(user_id) is not pending:
                return  # another caller took it, or the bot opened the file itself meanwhile
            del self._prefetching[user_id]
            if store is None or user_id in self._stores or self._index.get(user_id) is not entry:
                return
            if store.migrated_from is not None:
                return  # an older Funnelbot wrote it since start-up: the first read migrates and saves it
            self.opened_files += 1
            self._remember(store, background=not urgent)

    def _unread(self, user_id: int) -> IndexEntry | None:
        """The user's index entry if their file is still to be read (known, and not open)."""
        entry = self._index.get(user_id)
        return None if entry is None or user_id in self._stores else entry

    def _read_slots(self, urgent: bool) -> asyncio.Semaphore:
        """The read-ahead bound of the urgent or the background reads (on this event loop)."""
        loop = asyncio.get_running_loop()
        if self._slots_loop is not loop:
            self._slots_loop = loop
            self._slots = {True: asyncio.Semaphore(READ_AHEAD), False: asyncio.Semaphore(BACKGROUND_READ_AHEAD)}
        return self._slots[urgent]

    def _reader(self, urgent: bool) -> ThreadPoolExecutor:
        """Threads for reads only: a read never queues behind fsync'd writes (the default executor),
        and an urgent read never behind a background one."""
        pool = self._readers.get(urgent)
        if pool is None:
            threads, name = (READERS, "funnelbot-read") if urgent else (BACKGROUND_READERS, "funnelbot-read-bg")
            pool = self._readers[urgent] = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        return pool

    def _must(self, user_id: int) -> UserStore:
        store = self._store(user_id)
        if store is None:
            raise KeyError(f"unknown user {user_id}")
        return store

    def get_profile(self, user_id: int) -> Profile | None:
        store = self._store(user_id)
        if store is None:
            return None
        doc = store.table("profile").get(doc_id=1)
        return Profile.from_dict(dict(doc)) if doc else None

    def save_profile(self, profile: Profile) -> None:
        with self.transaction(profile.user_id):
            store = self._must(profile.user_id)
            table = store.table("profile")
            stored = table.get(doc_id=1)
            # The counter only goes up: a caller holding an older copy must not hand numbers out again.
            if stored is not None and stored["next_number"] > profile.next_number:
                profile.next_number = stored["next_number"]
            table.upsert(Document(profile.to_dict(), doc_id=1))

    def profiles(self) -> Iterator[Profile]:
        """Every user's profile (this opens every file: prefer :meth:`inactive_users` and friends)."""
        for user_id in list(self._index):
            profile = self.get_profile(user_id)
            if profile is not None:
                yield profile

    def delete_user(self, user_id: int) -> bool:
        """Delete everything stored about a user (their whole file: profile, applications, notes,
        reminder and undo history). Returns False when there was nothing. A failed delete raises
        StorageWriteError and leaves the file as it was."""
        if user_id not in self._index:
            return False
        path = self.users_dir / f"{user_id}.json"

        def delete() -> None:
            path.unlink(missing_ok=True)
            if self.fsync:
                fsync_dir(path.parent)

        cached = self._stores.get(user_id)
        try:
            if cached is not None:
                cached.storage.forget_file(delete)  # after any write in flight; none after it
            else:
                delete()
        except OSError as error:
            raise StorageWriteError(path, error) from error
        store = self._stores.pop(user_id, None)
        if store is not None:
            store.close()
        del self._index[user_id]
        logger.info("storage.user_deleted user=%s", user_id)
        return True

    # -- applications ------------------------------------------------------------------------

    def list_applications(self, user_id: int) -> list[JobApplication]:
        """The user's applications in number order (the caller's own copies, free to change)."""
        return [copy_application(app) for app in self.applications_view(user_id)]

    def applications_view(self, user_id: int) -> list[JobApplication]:
        """The user's applications as kept in memory, not copied: read them, never change them.

        What views, summaries and the scheduler use; copying 500 applications costs milliseconds.
        Change a copy from :meth:`get_application` or :meth:`list_applications`, then save it.
        """
        store = self._store(user_id)
        return store.applications() if store is not None else []

    def get_application(self, user_id: int, number: int) -> JobApplication | None:
        store = self._store(user_id)
        if store is None or number < 1:
            return None
        app = store.application(number)
        return copy_application(app) if app is not None else None

    def add_application(self, profile: Profile, app: JobApplication, label: str) -> JobApplication:
        """Give ``app`` the user's next number, store it, and remember how to undo it (one write)."""
        kept = (app.number, profile.next_number, list(profile.tracks))
        try:
            with self.transaction(profile.user_id):
                stored = self.get_profile(profile.user_id)
                if stored is not None:  # the stored counter decides, whatever copy the caller holds
                    profile.next_number = stored.next_number
                profile.number_new(app)
                self.save_profile(profile)
                store = self._must(profile.user_id)
                store.table("applications").insert(Document(app.to_dict(), doc_id=app.number))
                store.apps.pop(app.number, None)
                self._push_undo(store, label.format(n=app.number), app.number, None)
        except BaseException:
            # Nothing was saved, so the caller's objects must not claim a number either.
            app.number, profile.next_number, profile.tracks = kept
            raise
        return app

    def save_application(self, user_id: int, app: JobApplication, label: str) -> UndoEntry:
        """Store a changed application; ``label`` says what changed, for /undo."""
        store = self._must(user_id)
        with self.transaction(user_id):
            table = store.table("applications")
            before = table.get(doc_id=app.number)
            table.upsert(Document(app.to_dict(), doc_id=app.number))
            store.apps.pop(app.number, None)
            self._keep_counter_ahead(store, [app.number])
            return self._push_undo(store, label, app.number, dict(before) if before else None)

    def save_applications(
        self,
        user_id: int,
        apps: list[JobApplication],
        label: str = "imported applications",
        *,
        documents: list[dict[str, Any]] | None = None,
    ) -> UndoEntry:
        """Store many new applications in one write (an import); one undo removes them all.

        ``documents``, for a big import: each application's ``to_dict()``, made beforehand (off
        the event loop), where each application was itself parsed from its document. Then the
        applications are kept as the parsed copies too (they are storage's afterwards: don't
        change them), so 5,000 rows are neither encoded nor parsed again here.
        """
        if documents is not None and len(documents) != len(apps):
            raise ValueError("one document per application")
        store = self._must(user_id)
        with self.transaction(user_id):
            table = store.table("applications")
            docs = documents if documents is not None else [app.to_dict() for app in apps]
            table.insert_multiple(Document(doc, doc_id=app.number) for app, doc in zip(apps, docs, strict=True))
            numbers = tuple(app.number for app in apps)
            for number in numbers:
                store.apps.pop(number, None)
            self._keep_counter_ahead(store, numbers)
            entry = self._push_undo(store, label, numbers[0] if numbers else 0, None, added=numbers)
        if documents is not None:
            store.apps.update((app.number, app) for app in apps)
        return entry

    @staticmethod
    def _keep_counter_ahead(store: UserStore, numbers: Iterable[int]) -> None:
        """Move the profile's next number past ``numbers``, so /add never reuses one of them."""
        table = store.table("profile")
        profile = table.get(doc_id=1)
        highest = max(numbers, default=0)
        if profile is not None and profile["next_number"] <= highest:
            table.update({"next_number": highest + 1}, doc_ids=[1])

    def delete_application(self, user_id: int, number: int, label: str) -> UndoEntry | None:
        store = self._must(user_id)
        with self.transaction(user_id):
            table = store.table("applications")
            before = table.get(doc_id=number)
            if before is None:
                return None
            table.remove(doc_ids=[number])
            store.apps.pop(number, None)
            # Deleting is undone by putting the application back: "before" is the whole record.
            return self._push_undo(store, label, number, dict(before), deleted=True)

    # -- undo --------------------------------------------------------------------------------

    def _push_undo(
        self,
        store: UserStore,
        label: str,
        number: int,
        before: dict[str, Any] | None,
        *,
        deleted: bool = False,
        added: tuple[int, ...] = (),
    ) -> UndoEntry:
        table = store.table("undo")
        ids = [doc.doc_id for doc in table.all()]
        # Entry ids are never reused (an Undo button names one), even after every entry is undone.
        meta = dict(store.table("meta").get(doc_id=1) or {})
        entry_id = max([meta.get("undo_seq", 0), *ids]) + 1
        meta["undo_seq"] = entry_id
        store.table("meta").upsert(Document(meta, doc_id=1))
        doc = {"label": label, "number": number, "before": before, "deleted": deleted, "added": list(added)}
        table.insert(Document(doc, doc_id=entry_id))
        stale = [doc_id for doc_id in ids if doc_id <= entry_id - UNDO_DEPTH]
        if stale:
            table.remove(doc_ids=stale)
        return UndoEntry(entry_id, label, number, before, added)

    def last_undo(self, user_id: int) -> UndoEntry | None:
        store = self._store(user_id)
        if store is None:
            return None
        docs = store.table("undo").all()
        if not docs:
            return None
        doc = max(docs, key=lambda d: d.doc_id)
        return UndoEntry(doc.doc_id, doc["label"], doc["number"], doc["before"], tuple(doc.get("added", ())))

    def undo(self, user_id: int, entry_id: int | None = None) -> UndoEntry | None:
        """Revert the latest change (only if it is ``entry_id``, when given)."""
        entry = self.last_undo(user_id)
        if entry is None or (entry_id is not None and entry.id != entry_id):
            return None
        store = self._must(user_id)
        with self.transaction(user_id):
            apps = store.table("applications")
            if entry.added:
                apps.remove(doc_ids=[n for n in entry.added if apps.contains(doc_id=n)])
            elif entry.before is None:
                apps.remove(doc_ids=[entry.number])
            else:
                apps.upsert(Document(entry.before, doc_id=entry.number))
            store.table("undo").remove(doc_ids=[entry.id])
            for number in (*entry.added, entry.number):
                store.apps.pop(number, None)
            if entry.added or entry.before is None:
                self._free_top_numbers(store)
        return entry

    @staticmethod
    def _free_top_numbers(store: UserStore) -> None:
        """After undoing an add, the next /add takes the freed number again (when nothing newer
        exists): undoing #5 and adding again gives #5, not #6. Undo is last-in first-out, so no
        older entry can bring back an application with a number handed out again here."""
        table = store.table("profile")
        profile = table.get(doc_id=1)
        if profile is None:
            return
        following = max((int(number) for number in store.raw("applications")), default=0) + 1
        if following < profile["next_number"]:
            table.update({"next_number": following}, doc_ids=[1])

    # -- reminders ---------------------------------------------------------------------------

    def sent_reminders(self, user_id: int) -> dict[str, str]:
        """Keys of reminders recorded (sent, skipped, failed: any status), with when."""
        store = self._store(user_id)
        if store is None:
            return {}
        return {doc["key"]: doc["at"] for doc in store.raw("reminders").values()}

    def reminder_statuses(self, user_id: int) -> dict[str, str]:
        """Each recorded reminder key with its status (``sent``, ``skipped``, ...)."""
        store = self._store(user_id)
        if store is None:
            return {}
        return {doc["key"]: doc["status"] for doc in store.raw("reminders").values()}

    def mark_reminder(self, user_id: int, key: str, at: datetime, status: str = "sent") -> None:
        """Record a reminder's status; marking a key again replaces its record (one per key)."""
        store = self._must(user_id)
        record = {"key": key, "at": utc_iso(at), "status": status}
        with self.transaction(user_id):
            table = store.table("reminders")
            docs = table.all()
            same = [doc.doc_id for doc in docs if doc["key"] == key]
            if same:
                if len(same) > 1:
                    table.remove(doc_ids=same[1:])  # files from before the upsert may hold two
                table.update(record, doc_ids=[same[0]])
            else:
                table.insert(Document(record, doc_id=max((doc.doc_id for doc in docs), default=0) + 1))

    def unmark_reminder(self, user_id: int, key: str) -> None:
        """Forget a reminder's record, so it counts as not yet delivered (no write if absent)."""
        store = self._must(user_id)
        with self.transaction(user_id):
            table = store.table("reminders")
            same = [doc.doc_id for doc in table.all() if doc["key"] == key]
            if same:
                table.remove(doc_ids=same)

    def forget_reminders(self, user_id: int, older_than: datetime) -> None:
        """Drop reminder records older than ``older_than`` (they can no longer be due)."""
        store = self._must(user_id)
        cutoff = utc_iso(older_than)
        with self.transaction(user_id):
            table = store.table("reminders")
            stale = [doc.doc_id for doc in table.all() if doc["at"] < cutoff]
            if stale:
                table.remove(doc_ids=stale)
