"""An update's file writes run in a worker thread, and are on disk before it says anything.

Driven through the real app (with its SendLimiter, as deployed): what the user is told is checked
against what the file held at the moment the Bot API received it.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import os
import threading
from dataclasses import replace
from typing import Any

import pytest
from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.faketelegram import FakeTelegram
from bot.faketelegram.request import FakeTelegramRequest
from bot.ratelimit import SendLimiter
from storage import Repository
from tests.conftest import ADA, BOB
from tests.harness import FakeClock, FloodClock, Harness, text_of

ADMIN = 9009


def companies_on_disk(repo: Repository, user: int) -> list[str]:
    path = repo.users_dir / f"{user}.json"
    if not path.exists():
        return []
    data: dict[str, Any] = json.loads(path.read_text())
    return sorted(doc["company"] for doc in data.get("applications", {}).values())


async def test_the_saved_card_leaves_only_once_the_application_is_on_disk(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, list[str]]] = []
    real = FakeTelegramRequest.do_request

    async def watching(self: FakeTelegramRequest, url: str, method: str, request_data: Any = None, **kw: Any) -> Any:
        if request_data is not None and request_data.json_parameters.get("chat_id") == str(ADA):
            seen.append((url.rsplit("/", 1)[-1], companies_on_disk(bot.repo, ADA)))
        return await real(self, url, method, request_data, **kw)

    monkeypatch.setattr(FakeTelegramRequest, "do_request", watching)
    await bot.send(ADA, "/start")
    replies = await bot.send(ADA, "/add Acme - SRE")
    assert text_of(replies[0]).startswith("Saved as prospect #1")
    sends = [companies for method, companies in seen if method == "sendMessage"]
    assert sends[-1] == ["Acme"]  # on disk when "Saved" reached Telegram
    await bot.tap(ADA, "Applied")
    edits = [companies for method, companies in seen if method in ("editMessageText", "answerCallbackQuery")]
    assert edits and all(companies == ["Acme"] for companies in edits)
    data = json.loads((bot.repo.users_dir / f"{ADA}.json").read_text())
    assert [doc["stage"] for doc in data["applications"].values()] == [1]  # the tap's move is stored


async def test_another_user_is_answered_while_a_write_is_on_its_way(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bot.send(ADA, "/start")
    await bot.send(BOB, "/start")
    bob_answered = threading.Event()
    waited: list[bool] = []
    real_replace = os.replace
    real_request = FakeTelegramRequest.do_request

    def slow_replace(src: Any, dst: Any) -> None:
        if str(dst).endswith(f"{ADA}.json"):
            waited.append(bob_answered.wait(5))  # on the loop, Bob could not be answered meanwhile
        real_replace(src, dst)

    async def watching(self: FakeTelegramRequest, url: str, method: str, request_data: Any = None, **kw: Any) -> Any:
        answer = await real_request(self, url, method, request_data, **kw)
        if request_data is not None and request_data.json_parameters.get("chat_id") == str(BOB):
            bob_answered.set()
        return answer

    monkeypatch.setattr(os, "replace", slow_replace)
    monkeypatch.setattr(FakeTelegramRequest, "do_request", watching)
    bot.tg.send_text(ADA, "/add Acme - SRE")
    bot.tg.send_text(BOB, "/help")
    updates = [Update.de_json(data, bot.app.bot) for data in bot.tg.pop_updates()]
    await asyncio.gather(*(bot.process(update) for update in updates))
    assert waited == [True]
    assert text_of(bot.last(ADA)).startswith("Saved as prospect #1")
    assert companies_on_disk(bot.repo, ADA) == ["Acme"]


async def test_a_write_that_fails_says_not_saved_and_changes_nothing(
    settings: Settings,
    repo: Repository,
    tg: FakeTelegram,
    clock: FakeClock,
    flood_clock: FloodClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The deferred write fails (ENOSPC) as the reply is about to leave: the reply does not leave,
    the user is told nothing was saved, memory is the file again, and the operator hears of it."""
    limiter = SendLimiter(max_retries=3, clock=flood_clock, sleep=flood_clock.sleep)
    app = build_application(
        replace(settings, admin_chat_id=ADMIN), repo, request=tg.request(), clock=clock, rate_limiter=limiter
    )
    async with app:
        bot = Harness(app=app, tg=tg, repo=repo, clock=clock)
        await bot.send(ADMIN, "/start")
        await bot.send(ADA, "/start")
        await bot.send(ADA, "/add Acme - SRE")
        real_replace = os.replace

        def full(src: Any, dst: Any) -> None:
            if str(dst).endswith(f"{ADA}.json"):
                raise OSError(errno.ENOSPC, "No space left on device")
            real_replace(src, dst)

        monkeypatch.setattr(os, "replace", full)
        with caplog.at_level(logging.INFO):
            replies = await bot.send(ADA, "/add Beta - Dev")
        monkeypatch.setattr(os, "replace", real_replace)
        texts = [text_of(r) for r in replies]
        assert any("Nothing was changed" in t for t in texts) and not any(t.startswith("Saved") for t in texts)
        assert [a.company for a in repo.list_applications(ADA)] == ["Acme"]
        assert companies_on_disk(repo, ADA) == ["Acme"]
        assert any("cannot write its data" in text_of(m) for m in tg.bot_messages(ADMIN))
        replies = await bot.send(ADA, "/add Beta - Dev")
        assert text_of(replies[0]).startswith("Saved as prospect #2")
        assert companies_on_disk(repo, ADA) == ["Acme", "Beta"]
