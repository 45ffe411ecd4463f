"""The gates (ALLOWED_USER_IDS, groups, forged taps) stop an update whatever Telegram answers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.faketelegram import FakeTelegram
from storage import Repository
from tests.conftest import ADA, BOB
from tests.faults import FAULTS, FaultyRequest
from tests.harness import FakeClock, Harness, text_of

GROUP_ID = -2002
GROUP = {"id": GROUP_ID, "type": "supergroup", "title": "Friends"}


@pytest.fixture
async def gated(settings: Settings, repo: Repository, tg: FakeTelegram, clock: FakeClock) -> AsyncIterator[Harness]:
    """The real app with ALLOWED_USER_IDS={ADA}, talking through a transport that can fail."""
    request = FaultyRequest(tg)
    app = build_application(
        replace(settings, allowed_user_ids=frozenset({ADA})), repo, request=request, clock=clock, rate_limiter=False
    )
    async with app:
        yield Harness(app=app, tg=tg, repo=repo, clock=clock)


def _faults(bot: Harness) -> FaultyRequest:
    request = bot.app.bot.request
    assert isinstance(request, FaultyRequest)
    return request


def _command(chat: dict, user: int, text: str, update_id: int) -> dict:  # type: ignore[type-arg]
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": chat,
            "from": {"id": user, "is_bot": False, "first_name": "Ada"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_stranger_stays_out_when_the_refusal_fails(gated: Harness, fault: str) -> None:
    """Whatever error meets the refusal, a stranger's /add stores nothing and gets no answer but it."""
    _faults(gated).arm(fault, "sendMessage", chat_id=BOB)
    replies = await gated.send(BOB, "/add Sneaky - Inc")
    assert all("Saved" not in text_of(m) for m in replies)
    assert gated.repo.get_profile(BOB) is None and gated.repo.list_applications(BOB) == []
    assert BOB not in gated.repo.user_ids()
    assert text_of((await gated.send(ADA, "/add Acme - SRE"))[0]).startswith("Saved as prospect #1")


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_strangers_tap_is_refused_when_the_answer_fails(gated: Harness, fault: str) -> None:
    """A stranger's button tap stops at the gate even when answering the query fails."""
    await gated.send(BOB, "/start")
    _faults(gated).arm(fault, "answerCallbackQuery")
    message = gated.tg.bot_messages(BOB)[-1]
    await gated.press(BOB, message.message_id, "app:adv:1:1", force=True)
    assert BOB not in gated.repo.user_ids()


@pytest.mark.parametrize("fault", FAULTS)
async def test_group_commands_get_only_the_pointer_when_it_fails(gated: Harness, fault: str) -> None:
    """In a group, /list /show /export are never answered, even when the pointer cannot be sent."""
    await gated.send(ADA, "/add Acme - SRE")
    await gated.send(ADA, "/note 1 private note about salary")
    _faults(gated).arm(fault, "sendMessage", chat_id=GROUP_ID)
    for n, text in enumerate(["/list", "/show 1", "/export", "/funnel"]):
        await gated.process(Update.de_json(_command(GROUP, ADA, text, 900_000_000 + n), gated.app.bot))
    to_group = [p for m, p in gated.tg.calls if m.startswith("send") and str(p.get("chat_id")) == str(GROUP["id"])]
    assert all("talk to me in a direct chat" in p["text"] for p in to_group)
    assert len(_faults(gated).injected) == 4  # the pointer was tried each time, and failed
    assert not any("salary" in str(p) for p in to_group)


async def test_the_gate_fails_closed_on_an_unexpected_error(
    gated: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug inside the gate (not a Telegram error) still stops the update and is reported."""
    from bot.handlers import common

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(common, "last_word", broken)
    caplog.set_level(logging.ERROR)
    await gated.send(BOB, "/add Sneaky - Inc")
    assert BOB not in gated.repo.user_ids()
    assert "update.failed" in caplog.text


async def test_a_forged_tap_on_another_chats_message_changes_nothing(bot: Harness) -> None:
    """A callback whose message sits in another chat is answered as expired and edits nothing."""
    await bot.send(ADA, "/add Acme - SRE")
    card = bot.tg.bot_messages(ADA)[-1]
    await bot.send(BOB, "/add Bobco - Dev")
    before = (card.text, card.edit_count)
    forged = {
        "update_id": 900_000_800,
        "callback_query": {
            "id": "forged-1",
            "from": {"id": BOB, "is_bot": False, "first_name": "Bob"},
            "message": card.to_dict(),
            "chat_instance": "1",
            "data": "app:adv:1:0",
        },
    }
    await bot.process(Update.de_json(forged, bot.app.bot))
    assert (card.text, card.edit_count) == before
    assert bot.repo.get_application(ADA, 1).stage.label == "Prospect"  # type: ignore[union-attr]
    assert bot.repo.get_application(BOB, 1).stage.label == "Prospect"  # type: ignore[union-attr]
    answers = [p for m, p in bot.tg.calls if m == "answerCallbackQuery" and p["callback_query_id"] == "forged-1"]
    assert answers and answers[0]["text"].startswith("This button has expired")
