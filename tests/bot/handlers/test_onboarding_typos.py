"""Typos and phrasings: the closest command is offered with the typed arguments, stage words are understood."""

from __future__ import annotations

from bot.domain.stages import Stage
from tests.conftest import ADA
from tests.harness import Harness, html_of, text_of


async def test_move_understands_everyday_stage_phrases(bot: Harness) -> None:
    """`/move 1 second round` and `/move 1 tech interview` move to the stage they mean."""
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/move 1 tech interview")
    assert "Moved #1 to Interview" in text_of(bot.last(ADA))
    await bot.send(ADA, "/move 1 second round")
    assert "Moved #1 to Second interview" in text_of(bot.last(ADA))
    assert bot.repo.get_application(ADA, 1).stage == Stage.SECOND  # type: ignore[union-attr]


async def test_misspelt_command_offers_the_closest_and_runs_it(bot: Harness) -> None:
    """`/lsit` suggests /list with a button; tapping it shows the list."""
    await bot.send(ADA, "/add Acme - SRE")
    reply = (await bot.send(ADA, "/lsit"))[0]
    assert "I don't know /lsit. Did you mean /list?" in text_of(reply)
    assert [b[1] for row in reply.buttons for b in row] == ["typo:run:1"]
    shown = await bot.tap(ADA, "/list")
    edited = next(m for m in bot.tg.messages(ADA) if m.message_id == reply.message_id)
    assert edited.text == "Running /list" and edited.buttons == []
    assert any("Acme" in text_of(m) for m in shown)


async def test_misspelt_add_keeps_the_typed_text(bot: Harness) -> None:
    """`/ad Foo - <Bar>` keeps its words server-side; the button saves Foo — <Bar>, once."""
    reply = (await bot.send(ADA, "/ad Foo - <Bar>"))[0]
    assert "Did you mean /add?" in text_of(reply) and "<code>/add Foo - &lt;Bar&gt;</code>" in html_of(reply)
    assert bot.repo.list_applications(ADA) == []
    replies = await bot.tap(ADA, "/add Foo")
    assert any("Saved as prospect #1" in text_of(m) for m in replies)
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and (app.company, app.role) == ("Foo", "<Bar>")
    await bot.press(ADA, reply.message_id, "typo:run:1", force=True)
    assert bot.tg.callback_answers[-1]["text"].startswith("That suggestion has expired")
    assert len(bot.repo.list_applications(ADA)) == 1


async def test_unknown_command_far_from_any_stays_a_plain_hint(bot: Harness) -> None:
    """A command like nothing we have gets the /help pointer and no button."""
    reply = (await bot.send(ADA, "/xyzzy"))[0]
    assert reply.text == "I don't know /xyzzy. /help lists what I can do."
    assert reply.buttons == []


async def test_misspelt_command_on_its_own_line_keeps_the_rest(bot: Harness) -> None:
    """`/ad` followed by a new line and the job still suggests /add with the job's words."""
    reply = (await bot.send(ADA, "/ad\nFoo - Bar"))[0]
    assert "I don't know /ad. Did you mean /add?" in text_of(reply)
    await bot.tap(ADA, "/add Foo")
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and (app.company, app.role) == ("Foo", "Bar")
