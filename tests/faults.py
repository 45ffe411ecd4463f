"""A transport that puts Telegram's failures in front of the offline Telegram, for failure-path tests.

``FaultyRequest`` wraps the fake's in-process request. A test arms a fault for one Bot API method
(optionally only for one chat and only ``times`` times); the next matching call fails the way the
real network or Bot API would, either before the fake sees it or after the fake has carried it out
(the message was delivered, the answer is lost).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.faketelegram import FakeTelegram
from bot.faketelegram.request import FakeTelegramRequest

# What each fault looks like to PTB.
FAULTS = ("502", "403", "429", "dropped", "timeout", "400")


@dataclass
class Fault:
    kind: str
    method: str
    chat_id: int | None = None
    times: int = 1_000_000
    after_delivery: bool = False


def _json(status: int, description: str, **extra: Any) -> tuple[int, bytes]:
    return status, json.dumps({"ok": False, "error_code": status, "description": description, **extra}).encode()


def fail(kind: str, retry_after: float = 1) -> tuple[int, bytes]:
    """What the network or the Bot API does for ``kind``: an error answer, or an exception raised
    the way PTB's HTTPXRequest raises it (with the httpx cause, which the scheduler reads)."""
    if kind == "429":
        return _json(429, f"Too Many Requests: retry after {retry_after:g}", parameters={"retry_after": retry_after})
    if kind == "403":
        return _json(403, "Forbidden: bot was blocked by the user")
    if kind == "400":
        return _json(400, "Bad Request: can't parse entities")
    if kind == "500":
        return _json(500, "Internal Server Error")
    if kind == "502":
        return _json(502, "Bad Gateway")
    if kind == "502_html":  # a proxy in front of the Bot API answers with a page
        return 502, b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    if kind == "dropped":
        error = httpx.RemoteProtocolError("Server disconnected without sending a response.")
        raise NetworkError(f"httpx.RemoteProtocolError: {error}") from error
    if kind == "timeout":
        raise TimedOut from httpx.ReadTimeout("read timed out")
    if kind == "write_timeout":
        raise TimedOut from httpx.WriteTimeout("write timed out")
    if kind == "connect":
        raise NetworkError("httpx.ConnectError: [Errno 111] Connection refused") from httpx.ConnectError("refused")
    if kind == "connect_timeout":
        raise TimedOut from httpx.ConnectTimeout("connect timed out")
    if kind == "pool_timeout":
        raise TimedOut("Pool timeout: request was *not* sent") from httpx.PoolTimeout("pool timed out")
    raise ValueError(f"unknown fault {kind!r}")


class FaultyRequest(FakeTelegramRequest):
    """The offline Telegram, with armed faults in front of it."""

    def __init__(self, fake: FakeTelegram) -> None:
        super().__init__(fake)
        self.faults: list[Fault] = []
        self.injected: list[tuple[str, str]] = []

    def arm(
        self, kind: str, method: str, *, chat_id: int | None = None, times: int = 1_000_000, after: bool = False
    ) -> None:
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {FAULTS}")
        self.faults.append(Fault(kind, method, chat_id, times, after))

    def _match(self, method: str, params: dict[str, Any]) -> Fault | None:
        for fault in self.faults:
            chat_matches = fault.chat_id is None or str(params.get("chat_id")) == str(fault.chat_id)
            if fault.times > 0 and fault.method == method and chat_matches:
                fault.times -= 1
                return fault
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.json_parameters) if request_data is not None else {}
        fault = self._match(api_method, params)
        if fault is None:
            return await super().do_request(url, method, request_data)
        self.injected.append((api_method, fault.kind))
        if fault.after_delivery:
            await super().do_request(url, method, request_data)
        return fail(fault.kind)
