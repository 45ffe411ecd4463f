"""A PTB transport that talks to a :class:`FakeTelegram` in-process.

Parameters go over as ``RequestData.json_parameters``, the strings PTB's HTTPXRequest would put in
a form, so in-process tests and the HTTP server exercise the same parsing. Uploads are read out of
the ``InputFile`` field tuples in ``multipart_data``.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from telegram.request import BaseRequest, RequestData

from bot.faketelegram.core import Upload

if TYPE_CHECKING:
    from telegram._utils.types import ODVInput

    from bot.faketelegram.core import FakeTelegram

__all__ = ["FakeTelegramRequest"]


def _read(content: Any) -> bytes:
    if isinstance(content, bytes):
        return content
    data = content.read()
    return data if isinstance(data, bytes) else bytes(data, "utf-8")


class FakeTelegramRequest(BaseRequest):
    """``BaseRequest`` whose every request is answered by a :class:`FakeTelegram`."""

    def __init__(self, fake: FakeTelegram, read_timeout: float = 5.0) -> None:
        self.fake = fake
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        # A real request always suspends the caller; so does this one, so that other tasks (other
        # users' updates, jobs) interleave with it as they would over the network.
        await asyncio.sleep(0)
        params: dict[str, Any] = {}
        files: dict[str, Upload] = {}
        if request_data is not None:
            params.update(request_data.json_parameters)
            for name, (filename, content, mime_type) in request_data.multipart_data.items():
                files[name] = Upload(filename, _read(content), mime_type)
        status, body, _ = await self.fake.handle_path(unquote(urlsplit(url).path), params, files)
        return status, body
