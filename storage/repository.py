"""Funnelbot's persistence: one TinyDB file per user, written atomically.

A write rewrites only that user's file, so its cost follows the user's own data, not the number of
users. The data directory's ``users/`` folder is the index of users. Every public method is
synchronous and does its read-modify-write without yielding to the event loop, so a scheduled job
and a command can never interleave inside one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from tinydb import TinyDB
from tinydb.table import Document, Table

from bot.domain.models import JobApplication, Profile, utc_iso
from storage.atomic_json import AtomicJSONStorage, CorruptDataError, remove_stray_temp_files
from storage.schema import SCHEMA_VERSION, SchemaError, migrate

logger = logging.getLogger(__name__)

UNDO_DEPTH = 20


@dataclass(frozen=True)
class UndoEntry:
    id: int
    label: str
    number: int
    before: dict[str, Any] | None  # the application as it was; None when the change added it
    added: tuple[int, ...] = ()  # numbers a bulk change (an import) added; undo removes them all


class UserStore:
    """One user's TinyDB file: tables meta, profile, applications, undo, reminders."""

    def __init__(self, path: Path, *, fsync: bool = True) -> None:
        self.path = path
        self.db = TinyDB(path, storage=AtomicJSONStorage, fsync=fsync)
        self._check_schema()

    def _check_schema(self) -> None:
        storage = cast(AtomicJSONStorage, self.db.storage)
        tables = storage.read() or {}
        meta = tables.get("meta", {}).get("1", {})
        found = int(meta.get("schema", SCHEMA_VERSION)) if tables else SCHEMA_VERSION
        try:
            migrated = migrate(tables, found)
        except SchemaError as error:
            raise CorruptDataError(self.path, str(error)) from error
        if found != SCHEMA_VERSION or not tables:
            migrated.setdefault("meta", {})["1"] = {"schema": SCHEMA_VERSION}
            storage.write(migrated)

    def table(self, name: str) -> Table:
        return self.db.table(name)

    def close(self) -> None:
        self.db.close()


class Repository:
    """All users' data under ``data_dir``; open it once per process."""

    def __init__(self, data_dir: Path, *, fsync: bool = True) -> None:
        self.data_dir = Path(data_dir)
        self.users_dir = self.data_dir / "users"
        self.fsync = fsync
        self._stores: dict[int, UserStore] = {}

    @classmethod
    def open(cls, data_dir: Path | str, *, fsync: bool = True) -> Repository:
        """Open (creating if needed) and check every user file; corrupt ones raise CorruptDataError."""
        repo = cls(Path(data_dir), fsync=fsync)
        repo.users_dir.mkdir(parents=True, exist_ok=True)
        for temp in remove_stray_temp_files(repo.users_dir):
            logger.warning("storage.temp_removed %s", temp.name)
        for path in sorted(repo.users_dir.glob("*.json")):
            if not path.stem.lstrip("-").isdigit():
                continue
            repo._stores[int(path.stem)] = UserStore(path, fsync=fsync)
        return repo

    def close(self) -> None:
        for store in self._stores.values():
            store.close()
        self._stores.clear()

    # -- users -------------------------------------------------------------------------------

    def user_ids(self) -> list[int]:
        return list(self._stores)

    def _store(self, user_id: int, *, create: bool = False) -> UserStore | None:
        store = self._stores.get(user_id)
        if store is None and create:
            store = UserStore(self.users_dir / f"{user_id}.json", fsync=self.fsync)
            self._stores[user_id] = store
        return store

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
        store = self._store(profile.user_id, create=True)
        assert store is not None
        store.table("profile").upsert(Document(profile.to_dict(), doc_id=1))

    def profiles(self) -> Iterator[Profile]:
        for user_id in list(self._stores):
            profile = self.get_profile(user_id)
            if profile is not None:
                yield profile

    # -- applications ------------------------------------------------------------------------

    def list_applications(self, user_id: int) -> list[JobApplication]:
        store = self._store(user_id)
        if store is None:
            return []
        docs = store.table("applications").all()
        return sorted((JobApplication.from_dict(dict(doc)) for doc in docs), key=lambda a: a.number)

    def get_application(self, user_id: int, number: int) -> JobApplication | None:
        store = self._store(user_id)
        if store is None or number < 1:
            return None
        doc = store.table("applications").get(doc_id=number)
        return JobApplication.from_dict(dict(doc)) if doc else None

    def add_application(self, profile: Profile, app: JobApplication, label: str) -> JobApplication:
        """Give ``app`` the user's next number, store it, and remember how to undo it."""
        app.number = profile.next_number
        profile.next_number += 1
        profile.remember_track(app.track)
        self.save_profile(profile)
        store = self._must(profile.user_id)
        store.table("applications").insert(Document(app.to_dict(), doc_id=app.number))
        self._push_undo(store, label.format(n=app.number), app.number, None)
        return app

    def save_application(self, user_id: int, app: JobApplication, label: str) -> UndoEntry:
        """Store a changed application; ``label`` says what changed, for /undo."""
        store = self._must(user_id)
        table = store.table("applications")
        before = table.get(doc_id=app.number)
        table.upsert(Document(app.to_dict(), doc_id=app.number))
        return self._push_undo(store, label, app.number, dict(before) if before else None)

    def save_applications(
        self, user_id: int, apps: list[JobApplication], label: str = "imported applications"
    ) -> UndoEntry:
        """Store many new applications in one write (an import); one undo removes them all."""
        store = self._must(user_id)
        table = store.table("applications")
        table.insert_multiple(Document(app.to_dict(), doc_id=app.number) for app in apps)
        numbers = tuple(app.number for app in apps)
        return self._push_undo(store, label, numbers[0] if numbers else 0, None, added=numbers)

    def delete_application(self, user_id: int, number: int, label: str) -> UndoEntry | None:
        store = self._must(user_id)
        table = store.table("applications")
        before = table.get(doc_id=number)
        if before is None:
            return None
        table.remove(doc_ids=[number])
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
        entry_id = table.insert(
            {"label": label, "number": number, "before": before, "deleted": deleted, "added": list(added)}
        )
        stale = [doc.doc_id for doc in table.all() if doc.doc_id <= entry_id - UNDO_DEPTH]
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
        apps = store.table("applications")
        if entry.added:
            apps.remove(doc_ids=[n for n in entry.added if apps.contains(doc_id=n)])
        elif entry.before is None:
            apps.remove(doc_ids=[entry.number])
        else:
            apps.upsert(Document(entry.before, doc_id=entry.number))
        store.table("undo").remove(doc_ids=[entry.id])
        return entry

    # -- reminders ---------------------------------------------------------------------------

    def sent_reminders(self, user_id: int) -> dict[str, str]:
        """Keys of reminders already sent (or deliberately skipped), with when."""
        store = self._store(user_id)
        if store is None:
            return {}
        return {doc["key"]: doc["at"] for doc in store.table("reminders").all()}

    def mark_reminder(self, user_id: int, key: str, at: datetime, status: str = "sent") -> None:
        store = self._must(user_id)
        store.table("reminders").insert({"key": key, "at": utc_iso(at), "status": status})

    def forget_reminders(self, user_id: int, older_than: datetime) -> None:
        """Drop reminder records older than ``older_than`` (they can no longer be due)."""
        store = self._must(user_id)
        cutoff = utc_iso(older_than)
        table = store.table("reminders")
        stale = [doc.doc_id for doc in table.all() if doc["at"] < cutoff]
        if stale:
            table.remove(doc_ids=stale)
