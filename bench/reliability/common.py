"""Shared pieces of the reliability report: rows, scale, the real bot process, waiting."""

from __future__ import annotations

import asyncio
import os
import resource
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from bot.faketelegram import FakeTelegram

REPO_ROOT = Path(__file__).resolve().parents[2]
TOKEN = "424242:RELIABILITY-BENCH"
POLL_TIMEOUT = 60.0  # a start-up slower than this on a busy machine is a failed restart


@dataclass
class Row:
    """One line of the report. ``failures`` must be 0 for the check to pass."""

    check: str
    cases: int = 0
    failures: int = 0
    note: str = ""
    details: list[str] = field(default_factory=list)  # printed under the table when not ok
    passed: bool | None = None  # None: passed means failures == 0

    @property
    def ok(self) -> bool:
        return self.failures == 0 if self.passed is None else self.passed


@dataclass(frozen=True)
class Scale:
    """How big each check is: the full run meets the issue's counts, --quick is for CI."""

    quick: bool
    seed: int

    def pick(self, full: int, quick: int) -> int:
        return quick if self.quick else full


async def wait_until(condition: Callable[[], bool], within: float, step: float = 0.02) -> bool:
    """Poll ``condition`` until it holds (True) or ``within`` seconds pass (False)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(step)
    return True


def join_groups(tg: FakeTelegram, chats: list[dict[str, Any]], by_user: int) -> bool:
    """Put the bot in these group chats, so sends there are checked like any other.

    Uses the fake's ``add_to_group`` (a my_chat_member update is queued for each); False when this
    fake models private chats only, where a send to a group is "chat not found".
    """
    add = getattr(tg, "add_to_group", None)
    if add is None:
        return False
    for chat in chats:
        add(chat["id"], chat["title"], by_user)
    return True


def _disk_full() -> None:  # runs in the child between fork and exec
    # Every write that would grow a file past 1 byte fails with EFBIG, as on a full disk; the
    # signal that would kill the process instead is ignored (and stays ignored across exec).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1, 1))


@dataclass
class BotProcess:
    """``python -m bot run`` against a fake Telegram over HTTP, as a user would start it."""

    tg: FakeTelegram
    base_url: str
    data_dir: Path
    log_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    process: asyncio.subprocess.Process | None = None
    spawns: int = 0
    log_path: Path | None = None
    _drain: asyncio.Task[None] | None = None

    async def spawn(self, *, disk_full: bool = False) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "FUNNELBOT_", "ALLOWED_"))}
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=self.base_url,
            FUNNELBOT_DATA_DIR=str(self.data_dir),
            LOG_LEVEL="INFO",
            PYTHONPATH=str(REPO_ROOT),
            **self.env,
        )
        self.spawns += 1
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.log_dir / f"run-{self.spawns:04d}.log"
        # Output goes through a pipe (the parent writes the log), so a child whose file writes
        # fail (disk full) still gets its messages out.
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=env,
            cwd=str(self.data_dir.parent),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            preexec_fn=_disk_full if disk_full else None,
        )
        self._drain = asyncio.create_task(self._copy(self.process, self.log_path.open("wb")))

    @staticmethod
    async def _copy(process: asyncio.subprocess.Process, log: BinaryIO) -> None:
        assert process.stdout is not None
        with log:
            while chunk := await process.stdout.read(65536):
                log.write(chunk)
                log.flush()

    async def _reap(self) -> int:
        assert self.process is not None
        code = await self.process.wait()
        if self._drain is not None:
            await self._drain
            self._drain = None
        return code

    def polls(self) -> int:
        return sum(1 for method, _ in self.tg.calls if method == "getUpdates")

    async def start(self, *, disk_full: bool = False) -> bool:
        """Spawn and wait until it polls; False if it exited or hung (a failed start)."""
        before = self.polls()
        await self.spawn(disk_full=disk_full)
        return await self.wait_polling(before)

    async def wait_polling(self, before: int) -> bool:
        ok = await wait_until(lambda: self.polls() > before or not self.alive(), POLL_TIMEOUT)
        return ok and self.alive()

    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def kill(self) -> None:
        """kill -9: no clean-up of any kind."""
        if self.process is None:
            return
        if self.process.returncode is None:
            self.process.kill()
        await self._reap()
        self.process = None

    async def stop(self) -> int | None:
        """SIGTERM, as systemd would; kill -9 after 30 s. Returns the exit code."""
        if self.process is None:
            return None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.process.kill()
        code = await self._reap()
        self.process = None
        return code

    async def exited(self) -> int:
        """Wait for a process that ends by itself; returns its exit code."""
        code = await self._reap()
        self.process = None
        return code

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""


class Stopwatch:
    def __init__(self) -> None:
        self.start = time.monotonic()

    def seconds(self) -> float:
        return time.monotonic() - self.start
