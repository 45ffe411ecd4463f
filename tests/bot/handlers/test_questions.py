"""One way to ask a question (bot/handlers/questions.py), and open questions surviving a restart."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest
from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.context import services
from bot.domain.stages import Stage
from storage import Repository
from tests.conftest import ADA, BOB
from tests.harness import Harness, text_of


@asynccontextmanager
async def killed_and_restarted(bot: Harness, settings: Settings) -> AsyncIterator[Harness]:
    """The running process is killed (its shutdown never runs) and `funnelbot run` starts on the same data."""
    repo = Repository.open(settings.data_dir, fsync=False)
    app = build_application(settings, repo, request=bot.tg.request(), clock=bot.clock)
    async with app:
        await app.post_init(app)  # type: ignore[misc]  # run_polling would
        yield Harness(app=app, tg=bot.tg, repo=repo, clock=bot.clock)
    repo.close()


async def test_guided_add_survives_a_restart_at_the_role_step(bot: Harness, settings: Settings) -> None:
    """/add, "Acme", restart: "SRE" is still the role, and the add finishes as asked."""
    await bot.send(ADA, "/add")
    assert "Which role?" in text_of((await bot.send(ADA, "Acme"))[0])
    async with killed_and_restarted(bot, settings) as again:
        assert "Which track" in text_of((await again.send(ADA, "SRE"))[0])
        await again.tap(ADA, "Skip")
        await again.tap(ADA, "Yes, applied")
        app = again.repo.get_application(ADA, 1)
    assert app is not None and (app.company, app.role, app.stage) == ("Acme", "SRE", Stage.APPLIED)


async def test_a_pending_note_survives_a_restart(bot: Harness, settings: Settings) -> None:
    """Tap 📝 Note, restart: the next text is stored as the note."""
    await bot.send(ADA, "/add Acme - SRE")
    await bot.tap(ADA, "Note")
    async with killed_and_restarted(bot, settings) as again:
        assert "Note added to #1" in text_of((await again.send(ADA, "Ask about on-call"))[0])
        app = again.repo.get_application(ADA, 1)
    assert app is not None and [n.text for n in app.notes] == ["Ask about on-call"]


async def test_a_pending_lesson_survives_a_restart(bot: Harness, settings: Settings) -> None:
    """The check-in's "one lesson?" question, restart: the next text is kept as a lesson."""
    await bot.send(ADA, "/timezone UTC")
    await bot.send(ADA, "/nudges plan off")
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/interview 1 2026-12-01 14:00")
    bot.clock.set(datetime(2026, 12, 1, 18, 0, tzinfo=UTC))
    scheduler = services(bot.app).scheduler
    assert scheduler is not None
    await scheduler.tick()
    await bot.tap(ADA, "Next round")
    async with killed_and_restarted(bot, settings) as again:
        assert "Lesson kept with #1" in text_of((await again.send(ADA, "Prepare a design story"))[0])
        app = again.repo.get_application(ADA, 1)
    assert app is not None and [(n.kind, n.text) for n in app.notes] == [("lesson", "Prepare a design story")]


async def test_the_timezone_question_survives_a_restart(bot: Harness, settings: Settings) -> None:
    """/start asks for a timezone; after a restart "Lisbon" still answers it."""
    await bot.send(ADA, "/start")
    async with killed_and_restarted(bot, settings) as again:
        assert "Timezone set" in text_of((await again.send(ADA, "Lisbon"))[0])
        profile = again.repo.get_profile(ADA)
    assert profile is not None and profile.timezone == "Europe/Lisbon"


async def test_a_command_after_a_restart_still_abandons_the_question(bot: Harness, settings: Settings) -> None:
    """/add, "Acme", restart, /list: the question is over, so "SRE" is ordinary text, not the role."""
    await bot.send(ADA, "/add")
    await bot.send(ADA, "Acme")
    async with killed_and_restarted(bot, settings) as again:
        await again.send(ADA, "/list")
        assert "not sure what to do" in text_of((await again.send(ADA, "SRE"))[0])
        assert again.repo.list_applications(ADA) == []


async def test_a_late_answer_is_ordinary_text(bot: Harness) -> None:
    """An answer 31 minutes after "Which company?" is past the question's time: it gets the usual hint."""
    await bot.send(ADA, "/timezone UTC")
    await bot.send(ADA, "/add")
    bot.clock.advance(minutes=31)
    assert "not sure what to do" in text_of((await bot.send(ADA, "Acme"))[0])
    assert "Nothing to cancel" in text_of((await bot.send(ADA, "/cancel"))[0])


async def test_an_answered_question_leaves_no_file_behind(bot: Harness, settings: Settings) -> None:
    """While a note is asked the user has a question file; once it is answered the file is gone."""
    await bot.send(ADA, "/add Acme - SRE")
    await bot.tap(ADA, "Note")
    folder = settings.data_dir / "conversations"
    assert (folder / f"{ADA}.json").exists()
    await bot.send(ADA, "Ask about on-call")
    assert not (folder / f"{ADA}.json").exists()


async def test_an_import_waiting_for_confirmation_survives_a_restart(bot: Harness, settings: Settings) -> None:
    """A file with a bad row, a duplicate and a guess; restart; "Import the valid row" still imports it."""
    await bot.send(ADA, "/timezone UTC")
    await bot.send(ADA, "/add Acme - SRE")
    data = b"company,role,stage,applied_at\nAcme,SRE,1,\nGlobex,Dev,nope,\nInitech,QA,interview,\n"
    reply = (await bot.upload(ADA, "jobs.csv", data))[0]
    assert "1 row with problems" in text_of(reply)
    async with killed_and_restarted(bot, settings) as again:
        await again.tap(ADA, "Import the 1 valid row")
        assert text_of(again.last(ADA)).startswith("Imported 1 application (#2).")
        await again.press(ADA, reply.message_id, "imp:go:1", force=True)
        assert len(again.repo.list_applications(ADA)) == 2


async def test_a_burst_of_updates_shares_the_flushes_and_every_question_is_on_disk(
    bot: Harness, settings: Settings
) -> None:
    """60 users start a guided /add at once: each question is on disk when its update is done,
    and the updates share PTB's persistence passes instead of queueing one pass each."""
    users = list(range(5000, 5060))
    passes = 0
    real = bot.app.update_persistence

    async def counted() -> None:
        nonlocal passes
        passes += 1
        await real()

    bot.app.update_persistence = counted  # type: ignore[method-assign]
    for user in users:
        bot.tg.send_text(user, "/add")
    updates = [Update.de_json(data, bot.app.bot) for data in bot.tg.pop_updates()]
    await asyncio.gather(*(bot.process(update) for update in updates))
    assert all("Which company?" in text_of(bot.tg.last_bot_message(user)) for user in users)
    on_disk = [json.loads((settings.data_dir / "conversations" / f"{user}.json").read_text()) for user in users]
    assert all("question" in record["states"] for record in on_disk)
    assert passes <= len(users) // 4


async def test_a_question_and_its_data_reach_the_disk_together(bot: Harness, settings: Settings) -> None:
    """PTB hands the new state and the draft over as two calls in no fixed order; the file is
    written once, with both. (Two writes left a moment where a kill kept "Acme" as the draft but
    "Which company?" as the question, and "SRE" then became the company.)"""
    await bot.send(ADA, "/add")
    persistence = bot.app.persistence
    assert persistence is not None
    store = persistence.store  # type: ignore[attr-defined]
    written: list[str] = []
    real = store.save

    def save(user_id: int, record: dict[str, object]) -> None:
        written.append(json.dumps(record))
        real(user_id, record)

    store.save = save
    assert "Which role?" in text_of((await bot.send(ADA, "Acme"))[0])
    assert len(written) == 1 and "Acme" in written[0]
    on_disk = json.loads((settings.data_dir / "conversations" / f"{ADA}.json").read_text())
    assert on_disk == json.loads(written[0])
    async with killed_and_restarted(bot, settings) as again:
        assert "Which track" in text_of((await again.send(ADA, "SRE"))[0])


async def test_a_question_that_cannot_be_written_is_written_by_the_next_pass(
    bot: Harness, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """The disk is full when "Which role?" should be written: the error is logged, not lost, and
    the next update's pass writes the question, so a restart still takes "SRE" as the role."""
    await bot.send(ADA, "/add")
    persistence = bot.app.persistence
    assert persistence is not None
    store = persistence.store  # type: ignore[attr-defined]
    real = store.save
    failures = [OSError(28, "No space left on device")]

    def save(user_id: int, record: dict[str, object]) -> None:
        if failures:
            raise failures.pop()
        real(user_id, record)

    store.save = save
    assert "Which role?" in text_of((await bot.send(ADA, "Acme"))[0])
    assert "No space left on device" in caplog.text
    question = settings.data_dir / "conversations" / f"{ADA}.json"
    assert "Acme" not in question.read_text()
    await bot.send(BOB, "/start")  # anyone's update runs the next pass
    assert "Acme" in question.read_text()
    async with killed_and_restarted(bot, settings) as again:
        assert "Which track" in text_of((await again.send(ADA, "SRE"))[0])
