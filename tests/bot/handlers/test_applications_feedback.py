"""Rejection reasons, withdrawal reasons and lessons, driven through the real Application (hunt items 6, 7)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.domain.stages import Outcome
from bot.scheduling import Scheduler
from tests.conftest import ADA
from tests.harness import Harness, text_of
from tests.test_scheduling import join, start_reminders, stop_reminders


@pytest.fixture
async def nudger(bot: Harness) -> AsyncIterator[Scheduler]:
    scheduler = await start_reminders(bot.app)
    yield scheduler
    await stop_reminders(bot.app)


def labels(bot: Harness) -> list[str]:
    return [b[0] for row in bot.last(ADA).buttons for b in row]


async def test_typed_reply_after_rejected_is_the_reason_then_a_lesson(bot: Harness) -> None:
    """Rejected on the card, then a typed sentence: it is the reason; the next one is kept as a lesson."""
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.tap(ADA, "Rejected")
    assert "just type it" in text_of(bot.last(ADA))
    replies = await bot.send(ADA, "They wanted more hands-on AWS")
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and (app.outcome, app.reason) == (Outcome.REJECTED, "They wanted more hands-on AWS")
    assert "marked as rejected: They wanted more hands-on AWS" in text_of(replies[0])
    assert "Any feedback or lesson" in text_of(replies[-1])
    await bot.send(ADA, "Build a <small> AWS project")
    notes = bot.repo.get_application(ADA, 1).notes  # type: ignore[union-attr]
    assert [(n.kind, n.text) for n in notes] == [("lesson", "Build a <small> AWS project")]
    replies = await bot.send(ADA, "hello there")
    assert len(bot.repo.get_application(ADA, 1).notes) == 1  # type: ignore[union-attr]
    assert "not sure what to do" in text_of(replies[0])


async def test_back_from_the_reason_question_leaves_it(bot: Harness) -> None:
    """Rejected, then « Back: later text is not a reason and the application stays open."""
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.tap(ADA, "Rejected")
    await bot.tap(ADA, "Back")
    await bot.send(ADA, "hello there")
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and app.is_open and app.reason == ""


async def test_check_in_rejected_asks_why_instead_of_inventing_a_reason(bot: Harness, nudger: Scheduler) -> None:
    """The check-in's Rejected stores no made-up reason, asks why, and /cancel skips the lesson question."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/interview 1 2026-11-24 10:00")
    bot.clock.set(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    await nudger.tick()
    await bot.tap(ADA, "Rejected")
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and (app.outcome, app.reason) == (Outcome.REJECTED, "")
    assert "Why were you rejected?" in text_of(bot.last(ADA)) and "Skills fit" in labels(bot)
    await bot.tap(ADA, "Skills fit")
    assert bot.repo.get_application(ADA, 1).reason == "Skills fit"  # type: ignore[union-attr]
    assert "Any feedback or lesson" in text_of(bot.last(ADA))
    replies = await bot.send(ADA, "/cancel")
    assert text_of(replies[0]) == "OK, no lesson this time."
    await bot.send(ADA, "just chatting")
    assert bot.repo.get_application(ADA, 1).notes == []  # type: ignore[union-attr]


async def test_reject_again_updates_the_reason(bot: Harness) -> None:
    """/reject N skills on a rejected application updates its reason; on a withdrawn one it changes nothing."""
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/add Beta - Dev applied")
    await bot.send(ADA, "/reject 1")
    assert "Why were you rejected?" in text_of(bot.last(ADA))
    replies = await bot.send(ADA, "/reject 1 skills")
    assert "Updated why #1 was rejected" in text_of(replies[0]) and "already closed" not in text_of(replies[0])
    assert bot.repo.get_application(ADA, 1).reason == "Skills fit"  # type: ignore[union-attr]
    await bot.send(ADA, "/withdraw 2 moved city")
    replies = await bot.send(ADA, "/reject 2 skills")
    assert "already closed (withdrawn)" in text_of(replies[0])
    app = bot.repo.get_application(ADA, 2)
    assert app is not None and (app.outcome, app.reason) == (Outcome.WITHDRAWN, "moved city")


async def test_withdrawal_keeps_its_reason_and_has_its_own_icon(bot: Harness) -> None:
    """/withdraw N reason keeps the reason (shown on the card and in /funnel); Withdrawn is not the Undo icon."""
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/add Beta - Dev applied")
    withdraw = next(label for label in labels(bot) if "Withdrawn" in label)
    assert not withdraw.startswith("↩")
    replies = await bot.send(ADA, "/withdraw 2 accepted another offer")
    assert "Reason: accepted another offer" in text_of(replies[0])
    await bot.send(ADA, "/funnel")
    assert "accepted another offer" in text_of(bot.last(ADA))
    assert "no reason given" not in text_of(bot.last(ADA))


async def test_cancel_after_rejected_on_the_card_leaves_it_open(bot: Harness) -> None:
    """Rejected on the card, then /cancel: the question ends, nothing was closed, and later text is no reason."""
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.tap(ADA, "Rejected")
    replies = await bot.send(ADA, "/cancel")
    assert text_of(replies[0]) == "OK, I won't ask why."
    await bot.send(ADA, "They wanted AWS")
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and app.is_open and app.reason == ""
