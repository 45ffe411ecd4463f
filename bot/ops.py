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


DATA_FOLDERS = ("users", "people", "shared")
"""What a backup holds: the user files, contacts (``people/``), invites and group boards (``shared/``).
Open questions (``conversations/``) are short-lived and left out."""


def data_files(data_dir: Path) -> list[Path]:
    """Every data file a backup keeps, as paths under ``data_dir``; temp files are not data."""
    found = user_files(data_dir)
    for folder in DATA_FOLDERS[1:]:
        if (data_dir / folder).is_dir():
            found += sorted(p for p in (data_dir / folder).glob("*.json") if not p.name.startswith("."))
    return found


def _name(path: Path, root: Path) -> str:
    """A data file's name in a manifest: ``users/42.json``."""
    return path.relative_to(root).as_posix()


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
    """Copy every data file (:data:`DATA_FOLDERS`) into ``target`` and write ``target/backup.json``.

    Each file is read in one go; since the bot only ever replaces a file whole, that is one
    complete version of that file (a version written a moment later belongs to the next backup).
    Every copy is parsed before it counts, and the manifest lists each file's SHA-256 so
    ``restore`` can tell a damaged backup from a good one. Returns the copies.
    """
    if not (data_dir / "users").is_dir():
        raise OpsError(f"{data_dir} holds no Funnelbot data (no users/ folder); check FUNNELBOT_DATA_DIR.")
    if target.exists() and any(target.iterdir()):
        raise OpsError(f"{target} is not empty; back up into a new or empty directory.")
    make_private_dir(target / "users")
    copies: list[Path] = []
    sums: dict[str, str] = {}
    for source in data_files(data_dir):
        try:
            raw = source.read_bytes()
        except FileNotFoundError:
            continue  # gone since we listed it: nothing to keep
        _parse(raw, source)
        name = _name(source, data_dir)
        copy = target / name
        make_private_dir(copy.parent)
        _write_synced(copy, raw)
        copies.append(copy)
        sums[name] = hashlib.sha256(raw).hexdigest()
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
    """The backup's data files, each parsed and (with a manifest) checked against its SHA-256."""
    files = data_files(source)
    manifest_path = source / MANIFEST_NAME
    if not user_files(source) and not manifest_path.exists():
        raise OpsError(f"{source} is not a Funnelbot backup (no users/*.json and no {MANIFEST_NAME}).")
    for path in files:
        load_json(path)  # raises CorruptDataError naming the file
    if manifest_path.exists():
        try:
            listed = json.loads(manifest_path.read_text(encoding="utf-8"))["files"]
            # Backups made before contacts existed named user files without their folder.
            expected = {(name if "/" in name else f"users/{name}"): digest for name, digest in listed.items()}
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise OpsError(f"the backup's {manifest_path} is damaged ({error}); nothing was restored.") from error
        present = {_name(p, source): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
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
        if user_files(data_dir) and not force:
            raise OpsError(
                f"{data_dir} already holds data ({len(user_files(data_dir))} users). "
                "Restoring replaces it: run again with --force (the current data is kept aside)."
            )
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = None
        for folder in DATA_FOLDERS:
            incoming = [path for path in files if path.parent == source / folder]
            staging = data_dir / f".restore-incoming-{folder}"
            shutil.rmtree(staging, ignore_errors=True)
            make_private_dir(staging)
            for path in incoming:
                _write_synced(staging / path.name, path.read_bytes())
            live = data_dir / folder
            if live.exists():
                aside = data_dir / f"{folder}.before-restore-{stamp}"
                live.rename(aside)
                kept = kept or aside
            staging.rename(live)
        users_restored = [path for path in files if path.parent == source / "users"]
        return Restored(count=len(users_restored), kept=kept)
    finally:
        lock.release()
