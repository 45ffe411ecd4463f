"""Every button tap is answered: stale, forged and unknown ones get a polite "expired"."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import ADA
from tests.harness import Harness

PREFIXES = [
    "acc:ci",
    "acc:pause",
    "acc:wait",
    "add:drop",
    "add:link",
    "add:stage",
    "add:track",
    "app:adv",
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
        assert replies and "went wrong" not in replies[0].text, text
    assert "update.failed" not in caplog.text
