"""The benchmark's loop probe: a stall is noted with where the loop's thread was, and nothing more."""

from __future__ import annotations

import linecache
import threading
import time

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
