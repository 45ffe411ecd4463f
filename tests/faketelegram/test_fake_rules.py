"""Each Bot API rule the fake enforces: rejected like Telegram rejects, accepted like it accepts."""

from __future__ import annotations

import asyncio
import json
import struct
import zlib
from typing import Any

import pytest

from bot.faketelegram import FakeApiError, FakeTelegram, FloodLimits, Upload

USER = 42
KEYBOARD = {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}


def png(width: int = 4, height: int = 3) -> bytes:
    """A minimal valid PNG header (enough for Telegram-style sniffing)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


async def refused(fake: FakeTelegram, method: str, **params: Any) -> FakeApiError:
    with pytest.raises(FakeApiError) as caught:
        await fake.call(method, **params)
    return caught.value


async def send(fake: FakeTelegram, text: str = "hi", **params: Any) -> dict[str, Any]:
    result: dict[str, Any] = await fake.call("sendMessage", chat_id=USER, text=text, **params)
    return result


# ------------------------------------------------------------------ text


async def test_send_message_empty_text_rejected(fake: FakeTelegram) -> None:
    """A missing or empty text is "message text is empty"."""
    assert (await refused(fake, "sendMessage", chat_id=USER, text="")).description == (
        "Bad Request: message text is empty"
    )
    assert (await refused(fake, "sendMessage", chat_id=USER)).error_code == 400


@pytest.mark.parametrize("text", ["   ", "<b> </b>", "<i></i>"])
async def test_send_message_text_empty_after_parsing_rejected(fake: FakeTelegram, text: str) -> None:
    """Text that parses (and trims) to nothing is "text must be non-empty"."""
    error = await refused(fake, "sendMessage", chat_id=USER, text=text, parse_mode="HTML")
    assert error.description == "Bad Request: text must be non-empty"


async def test_send_message_trims_surrounding_whitespace(fake: FakeTelegram) -> None:
    """Like Telegram, leading/trailing whitespace is dropped and entities shift with it."""
    message = await send(fake, "\n  <b>Hi</b>  \n", parse_mode="HTML")
    assert message["text"] == "Hi"
    assert message["entities"] == [{"type": "bold", "offset": 0, "length": 2}]


async def test_send_message_4096_boundary(fake: FakeTelegram) -> None:
    """Exactly 4096 characters is accepted; 4097 is "message is too long"."""
    assert len((await send(fake, "x" * 4096))["text"]) == 4096
    error = await refused(fake, "sendMessage", chat_id=USER, text="x" * 4097)
    assert error.description == "Bad Request: message is too long"


async def test_send_message_length_measured_after_parsing(fake: FakeTelegram) -> None:
    """Markup does not count: 4096 visible characters inside tags and entities still fit."""
    await send(fake, "<b>" + "x" * 4090 + "</b>&amp;&lt;&gt;&quot;&#39;y", parse_mode="HTML")
    assert len(fake.last_bot_message(USER).text or "") == 4096


async def test_send_message_length_counts_utf16_units(fake: FakeTelegram) -> None:
    """An emoji is two UTF-16 units: 2048 fit, one more character does not."""
    await send(fake, "😀" * 2048)
    error = await refused(fake, "sendMessage", chat_id=USER, text="😀" * 2048 + "x")
    assert error.description == "Bad Request: message is too long"


async def test_parse_mode_html_errors_surface(fake: FakeTelegram) -> None:
    """Bad HTML is refused with Telegram's can't-parse-entities message."""
    error = await refused(fake, "sendMessage", chat_id=USER, text="<foo>", parse_mode="HTML")
    assert error.description == ('Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 0')


async def test_without_parse_mode_text_is_literal(fake: FakeTelegram) -> None:
    """With no parse_mode, tags and & are just characters."""
    assert (await send(fake, "<b>R&D</b>"))["text"] == "<b>R&D</b>"


async def test_markdown_parse_modes_refused_clearly(fake: FakeTelegram) -> None:
    """The fake only models HTML; Markdown is refused with a description saying so."""
    error = await refused(fake, "sendMessage", chat_id=USER, text="*x*", parse_mode="MarkdownV2")
    assert "supports only parse_mode HTML" in error.description


async def test_caption_1024_boundary(fake: FakeTelegram) -> None:
    """A 1024-character caption fits; 1025 is "message caption is too long"."""
    doc = Upload("a.csv", b"a,b\n", "text/csv")
    await fake.call("sendDocument", chat_id=USER, document=doc, caption="c" * 1024)
    error = await refused(fake, "sendDocument", chat_id=USER, document=doc, caption="c" * 1025)
    assert error.description == "Bad Request: message caption is too long"


# ------------------------------------------------------------------ keyboards


@pytest.mark.parametrize("data", ["x" * 64, "é" * 32])
async def test_callback_data_64_bytes_accepted(fake: FakeTelegram, data: str) -> None:
    """callback_data of exactly 64 UTF-8 bytes is accepted."""
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": data}]]}
    assert (await send(fake, reply_markup=markup))["reply_markup"] == markup


@pytest.mark.parametrize("data", ["x" * 65, "é" * 32 + "x"])
async def test_callback_data_65_bytes_rejected(fake: FakeTelegram, data: str) -> None:
    """callback_data over 64 UTF-8 bytes is BUTTON_DATA_INVALID."""
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": data}]]}
    error = await refused(fake, "sendMessage", chat_id=USER, text="hi", reply_markup=markup)
    assert error.description == "Bad Request: BUTTON_DATA_INVALID"


@pytest.mark.parametrize("button", [{"text": "Go"}, {"text": "Go", "callback_data": ""}])
async def test_inline_button_without_action_rejected(fake: FakeTelegram, button: dict[str, str]) -> None:
    """A button with neither callback_data nor url (or similar) is a text button: refused."""
    error = await refused(fake, "sendMessage", chat_id=USER, text="hi", reply_markup={"inline_keyboard": [[button]]})
    assert error.description == (
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
    )


async def test_inline_button_empty_text_rejected(fake: FakeTelegram) -> None:
    """A button must have a visible label."""
    markup = {"inline_keyboard": [[{"text": "", "callback_data": "x"}]]}
    error = await refused(fake, "sendMessage", chat_id=USER, text="hi", reply_markup=markup)
    assert error.description == "Bad Request: BUTTON_TEXT_INVALID"


async def test_inline_url_button_must_be_http(fake: FakeTelegram) -> None:
    """URL buttons need a usable http(s) link."""
    markup = {"inline_keyboard": [[{"text": "Go", "url": "ftp://example.com"}]]}
    error = await refused(fake, "sendMessage", chat_id=USER, text="hi", reply_markup=markup)
    assert "Unsupported URL protocol" in error.description
    await send(fake, reply_markup={"inline_keyboard": [[{"text": "Go", "url": "https://a.io"}]]})


async def test_reply_keyboard_validated_and_tracked(fake: FakeTelegram) -> None:
    """Reply keyboards accept booleans only for their flags; remove_keyboard hides them."""
    bad = {"keyboard": [["Yes"]], "resize_keyboard": "yes"}
    error = await refused(fake, "sendMessage", chat_id=USER, text="hi", reply_markup=bad)
    assert error.description == 'Bad Request: field "resize_keyboard" must be of type Boolean'
    message = await send(fake, reply_markup={"keyboard": [["Yes", {"text": "No"}]], "one_time_keyboard": True})
    assert "reply_markup" not in message  # Telegram echoes only inline keyboards
    assert fake.reply_keyboard(USER) == [["Yes", "No"]]
    await send(fake, reply_markup={"remove_keyboard": True})
    assert fake.reply_keyboard(USER) is None


# ------------------------------------------------------------------ edits and deletes


async def test_edit_unknown_message_not_found(fake: FakeTelegram) -> None:
    """Editing a message id that does not exist is "message to edit not found"."""
    error = await refused(fake, "editMessageText", chat_id=USER, message_id=999, text="x")
    assert error.description == "Bad Request: message to edit not found"


async def test_edit_identical_content_not_modified(fake: FakeTelegram) -> None:
    """Same parsed text and markup is refused, even when the raw HTML differs."""
    sent = await send(fake, "<b>Hi</b>", parse_mode="HTML", reply_markup=KEYBOARD)
    error = await refused(
        fake,
        "editMessageText",
        chat_id=USER,
        message_id=sent["message_id"],
        text="<strong>Hi</strong>",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    )
    assert error.description == (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )
    error = await refused(
        fake, "editMessageReplyMarkup", chat_id=USER, message_id=sent["message_id"], reply_markup=KEYBOARD
    )
    assert error.description.startswith("Bad Request: message is not modified")


async def test_edit_user_message_cant_be_edited(fake: FakeTelegram) -> None:
    """The bot cannot edit what the user wrote."""
    users_message = fake.messages(USER)[0]
    error = await refused(fake, "editMessageText", chat_id=USER, message_id=users_message.message_id, text="x")
    assert error.description == "Bad Request: message can't be edited"


async def test_edit_text_without_markup_removes_keyboard(fake: FakeTelegram) -> None:
    """editMessageText without reply_markup drops the buttons, as Telegram does."""
    sent = await send(fake, "Pick", reply_markup=KEYBOARD)
    edited = await fake.call("editMessageText", chat_id=USER, message_id=sent["message_id"], text="Picked")
    assert "reply_markup" not in edited
    message = fake.last_bot_message(USER)
    assert (message.text, message.buttons, message.edit_count) == ("Picked", [], 1)
    assert message.history[0]["text"] == "Pick"


async def test_delete_unknown_message_not_found(fake: FakeTelegram) -> None:
    """Deleting twice fails the second time with "message to delete not found"."""
    sent = await send(fake)
    assert await fake.call("deleteMessage", chat_id=USER, message_id=sent["message_id"]) is True
    error = await refused(fake, "deleteMessage", chat_id=USER, message_id=sent["message_id"])
    assert error.description == "Bad Request: message to delete not found"
    assert fake.messages(USER, include_deleted=True)[-1].deleted


# ------------------------------------------------------------------ callback queries


async def test_answer_callback_query_only_once(fake: FakeTelegram) -> None:
    """A query can be answered once; again, or an unknown id, is "query is too old"."""
    sent = await send(fake, reply_markup=KEYBOARD)
    query_id = fake.press(USER, sent["message_id"], "yes")["callback_query"]["id"]
    assert await fake.call("answerCallbackQuery", callback_query_id=query_id, text="Saved")
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    assert (await refused(fake, "answerCallbackQuery", callback_query_id=query_id)).description == too_old
    assert (await refused(fake, "answerCallbackQuery", callback_query_id="123")).description == too_old
    assert fake.callback_answers == [
        {"callback_query_id": query_id, "text": "Saved", "show_alert": False, "url": None, "cache_time": None}
    ]


async def test_answer_callback_query_text_over_200_rejected(fake: FakeTelegram) -> None:
    """Answer text is limited to 200 characters."""
    sent = await send(fake, reply_markup=KEYBOARD)
    query_id = fake.press(USER, sent["message_id"], "yes")["callback_query"]["id"]
    error = await refused(fake, "answerCallbackQuery", callback_query_id=query_id, text="x" * 201)
    assert error.description == "Bad Request: MESSAGE_TOO_LONG"
    assert await fake.call("answerCallbackQuery", callback_query_id=query_id, text="x" * 200)


async def test_answer_callback_query_expires(fake: FakeTelegram, clock: Any) -> None:
    """A query left unanswered past the timeout can no longer be answered."""
    sent = await send(fake, reply_markup=KEYBOARD)
    query_id = fake.press(USER, sent["message_id"], "yes")["callback_query"]["id"]
    clock.advance(FakeTelegram.CALLBACK_QUERY_TTL + 1)
    error = await refused(fake, "answerCallbackQuery", callback_query_id=query_id)
    assert error.description.startswith("Bad Request: query is too old")


# ------------------------------------------------------------------ chats


async def test_chat_not_found_for_user_who_never_started(fake: FakeTelegram) -> None:
    """The bot cannot write first to someone who never opened the chat."""
    error = await refused(fake, "sendMessage", chat_id=777, text="hi")
    assert (error.error_code, error.description) == (400, "Bad Request: chat not found")


async def test_blocked_user_is_forbidden(fake: FakeTelegram) -> None:
    """After the user blocks the bot, sends fail with 403 until they unblock."""
    fake.block(USER)
    error = await refused(fake, "sendMessage", chat_id=USER, text="nudge")
    assert (error.error_code, error.description) == (403, "Forbidden: bot was blocked by the user")
    fake.unblock(USER)
    await send(fake, "welcome back")


# ------------------------------------------------------------------ flood control


async def test_flood_per_chat_burst_then_retry_after(fake: FakeTelegram, clock: Any) -> None:
    """Past the per-chat burst a send gets 429 with retry_after; after waiting it goes through."""
    for _ in range(20):
        await send(fake)
    error = await refused(fake, "sendMessage", chat_id=USER, text="one too many")
    assert (error.error_code, error.description) == (429, "Too Many Requests: retry after 1")
    assert error.parameters == {"retry_after": 1}
    clock.advance(1.0)
    await send(fake, "after the wait")


async def test_flood_global_per_second(clock: Any) -> None:
    """More than 30 sends in one second across chats get 429 until the window slides."""
    fake = FakeTelegram(clock=clock)
    for user in range(1, 32):
        fake.send_text(user, "/start")
    for user in range(1, 31):
        await fake.call("sendMessage", chat_id=user, text="hi")
    clock.advance(0.4)
    error = await refused(fake, "sendMessage", chat_id=31, text="hi")
    assert error.parameters == {"retry_after": 1}
    clock.advance(0.6)
    await fake.call("sendMessage", chat_id=31, text="hi")


async def test_flood_edits_share_the_chats_budget_with_sends(fake: FakeTelegram, clock: Any) -> None:
    """An edit takes from the chat's burst like a send: 10 sends and 10 edits use it up, the next edit gets 429."""
    sent = [await send(fake, f"card {n}") for n in range(10)]
    for n, message in enumerate(sent):
        await fake.call("editMessageText", chat_id=USER, message_id=message["message_id"], text=f"card {n}, edited")
    error = await refused(fake, "editMessageText", chat_id=USER, message_id=sent[0]["message_id"], text="again")
    assert (error.error_code, error.parameters) == (429, {"retry_after": 1})
    assert fake.bot_messages(USER)[0].text == "card 0, edited"  # the refused edit changed nothing
    clock.advance(1.0)
    await fake.call(
        "editMessageReplyMarkup",
        chat_id=USER,
        message_id=sent[1]["message_id"],
        reply_markup={"inline_keyboard": [[{"text": "Undo", "callback_data": "u"}]]},
    )


async def test_flood_edits_count_in_the_overall_second(clock: Any) -> None:
    """Edits across 30 chats fill the overall second; the 31st chat's send is refused until it slides."""
    fake = FakeTelegram(clock=clock)
    for user in range(1, 32):
        fake.send_text(user, "/start")
    cards = [await fake.call("sendMessage", chat_id=user, text="card") for user in range(1, 16)]
    clock.advance(1.0)
    for user, card in zip(range(1, 16), cards, strict=True):
        await fake.call("editMessageText", chat_id=user, message_id=card["message_id"], text="card, edited")
        await fake.call("sendMessage", chat_id=user, text="and a reply")
    error = await refused(fake, "sendMessage", chat_id=31, text="hi")
    assert error.error_code == 429
    clock.advance(1.0)
    await fake.call("sendMessage", chat_id=31, text="hi")


async def test_flood_callback_answers_and_get_file_are_not_limited(fake: FakeTelegram) -> None:
    """Answering taps and getFile are never refused for flood, even past the chat's burst."""
    for _ in range(20):
        await send(fake)
    await refused(fake, "sendMessage", chat_id=USER, text="one too many")
    keyboard = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    with_button = fake.bot_messages(USER)[-1]
    with_button.reply_markup = keyboard
    for _ in range(50):
        fake.press(USER, with_button.message_id, "go")
    for update in fake.pop_updates():
        await fake.call("answerCallbackQuery", callback_query_id=update["callback_query"]["id"])
    file_id = fake.send_document(USER, "jobs.csv", b"company,role\n")["message"]["document"]["file_id"]
    for _ in range(50):
        await fake.call("getFile", file_id=file_id)


async def test_flood_limits_can_be_disabled(clock: Any) -> None:
    """FloodLimits(enabled=False) lets any number of sends through."""
    fake = FakeTelegram(clock=clock, flood=FloodLimits(enabled=False))
    fake.send_text(USER, "/start")
    for _ in range(50):
        await send(fake)


# ------------------------------------------------------------------ media and files


async def test_send_photo_requires_png_or_jpeg(fake: FakeTelegram) -> None:
    """Bytes that are not a PNG or JPEG are IMAGE_PROCESS_FAILED; a PNG is accepted."""
    error = await refused(fake, "sendPhoto", chat_id=USER, photo=Upload("a.png", b"not an image"))
    assert error.description == "Bad Request: IMAGE_PROCESS_FAILED"
    message = await fake.call(
        "sendPhoto", chat_id=USER, photo=Upload("chart.png", png(640, 480)), caption="<b>Week</b>", parse_mode="HTML"
    )
    assert (message["photo"][-1]["width"], message["photo"][-1]["height"]) == (640, 480)
    assert message["caption_entities"] == [{"type": "bold", "offset": 0, "length": 4}]
    assert fake.last_bot_message(USER).photo == png(640, 480)


async def test_send_photo_over_10_mb_rejected(fake: FakeTelegram) -> None:
    """Photos are limited to 10 MB."""
    big = png() + b"\0" * (FakeTelegram.MAX_PHOTO_BYTES)
    error = await refused(fake, "sendPhoto", chat_id=USER, photo=Upload("big.png", big))
    assert error.error_code == 400


async def test_send_document_over_50_mb_is_413(fake: FakeTelegram) -> None:
    """Uploads over 50 MB are refused with HTTP 413."""
    huge = Upload("huge.csv", b"x" * (FakeTelegram.MAX_UPLOAD_BYTES + 1))
    error = await refused(fake, "sendDocument", chat_id=USER, document=huge)
    assert (error.error_code, error.description) == (413, "Request Entity Too Large")


async def test_get_file_unknown_id_rejected(fake: FakeTelegram) -> None:
    """getFile of an id the fake never issued is "invalid file_id"."""
    error = await refused(fake, "getFile", file_id="nope")
    assert error.description == "Bad Request: invalid file_id"


# ------------------------------------------------------------------ transport and methods


async def test_unknown_method_is_404_and_recorded(fake: FakeTelegram) -> None:
    """A method Telegram does not have is 404 Not Found, and fake.errors shows it."""
    status, body = await fake.handle("sendMesage", {"chat_id": USER, "text": "typo"})
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    assert fake.errors == [("sendMesage", "Not Found")]


async def test_method_names_are_case_insensitive(fake: FakeTelegram) -> None:
    """Telegram matches method names case-insensitively."""
    assert (await fake.call("SENDMESSAGE", chat_id=USER, text="hi"))["text"] == "hi"


async def test_form_encoded_params_mean_the_same_as_json(fake: FakeTelegram) -> None:
    """String values (as HTTP forms carry them) are read like their JSON counterparts."""
    message = await fake.call(
        "sendMessage", chat_id=str(USER), text="hi", reply_markup=json.dumps(KEYBOARD), disable_notification="true"
    )
    assert message["reply_markup"] == KEYBOARD
    assert fake.calls_to("sendMessage")[-1]["chat_id"] == USER


async def test_wrong_token_is_401(fake: FakeTelegram) -> None:
    """A request under another token is 401 Unauthorized."""
    status, body, _ = await fake.handle_path("/bot999:WRONG/getMe", {}, {})
    assert (status, json.loads(body)["description"]) == (401, "Unauthorized")


async def test_set_my_commands_validated_and_stored(fake: FakeTelegram) -> None:
    """Commands must be lower-case words; valid ones are what getMyCommands returns."""
    commands = [{"command": "add", "description": "Add an application"}]
    assert await fake.call("setMyCommands", commands=commands)
    assert fake.commands == commands == await fake.call("getMyCommands")
    error = await refused(fake, "setMyCommands", commands=[{"command": "Add", "description": "x"}])
    assert error.description == "Bad Request: BOT_COMMAND_INVALID"


async def test_send_chat_action_validated(fake: FakeTelegram) -> None:
    """Only Telegram's chat actions are accepted."""
    assert await fake.call("sendChatAction", chat_id=USER, action="typing")
    assert fake.chat_actions == [(USER, "typing")]
    error = await refused(fake, "sendChatAction", chat_id=USER, action="dancing")
    assert error.description == "Bad Request: wrong parameter action in request"


async def test_get_updates_offset_confirms_older_updates(fake: FakeTelegram) -> None:
    """Updates stay queued until a later offset confirms them."""
    first = fake.send_text(USER, "one")
    fake.send_text(USER, "two")
    assert len(await fake.call("getUpdates")) == 2
    remaining = await fake.call("getUpdates", offset=first["update_id"] + 1)
    assert [u["message"]["text"] for u in remaining] == ["two"]


async def test_get_updates_long_poll_returns_when_an_update_arrives(fake: FakeTelegram) -> None:
    """A long poll waits, and returns as soon as the user writes."""
    poll = asyncio.create_task(fake.call("getUpdates", timeout=30))
    await asyncio.sleep(0.01)
    assert not poll.done()
    fake.send_text(USER, "hello")
    updates = await asyncio.wait_for(poll, 1)
    assert [u["message"]["text"] for u in updates] == ["hello"]


async def test_get_updates_second_poller_terminates_first(fake: FakeTelegram) -> None:
    """Two bots polling at once: the older request gets 409 Conflict, like Telegram."""
    first = asyncio.create_task(fake.call("getUpdates", timeout=30))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(fake.call("getUpdates", timeout=30))
    with pytest.raises(FakeApiError) as caught:
        await asyncio.wait_for(first, 1)
    assert caught.value.error_code == 409
    fake.release_pollers()
    assert await asyncio.wait_for(second, 1) == []
