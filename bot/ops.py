"""Operator commands: the data directory's lock and permissions, ``check``, ``backup`` and ``restore``.

Nothing here opens the live data through :class:`storage.Repository`: opening it removes stray
temporary files and migrates old files, which is right for the bot at start-up but not for a second
process looking at a directory the bot is writing. These commands only read files, and the bot only
ever replaces a user file whole (temp file + ``os.replace``), so opening one reads one complete version.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from storage.atomic_json import CorruptDataError, load_json

LOCK_NAME = ".lock"
MANIFEST_NAME = "backup.json"
PRIVATE_UMASK = 0o077  # files 0600, directories 0700: the data is one person's job search


class DataDirBusy(RuntimeError):
    """Another process (a running bot) holds the data directory's lock."""

    def __init__(self, data_dir: Path, pid: str) -> None:
        super().__init__(f"{data_dir} is in use by a running funnelbot (pid {pid or 'unknown'})")
        self.data_dir = data_dir
        self.pid = pid


class OpsError(RuntimeError):
    """An operator command cannot go ahead; the message says why and what to do."""


def private_files() -> None:
    """Everything this process creates from now on is readable by its owner only."""
    os.umask(PRIVATE_UMASK)


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) if needed and make it 0700."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)


@dataclass
class DataLock:
    """``fcntl.flock`` on ``data_dir/.lock``, held for the life of the process.

    The kernel drops a flock when its holder exits, however it exits, so a crashed bot never
    leaves the directory looking busy. The file holds the holder's pid for operators to read.
    """

    path: Path
    _handle: IO[str] | None = field(default=None, repr=False)

    @classmethod
    def acquire(cls, data_dir: Path) -> DataLock:
        """Take the lock or raise :class:`DataDirBusy`; creates the directory (0700) if needed."""
        make_private_dir(data_dir)
        path = data_dir / LOCK_NAME
        handle = open(path, "a+", encoding="ascii")  # noqa: SIM115 (held until release)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            pid = handle.read().strip()
            handle.close()
            raise DataDirBusy(data_dir, pid) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        return cls(path, handle)

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing drops the flock
            self._handle = None


def user_files(data_dir: Path) -> list[Path]:
    """The per-user data files (``users/<id>.json``), in id order; temp files are not data."""
    users = data_dir / "users"
    if not users.is_dir():
        return []
    files = [p for p in users.glob("*.json") if p.stem.lstrip("-").isdigit()]
    return sorted(files, key=lambda p: int(p.stem))


# -- check ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    ok: bool
    line: str


def check_data_dir(data_dir: Path) -> Check:
    """The data directory exists, is writable, and every user file in it parses."""
    if not data_dir.is_dir():
        return Check(False, f"data directory {data_dir} does not exist (FUNNELBOT_DATA_DIR)")
    if not os.access(data_dir, os.W_OK | os.X_OK):
        return Check(False, f"data directory {data_dir} is not writable by this user")
    files = user_files(data_dir)
    for path in files:
        try:
            load_json(path)
        except CorruptDataError as error:
            return Check(False, f"data file {error.path} {error.problem}")
    return Check(True, f"data directory {data_dir}: {len(files)} user files, all readable")


def redact(text: str, token: str) -> str:
    """``text`` with the bot token (and its secret half) replaced, for anything we print."""
    for secret in (token, token.partition(":")[2]):
        if len(secret) >= 8:
            text = text.replace(secret, "<TELEGRAM_BOT_TOKEN>")
    return text


async def check_bot_api(token: str, base_url: str | None, base_file_url: str | None) -> Check:
    """The Bot API answers getMe with this token."""
    from telegram import Bot
    from telegram.error import InvalidToken, NetworkError, TelegramError

    where = base_url or "https://api.telegram.org/bot"
    bot = Bot(
        token,
        base_url=base_url or "https://api.telegram.org/bot",
        base_file_url=base_file_url or "https://api.telegram.org/file/bot",
    )
    try:
        async with bot:  # initialising calls getMe
            me = bot.bot
    except InvalidToken:
        return Check(False, f"Bot API at {where} rejected TELEGRAM_BOT_TOKEN")
    except NetworkError as error:
        return Check(False, redact(f"Bot API at {where} cannot be reached ({error})", token))
    except TelegramError as error:
        return Check(False, redact(f"Bot API at {where} refused getMe: {error}", token))
    return Check(True, f"Bot API at {where} answers getMe: @{me.username}")


def check_healthz(listen: str, port: int) -> Check:
    """The webhook server of a bot running on this machine answers ``/healthz``."""
    import urllib.error
    import urllib.request

    host = "127.0.0.1" if listen in ("0.0.0.0", "") else "::1" if listen == "::" else listen
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return Check(True, f"webhook server {url} answers: {response.read().decode(errors='replace').strip()}")
    except urllib.error.HTTPError as error:
        return Check(False, f"webhook server {url} answers {error.code}: {error.read().decode(errors='replace')}")
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return Check(False, f"webhook server {url} does not answer ({reason})")


# -- backup ---------------------------------------------------------------------------------------


def backup(data_dir: Path, target: Path) -> list[Path]:
    """Copy every user file into ``target/users`` and write ``target/backup.json``; returns the copies.

    Each file is read in one go; since the bot only ever replaces a file whole, that is one
    complete version of that user's data (a version written a moment later belongs to the next
    backup). Every copy is parsed before it counts, and the manifest lists each file's SHA-256 so
    ``restore`` can tell a damaged backup from a good one.
    """
    if not (data_dir / "users").is_dir():
        raise OpsError(f"{data_dir} holds no Funnelbot data (no users/ folder); check FUNNELBOT_DATA_DIR.")
    if target.exists() and any(target.iterdir()):
        raise OpsError(f"{target} is not empty; back up into a new or empty directory.")
    make_private_dir(target / "users")
    copies: list[Path] = []
    sums: dict[str, str] = {}
    for source in user_files(data_dir):
        try:
            raw = source.read_bytes()
        except FileNotFoundError:
            continue  # gone since we listed it: nothing to keep
        _parse(raw, source)
        copy = target / "users" / source.name
        _write_synced(copy, raw)
        copies.append(copy)
        sums[source.name] = hashlib.sha256(raw).hexdigest()
    manifest = {"created": datetime.now(UTC).isoformat(timespec="seconds"), "files": sums}
    _write_synced(target / MANIFEST_NAME, json.dumps(manifest, indent=1).encode())
    return copies


def _parse(raw: bytes, path: Path) -> None:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CorruptDataError(path, f"is not valid JSON ({error})") from error
    if not isinstance(data, dict):
        raise CorruptDataError(path, "does not hold a JSON object")


def _write_synced(path: Path, content: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


# -- restore --------------------------------------------------------------------------------------


def verify_backup(source: Path) -> list[Path]:
    """The backup's user files, each parsed and (with a manifest) checked against its SHA-256."""
    files = user_files(source)
    manifest_path = source / MANIFEST_NAME
    if not files and not manifest_path.exists():
        raise OpsError(f"{source} is not a Funnelbot backup (no users/*.json and no {MANIFEST_NAME}).")
    for path in files:
        load_json(path)  # raises CorruptDataError naming the file
    if manifest_path.exists():
        try:
            expected = json.loads(manifest_path.read_text(encoding="utf-8"))["files"]
        except (ValueError, KeyError, TypeError) as error:
            raise OpsError(f"the backup's {manifest_path} is damaged ({error}); nothing was restored.") from error
        present = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
        missing = sorted(set(expected) - set(present))
        if missing:
            raise OpsError(f"the backup in {source} is incomplete: {', '.join(missing)} missing.")
        changed = sorted(name for name, digest in expected.items() if present[name] != digest)
        if changed:
            raise OpsError(f"the backup in {source} is damaged: {', '.join(changed)} changed since it was made.")
    return files


@dataclass(frozen=True)
class Restored:
    count: int
    kept: Path | None  # where the data that was there before now lives, if there was any


def restore(source: Path, data_dir: Path, *, force: bool) -> Restored:
    """Put the backup in ``source`` in place as ``data_dir``'s data.

    Refuses while a bot holds the directory's lock (a running bot keeps its data in memory and
    would write it back over the restored files), and over existing data unless ``force``. The
    data that was there is renamed aside, never deleted.
    """
    files = verify_backup(source)
    lock = DataLock.acquire(data_dir)  # raises DataDirBusy while a bot runs; keeps one from starting
    try:
        users = data_dir / "users"
        if user_files(data_dir) and not force:
            raise OpsError(
                f"{data_dir} already holds data ({len(user_files(data_dir))} users). "
                "Restoring replaces it: run again with --force (the current data is kept aside)."
            )
        staging = data_dir / ".restore-incoming"
        shutil.rmtree(staging, ignore_errors=True)
        make_private_dir(staging)
        for path in files:
            _write_synced(staging / path.name, path.read_bytes())
        kept = None
        if users.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            kept = data_dir / f"users.before-restore-{stamp}"
            users.rename(kept)
        staging.rename(users)
        return Restored(count=len(files), kept=kept)
    finally:
        lock.release()
