"""Every button tap is answered: stale, forged and unknown ones get a polite "expired"."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import ADA
from tests.harness import Harness, text_of

PREFIXES = [
    "acc:ci",
    "acc:pause",
    "acc:wait",
    "add:drop",
    "add:link",
    "add:stage",
    "add:track",
    "app:adv",
    "app:card",
    "app:did",
    "app:undid",
    "app:dec",
    "app:del",
    "app:delok",
    "app:gh",
    "app:more",
    "app:note",
    "app:rej",
    "app:rejr",
    "app:reopen",
    "app:show",
    "app:wd",
    "cfg:fly",
    "cfg:fu",
    "cfg:nudges",
    "cfg:pause",
    "cfg:tgt",
    "cfg:tz",
    "fit:ask",
    "imp:no",
    "imp:yes",
    "list:all",
    "nud:day",
    "nud:hr",
    "tz:set",
    "undo:do",
]
SUFFIXES = ["", ":", ":--1", ":-5", ":99", ":77:99:7", ":x", ":²", ":77:--1", ":999999999999"]
FORGED = [p + s for p in PREFIXES for s in SUFFIXES] + ["zzz", "zzz:1", "imp:zap:1", ":", "app", "--1"]


async def test_every_forged_or_stale_tap_is_answered(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    """Forged callback data on a real message never raises, is always answered, changes nothing."""
    caplog.set_level(logging.ERROR)
    await bot.send(ADA, "/add Acme - SRE applied")
    message = bot.tg.bot_messages(ADA)[-1]
    stored = bot.repo.list_applications(ADA)
    unanswered = []
    for data in FORGED:
        answers = len(bot.tg.callback_answers)
        await bot.press(ADA, message.message_id, data, force=True)
        if len(bot.tg.callback_answers) == answers:
            unanswered.append(data)
    assert unanswered == []
    assert "update.failed" not in caplog.text
    # An identical edit is refused by Telegram and deliberately ignored by the bot; nothing else is.
    assert [e for e in bot.tg.errors if "message is not modified" not in e[1]] == []
    assert bot.repo.list_applications(ADA) == stored


async def test_guided_add_buttons_after_cancel_say_expired(bot: Harness) -> None:
    """ "Yes, applied" from an abandoned guided add gets "expired" instead of silence."""
    await bot.send(ADA, "/add")
    await bot.send(ADA, "Globex")
    await bot.send(ADA, "Platform Engineer")
    question = bot.tg.bot_messages(ADA)[-1]
    await bot.send(ADA, "/cancel")
    stale = [data for row in question.buttons for _, data in row if data]
    assert stale
    for data in stale:
        await bot.press(ADA, question.message_id, data)
        assert "expired" in (bot.tg.callback_answers[-1]["text"] or "")
    assert bot.repo.list_applications(ADA) == []


async def test_unicode_digits_get_a_friendly_answer(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    """ "²" and other non-ASCII digits are refused with a hint, never a crash."""
    caplog.set_level(logging.ERROR)
    for text in ["/target ² 2", "/week ²", "/chart weeks ²", "/show ²", "/move ² applied", "/pause ² weeks"]:
        replies = await bot.send(ADA, text)
        assert replies and "went wrong" not in text_of(replies[0]), text
    assert "update.failed" not in caplog.text


async def test_taps_whose_query_expired_still_edit_the_card(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    """Telegram refuses late answers ("query is too old"); the change still shows on every path."""
    caplog.set_level(logging.INFO)
    await bot.send(ADA, "/start")
    bot.tg.CALLBACK_QUERY_TTL = -1.0  # every answer comes too late from now on
    await bot.tap(ADA, "Berlin")
    assert bot.repo.get_profile(ADA).timezone == "Europe/Berlin"  # type: ignore[union-attr]
    await bot.send(ADA, "/add Acme - SRE")
    card = bot.tg.bot_messages(ADA)[-1]
    await bot.tap(ADA, "Applied")
    assert "Moved #1 to Applied" in text_of(card)
    await bot.tap(ADA, "Undo")
    assert bot.repo.get_application(ADA, 1).stage.label == "Prospect"  # type: ignore[union-attr]
    assert "Undone" in text_of(card)
    await bot.send(ADA, "/settings")
    settings = bot.tg.bot_messages(ADA)[-1]
    before = bot.repo.get_profile(ADA).target_per_week  # type: ignore[union-attr]
    plus = next(data for row in settings.buttons for _, data in row if data and data.startswith("cfg:tgt:1"))
    await bot.press(ADA, settings.message_id, plus)
    assert bot.repo.get_profile(ADA).target_per_week == before + 1  # type: ignore[union-attr]
    for i in range(25):
        await bot.send(ADA, f"/add Company {i} - Role")
    await bot.send(ADA, "/list")
    page = bot.tg.bot_messages(ADA)[-1]
    await bot.tap(ADA, "Next")
    assert "page 2/" in text_of(page)
    assert "callback.expired" in caplog.text
    assert "update.failed" not in caplog.text
    assert [e for e in bot.tg.errors if "query is too old" not in e[1] and "not modified" not in e[1]] == []
