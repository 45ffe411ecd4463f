"""Bot API requests import nothing: a module looked up per request searches sys.path every time.

httpcore asks ``import sniffio`` whenever it sets up a connection lock. When sniffio is missing
(recent anyio releases no longer bring it along), that failing import walks every sys.path entry, stat'ing
each, on every request; on a disk busy with fsyncs the benchmark saw the loop stall 170-360 ms
there. sniffio is a declared dependency for that reason.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

import pytest
from telegram import Bot

from bot.faketelegram import FakeTelegram

pytest.importorskip("aiohttp")

from bot.faketelegram.server import serve  # after the skip: it needs aiohttp

TOKEN = "123456:TEST-imports"


class _Missed(importlib.abc.MetaPathFinder):
    """Last on sys.meta_path: sees only imports that every real finder failed to find."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        self.names.append(fullname)
        return None


async def test_bot_api_requests_look_up_no_module() -> None:
    tg = FakeTelegram(token=TOKEN)
    runner, base_url, _ = await serve(tg)
    missed = _Missed()
    try:
        async with Bot(TOKEN, base_url=f"{base_url}/bot") as bot:
            await bot.get_me()  # the first request may import what it needs, once
            sys.meta_path.append(missed)
            try:
                for _ in range(3):
                    await bot.get_me()
                    await bot.get_updates(timeout=0)
            finally:
                sys.meta_path.remove(missed)
    finally:
        await runner.cleanup()
    assert missed.names == []
