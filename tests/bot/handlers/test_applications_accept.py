"""Accepting an offer offers to withdraw from the other open applications in one tap (hunt item 14)."""

from __future__ import annotations

from bot.domain.stages import Outcome, Stage
from tests.conftest import ADA
from tests.harness import Harness, text_of


def labels(bot: Harness) -> list[str]:
    return [b[0] for row in bot.last(ADA).buttons for b in row]


async def test_accepting_lists_the_others_and_withdraws_them_in_one_tap(bot: Harness) -> None:
    """The congratulations name the other open applications; one tap withdraws them all with the reason."""
    for line in ("Acme - SRE applied", "Globex - <Platform> applied", "Initech - Ops applied", "Umbrella - Dev"):
        await bot.send(ADA, f"/add {line}")
    await bot.send(ADA, "/move 2 interview")
    await bot.send(ADA, "/reject 3 salary")
    replies = await bot.send(ADA, "/move 1 accepted")
    assert text_of(replies[-1]) == "I'll skip the lesson this time."  # the lesson asked after /reject 3
    text = text_of(replies[-2])
    assert "Congratulations on Acme" in text and "You still have 1 other application open" in text
    assert "#2 Globex — <Platform> (Interview)" in text
    assert "Initech" not in text and "Umbrella" not in text  # closed already, and a prospect
    replies_offer_id = replies[-2].message_id
    offer = [b[0] for row in replies[-2].buttons for b in row]
    assert "🚪 Withdraw from it" in offer and "⏸ Pause all nudges" in offer
    replies = await bot.tap(ADA, "Withdraw from")
    done = next(m for m in bot.tg.messages(ADA) if m.message_id == replies_offer_id)
    assert "Withdrew from 1 application (reason: accepted another offer)" in text_of(done) and "#2 Globex" in text_of(
        done
    )
    app = bot.repo.get_application(ADA, 2)
    assert app is not None and (app.outcome, app.reason, app.stage) == (
        Outcome.WITHDRAWN,
        "accepted another offer",
        Stage.INTERVIEW,
    )
    assert bot.repo.get_application(ADA, 4).is_open  # type: ignore[union-attr]
    assert "⏸ Pause all nudges" in [b[0] for row in done.buttons for b in row]


async def test_withdraw_all_after_undoing_the_acceptance_changes_nothing(bot: Harness) -> None:
    """If the acceptance was undone, the old Withdraw button refuses and nothing is closed."""
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/add Globex - Platform applied")
    await bot.send(ADA, "/move 1 accepted")
    offer = bot.last(ADA)
    await bot.send(ADA, "/undo")
    data = next(b[1] for row in offer.buttons for b in row if "Withdraw" in b[0])
    await bot.press(ADA, offer.message_id, data or "")
    assert "no longer accepted" in bot.tg.callback_answers[-1]["text"]
    assert bot.repo.get_application(ADA, 2).is_open  # type: ignore[union-attr]


async def test_accepting_with_nothing_else_open_only_congratulates(bot: Harness) -> None:
    """With no other open application there is no withdraw button."""
    await bot.send(ADA, "/add Acme - SRE applied")
    replies = await bot.send(ADA, "/move 1 accepted")
    assert "Congratulations" in text_of(replies[-1]) and "still have" not in text_of(replies[-1])
    assert not [label for label in labels(bot) if "Withdraw" in label]
