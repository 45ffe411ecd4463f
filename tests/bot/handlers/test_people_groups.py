"""A group board through the offline Bot API with three users: join (confirmed privately), leave,
the weekly board with kind ordering and a total, the group limit, and clean-up when the bot is
removed or a member blocks it."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.faketelegram import FakeMessage
from bot.handlers import groups
from bot.handlers.partner import shared_of
from tests.conftest import ADA, BOB
from tests.harness import Harness, text_of

CARL = 3003
GROUP = -100500
SUNDAY_7PM = datetime(2026, 11, 29, 19, 5, tzinfo=UTC)  # the group's review: Sunday 19:00, London
SHAMING = ("missed", "failed", "behind", "lazy", "worst", "only ", "last place", "❌")


async def in_group(bot: Harness, user: int, text: str) -> list[FakeMessage]:
    """``user`` writes in the group; returns the bot's new messages there."""
    before = len(bot.tg.bot_messages(GROUP))
    bot.tg.send_group_text(GROUP, user, text)
    await bot.pump()
    return bot.tg.bot_messages(GROUP)[before:]


async def three_members(bot: Harness) -> None:
    for user, name in ((ADA, "Ada"), (BOB, "Bob"), (CARL, "Carl")):
        await bot.send(user, "/target 2", first_name=name)
    bot.tg.add_to_group(GROUP, "Job Club", by_user=ADA)
    await bot.pump()
    for user in (ADA, BOB, CARL):
        await in_group(bot, user, "/join")
        await bot.tap(user, "✅ Share")


async def run_board(bot: Harness) -> None:
    [job] = bot.app.job_queue.get_jobs_by_name("people:groups")  # type: ignore[union-attr]
    await job.run(bot.app)


async def test_join_is_confirmed_in_private_and_other_chatter_is_ignored(bot: Harness) -> None:
    """/join in the group asks privately; Share adds the member; chatter gets no answer, other commands the pointer."""
    await bot.send(ADA, "/start", first_name="Ada")
    bot.tg.add_to_group(GROUP, "Job Club", by_user=ADA)
    await bot.pump()
    assert "Send /join here" in text_of(bot.tg.bot_messages(GROUP)[-1])
    replies = await in_group(bot, ADA, "/join")
    assert "sent you a private message" in text_of(replies[0])
    assert "Share your weekly progress with Job Club" in text_of(bot.last(ADA))
    assert shared_of(bot.app).group(GROUP)["members"] == {}  # type: ignore[index]
    await bot.tap(ADA, "✅ Share")
    assert "You're on the board of Job Club" in text_of(bot.last(ADA))
    assert str(ADA) in shared_of(bot.app).group(GROUP)["members"]  # type: ignore[index]
    assert await in_group(bot, ADA, "hello everyone") == []
    assert "talk to me in a direct chat" in text_of((await in_group(bot, ADA, "/list"))[0])  # as before


async def test_join_by_someone_who_never_started_the_bot_points_to_a_private_chat(bot: Harness) -> None:
    """A member the bot can't write to gets a link to start a private chat, and isn't added."""
    bot.tg.add_to_group(GROUP, "Job Club", by_user=ADA)
    await bot.pump()
    replies = await in_group(bot, CARL, "/join")
    assert "start a private chat with me first" in text_of(replies[0]) and "t.me/funnelbot_test" in text_of(replies[0])
    assert shared_of(bot.app).group(GROUP)["members"] == {}  # type: ignore[index]


async def test_board_is_kind_sorted_with_a_total_and_posted_once(bot: Harness) -> None:
    """At the chosen time the board lists those on target first, the rest kindly, and the total; once."""
    await three_members(bot)
    replies = await in_group(bot, BOB, "/groupreview sun 19:00")
    assert "every Sunday at 19:00 (Europe/London)" in text_of(replies[0])
    for n in range(2):
        await bot.send(CARL, f"/add Co{n} - Dev applied")
    await bot.send(ADA, "/add Acme - SRE applied")
    bot.clock.set(SUNDAY_7PM)
    await run_board(bot)
    board = text_of(bot.tg.bot_messages(GROUP)[-1])
    lines = board.splitlines()
    assert lines[0] == "📋 Job Club: this week"
    assert lines[1].startswith("Carl: ✅ target met · 2 sent")
    assert lines[2].startswith("Ada: 🌱 building up · 1 sent") and lines[3].startswith("Bob: 🌱 building up · 0 sent")
    assert "Together: 3 applications this week" in board
    assert not any(word in board.lower() for word in SHAMING) and "Acme" not in board
    count = len(bot.tg.bot_messages(GROUP))
    await run_board(bot)
    assert len(bot.tg.bot_messages(GROUP)) == count


async def test_leave_stops_sharing_at_once(bot: Harness) -> None:
    """/leave in the group (or in private) removes the member from the next board."""
    await three_members(bot)
    await in_group(bot, ADA, "/groupreview sun 19:00")
    replies = await in_group(bot, BOB, "/leave")
    assert "Bob left the board" in text_of(replies[0])
    replies = await bot.send(CARL, "/leave")
    assert "you left 1 group board" in text_of(replies[0])
    bot.clock.set(SUNDAY_7PM)
    await run_board(bot)
    board = text_of(bot.tg.bot_messages(GROUP)[-1])
    assert "Ada:" in board and "Bob" not in board and "Carl" not in board


async def test_groupreview_needs_a_member_and_a_readable_time(bot: Harness) -> None:
    """Non-members and unreadable times or zones get a hint and change nothing."""
    await three_members(bot)
    bot.tg.send_group_text(GROUP, 4004, "/groupreview sun 19:00", first_name="Dan")
    await bot.pump()
    assert "/join first" in text_of(bot.tg.bot_messages(GROUP)[-1])
    assert "Nothing was changed" in text_of((await in_group(bot, ADA, "/groupreview someday"))[0])
    assert "don't know that timezone" in text_of((await in_group(bot, ADA, "/groupreview sun 19:00 Mars/Base"))[0])
    assert shared_of(bot.app).group(GROUP)["review"] is None  # type: ignore[index]


async def test_bot_removed_from_group_or_member_blocking_cleans_up(bot: Harness) -> None:
    """A member who blocks the bot leaves every board; removing the bot deletes the group's board."""
    await three_members(bot)
    bot.tg.block(CARL)
    await bot.pump()
    assert str(CARL) not in shared_of(bot.app).group(GROUP)["members"]  # type: ignore[index]
    bot.tg.remove_from_group(GROUP, by_user=ADA)
    await bot.pump()
    assert shared_of(bot.app).group(GROUP) is None
    bot.clock.set(SUNDAY_7PM)
    await run_board(bot)
    bot.tg.assert_no_errors()


async def test_group_posts_stay_under_twenty_a_minute(bot: Harness) -> None:
    """A burst of /join in one group gets at most 20 group posts in that minute; the board still goes."""
    await three_members(bot)
    await in_group(bot, ADA, "/groupreview sun 19:00")
    before = len(bot.tg.bot_messages(GROUP))
    for _ in range(25):
        await in_group(bot, ADA, "/join")
    assert len(bot.tg.bot_messages(GROUP)) - before <= groups.GROUP_LIMIT
    bot.clock.set(SUNDAY_7PM)
    await run_board(bot)
    assert "Together" in text_of(bot.tg.bot_messages(GROUP)[-1])


async def test_forget_takes_the_member_off_every_board(bot: Harness) -> None:
    """/forget removes the user's memberships; /privacy says what groups see."""
    await three_members(bot)
    assert "Groups:" in text_of((await bot.send(BOB, "/privacy"))[0])
    await bot.send(BOB, "/forget")
    await bot.tap(BOB, "Delete everything")
    assert str(BOB) not in shared_of(bot.app).group(GROUP)["members"]  # type: ignore[index]


async def test_board_follows_a_group_that_became_a_supergroup(bot: Harness) -> None:
    """When the group is upgraded (new chat id), the board is posted there and its members kept."""
    await three_members(bot)
    await in_group(bot, ADA, "/groupreview sun 19:00")
    bot.tg.migrate_group(GROUP, -100999)
    bot.clock.set(SUNDAY_7PM)
    await run_board(bot)
    assert "Together" in text_of(bot.tg.bot_messages(-100999)[-1])
    moved = shared_of(bot.app).group(-100999)
    assert moved is not None and len(moved["members"]) == 3 and shared_of(bot.app).group(GROUP) is None
