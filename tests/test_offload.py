"""Charts are drawn in a worker process that keeps the event loop free, dies with the bot, and
falls back to a thread when it can't be used."""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import charts, offload
from bot.domain.weekly import recent_weeks
from tests.domain.test_funnel import five

REPO_ROOT = Path(__file__).resolve().parents[1]
DEADLINE = 30.0  # generous: every wait below ends as soon as its condition holds


@pytest.fixture(autouse=True)
def no_pool_left() -> Iterator[None]:
    """Each test starts without a drawing process and stops the one it started."""
    offload.shutdown()
    yield
    offload.shutdown()


def where() -> bytes:
    """Which process ran this (drawn through ``offload.draw``, so it must live at module level)."""
    return str(os.getpid()).encode()


def niceness() -> bytes:
    """This process's niceness (drawn through ``offload.draw``)."""
    return str(os.nice(0)).encode()


def hold_the_lock(seconds: float) -> bytes:
    """Wait in C *without* releasing the interpreter lock, as matplotlib's drawing does; say where."""
    ctypes.PyDLL(None).usleep(int(seconds * 1_000_000))
    return where()


async def longest_stall(work: Callable[[], Awaitable[bytes]]) -> tuple[bytes, float]:
    """``work()``'s result and the longest gap between 5 ms ticks of the event loop meanwhile."""
    done = asyncio.Event()
    gaps: list[float] = []

    async def tick() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.02)  # ticking before the work starts
    try:
        result = await work()
    finally:
        done.set()
        await ticker
    return result, max(gaps)


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (an orphan's zombie waits for its new parent's reaping)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel (a zombie then counts as alive)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state not in ("Z", "X")


async def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


def worker_pids() -> set[int]:
    return {p.pid for p in multiprocessing.active_children() if p.pid is not None}


async def test_offload_draw_returns_the_same_png_as_drawing_here() -> None:
    """The funnel and the weekly bars come back from the worker byte for byte as drawn in-process."""
    apps = five()
    series = recent_weeks(apps, ZoneInfo("Europe/Berlin"), datetime(2026, 12, 1, tzinfo=UTC), 6)
    assert await offload.draw(charts.render_funnel, apps, by="camp") == charts.render_funnel(apps, by="camp")
    assert await offload.draw(charts.render_weeks, series, 2) == charts.render_weeks(series, 2)


async def test_offload_draw_runs_in_another_process() -> None:
    """The drawing happens in the pool's one worker process, not in the bot's."""
    pid = int(await offload.draw(where))
    assert pid != os.getpid()
    assert worker_pids() == {pid}


async def test_offload_draws_at_a_lower_priority_than_the_bot() -> None:
    """The drawing process gives way for the CPU: the bot's replies and its Bot API server first."""
    assert int(await offload.draw(niceness)) == os.nice(0) + offload.DRAWING_NICENESS


def test_offload_caps_malloc_arenas_unless_the_operator_did(monkeypatch: pytest.MonkeyPatch) -> None:
    """On glibc the cap is set (mallopt answers 1); a MALLOC_ARENA_MAX in the environment wins."""
    if not glibc():
        pytest.skip("glibc only")
    assert offload.limit_malloc_arenas() is True
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert offload.limit_malloc_arenas() is False
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=4")
    assert offload.limit_malloc_arenas() is False


FRAGMENTING = """
import sys
from bot import offload
fixed = sys.argv[1] == "fixed" and offload.fix_mmap_threshold()
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
big = bytearray(8 << 20)  # one big block freed: left alone, glibc now puts blocks up to 8 MB on its heap
del big
start = rss()
medium, small = [], []
for i in range(200):
    medium.append(bytearray(200 * 1024))  # the size of a full getUpdates batch or a big user's file
    small.append(bytearray(1024 + i))  # and something small that stays, allocated in between
del medium
print(fixed, rss() - start)
"""


@pytest.mark.parametrize("how", ["fixed", "left alone"])
def test_offload_fixed_mmap_threshold_hands_freed_medium_blocks_back(how: str) -> None:
    """With the threshold fixed, 40 MB of freed 200 KB blocks go back to the system despite the
    small objects allocated between them; left alone (glibc raised it after one big block), they stay."""
    if not glibc():
        pytest.skip("glibc only")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GLIBC_TUNABLES"))}
    run = subprocess.run(
        [sys.executable, "-c", FRAGMENTING, how],
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    fixed, kept_mb = run.stdout.split()
    if how == "fixed":
        assert fixed == "True" and float(kept_mb) < 5
    else:
        assert float(kept_mb) > 30  # the premise: without the fix glibc keeps them


def test_offload_leaves_the_mmap_threshold_to_an_operator_who_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in [
        ("MALLOC_MMAP_THRESHOLD_", "65536"),
        ("MALLOC_TRIM_THRESHOLD_", "65536"),
        ("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=65536"),
    ]:
        with monkeypatch.context() as env:
            env.setenv(name, value)
            assert offload.fix_mmap_threshold() is False


def glibc() -> bool:
    return sys.platform.startswith("linux") and hasattr(ctypes.CDLL(None), "gnu_get_libc_version")


async def test_offload_draw_keeps_the_event_loop_ticking() -> None:
    """Work that holds the interpreter lock stalls the loop in a thread, but not in the worker."""
    await offload.draw(where)  # the worker is up (its start-up is not what this test measures)
    _, in_thread = await longest_stall(lambda: asyncio.to_thread(hold_the_lock, 0.8))
    assert in_thread > 0.6  # the test's premise: in a thread, the loop waits for the whole call
    pid, in_process = await longest_stall(lambda: offload.draw(hold_the_lock, 0.8))
    assert int(pid) != os.getpid()
    assert in_process < 0.4


async def test_offload_worker_dies_with_a_killed_bot_and_lets_go_of_its_output() -> None:
    """kill -9 of the bot: its stdout and stderr reach EOF at once and the worker is gone."""
    script = (
        "import asyncio, multiprocessing\n"
        "from bot import offload\n"
        "async def main():\n"
        "    await offload.warm_up()\n"
        "    print(*(p.pid for p in multiprocessing.active_children()), flush=True)\n"
        "    await asyncio.sleep(120)\n"
        "asyncio.run(main())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO_ROOT, env=env
    )
    assert bot.stdout is not None and bot.stderr is not None
    try:
        line = await asyncio.wait_for(bot.stdout.readline(), DEADLINE)
        pids = [int(pid) for pid in line.split()]
        assert len(pids) == 1, line
        assert alive(pids[0])
    finally:
        bot.kill()
    out, err = await asyncio.wait_for(asyncio.gather(bot.stdout.read(), bot.stderr.read()), 10)
    assert await bot.wait() == -signal.SIGKILL
    assert out == b"", out
    assert b"Traceback" not in err, err
    await until(lambda: not alive(pids[0]), f"worker {pids[0]} to die")


def test_offload_worker_start_lets_go_of_the_output() -> None:
    """After the worker's initializer, what the process prints goes to /dev/null, not to the bot's pipe."""
    script = "import os\nfrom bot import offload\noffload._init_worker(os.getppid())\nprint('leaked')\n"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, cwd=REPO_ROOT, timeout=DEADLINE, check=True
    )
    assert (done.stdout, done.stderr) == (b"", b"")


def test_offload_worker_exits_when_the_bot_died_before_it_started() -> None:
    """A worker whose parent is no longer the bot (it died during the worker's start) exits at once."""
    script = "from bot import offload\noffload._init_worker(1)\nprint('still here')\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, cwd=REPO_ROOT, timeout=DEADLINE)
    assert (done.returncode, done.stdout) == (0, b"")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_offload_worker_asks_linux_for_the_parent_death_signal() -> None:
    """On Linux the worker arranges SIGKILL on the bot's death with prctl (no watchdog thread)."""
    script = "from bot import offload\nprint(offload._die_with_parent())\n"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, cwd=REPO_ROOT, timeout=DEADLINE, check=True
    )
    assert done.stdout.strip() == b"True"


def test_offload_without_prctl_a_watchdog_exits_once_the_parent_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where prctl is missing, the watchdog polls the parent's pid and exits when it changes."""
    monkeypatch.setattr(sys, "platform", "darwin")
    assert offload._die_with_parent() is False
    parents = [4242, 4242, 1]  # the bot, the bot, then init (the bot died; we were re-parented)
    exits: list[int] = []
    monkeypatch.setattr(os, "getppid", lambda: parents.pop(0) if len(parents) > 1 else parents[0])
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    monkeypatch.setattr(os, "_exit", exits.append)
    offload._watch(4242)
    assert exits == [0]


async def test_offload_dead_worker_draws_in_a_thread_then_starts_afresh(caplog: pytest.LogCaptureFixture) -> None:
    """The worker killed: that chart is drawn in a thread (one warning), and the next in a new worker."""
    first = int(await offload.draw(where))
    os.kill(first, signal.SIGKILL)
    with caplog.at_level(logging.WARNING, logger="bot.offload"):
        png = await offload.draw(charts.render_funnel, five())
    assert png == charts.render_funnel(five())
    assert [r.getMessage() for r in caplog.records] == [
        "offload.chart_process_failed error=BrokenProcessPool: drawing in a thread"
    ]
    second = int(await offload.draw(where))
    assert second not in (first, os.getpid())


async def test_offload_no_processes_draws_in_a_thread(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """When no process can be started (OSError), the chart is drawn in this process, with one warning."""

    def no_processes(*args: Any, **kwargs: Any) -> ProcessPoolExecutor:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(offload, "ProcessPoolExecutor", no_processes)
    with caplog.at_level(logging.WARNING, logger="bot.offload"):
        assert int(await offload.draw(where)) == os.getpid()
    assert [r.levelname for r in caplog.records] == ["WARNING"]


async def test_offload_shutdown_is_quick_and_fine_without_a_pool() -> None:
    """shutdown() with no pool does nothing; during a draw it returns at once and the draw still finishes."""
    offload.shutdown()
    await offload.draw(where)
    drawing = asyncio.ensure_future(offload.draw(hold_the_lock, 0.5))
    await asyncio.sleep(0.1)
    started = time.perf_counter()
    offload.shutdown()
    assert time.perf_counter() - started < 0.2
    assert int(await drawing) != os.getpid()
    offload.shutdown()


async def test_offload_warm_up_freezes_what_start_up_tasks_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """The heap is frozen only after the other start-up tasks (the city index) have finished."""
    frozen_when: list[bool] = []
    built = asyncio.Event()

    async def build_index() -> None:
        await asyncio.sleep(0.2)
        built.set()

    monkeypatch.setattr(gc, "freeze", lambda: frozen_when.append(built.is_set()))
    try:
        await offload.warm_up(asyncio.ensure_future(build_index()))
    finally:
        offload.shutdown()
    assert frozen_when == [True]
