"""Funnelbot's persistence layer (TinyDB, one atomically written file per user)."""

from storage.atomic_json import AtomicJSONStorage, CorruptDataError
from storage.repository import Repository, UndoEntry

__all__ = ["AtomicJSONStorage", "CorruptDataError", "Repository", "UndoEntry"]
