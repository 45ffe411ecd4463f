"""Funnelbot's persistence layer (TinyDB, one atomically written file per user)."""

from storage.atomic_json import AtomicJSONStorage, CorruptDataError, StorageWriteError
from storage.base import RepositoryProtocol
from storage.repository import Repository, UndoEntry

__all__ = [
    "AtomicJSONStorage",
    "CorruptDataError",
    "Repository",
    "RepositoryProtocol",
    "StorageWriteError",
    "UndoEntry",
]
