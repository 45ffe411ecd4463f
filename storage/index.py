"""The persisted user index: what start-up needs without opening every user's file.

One small JSON file, ``<data_dir>/index.json``, holds for each user the size and modification time
of their data file when the entry was made, whether they blocked the bot (and since when), and
their next reminder time as the scheduler last computed it. It is derived data: a missing, damaged
or outdated index costs only time (the files are read again), never correctness.

An entry is trusted only while the file still has the recorded size and modification time (in
nanoseconds). Every write this process makes records the new ones, so a file changed behind our
back (restored from a backup, edited by hand) no longer matches and is read and checked again.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from storage.atomic_json import TEMP_SUFFIX, fsync_dir
from storage.schema import SCHEMA_VERSION

logger = logging.getLogger(__name__)

INDEX_NAME = "index.json"
INDEX_VERSION = 1
UNKNOWN = "?"
"""The ``wake`` of an entry whose next reminder time has not been computed since the file changed."""

Stat = tuple[int, int]  # (st_mtime_ns, st_size)


@dataclass(frozen=True)
class IndexEntry:
    """Immutable, so a copy of the index's dict is a snapshot a worker thread can write out."""

    stat: Stat | None  # the file's when the entry was made; None: no file yet
    inactive_since: str | None = None  # ISO time the user blocked the bot, if they did
    wake: str | None = UNKNOWN  # next reminder time (ISO), None for nothing ahead, UNKNOWN

    def to_json(self) -> list[Any]:
        return [list(self.stat) if self.stat else None, self.inactive_since, self.wake]

    @classmethod
    def from_json(cls, raw: Any) -> IndexEntry | None:
        if not (isinstance(raw, list) and len(raw) == 3):
            return None
        stat, inactive, wake = raw
        ok_stat = isinstance(stat, list) and len(stat) == 2 and all(type(n) is int for n in stat)
        if not ok_stat or not all(v is None or isinstance(v, str) for v in (inactive, wake)):
            return None
        return cls((stat[0], stat[1]), inactive, wake)


def stat_of(path: Path) -> Stat:
    st = os.stat(path)
    return (st.st_mtime_ns, st.st_size)


def load_index(data_dir: Path) -> tuple[dict[int, IndexEntry], str]:
    """The entries of a readable, current index and the wake times' context; ({}, "") otherwise."""
    path = data_dir / INDEX_NAME
    try:
        raw = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return {}, ""
    except (OSError, ValueError) as error:
        logger.warning("storage.index_unreadable error=%s: every user file is read again", type(error).__name__)
        return {}, ""
    if not isinstance(raw, dict) or raw.get("version") != INDEX_VERSION or raw.get("schema") != SCHEMA_VERSION:
        logger.info("storage.index_outdated: every user file is read again")
        return {}, ""
    users = raw.get("users")
    entries: dict[int, IndexEntry] = {}
    if isinstance(users, dict):
        for key, value in users.items():
            entry = IndexEntry.from_json(value)
            if entry is not None and key.isdigit():
                entries[int(key)] = entry
    context = raw.get("wake_context")
    return entries, context if isinstance(context, str) else ""


@dataclass(frozen=True)
class IndexSnapshot:
    """The index as of one moment: a copy of its dict (the entries are immutable), taken in a
    fraction of a millisecond on the event loop; :func:`index_text` can then run in any thread."""

    entries: dict[int, IndexEntry]
    wake_context: str


def index_text(snapshot: IndexSnapshot) -> bytes:
    """The index file's content; ``wake_context`` says what the wake times were computed with.

    Not for the event loop at scale: for 10,000 users it builds 30,000 objects, and a run of the
    benchmark caught it (with the collection it set off) holding the loop for 175 ms.
    """
    users = {str(uid): entry.to_json() for uid, entry in snapshot.entries.items() if entry.stat is not None}
    document = {
        "version": INDEX_VERSION,
        "schema": SCHEMA_VERSION,
        "wake_context": snapshot.wake_context,
        "users": users,
    }
    return orjson.dumps(document)


def write_index(data_dir: Path, text: bytes, *, fsync: bool) -> None:
    """Replace the index atomically (a thread may call this: it touches no shared state)."""
    path = data_dir / INDEX_NAME
    temp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        with open(temp, "wb") as handle:
            handle.write(text)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temp, path)
        if fsync:
            fsync_dir(data_dir)
    except OSError as error:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        logger.warning("storage.index_not_saved errno=%s: the next start-up reads more files", error.errno)
