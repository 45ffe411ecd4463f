"""Timezones for real places: any city of 15,000+ people, ambiguous names, and a shared location."""

from __future__ import annotations

from typing import Any

from telegram import Update

from tests.conftest import ADA
from tests.harness import Harness, text_of


def zone(bot: Harness) -> str:
    profile = bot.repo.get_profile(ADA)
    assert profile is not None
    return profile.timezone


async def share_location(bot: Harness, latitude: float, longitude: float, *, kind: str = "message") -> None:
    """The user taps "Share my location": a message with a Location, as Telegram's client sends it.

    The offline Telegram has no location messages, so the update is built here; its id is above any
    the fake hands out, so call this last in a test (a lower id afterwards would read as re-delivered).
    """
    sender: dict[str, Any] = {"id": ADA, "is_bot": False, "first_name": "Ada"}
    message = {
        "message_id": 10_000,
        "date": int(bot.clock.now.timestamp()),
        "chat": {"id": ADA, "type": "private", "first_name": "Ada"},
        "from": sender,
        "location": {"latitude": latitude, "longitude": longitude},
    }
    if kind == "edited_message":
        message["edit_date"] = message["date"]
    update_id = 900_000_000 if kind == "message" else 900_000_001
    await bot.process(Update.de_json({"update_id": update_id, kind: message}, bot.app.bot))


async def test_new_zealand_cities_resolve_during_start_and_with_timezone(bot: Harness) -> None:
    """'Dunedin' typed after /start and '/timezone Wellington' both set Pacific/Auckland and name the city."""
    await bot.send(ADA, "/start")
    reply = (await bot.send(ADA, "Dunedin"))[0]
    assert zone(bot) == "Pacific/Auckland"
    assert "Pacific/Auckland" in text_of(reply) and "Dunedin, New Zealand" in text_of(reply)
    await bot.send(ADA, "/timezone UTC")
    await bot.send(ADA, "/timezone Wellington")
    assert zone(bot) == "Pacific/Auckland" and "Wellington, New Zealand" in text_of(bot.last(ADA))


async def test_ambiguous_city_takes_the_biggest_and_says_how_to_pick_another(bot: Harness) -> None:
    """'Portland' is Oregon's, the reply names it and offers Maine's; 'Portland, Maine' then picks that one."""
    await bot.send(ADA, "/timezone Portland")
    text = text_of(bot.last(ADA))
    assert zone(bot) == "America/Los_Angeles"
    assert "Portland, Oregon, United States" in text and "/timezone Portland, Maine" in text
    await bot.send(ADA, "/timezone Portland, Maine")
    assert zone(bot) == "America/New_York"
    await bot.send(ADA, "/timezone Cambridge, US")
    assert zone(bot) == "America/New_York" and "Massachusetts" in text_of(bot.last(ADA))


async def test_onboarding_miss_gets_a_timezone_answer_and_the_location_button(bot: Harness) -> None:
    """After /start an unknown place gets a timezone message with a share-location button; nothing changes."""
    await bot.send(ADA, "/start")
    reply = (await bot.send(ADA, "Xyzzyville"))[0]
    assert "I don't know the timezone “Xyzzyville”" in text_of(reply) and "Nothing was changed" in text_of(reply)
    assert reply.reply_markup is not None
    assert reply.reply_markup["keyboard"][0][0]["request_location"] is True
    assert zone(bot) == ""


async def test_shared_location_sets_the_zone_there(bot: Harness) -> None:
    """A location in Dunedin sets Pacific/Auckland, puts the keyboard away and asks for the first job."""
    await bot.send(ADA, "/start")
    await share_location(bot, -45.874, 170.504)
    assert zone(bot) == "Pacific/Auckland"
    reply = bot.last(ADA)
    assert "Timezone set to Pacific/Auckland" in text_of(reply) and "first job" in text_of(reply)
    assert reply.reply_markup == {"remove_keyboard": True}


async def test_location_with_no_zone_changes_nothing(bot: Harness) -> None:
    """Coordinates that name no timezone get a friendly retry message and leave the setting alone."""
    await bot.send(ADA, "/timezone Lisbon")
    await share_location(bot, 95.0, 10.0)
    assert zone(bot) == "Europe/Lisbon"
    assert "couldn't find a timezone" in text_of(bot.last(ADA))


async def test_live_location_updates_say_and_change_nothing(bot: Harness) -> None:
    """After a shared live location, its moving updates (edited messages elsewhere) neither reply nor reset the zone."""
    await bot.send(ADA, "/start")
    await share_location(bot, -45.874, 170.504)
    count = len(bot.texts(ADA))
    await share_location(bot, 52.52, 13.40, kind="edited_message")
    assert zone(bot) == "Pacific/Auckland" and len(bot.texts(ADA)) == count
