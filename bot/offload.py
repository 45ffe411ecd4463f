"""Keeping heavy work off the event loop, and the garbage collector out of its way.

Charts are drawn (:func:`draw`) and CSV parsing, checking and export run (:func:`run`,
:func:`batches`) in worker threads. The warm-up after start-up imports matplotlib in a thread (so the
first /chart doesn't pay for it), then moves every object that exists at that point (modules, the
storage index, PTB's machinery) out of the collector's reach with ``gc.freeze()``: a full collection
then walks only what was made since, so its pauses stay shorter.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
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
        await asyncio.to_thread(_import_heavy)
    except ImportError as error:  # charts then fail on their own, with their own message
        logger.warning("offload.warm_up_failed error=%s", error)
    gc.collect()
    gc.freeze()
    logger.info("offload.warmed seconds=%.2f frozen=%s", time.perf_counter() - started, gc.get_freeze_count())


async def draw(func: Callable[P, bytes], *args: P.args, **kwargs: P.kwargs) -> bytes:
    """Render a chart (``bot.charts``) in a worker thread.

    Known limit: matplotlib's drawing is C++ that holds the interpreter lock, so a big chart still
    stalls the event loop while it draws (a worker process would not; see the README's Performance).
    """
    return await asyncio.to_thread(func, *args, **kwargs)


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
