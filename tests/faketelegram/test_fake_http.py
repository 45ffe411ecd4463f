"""The fake served over HTTP on 127.0.0.1, driven by PTB's own HTTPXRequest."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, InvalidToken

from bot.faketelegram import FakeTelegram
from bot.faketelegram.server import serve

USER = 42
KEYBOARD = {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}


@pytest.fixture
async def served(fake: FakeTelegram) -> AsyncIterator[tuple[web.AppRunner, str, str]]:
    """The fake served on a free port: (runner, base_url, base_file_url)."""
    runner, base_url, base_file_url = await serve(fake)
    try:
        yield runner, base_url, base_file_url
    finally:
        await runner.cleanup()


async def test_http_end_to_end_with_ptb(fake: FakeTelegram, served: tuple[web.AppRunner, str, str]) -> None:
    """getMe, HTML+keyboard send, upload, user-file download and a woken long poll over HTTP."""
    _, base_url, base_file_url = served
    assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/bot")
    async with Bot(fake.token, base_url=base_url, base_file_url=base_file_url) as bot:
        assert bot.username == "funnelbot_test"

        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Applied", callback_data="s:a")]])
        sent = await bot.send_message(USER, "<i>ACME</i> &amp; co", parse_mode="HTML", reply_markup=markup)
        assert (sent.text, sent.reply_markup) == ("ACME & co", markup)

        document = await bot.send_document(USER, document=b"a,b\n1,2\n", filename="export.csv", caption="Your export")
        assert fake.last_bot_message(USER).document == ("export.csv", b"a,b\n1,2\n")
        assert document.caption == "Your export"

        fake.send_document(USER, "apps.csv", b"company\nACME\n")
        updates = await bot.get_updates(timeout=0)
        user_document = updates[-1].message.document if updates[-1].message else None
        assert user_document is not None
        buffer = io.BytesIO()
        await (await user_document.get_file()).download_to_memory(buffer)
        assert buffer.getvalue() == b"company\nACME\n"

        async def user_writes_later() -> None:
            await asyncio.sleep(0.02)
            fake.send_text(USER, "Applied to Initech")

        writer = asyncio.create_task(user_writes_later())
        polled = await asyncio.wait_for(bot.get_updates(offset=updates[-1].update_id + 1, timeout=10), 5)
        await writer
        assert [u.message.text for u in polled if u.message] == ["Applied to Initech"]

        with pytest.raises(BadRequest, match="Message text is empty"):
            await bot.send_message(USER, "")
    assert fake.errors == [("sendMessage", "Bad Request: message text is empty")]


async def test_http_wrong_token_is_unauthorized(fake: FakeTelegram, served: tuple[web.AppRunner, str, str]) -> None:
    """A bot with another token gets 401, which PTB reports as InvalidToken."""
    _, base_url, base_file_url = served
    bot = Bot("999:OTHER", base_url=base_url, base_file_url=base_file_url)
    with pytest.raises(InvalidToken):
        await bot.initialize()
    await bot.shutdown()


async def test_http_cleanup_releases_a_long_poll(fake: FakeTelegram) -> None:
    """Stopping the server ends a pending long poll at once instead of after its timeout."""
    runner, base_url, base_file_url = await serve(fake)
    async with Bot(fake.token, base_url=base_url, base_file_url=base_file_url) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30, read_timeout=40))
        await asyncio.sleep(0.05)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await runner.cleanup()
        assert await asyncio.wait_for(poll, 2) == ()
        assert loop.time() - started < 2


async def test_http_accepts_json_bodies_and_query_strings(
    fake: FakeTelegram, served: tuple[web.AppRunner, str, str]
) -> None:
    """Besides PTB's forms, JSON bodies and GET query strings work as on Telegram."""
    _, base_url, _ = served
    api = f"{base_url}{fake.token}"
    async with aiohttp.ClientSession() as session:
        payload = {"chat_id": USER, "text": "<b>Hi</b>", "parse_mode": "HTML", "reply_markup": KEYBOARD}
        async with session.post(f"{api}/sendMessage", json=payload) as response:
            sent = await response.json()
        assert (response.status, sent["result"]["reply_markup"]) == (200, KEYBOARD)
        async with session.get(f"{api}/getFile", params={"file_id": "nope"}) as response:
            refused = await response.json()
        assert (response.status, refused["description"]) == (400, "Bad Request: invalid file_id")
        async with session.get(f"{api}/getChatMenuButtons") as response:
            assert response.status == 404


def test_package_import_does_not_need_aiohttp() -> None:
    """Importing bot.faketelegram (not .server) leaves aiohttp, a test-only dependency, alone."""
    code = "import sys, bot.faketelegram; assert 'aiohttp' not in sys.modules, 'aiohttp imported'"
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True, timeout=60)
