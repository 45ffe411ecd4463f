"""The benchmark's loop probe: a stall is noted with where the loop's thread was and what ran meanwhile."""

from __future__ import annotations

import linecache
import threading
import time
from collections.abc import Callable

from bot import probe


def _stalled_here(seconds: float) -> None:
    time.sleep(seconds)  # the "loop" thread doesn't beat meanwhile


def test_a_stall_is_noted_with_the_stalled_frame_innermost_and_no_source_read() -> None:
    watcher = probe._Watcher(threading.get_ident())
    threading.Thread(target=watcher.watch, name="probe-watcher-test", daemon=True).start()
    linecache.clearcache()
    watcher.beat = time.monotonic()
    _stalled_here((probe.STALL_MS + 150) / 1000)
    watcher.beat = time.monotonic() + 3600  # stop noting (the thread is a daemon)

    assert watcher.stalls, "a stall longer than STALL_MS was not noted"
    stall = watcher.stalls[0]
    assert float(stall["ms"]) >= probe.STALL_MS
    assert stall["stack"][-1].endswith("in _stalled_here"), stall["stack"]
    assert __file__ in stall["stack"][-1]
    # Source lines are never looked up: the probe must not grow the memory the benchmark measures.
    assert __file__ not in linecache.cache


def _watched_stall(during: Callable[[], None]) -> dict[str, object]:
    """Run ``during`` on this thread (standing for the loop's) while the watcher sees no beat."""
    watcher = probe._Watcher(threading.get_ident())
    threading.Thread(target=watcher.watch, name="probe-watcher-test", daemon=True).start()
    watcher.beat = time.monotonic()
    time.sleep(0.05)  # the watcher takes its "loop just ticked" CPU snapshot
    watcher.beat = time.monotonic()
    during()
    watcher.beat = time.monotonic() + 3600
    assert watcher.stalls, "a stall longer than STALL_MS was not noted"
    return watcher.stalls[0]


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sum(range(1000))


def test_a_stall_where_the_loop_thread_itself_ran_says_so() -> None:
    """Busy in its own callbacks: the loop thread's CPU, not another thread's, fills the stall."""
    stall = _watched_stall(lambda: _spin((probe.STALL_MS + 200) / 1000))

    assert float(stall["cpu_window_ms"]) >= probe.STALL_MS  # type: ignore[arg-type]
    assert float(stall["loop_cpu_ms"]) > 2 * float(stall["busiest_other_ms"]), stall  # type: ignore[arg-type]


def test_a_stall_where_another_thread_ran_names_that_thread() -> None:
    """The loop thread waits (here: sleeps) while a worker burns CPU: the worker is named."""
    stop = threading.Event()

    def burn() -> None:
        while not stop.is_set():
            sum(range(1000))

    worker = threading.Thread(target=burn, name="busy-worker", daemon=True)
    worker.start()
    try:
        stall = _watched_stall(lambda: time.sleep((probe.STALL_MS + 200) / 1000))
    finally:
        stop.set()
        worker.join()

    assert stall["busiest_other"] == "busy-worker", stall
    assert float(stall["busiest_other_ms"]) > 2 * float(stall["loop_cpu_ms"]), stall  # type: ignore[arg-type]
