"""Updates are processed per user in order, across users concurrently, with a bounded backlog."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update

from bot.updates import BACKLOG, FairUpdateProcessor
from tests.conftest import ADA, BOB
from tests.harness import Harness, text_of


async def _burst(bot: Harness, updates: list[dict]) -> None:  # type: ignore[type-arg]
    """Hand every update to the processor at once, as polling does with a full batch."""
    processor = bot.app.update_processor
    await asyncio.gather(
        *(
            processor.process_update(u, bot.app.process_update(u))
            for u in (Update.de_json(d, bot.app.bot) for d in updates)
        )
    )


async def test_a_heavy_user_does_not_hold_up_another(bot: Harness) -> None:
    """Bob's /help is answered before Ada's long burst is through, and Ada's adds stay in order."""
    for i in range(30):
        bot.tg.send_text(ADA, f"/add Company {i} - Role")
    bot.tg.send_text(BOB, "/help")
    await _burst(bot, bot.tg.pop_updates())
    ada_saved = [m for m in bot.tg.bot_messages(ADA) if text_of(m).startswith("Saved")]
    assert [int(text_of(m).split("#")[1].split(".")[0]) for m in ada_saved] == list(range(1, 31))
    assert [a.company for a in bot.repo.list_applications(ADA)] == [f"Company {i}" for i in range(30)]
    order = [int(params["chat_id"]) for method, params in bot.tg.calls if method == "sendMessage"]
    assert order.count(ADA) == 30
    assert order.index(BOB) < len(order) - 20  # answered well before Ada's burst was through


async def test_a_flood_is_told_to_slow_down_and_changes_nothing_beyond_the_backlog(bot: Harness) -> None:
    """Past the backlog, extra messages are skipped, the user is told once, and none is half-applied."""
    total = BACKLOG + 15
    for i in range(total):
        bot.tg.send_text(ADA, f"/add Flood {i} - Role")
    await _burst(bot, bot.tg.pop_updates())
    texts = bot.texts(ADA)
    assert sum("faster than I can keep up" in t for t in texts) == 1
    saved = bot.repo.list_applications(ADA)
    assert len(saved) == sum(t.startswith("Saved") for t in texts)
    assert BACKLOG <= len(saved) < total
    assert [a.number for a in saved] == list(range(1, len(saved) + 1))
    replies = await bot.send(ADA, "/add After - Calm")
    assert text_of(replies[0]).startswith(f"Saved as prospect #{len(saved) + 1}")


async def test_a_redelivered_update_is_not_applied_twice(bot: Harness) -> None:
    """Telegram re-sends an update it wasn't told was handled: the add is stored and answered once."""
    await bot.send(ADA, "/start")
    update = bot.tg.send_text(ADA, "/add Acme - SRE")
    await bot.pump()
    await bot.process(Update.de_json(update, bot.app.bot))
    assert [a.company for a in bot.repo.list_applications(ADA)] == ["Acme"]
    assert sum(t.startswith("Saved") for t in bot.texts(ADA)) == 1
    replies = await bot.send(ADA, "/add Beta - Dev")
    assert text_of(replies[0]).startswith("Saved as prospect #2")


async def test_a_redelivery_after_a_restart_is_skipped(settings, tg, clock) -> None:  # type: ignore[no-untyped-def]
    """A crash before Telegram learned the update was handled: the new process skips it."""
    from bot.app import build_application
    from storage import Repository

    first = Repository.open(settings.data_dir, fsync=False)
    app = build_application(settings, first, request=tg.request(), clock=clock)
    async with app:
        await Harness(app=app, tg=tg, repo=first, clock=clock).send(ADA, "/add Acme - SRE")
        note = tg.send_text(ADA, "/note 1 called Jane")
        await Harness(app=app, tg=tg, repo=first, clock=clock).pump()
    first.close()
    again = Repository.open(settings.data_dir, fsync=False)
    app = build_application(settings, again, request=tg.request(), clock=clock)
    async with app:
        harness = Harness(app=app, tg=tg, repo=again, clock=clock)
        messages = len(tg.bot_messages(ADA))
        await harness.process(Update.de_json(note, app.bot))
        app_1 = again.get_application(ADA, 1)
        assert app_1 is not None and [n.text for n in app_1.notes] == ["called Jane"]
        assert len(tg.bot_messages(ADA)) == messages
        assert len(again.list_applications(ADA)) == 1


async def test_at_most_running_updates_are_handled_at_once_and_all_are_answered(bot: Harness) -> None:
    """A full batch from many users is handled a few at a time (RUNNING), each answered once."""
    processor = bot.app.update_processor
    assert isinstance(processor, FairUpdateProcessor)
    processor.running = 3
    inside, most = 0, 0
    real = processor._handle_once

    async def counting(*args: Any) -> None:
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        try:
            await real(*args)
        finally:
            inside -= 1

    processor._handle_once = counting  # type: ignore[method-assign]
    users = [ADA + n for n in range(12)]
    for user in users:
        bot.tg.send_text(user, "/help")
    await _burst(bot, bot.tg.pop_updates())
    assert most == 3
    assert all(len(bot.tg.bot_messages(user)) == 1 for user in users)


async def test_a_users_queued_updates_take_no_turn_from_others(bot: Harness) -> None:
    """With one turn only, Ada's 20 queued adds wait on her own lock: Bob's /help still gets in
    between, and Ada's adds are stored in order."""
    processor = bot.app.update_processor
    assert isinstance(processor, FairUpdateProcessor)
    processor.running = 1
    for i in range(20):
        bot.tg.send_text(ADA, f"/add Company {i} - Role")
    bot.tg.send_text(BOB, "/help")
    await _burst(bot, bot.tg.pop_updates())
    order = [int(params["chat_id"]) for method, params in bot.tg.calls if method == "sendMessage"]
    assert order.count(ADA) == 20 and BOB in order
    assert order.index(BOB) < 5
    assert [a.company for a in bot.repo.list_applications(ADA)] == [f"Company {i}" for i in range(20)]
