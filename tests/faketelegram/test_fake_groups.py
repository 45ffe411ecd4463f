"""Groups in the fake Telegram: the bot added and removed, members writing there, the group limit."""

from __future__ import annotations

import pytest

from bot.faketelegram import FakeTelegram, FakeUsageError
from bot.faketelegram.core import FloodLimits
from bot.faketelegram.errors import FakeApiError
from tests.faketelegram.conftest import FakeClock

GROUP = -1001
ADA, BOB = 42, 43


def test_added_bot_gets_a_member_update_and_group_messages_name_their_author() -> None:
    """Adding the bot sends my_chat_member for the group; a member's message has the group chat and its author."""
    fake = FakeTelegram()
    update = fake.add_to_group(GROUP, "Job Club", by_user=ADA)
    member = update["my_chat_member"]
    assert member["chat"] == {"id": GROUP, "type": "group", "title": "Job Club"}
    assert (member["old_chat_member"]["status"], member["new_chat_member"]["status"]) == ("left", "member")
    message = fake.send_group_text(GROUP, BOB, "/join", first_name="Bob")["message"]
    assert message["chat"]["id"] == GROUP and message["from"]["id"] == BOB
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]


async def test_removed_bot_cannot_post_and_members_cannot_write_there() -> None:
    """After removal, sendMessage to the group is 403 and the simulated users can't post there."""
    fake = FakeTelegram()
    fake.add_to_group(GROUP, "Job Club", by_user=ADA)
    await fake.call("sendMessage", chat_id=GROUP, text="hi")
    assert fake.bot_messages(GROUP)[-1].text == "hi"
    update = fake.remove_from_group(GROUP, by_user=ADA)
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    with pytest.raises(FakeApiError, match="kicked from the group"):
        await fake.call("sendMessage", chat_id=GROUP, text="still here?")
    with pytest.raises(FakeUsageError):
        fake.send_group_text(GROUP, ADA, "hello")


async def test_group_limit_is_twenty_a_minute(clock: FakeClock) -> None:
    """The 21st message in a minute to one group is refused with 429; a minute later it goes."""
    fake = FakeTelegram(clock=clock, flood=FloodLimits(per_chat_burst=100, per_chat_per_second=100.0))
    fake.add_to_group(GROUP, "Job Club", by_user=ADA)
    for n in range(20):
        await fake.call("sendMessage", chat_id=GROUP, text=f"post {n}")
        clock.advance(1)
    with pytest.raises(FakeApiError, match="Too Many Requests"):
        await fake.call("sendMessage", chat_id=GROUP, text="one too many")
    clock.advance(41)
    await fake.call("sendMessage", chat_id=GROUP, text="a minute later")
