"""Keeping heavy work off the event loop, and the garbage collector out of its way.

Charts are drawn in a worker process (:func:`draw`); CSV parsing, checking and export run in worker
threads (:func:`run`, :func:`batches`). The warm-up after start-up starts the drawing process (so the
first /chart doesn't pay for importing matplotlib), then moves every object that exists at that
point (modules, the storage index, PTB's machinery) out of the collector's reach with
``gc.freeze()``: a full collection then walks only what was made since, so its pauses stay short.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import importlib
import logging
import multiprocessing
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import ParamSpec, TypeVar, cast

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

HEAVY_MODULES = ("matplotlib.figure", "matplotlib.backends.backend_agg", "matplotlib.lines", "PIL.Image")


def _import_heavy() -> None:
    for name in HEAVY_MODULES:
        importlib.import_module(name)


async def warm_up() -> None:
    """Import the chart libraries in a thread, then freeze the start-up heap (see the module doc)."""
    started = time.perf_counter()
    try:
        await asyncio.to_thread(_start_chart_process)
    except (ImportError, BrokenProcessPool, OSError) as error:  # charts then fail on their own, with their own message
        logger.warning("offload.warm_up_failed error=%s", error)
    gc.collect()
    gc.freeze()
    logger.info("offload.warmed seconds=%.2f frozen=%s", time.perf_counter() - started, gc.get_freeze_count())


_charts: ProcessPoolExecutor | None = None


def _chart_process() -> ProcessPoolExecutor:
    """One worker process for drawing (spawned, so it shares no threads or locks with this one)."""
    global _charts
    if _charts is None:
        _charts = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _charts


async def draw(func: Callable[P, bytes], *args: P.args, **kwargs: P.kwargs) -> bytes:
    """Render a chart (``bot.charts``) in a worker process.

    matplotlib's drawing is C++ that holds the interpreter lock, so in a thread it would still stall
    the event loop for a second or more; in a process it can't. If the process can't be used (it
    died, or processes are unavailable), the chart is drawn in a thread instead.
    """
    global _charts
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_chart_process(), functools.partial(func, *args, **kwargs))
    except (BrokenProcessPool, OSError) as error:
        logger.warning("offload.chart_process_failed error=%s: drawing in a thread", type(error).__name__)
        _charts = None
        return await asyncio.to_thread(func, *args, **kwargs)


def _start_chart_process() -> None:
    """Start the drawing process and import matplotlib there (at warm-up, not on the first /chart)."""
    _chart_process().submit(_import_heavy).result()


def shutdown() -> None:
    """Stop the drawing process (at shutdown)."""
    global _charts
    if _charts is not None:
        _charts.shutdown(wait=False, cancel_futures=True)
        _charts = None


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
