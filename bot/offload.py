"""Keeping heavy work off the event loop, and the garbage collector out of its way.

Charts are drawn in a worker process (:func:`draw`): matplotlib's drawing is C++ that holds the
interpreter lock, so in a thread a big chart would stall every other user's reply for most of a
second. CSV parsing, checking and export run in worker threads (:func:`run`, :func:`batches`).

The warm-up after start-up starts the drawing process and imports matplotlib there (so the first
/chart doesn't pay for it), then moves every object that exists at that point (modules, the storage
index, PTB's machinery) out of the collector's reach with ``gc.freeze()``: a full collection then
walks only what was made since, so its pauses stay shorter.

The drawing process must never outlive the bot, nor hold its output open: a supervisor (or a test)
that kills the bot with SIGKILL waits for its stdout and stderr to close. So the process is spawned
(it shares no threads or locks with the bot), sends its own output to /dev/null, and dies with the
bot (see :func:`_init_worker`). Call :func:`shutdown` when the bot stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import functools
import gc
import importlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ParamSpec, TypeVar, cast

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

HEAVY_MODULES = ("matplotlib.figure", "matplotlib.backends.backend_agg", "matplotlib.lines", "PIL.Image")
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCH_EVERY = 1.0  # seconds between the fallback watchdog's looks at the parent, where prctl is missing

SWITCH_INTERVAL = 0.001
"""Seconds a thread may hold the interpreter lock while another waits for it (Python's default: 5 ms).

The event loop's thread makes many short system calls (sockets, epoll), and gives the lock up at each
one; while a worker thread is parsing a user's file or checking a CSV, every one of them then costs
up to the whole interval to get the lock back. The benchmark caught a 110 ms stall in which the
loop's thread ran 2 ms and a reader thread 105. At 1 ms the loop waits a fifth as long each time."""

DRAWING_NICENESS = 10
"""How much the drawing process defers to others for the CPU (``nice``). A /chart of 500
applications is most of a second of CPU; on a 2-core server, while it draws, the bot's event loop,
its worker threads and a local Bot API server share the other core. Drawing at niceness 10 gives
way to them (a chart takes a little longer when the machine is busy) instead of slowing every
other user's reply."""

M_ARENA_MAX = -8  # <malloc.h>
MALLOC_ARENAS = 2
"""glibc's malloc arenas, at most (its default is 8 per core). Each worker thread that allocates
(file reads, CSV checks, fsync'd writes) gets an arena of its own, and memory freed into one is
kept for that arena: on the benchmark's seed, reading a 5,000-application user a few times over
took RSS 20 MB higher than with 2 arenas. Setting ``MALLOC_ARENA_MAX`` in the environment
overrides this."""

M_MMAP_THRESHOLD = -3  # <malloc.h>
MMAP_THRESHOLD = 128 * 1024
"""Blocks from this size up get pages of their own, handed back to the system when freed (glibc
starts at this value; setting it stops glibc from moving it). Left alone, glibc raises the threshold
to the size of each such block freed, up to 32 MB: after one big user's file or one big CSV, the
medium blocks that come and go all day (a full getUpdates batch, a big user's file and its encoded
copy) came from the heap instead, where one small object allocated next to them keeps their memory
from going back. On the benchmark's seed, 20,000 button taps after a /chart and a 5,000-row /import
took RSS from 127 to 151 MB; with the threshold fixed, from 121 to 119. ``MALLOC_MMAP_THRESHOLD_``
or ``MALLOC_TRIM_THRESHOLD_`` in the environment (or either in ``GLIBC_TUNABLES``) overrides this."""

_pool: ProcessPoolExecutor | None = None


def favour_the_event_loop() -> None:
    """Set :data:`SWITCH_INTERVAL` for this process, cap glibc's malloc arenas
    (:data:`MALLOC_ARENAS`) and fix its mmap threshold (:data:`MMAP_THRESHOLD`); ``funnelbot run``
    does this at start, before any thread exists."""
    sys.setswitchinterval(SWITCH_INTERVAL)
    limit_malloc_arenas()
    fix_mmap_threshold()


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas; False where there is no glibc ``mallopt``, or when the operator
    set ``MALLOC_ARENA_MAX`` or its tunable (glibc has then read it already, and it wins)."""
    return _mallopt(M_ARENA_MAX, arenas, ("MALLOC_ARENA_MAX",), ("glibc.malloc.arena_max",))


def fix_mmap_threshold(threshold: int = MMAP_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold; False where there is no glibc ``mallopt``, or when the operator
    set it or the trim threshold (either stops glibc moving it, and theirs wins)."""
    return _mallopt(
        M_MMAP_THRESHOLD,
        threshold,
        ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"),
        ("glibc.malloc.mmap_threshold", "glibc.malloc.trim_threshold"),
    )


def _mallopt(option: int, value: int, variables: tuple[str, ...], tunables: tuple[str, ...]) -> bool:
    """glibc's ``mallopt(option, value)``, unless the operator chose already: one of ``variables``
    is in the environment, or one of ``tunables`` in ``GLIBC_TUNABLES``; True if it was set."""
    chosen = os.environ.get("GLIBC_TUNABLES", "")
    if any(os.environ.get(name) for name in variables) or any(name in chosen for name in tunables):
        return False
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt to speak of)
        return False
    return int(mallopt(option, value)) == 1


def _import_heavy() -> None:
    for name in HEAVY_MODULES:
        importlib.import_module(name)


async def warm_up(*others: asyncio.Future[Any]) -> None:
    """Start the drawing process and import the chart libraries there, then freeze the start-up heap.

    ``others`` are start-up tasks that build long-lived data (the city index): the freeze waits for
    them, so what they keep is out of the collector's way too. Their own failures are theirs.
    """
    started = time.perf_counter()
    try:
        await _in_process(_import_heavy)
    except ImportError as error:  # charts then fail on their own, with their own message
        logger.warning("offload.warm_up_failed error=%s", error)
    except (BrokenProcessPool, OSError) as error:  # the first /chart tries a fresh process
        logger.warning("offload.warm_up_failed error=%s", type(error).__name__)
        _discard()
    if others:
        await asyncio.wait(others)
    gc.collect()
    gc.freeze()
    logger.info("offload.warmed seconds=%.2f frozen=%s", time.perf_counter() - started, gc.get_freeze_count())


async def draw(func: Callable[P, bytes], *args: P.args, **kwargs: P.kwargs) -> bytes:
    """Render a chart (``bot.charts``) in the drawing process; the event loop keeps serving others.

    ``func`` and its arguments travel by pickle: a module-level function and plain data. If the
    process can't be used (it died, or processes can't be started), the chart is drawn in a thread
    instead (the old way, which stalls the loop while it draws), and the next chart tries a fresh
    process.
    """
    job = functools.partial(func, *args, **kwargs)
    try:
        return await _in_process(job)
    except (BrokenProcessPool, OSError) as error:
        logger.warning("offload.chart_process_failed error=%s: drawing in a thread", type(error).__name__)
        _discard()
        return await asyncio.to_thread(job)


def shutdown() -> None:
    """Stop the drawing process (from the application's post_shutdown); fine when there is none.

    Doesn't wait: queued charts are cancelled and the process exits once it is idle. A chart it is
    drawing at that moment is finished first (under a second), and the interpreter's exit waits
    for that.
    """
    _discard()


async def run(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run pure, CPU-heavy work (CSV parsing and checking, export) in a worker thread.

    The event loop keeps serving other users meanwhile; the caller's user lock stays held, so the
    user's own updates still wait their turn. ``func`` must not touch the repository.
    """
    return await asyncio.to_thread(func, *args, **kwargs)


async def batches(steps: Iterator[T]) -> AsyncIterator[T]:
    """Advance a generator of batches (``CsvImport.check``) one step at a time in a worker thread."""
    while True:
        step = await asyncio.to_thread(next, steps, _DONE)
        if step is _DONE:
            return
        yield cast(T, step)


_DONE = object()


# -- the drawing process (bot side) -----------------------------------------------------------


async def _in_process(job: Callable[[], T]) -> T:
    """Run ``job`` in the drawing process, started on first use.

    Submitted from the event loop's thread on purpose: the pool starts its process inside
    ``submit``, and Linux sends the parent-death signal when the *thread* that started a child
    ends, so the starting thread has to live as long as the bot (a pool thread might not). Starting
    is a fork and exec (milliseconds); the child's imports then happen in the child.
    """
    future: Future[T] = _chart_pool().submit(job)
    return await asyncio.wrap_future(future)


def _chart_pool() -> ProcessPoolExecutor:
    """One spawned worker process for drawing (no ``max_tasks_per_child``: that would restart the
    process from the pool's own thread)."""
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(os.getpid(),),
        )
    return _pool


def _discard() -> None:
    """Let go of the pool (broken, or at shutdown) without waiting; the next chart starts a fresh one."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


# -- the drawing process (worker side) --------------------------------------------------------


def _init_worker(parent: int) -> None:
    """In the worker, before its first job: die with the bot and let go of the bot's output."""
    if not _die_with_parent():
        threading.Thread(target=_watch, args=(parent,), name="offload-watchdog", daemon=True).start()
    if os.getppid() != parent:  # the bot died before the line above could arrange anything
        os._exit(0)
    # stdin, stdout and stderr are the bot's (a terminal, a pipe, the journal); a worker holding
    # them would keep a supervisor waiting for them to close. Errors come back through the future.
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    if null > 2:
        os.close(null)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in a terminal is for the bot; it stops us
    with contextlib.suppress(OSError):  # not allowed here: then it draws at the bot's priority
        os.nice(DRAWING_NICENESS)


def _die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when the bot dies, however it dies (False where it can't)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)) == 0
    except (OSError, AttributeError):  # no libc symbols to find, or no prctl among them
        return False


def _watch(parent: int) -> None:
    """Where prctl is missing: exit within a second or so of the bot dying (we are re-parented)."""
    while os.getppid() == parent:
        time.sleep(WATCH_EVERY)
    os._exit(0)
