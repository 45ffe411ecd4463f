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


def _status(kind: str) -> tuple[int, bytes]:
    bodies = {
        "502": (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}),
        "403": (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}),
        "429": (
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            },
        ),
        "400": (400, {"ok": False, "error_code": 400, "description": "Bad Request: can't parse entities"}),
    }
    status, body = bodies[kind]
    return status, json.dumps(body).encode()


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
        if fault.kind == "dropped":
            raise NetworkError("httpx.RemoteProtocolError: Server disconnected without sending a response.")
        if fault.kind == "timeout":
            raise TimedOut("Timed out")
        return _status(fault.kind)
