"""A full week from the users' chats: Ada with Bob as her partner, and a group of three (Ada, Bob,
Carl) with a Sunday board; jobs ticked through the week, nothing early, everything once."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.faketelegram import FakeMessage
from tests.conftest import ADA, BOB
from tests.harness import Harness, text_of

CARL = 3003
GROUP = -100777


async def tick(bot: Harness, moment: datetime) -> None:
    """The clock reaches ``moment`` and both people jobs run, as the job queue would."""
    bot.clock.set(moment)
    for name in ("people:partner", "people:groups"):
        [job] = bot.app.job_queue.get_jobs_by_name(name)  # type: ignore[union-attr]
        await job.run(bot.app)


async def in_group(bot: Harness, user: int, text: str) -> list[FakeMessage]:
    before = len(bot.tg.bot_messages(GROUP))
    bot.tg.send_group_text(GROUP, user, text)
    await bot.pump()
    return bot.tg.bot_messages(GROUP)[before:]


async def test_a_week_with_a_partner_and_a_group_of_three(bot: Harness) -> None:
    """Monday set-up, a week of work, Sunday's partner summary, encouragement and the group board."""
    # Monday: everyone starts; Ada invites Bob; the group is set up.
    for user, name in ((ADA, "Ada"), (BOB, "Bob"), (CARL, "Carl")):
        await bot.send(user, "/start", first_name=name)
        await bot.tap(user, "London")
        await bot.send(user, "/target 2")
    invite = text_of((await bot.send(ADA, "/partner invite"))[0])
    code = invite.split("?start=")[1].split()[0]
    await bot.send(BOB, f"/start {code}")
    await bot.tap(BOB, "Accept")
    bot.tg.add_to_group(GROUP, "Job Club", by_user=CARL)
    await bot.pump()
    for user in (ADA, BOB, CARL):
        await in_group(bot, user, "/join")
        await bot.tap(user, "✅ Share")
    assert "every Sunday at 19:00" in text_of((await in_group(bot, CARL, "/groupreview sun 19:00"))[0])

    # Tuesday to Thursday: contacts, a conversation, applications (one through Jane).
    await tick(bot, datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    await bot.send(ADA, "/contact Jane Doe - Staff SRE at Acme #sre")
    await bot.send(ADA, "/talked Jane coffee, she'll refer me to the platform team")
    await bot.tap(ADA, "1 week")
    assert "Linked to your contact Jane Doe" in text_of(
        (await bot.send(ADA, "/add Acme - SRE applied via Jane Doe"))[0]
    )
    await tick(bot, datetime(2026, 11, 26, 12, 0, tzinfo=UTC))
    await bot.send(ADA, "/add Globex - SRE applied")
    await bot.send(BOB, "/add Initech - Dev applied")
    await bot.send(CARL, "/add Umbrella - QA applied")
    await bot.send(CARL, "/add Hooli - QA applied")
    group_posts = len(bot.tg.bot_messages(GROUP))
    bob_messages = len(bot.tg.bot_messages(BOB))
    await tick(bot, datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    assert len(bot.tg.bot_messages(GROUP)) == group_posts and len(bot.tg.bot_messages(BOB)) == bob_messages

    # Sunday 18:05: Bob gets Ada's week (no company names) and cheers her on.
    await tick(bot, datetime(2026, 11, 29, 18, 5, tzinfo=UTC))
    summary = text_of(bot.last(BOB))
    assert "Ada's week" in summary and "target of 2 met" in summary and "Applications: 2" in summary
    assert "Acme" not in summary and "Globex" not in summary
    await bot.tap(BOB, "Send encouragement")
    await bot.tap(BOB, "Proud of the work")
    assert "Bob sends encouragement" in text_of(bot.last(ADA))

    # Sunday 19:05: the board, kindly ordered, with the total; a second tick posts nothing more.
    await tick(bot, datetime(2026, 11, 29, 19, 5, tzinfo=UTC))
    board = text_of(bot.tg.bot_messages(GROUP)[-1]).splitlines()
    assert board[1].startswith("Ada: ✅") and board[2].startswith("Carl: ✅") and board[3].startswith("Bob: 🌱")
    assert "Together: 5 applications this week" in board[-1]
    posts = len(bot.tg.bot_messages(GROUP))
    await tick(bot, datetime(2026, 11, 29, 19, 15, tzinfo=UTC))
    assert len(bot.tg.bot_messages(GROUP)) == posts

    # Next Tuesday: Jane's follow-up (a week after the talk) is due on top of /contacts; her referral counts.
    await tick(bot, datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert "1 person to get back to: Jane Doe" in text_of((await bot.send(ADA, "/contacts"))[0])
    assert "Through people: 1 applied" in text_of((await bot.send(ADA, "/stats network"))[0])
    bot.tg.assert_no_errors()
