"""Acting on a nudge keeps it: ✅ marks the line done in place, keeps the other buttons (hunt item 8)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.domain.stages import Stage
from bot.faketelegram import FakeMessage
from bot.scheduling import Scheduler
from tests.bot.handlers.test_accountability import prospects
from tests.conftest import ADA
from tests.harness import Harness, text_of
from tests.test_scheduling import PLAN_AT, join, start_reminders, stop_reminders


@pytest.fixture
async def nudger(bot: Harness) -> AsyncIterator[Scheduler]:
    scheduler = await start_reminders(bot.app)
    yield scheduler
    await stop_reminders(bot.app)


def labels_of(message: FakeMessage) -> list[str]:
    return [b[0] for row in message.buttons for b in row]


async def test_applying_from_the_plan_keeps_the_plan(bot: Harness, nudger: Scheduler) -> None:
    """✅ on the weekly plan marks that line applied and keeps the rest; the second ✅ still works."""
    await join(bot)
    await prospects(bot)
    bot.clock.set(PLAN_AT)
    await nudger.tick()
    plan = bot.last(ADA)
    new = await bot.tap(ADA, "Applied to #1")
    assert new == []  # nothing sent: the plan was edited in place
    edited = _fresh(bot, plan.message_id)
    assert "Your week" in text_of(edited)
    assert "1. ✅ #1 Acme — SRE · fit 10 · closes Fri 27 Nov · applied" in text_of(edited)
    assert "2. #2 Globex — Platform" in text_of(edited)
    labels = labels_of(edited)
    assert "✅ Applied to #1" not in labels and "✅ Applied to #2" in labels and "↩ Undo #1" in labels
    await bot.tap(ADA, "Applied to #2")
    assert "2. ✅ #2 Globex" in text_of(bot.last(ADA)) and bot.last(ADA).message_id == plan.message_id
    assert [bot.repo.get_application(ADA, n).stage for n in (1, 2, 3)] == [  # type: ignore[union-attr]
        Stage.APPLIED,
        Stage.APPLIED,
        Stage.PROSPECT,
    ]


async def test_undo_and_card_from_the_plan(bot: Harness, nudger: Scheduler) -> None:
    """↩ Undo restores the line and its ✅ button in place; 📇 sends the card as a new message."""
    await join(bot)
    await prospects(bot)
    bot.clock.set(PLAN_AT)
    await nudger.tick()
    plan = bot.last(ADA)
    await bot.tap(ADA, "Applied to #1")
    new = await bot.tap(ADA, "📇 #1")
    assert len(new) == 1 and "Stage: Applied" in text_of(new[0]) and "#1 Acme — SRE" in text_of(new[0])
    assert "Your week" in text_of(_fresh(bot, plan.message_id))
    undo = next(b[1] for row in _fresh(bot, plan.message_id).buttons for b in row if b[0] == "↩ Undo #1")
    await bot.press(ADA, plan.message_id, undo or "")
    restored = _fresh(bot, plan.message_id)
    assert "1. #1 Acme — SRE · fit 10 · closes Fri 27 Nov\n" in text_of(restored)
    assert "· applied" not in text_of(restored)
    assert "✅ Applied to #1" in labels_of(restored) and "📇 #1" not in labels_of(restored)
    assert bot.repo.get_application(ADA, 1).stage == Stage.PROSPECT  # type: ignore[union-attr]


def _fresh(bot: Harness, message_id: int) -> FakeMessage:
    return next(m for m in bot.tg.messages(ADA) if m.message_id == message_id)


async def test_applying_from_prospects_keeps_the_list(bot: Harness) -> None:
    """✅ in /prospects marks the line and keeps the other rows and their ⭐ buttons."""
    await prospects(bot)
    listing = (await bot.send(ADA, "/prospects"))[0]
    new = await bot.tap(ADA, "✅ #2")
    assert new == []
    edited = _fresh(bot, listing.message_id)
    assert "✅ #2 Globex — Platform · fit 8 · applied" in text_of(edited) and "#1 Acme" in text_of(edited)
    labels = labels_of(edited)
    assert "⭐ #2" in labels and "✅ #1" in labels and "✅ #2" not in labels and "↩ Undo #2" in labels
    assert bot.repo.get_application(ADA, 2).stage == Stage.APPLIED  # type: ignore[union-attr]
