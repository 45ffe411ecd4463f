"""Simulated users: what they can do, and updates that PTB reads like Telegram's."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Bot, Update
from telegram.constants import MessageEntityType

from bot.faketelegram import FakeTelegram, FakeUsageError

USER = 42
KEYBOARD = {
    "inline_keyboard": [
        [{"text": "Applied ✓", "callback_data": "app:stage:7:applied"}],
        [
            {"text": "Rejected", "callback_data": "app:stage:7:rejected"},
            {"text": "Job ad", "url": "https://example.com/job/7"},
        ],
    ]
}


async def send(fake: FakeTelegram, text: str = "Pick a stage", **params: Any) -> dict[str, Any]:
    result: dict[str, Any] = await fake.call("sendMessage", chat_id=USER, text=text, **params)
    return result


def test_send_text_marks_commands_and_links(fake: FakeTelegram) -> None:
    """A leading /command (also /command@bot) and URLs get the entities Telegram adds."""
    message = fake.send_text(USER, "/add@funnelbot_test https://jobs.example.com/1")["message"]
    assert message["entities"] == [
        {"type": "bot_command", "offset": 0, "length": 19},
        {"type": "url", "offset": 20, "length": 26},
    ]
    assert message["chat"] == {"id": USER, "type": "private", "first_name": "Ada"}


async def test_updates_round_trip_through_ptb(fake: FakeTelegram, bot: Bot) -> None:
    """Message, callback_query and my_chat_member updates all parse with Update.de_json."""
    sent = await send(fake, reply_markup=KEYBOARD)
    raw = [
        fake.send_text(USER, "/start", first_name="Grace"),
        fake.press(USER, sent["message_id"], "app:stage:7:rejected"),
        fake.block(USER),
    ]
    updates = [Update.de_json(u, bot) for u in raw]
    assert updates[0].message is not None
    assert updates[0].message.entities[0].type == MessageEntityType.BOT_COMMAND
    assert updates[0].effective_user is not None
    assert updates[0].effective_user.first_name == "Grace"
    query = updates[1].callback_query
    assert query is not None and query.data == "app:stage:7:rejected"
    assert query.message is not None and query.message.message_id == sent["message_id"]
    assert updates[2].my_chat_member is not None
    assert updates[2].my_chat_member.new_chat_member.status == "kicked"
    assert [u.update_id for u in updates] == sorted(u.update_id for u in updates)


async def test_press_requires_a_button_that_exists(fake: FakeTelegram) -> None:
    """Users press only buttons they see; force=True forges callback data."""
    sent = await send(fake, reply_markup=KEYBOARD)
    with pytest.raises(FakeUsageError, match="no button with callback_data 'app:stage:7:hired'"):
        fake.press(USER, sent["message_id"], "app:stage:7:hired")
    forged = fake.press(USER, sent["message_id"], "app:stage:7:hired", force=True)
    assert forged["callback_query"]["data"] == "app:stage:7:hired"


async def test_press_button_finds_newest_message_with_label(fake: FakeTelegram) -> None:
    """press_button presses the labelled button on the newest bot message offering it."""
    await send(fake, reply_markup=KEYBOARD)
    newest = await send(fake, "Again", reply_markup=KEYBOARD)
    update = fake.press_button(USER, "Applied")
    assert update["callback_query"]["message"]["message_id"] == newest["message_id"]
    assert update["callback_query"]["data"] == "app:stage:7:applied"


async def test_press_button_miss_lists_buttons_on_offer(fake: FakeTelegram) -> None:
    """A label nobody shows raises, listing the buttons that are there."""
    await send(fake, reply_markup=KEYBOARD)
    with pytest.raises(FakeUsageError, match=r"buttons on offer: \['Applied ✓', 'Rejected'"):
        fake.press_button(USER, "Hired")
    with pytest.raises(FakeUsageError, match="not a callback button"):
        fake.press_button(USER, "Job ad")


def test_send_document_is_served_by_get_file(fake: FakeTelegram) -> None:
    """A document the user sends can be fetched with getFile and downloaded."""
    update = fake.send_document(USER, "apps.csv", b"company\nACME\n", caption="my list")
    document = update["message"]["document"]
    assert (document["file_name"], document["mime_type"]) == ("apps.csv", "text/csv")

    async def fetch() -> bytes | None:
        info = await fake.call("getFile", file_id=document["file_id"])
        return fake.download(info["file_path"])

    assert asyncio.run(fetch()) == b"company\nACME\n"


def test_fake_built_outside_a_loop_long_polls_in_one(clock: Any) -> None:
    """Nothing loop-bound is created early: a fake made in sync code works under asyncio.run."""
    fake = FakeTelegram(clock=clock)
    fake.send_text(USER, "/start")

    async def poll() -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await fake.call("getUpdates", timeout=1)
        return result

    assert len(asyncio.run(poll())) == 1


async def test_blocked_user_writing_again_unblocks(fake: FakeTelegram) -> None:
    """A blocked user who writes has pressed "Restart": the bot may answer again."""
    fake.block(USER)
    fake.send_text(USER, "/start")
    assert not fake.is_blocked(USER)
    kinds = [next(k for k in u if k != "update_id") for u in fake.pop_updates()]
    assert kinds == ["my_chat_member", "my_chat_member", "message"]
    await send(fake, "Welcome back")


async def test_messages_show_the_chat_in_order(fake: FakeTelegram) -> None:
    """messages() interleaves both sides; deleted ones are hidden unless asked for."""
    fake.send_text(USER, "hi")
    sent = await send(fake, "<b>Hello</b>, Ada", parse_mode="HTML", reply_markup=KEYBOARD)
    await fake.call("deleteMessage", chat_id=USER, message_id=1)
    texts = [(m.from_bot, m.text) for m in fake.messages(USER)]
    assert texts == [(False, "hi"), (True, "Hello, Ada")]
    last = fake.last_bot_message(USER)
    assert (last.message_id, last.html) == (sent["message_id"], "<b>Hello</b>, Ada")
    assert last.buttons == [
        [("Applied ✓", "app:stage:7:applied")],
        [("Rejected", "app:stage:7:rejected"), ("Job ad", "https://example.com/job/7")],
    ]
    assert len(fake.messages(USER, include_deleted=True)) == 3


def test_pop_updates_takes_everything_queued(fake: FakeTelegram) -> None:
    """pop_updates drains the queue, so getUpdates has nothing left."""
    fake.send_text(USER, "one")
    fake.send_text(USER, "two")
    assert [u["message"]["text"] for u in fake.pop_updates()] == ["one", "two"]
    assert fake.pop_updates() == []
