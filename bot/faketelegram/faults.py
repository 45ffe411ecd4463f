"""Fault injection for the fake Telegram served over HTTP (``serve(fake, faults=plan)``).

A :class:`FaultPlan` holds rules; each rule names a fault, and optionally the API method and the
chat it hits, the fraction of matching calls it hits (seeded, so a run can be replayed) and how
many times it may fire. The server asks the plan about every call before the fake sees it:

* ``FAIL_BEFORE``: answer 502 Bad Gateway; the fake never sees the call (nothing delivered).
* ``FAIL_AFTER``: let the fake process the call (a message IS stored), then answer 502.
* ``DROP_BEFORE`` / ``DROP_AFTER``: close the connection without an answer, before or after the
  fake processed the call.
* ``DELAY``: process the call, then hold the answer back ``seconds`` (a slow reply; longer than
  the client's read timeout, it is a timeout after delivery).
* ``RETRY_AFTER``: answer 429 with ``retry_after=seconds`` (Telegram promises nothing was done).
* ``FORBIDDEN``: answer 403 "bot was blocked by the user" without processing.

Only the HTTP server applies a plan; the in-process ``FakeTelegramRequest`` never fails.
"""

from __future__ import annotations

import asyncio
import enum
import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["Fault", "FaultKind", "FaultPlan", "Injected", "respond"]

Process = Callable[[], Awaitable[tuple[int, bytes, str]]]


class FaultKind(enum.StrEnum):
    FAIL_BEFORE = "502-before"
    FAIL_AFTER = "502-after"
    DROP_BEFORE = "drop-before"
    DROP_AFTER = "drop-after"
    DELAY = "delay"
    RETRY_AFTER = "429"
    FORBIDDEN = "403"

    @property
    def processes(self) -> bool:
        """Whether the fake handles the call (so a send is delivered) despite the fault."""
        return self in (FaultKind.FAIL_AFTER, FaultKind.DROP_AFTER, FaultKind.DELAY)


@dataclass
class Fault:
    """One rule: ``kind`` for calls to ``method`` (any if None) in ``chat_id`` (any if None)."""

    kind: FaultKind
    method: str | None = None
    chat_id: int | None = None
    rate: float = 1.0
    times: int | None = None
    seconds: float = 1.0
    hits: int = 0

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id


@dataclass(frozen=True)
class Injected:
    """A fault that fired: when (loop time), on which call, and which rule."""

    at: float
    method: str
    chat_id: int | None
    fault: Fault


@dataclass
class FaultPlan:
    """Rules checked in the order they were added; the first that matches (and rolls) fires."""

    seed: int = 0
    rules: list[Fault] = field(default_factory=list)
    injected: list[Injected] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def add(
        self,
        kind: FaultKind,
        *,
        method: str | None = None,
        chat_id: int | None = None,
        rate: float = 1.0,
        times: int | None = None,
        seconds: float = 1.0,
    ) -> Fault:
        rule = Fault(kind, method, chat_id, rate, times, seconds)
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()

    def pick(self, method: str, chat_id: int | None) -> Fault | None:
        """The fault for this call, if any (counts it as fired)."""
        for rule in self.rules:
            if not rule.matches(method, chat_id):
                continue
            if rule.rate < 1.0 and self._random.random() >= rule.rate:
                continue
            rule.hits += 1
            self.injected.append(Injected(asyncio.get_running_loop().time(), method, chat_id, rule))
            return rule
        return None


def chat_of(params: dict[str, Any]) -> int | None:
    raw = params.get("chat_id")
    try:
        return int(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None


def _body(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.Response(status=status, body=json.dumps(body), content_type="application/json")


def _drop(request: web.Request) -> web.Response:
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=502)  # never reaches the client: the socket is gone


async def respond(request: web.Request, fault: Fault | None, process: Process) -> web.Response:
    """Answer one HTTP call through ``fault`` (None: normally)."""
    kind = fault.kind if fault is not None else None
    if kind == FaultKind.FAIL_BEFORE:
        return _body(502, "Bad Gateway")
    if kind == FaultKind.DROP_BEFORE:
        return _drop(request)
    if kind == FaultKind.RETRY_AFTER:
        seconds = max(1, round(fault.seconds)) if fault is not None else 1
        return _body(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})
    if kind == FaultKind.FORBIDDEN:
        return _body(403, "Forbidden: bot was blocked by the user")
    status, payload, content_type = await process()
    if kind == FaultKind.FAIL_AFTER:
        return _body(502, "Bad Gateway")
    if kind == FaultKind.DROP_AFTER:
        return _drop(request)
    if kind == FaultKind.DELAY and fault is not None:
        await asyncio.sleep(fault.seconds)
    return web.Response(status=status, body=payload, content_type=content_type)
