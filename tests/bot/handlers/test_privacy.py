"""Data rights: /privacy explains, /forget deletes everything, blocked users are forgotten in time."""

from __future__ import annotations

from bot.handlers import privacy
from bot.views import privacy as privacy_views
from tests.conftest import ADA, BOB
from tests.harness import Harness, text_of


async def test_privacy_says_what_where_who_and_how_long(bot: Harness) -> None:
    """/privacy answers the four questions in one phone screen, with the retention period."""
    replies = await bot.send(ADA, "/privacy")
    text = text_of(replies[0])
    for part in ("What I keep", "Where", "Who sees it", "How long", "/forget", "180 days"):
        assert part in text
    assert len(text) <= 1500


async def test_the_bot_describes_itself_and_its_data_promise(bot: Harness) -> None:
    """The description and short description (shown before /start) say where the data stays."""
    assert bot.tg.calls_to("setMyDescription")[-1]["description"] == privacy_views.DESCRIPTION
    assert "server" in bot.tg.calls_to("setMyShortDescription")[-1]["short_description"]


async def test_forget_deletes_everything_after_a_confirmation(bot: Harness) -> None:
    """/forget offers an export, then deletes the file, reminders and undo history, and says what."""
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/note 1 salary 120k")
    await bot.send(BOB, "/add Bobco - Dev")
    await bot.upload(
        ADA, "sheet.csv", b"company,role,stage\nSecretco,SRE,applied\nBadco,SRE,limbo\n"
    )  # left unconfirmed
    kept = bot.repo.data_dir / "conversations" / f"{ADA}.json"
    await bot.app.update_persistence()
    assert kept.exists() and "Secretco" in kept.read_text()
    replies = await bot.send(ADA, "/forget")
    assert "1 application" in text_of(replies[0]) and "can't be undone" in text_of(replies[0])
    exported = await bot.tap(ADA, "Export first")
    assert exported[0].document is not None and "Acme" in exported[0].document[1].decode("utf-8-sig")
    assert bot.repo.get_profile(ADA) is not None  # exporting deletes nothing
    await bot.tap(ADA, "Delete everything")
    confirmation = next(m for m in bot.tg.bot_messages(ADA) if m.message_id == replies[0].message_id)
    assert "Deleted: 1 application" in text_of(confirmation)
    assert bot.repo.get_profile(ADA) is None and bot.repo.list_applications(ADA) == []
    assert ADA not in bot.repo.user_ids()
    assert not (bot.repo.users_dir / f"{ADA}.json").exists()
    await bot.app.update_persistence()
    assert not kept.exists()  # the unconfirmed import's rows went too
    assert bot.repo.list_applications(BOB)[0].company == "Bobco"
    replies = await bot.send(ADA, "/undo")
    assert "Undone" not in text_of(replies[0])
    assert text_of((await bot.send(ADA, "/add Fresh - Start"))[0]).startswith("Saved as prospect #1")


async def test_forget_cancelled_or_stale_deletes_nothing(bot: Harness) -> None:
    """Cancel keeps everything; a button from an older /forget has expired."""
    await bot.send(ADA, "/add Acme - SRE")
    await bot.send(ADA, "/forget")
    await bot.tap(ADA, "Cancel")
    assert "nothing was deleted" in text_of(bot.last(ADA))
    await bot.send(ADA, "/forget")
    old = bot.tg.bot_messages(ADA)[-1]
    await bot.send(ADA, "/forget")
    delete = next(data for row in old.buttons for label, data in row if "Delete" in label)
    assert delete is not None
    await bot.press(ADA, old.message_id, delete)
    assert "expired" in (bot.tg.callback_answers[-1]["text"] or "")
    assert bot.repo.get_application(ADA, 1) is not None


async def test_blocked_users_are_deleted_after_the_retention_period(bot: Harness) -> None:
    """Blocking records when; the retention job deletes after 180 days, not before; returning resets it."""
    await bot.send(ADA, "/add Acme - SRE")
    await bot.send(BOB, "/add Bobco - Dev")
    bot.tg.block(ADA)
    bot.tg.block(BOB)
    await bot.pump()
    assert bot.repo.get_profile(ADA).inactive_since == bot.clock.now  # type: ignore[union-attr]
    bot.clock.advance(days=100)
    await bot.send(BOB, "/list")  # Bob came back: active again
    assert bot.repo.get_profile(BOB).inactive_since is None  # type: ignore[union-attr]
    context = bot.app.context_types.context.from_job(_job(bot), bot.app)
    await privacy.delete_long_blocked(context)
    assert bot.repo.get_profile(ADA) is not None
    bot.clock.advance(days=81)
    await privacy.delete_long_blocked(context)
    assert bot.repo.get_profile(ADA) is None and ADA not in bot.repo.user_ids()
    assert bot.repo.get_profile(BOB) is not None


def _job(bot: Harness):  # type: ignore[no-untyped-def]
    from telegram.ext import Job

    return Job(privacy.delete_long_blocked, name="test")


async def test_a_deep_link_start_payload_is_accepted(bot: Harness) -> None:
    """/start with an unknown deep-link payload greets as usual and stores nothing odd."""
    replies = await bot.send(ADA, "/start invite-0123456789abcdef")
    assert "I'm Funnelbot" in text_of(replies[0])
    assert bot.repo.list_applications(ADA) == []
