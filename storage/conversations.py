"""Open questions, durably: one small JSON file per user under ``data_dir/conversations/``.

A file holds what ``bot.persistence`` hands over for one user: the state of each open question
(by conversation name) and the question's data (PTB's ``user_data``). It is written with
:class:`storage.atomic_json.AtomicJSONStorage` (temp file, fsync, ``os.replace``), so a kill leaves
the old or the new file, never half of one, and it is deleted once nothing is open any more.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from storage.atomic_json import AtomicJSONStorage, CorruptDataError, fsync_dir, load_json, remove_stray_temp_files

logger = logging.getLogger(__name__)

Record = dict[str, Any]
"""``{"states": {name: state}, "data": {...}}``: JSON values only."""


class ConversationStore:
    """Every user's open questions, one file each; reads once at start-up, writes on change."""

    def __init__(self, data_dir: Path, *, fsync: bool = True) -> None:
        self.dir = Path(data_dir) / "conversations"
        self.fsync = fsync
        self._written: dict[int, str] = {}  # what each user's file holds now, as JSON text

    def load(self) -> dict[int, Record]:
        """Read every user's file (start-up). A damaged file is logged and left aside: that user's
        question is forgotten, everyone else's survives."""
        self.dir.mkdir(parents=True, exist_ok=True)
        remove_stray_temp_files(self.dir)
        records: dict[int, Record] = {}
        for path in sorted(self.dir.glob("*.json")):
            if not path.stem.isdigit():
                continue
            try:
                data = load_json(path)
            except CorruptDataError as error:
                logger.warning("conversations.unreadable file=%s problem=%s", path.name, error)
                continue
            if data is not None:
                records[int(path.stem)] = data
        self._written = {user_id: _text(record) for user_id, record in records.items()}
        return records

    def save(self, user_id: int, record: Record) -> None:
        """Store one user's record (nothing to store: delete the file); no write when unchanged."""
        empty = not record.get("states") and not record.get("data")
        if empty:
            if user_id in self._written:  # only this store writes these files, so no stat needed
                self.forget(user_id)
            return
        text = _text(record)  # also refuses anything that isn't JSON before a file is touched
        if self._written.get(user_id) == text:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        AtomicJSONStorage(self._path(user_id), fsync=self.fsync).write(json.loads(text))
        self._written[user_id] = text

    def forget(self, user_id: int) -> None:
        """Delete the user's file (their questions are over, or they asked to be forgotten)."""
        self._written.pop(user_id, None)
        path = self._path(user_id)
        if not path.exists():
            return
        path.unlink(missing_ok=True)
        if self.fsync:
            fsync_dir(self.dir)

    def _path(self, user_id: int) -> Path:
        return self.dir / f"{int(user_id)}.json"


def _text(record: Record) -> str:
    """The record as canonical JSON: equal records give equal text (int keys come back as strings)."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
