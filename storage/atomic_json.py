"""A TinyDB storage that never leaves a half-written file behind.

TinyDB's ``JSONStorage`` rewrites its file in place, so a crash mid-write truncates it. This one
serialises first, writes a dot-prefixed temporary file beside the target, fsyncs it, renames it over
the target with ``os.replace`` (atomic on POSIX) and fsyncs the directory. It also keeps the last
data it read or wrote in memory, so reads do not re-parse the file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

TEMP_SUFFIX = ".tmp"


class CorruptDataError(RuntimeError):
    """A data file exists but cannot be read; it is left untouched for the user to inspect."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class AtomicJSONStorage(Storage):
    """JSON file storage with atomic replace-on-write and a write-through memory copy."""

    def __init__(self, path: str | Path, fsync: bool = True) -> None:
        self.path = Path(path)
        self.fsync = fsync
        self._data: dict[str, Any] | None = None

    def read(self) -> dict[str, Any] | None:
        if self._data is None:
            self._data = load_json(self.path)
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}{TEMP_SUFFIX}")
        try:
            with open(temp, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                if self.fsync:
                    os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except BaseException:
            # TinyDB hands us its read copy after changing it; forget it so the file wins.
            self._data = None
            temp.unlink(missing_ok=True)
            raise
        if self.fsync:
            _fsync_dir(self.path.parent)
        self._data = data

    def close(self) -> None:
        self._data = None


def load_json(path: Path) -> dict[str, Any] | None:
    """Read a data file; None when it does not exist, CorruptDataError when it can't be used."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CorruptDataError(path, f"cannot be read ({error.strerror})") from error
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CorruptDataError(path, f"is not valid JSON ({error})") from error
    if not isinstance(data, dict):
        raise CorruptDataError(path, "does not hold a JSON object")
    return data


def remove_stray_temp_files(directory: Path) -> list[Path]:
    """Delete temp files a crash left behind; the real files were never touched by them."""
    removed = []
    for temp in directory.glob(f".*{TEMP_SUFFIX}"):
        temp.unlink(missing_ok=True)
        removed.append(temp)
    return removed


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
