"""End to end through PTB in-process: a real Bot/Application on FakeTelegramRequest."""

from __future__ import annotations

import asyncio
import datetime as dt
import struct
import zlib

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.faketelegram import FakeTelegram

USER = 42


def png() -> bytes:
    ihdr = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))


async def test_ptb_send_html_with_inline_keyboard(fake: FakeTelegram, bot: Bot) -> None:
    """PTB's send_message with HTML and a keyboard lands in the chat as the user sees it."""
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Applied", callback_data="s:applied")]])
    message = await bot.send_message(USER, "<b>ACME</b> &amp; co", parse_mode=ParseMode.HTML, reply_markup=markup)
    assert message.text == "ACME & co"
    assert message.reply_markup == markup
    shown = fake.last_bot_message(USER)
    assert (shown.text, shown.buttons) == ("ACME & co", [[("Applied", "s:applied")]])
    assert shown.entities == [{"type": "bold", "offset": 0, "length": 4}]
    fake.assert_no_errors()


async def test_ptb_bad_request_surfaces(fake: FakeTelegram, bot: Bot) -> None:
    """A Telegram 400 reaches the bot as PTB's BadRequest with Telegram's message."""
    with pytest.raises(BadRequest, match='unsupported start tag "company" at byte offset 6'):
        await bot.send_message(USER, "Added <company>", parse_mode=ParseMode.HTML)
    assert fake.errors[-1][0] == "sendMessage"


async def test_ptb_forbidden_surfaces(fake: FakeTelegram, bot: Bot) -> None:
    """A blocked user makes PTB raise Forbidden."""
    fake.block(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "Weekly nudge")


async def test_ptb_retry_after_surfaces(fake: FakeTelegram, bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    """Flood control reaches PTB as RetryAfter with the wait Telegram asked for."""
    # Without PTB_TIMEDELTA, PTB 22 warns (an error under -W error) on building any RetryAfter.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    for _ in range(20):
        await bot.send_message(USER, "spam")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "spam")
    assert caught.value.retry_after == dt.timedelta(seconds=1)


async def test_ptb_uploads_photo_and_document(fake: FakeTelegram, bot: Bot) -> None:
    """InputFile uploads arrive as bytes with their filename."""
    await bot.send_photo(USER, photo=png(), caption="chart")
    message = await bot.send_document(USER, document=b"a,b\n", filename="export.csv")
    assert message.document is not None and message.document.file_name == "export.csv"
    assert fake.last_bot_message(USER).document == ("export.csv", b"a,b\n")
    assert fake.bot_messages(USER)[0].photo == png()


async def test_ptb_downloads_document_the_user_sent(fake: FakeTelegram, bot: Bot) -> None:
    """get_file + download_to_memory go through the in-process transport too."""
    update = Update.de_json(fake.send_document(USER, "apps.csv", b"ACME,applied\n"), bot)
    assert update.message is not None and update.message.document is not None
    data = await (await update.message.document.get_file()).download_as_bytearray()
    assert bytes(data) == b"ACME,applied\n"


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets with one button."""
    assert update.effective_message is not None
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Log an application", callback_data="add")]])
    await update.effective_message.reply_html("<b>Hi!</b>", reply_markup=markup)


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answers the press, then edits the message."""
    query = update.callback_query
    assert query is not None
    await query.answer("Noted")
    await query.edit_message_text("Which company?")


def _app(fake: FakeTelegram, *, with_updater: bool) -> Application:  # type: ignore[type-arg]
    builder = ApplicationBuilder().token(fake.token).request(fake.request())
    builder = builder.get_updates_request(fake.request())
    if not with_updater:
        builder = builder.updater(None)
    app = builder.build()
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(CallbackQueryHandler(_button))
    return app


async def test_ptb_application_process_update(fake: FakeTelegram) -> None:
    """Handlers driven with process_update see the fake's updates and their replies land."""
    app = _app(fake, with_updater=False)
    async with app:
        await app.process_update(Update.de_json(fake.send_text(USER, "/start"), app.bot))
        await app.process_update(Update.de_json(fake.press_button(USER, "Log an"), app.bot))
    message = fake.last_bot_message(USER)
    assert (message.text, message.buttons, message.edited) == ("Which company?", [], True)
    assert fake.callback_answers[0]["text"] == "Noted"
    fake.assert_no_errors()


async def test_ptb_application_polling(fake: FakeTelegram) -> None:
    """A polling Application picks up a user's message from getUpdates and replies."""
    app = _app(fake, with_updater=True)
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0)
        await app.start()
        fake.send_text(USER, "/start")
        for _ in range(200):
            if fake.bot_messages(USER):
                break
            await asyncio.sleep(0.005)
        await app.updater.stop()
        await app.stop()
    assert fake.last_bot_message(USER).text == "Hi!"
    assert [m for m, _ in fake.calls][:2] == ["getMe", "deleteWebhook"]
