"""A measuring probe for the benchmark (``python -m bench``); off unless ``FUNNELBOT_PROBE`` is set.

When ``FUNNELBOT_PROBE=<file>`` is in the environment, :func:`start` runs a task that measures how
late the event loop wakes from short sleeps (the longest stall per second of wall time), counts the
process's ``fsync`` calls and file replaces, and writes these figures as JSON to that file twice a
second. A watcher thread notes where the event loop's thread was whenever a stall passes
:data:`STALL_MS` (the few longest, with their stacks and the CPU each thread used meanwhile), so a
benchmark can say what stalled it.
Nothing else changes. It costs about one wake-up every 5 ms, and the watcher's every 10 ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from types import FrameType
from typing import Any

PROBE_ENV = "FUNNELBOT_PROBE"
_TICK = 0.005
_KEEP_SECONDS = 1800
STALL_MS = 100.0  # a stall this long gets its stack noted (the benchmark's goal: each one that misses it is explained)
_KEEP_STALLS = 8
_FRESH_MS = 30.0  # the loop ticked this recently (it ticks every 5 ms, the watcher looks every 10)

_counts = {"fsyncs": 0, "replaces": 0}
_started: list[asyncio.Task[None]] = []


def _counting(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        _counts[name] += 1
        return real(*args, **kwargs)

    return counted


def start() -> None:
    """Start the probe if the environment asks for it (call from a running event loop, once)."""
    path = os.environ.get(PROBE_ENV)
    if not path or _started:
        return
    real_replace = os.replace
    os.fsync = _counting("fsyncs", os.fsync)
    os.replace = _counting("replaces", os.replace)
    watcher = _Watcher(threading.get_ident())
    threading.Thread(target=watcher.watch, name="probe-watcher", daemon=True).start()
    _started.append(asyncio.get_running_loop().create_task(_run(path, real_replace, watcher), name="probe"))


async def stop() -> None:
    """Stop the probe's task (at shutdown, so the loop doesn't close with it still pending)."""
    while _started:
        task = _started.pop()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class _Watcher:
    """From its own thread: where the loop's thread is while the loop has not ticked for a while.

    It also says what the CPU did meanwhile: how much the loop's own thread ran, and which other
    thread ran most. A stall with the loop's thread busy for most of it is the loop doing work (many
    callbacks in one round); one where another thread ran is the loop waiting for the interpreter
    lock; one where nothing in the process ran is the machine (or the disk) making it wait.
    """

    def __init__(self, loop_thread: int) -> None:
        self.loop_thread = loop_thread
        self.beat = time.monotonic()
        self.stalls: list[dict[str, Any]] = []  # the longest few: {"ms": ..., "stack": [...], ...}

    def watch(self) -> None:
        noted: dict[str, Any] | None = None
        before = _cpu_clocks()  # at the last tick without a stall
        while True:
            time.sleep(0.01)
            late = (time.monotonic() - self.beat) * 1000
            if late < _FRESH_MS:  # the loop just ticked: a stall from here on is measured from here
                before = _cpu_clocks()
            if late < STALL_MS:
                noted = None
                continue
            if noted is None:
                frame = sys._current_frames().get(self.loop_thread)
                noted = {"ms": late, "stack": _where(frame)}
                self.stalls.append(noted)
                self.stalls.sort(key=lambda stall: -float(stall["ms"]))
                del self.stalls[_KEEP_STALLS:]
            noted["ms"] = late  # the stall goes on: the same entry grows
            noted.update(_cpu_during(before, _cpu_clocks(), self.loop_thread))


def _cpu_clocks() -> dict[int | str, tuple[str, float]]:
    """CPU seconds so far of each thread of this process (by ident), and of the whole process."""
    clocks: dict[int | str, tuple[str, float]] = {
        "process": ("process", time.process_time()),
        "wall": ("wall", time.monotonic()),
    }
    for thread in threading.enumerate():
        if thread.ident is None:
            continue
        with contextlib.suppress(OSError, AttributeError):  # it ended meanwhile; no such clock here
            clocks[thread.ident] = (thread.name, time.clock_gettime(time.pthread_getcpuclockid(thread.ident)))
    return clocks


def _cpu_during(
    before: dict[int | str, tuple[str, float]], after: dict[int | str, tuple[str, float]], loop_thread: int
) -> dict[str, Any]:
    """The loop thread's, the whole process's and the busiest other thread's CPU ms between the two
    snapshots (``cpu_window_ms`` of wall time apart)."""

    def ran(key: int | str) -> float:
        if key not in after:
            return 0.0
        return max(0.0, (after[key][1] - before.get(key, (after[key][0], 0.0))[1]) * 1000)

    others = [(ran(key), after[key][0]) for key in after if key not in ("process", "wall", loop_thread)]
    busiest_ms, busiest = max(others, default=(0.0, ""))
    return {
        "cpu_window_ms": round(ran("wall"), 1),
        "loop_cpu_ms": round(ran(loop_thread), 1),
        "process_cpu_ms": round(ran("process"), 1),
        "busiest_other": busiest,
        "busiest_other_ms": round(busiest_ms, 1),
    }


def _where(frame: FrameType | None) -> list[str]:
    """The innermost frames, as file, line and function: no source lines (``linecache`` would keep
    every file it reads in memory for good, and the benchmark measures this process's memory)."""
    if frame is None:
        return []
    summary = traceback.StackSummary.extract(traceback.walk_stack(frame), limit=12, lookup_lines=False)
    return [f'File "{f.filename}", line {f.lineno}, in {f.name}' for f in reversed(summary)]


async def _run(path: str, replace: Callable[[str, str], None], watcher: _Watcher) -> None:
    loop = asyncio.get_running_loop()
    worst: dict[int, float] = {}  # wall-clock second -> longest stall (ms)
    gc_pauses: list[float] = []
    gc_started = [0.0]

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            gc_pauses.append((time.perf_counter() - gc_started[0]) * 1000)

    gc.callbacks.append(on_gc)
    written = loop.time()
    while True:
        before = loop.time()
        await asyncio.sleep(_TICK)
        watcher.beat = time.monotonic()
        lag = (loop.time() - before - _TICK) * 1000
        second = int(time.time())
        if lag > worst.get(second, 0.0):
            worst[second] = lag
        if loop.time() - written >= 0.5:
            written = loop.time()
            for old in [s for s in worst if s < second - _KEEP_SECONDS]:
                del worst[old]
            figures = {
                "worst_ms_by_second": worst,
                "fsyncs": _counts["fsyncs"],
                "replaces": _counts["replaces"],
                "gen2_pauses_ms": gc_pauses[-50:],
                "gen2_count": len(gc_pauses),
                "stalls": list(watcher.stalls),
                "switch_interval": sys.getswitchinterval(),
            }
            _write(path, figures, replace)


def _write(path: str, figures: dict[str, Any], replace: Callable[[str, str], None]) -> None:
    temp = f"{path}.tmp"
    with open(temp, "w", encoding="utf-8") as handle:
        json.dump(figures, handle)
    replace(temp, path)
