"""Timezones as people type them."""

from __future__ import annotations

import zoneinfo

import pytest

from bot.domain.zones import describe_zone, resolve_timezone


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("berlin", "Europe/Berlin"),
        ("New York", "America/New_York"),
        ("new_york", "America/New_York"),
        ("San Francisco", "America/Los_Angeles"),
        ("Bangalore", "Asia/Kolkata"),
        ("UTC+2", "Etc/GMT-2"),
        ("gmt-5", "Etc/GMT+5"),
        ("+3", "Etc/GMT-3"),
        ("UTC+5:30", "Asia/Kolkata"),
        ("+05:45", "Asia/Kathmandu"),
        ("UTC-12", "Etc/GMT+12"),
        ("UTC+14", "Etc/GMT-14"),
        ("Etc/GMT+5", "Etc/GMT+5"),
        ("UTC", "UTC"),
        ("utc+0", "UTC"),
    ],
)
def test_resolve_timezone_accepts_names_cities_and_offsets(text: str, zone: str) -> None:
    """IANA names, city names (and common aliases) and real UTC offsets all resolve, loadably."""
    assert resolve_timezone(text) == (zone, [])
    zoneinfo.ZoneInfo(zone)


@pytest.mark.parametrize("text", ["UTC-13", "UTC+15", "UTC+5:15", "Mars", "", "+99"])
def test_impossible_offsets_and_unknown_places_are_refused(text: str) -> None:
    """No zone is returned for offsets no place uses, or for places we can't find."""
    assert resolve_timezone(text)[0] is None


def test_unknown_timezone_gets_suggestions() -> None:
    """A typo is not guessed silently; close matches are offered."""
    zone, suggestions = resolve_timezone("Berln")
    assert zone is None
    assert "Europe/Berlin" in suggestions


@pytest.mark.parametrize(
    ("zone", "shown"), [("Etc/GMT-2", "UTC+2"), ("Etc/GMT+5", "UTC-5"), ("Europe/Lisbon", "Europe/Lisbon")]
)
def test_describe_zone_shows_offsets_the_human_way(zone: str, shown: str) -> None:
    """Etc/GMT-2 is UTC+2 to a person."""
    assert describe_zone(zone) == shown


def test_part_hour_offsets_with_summer_time_suggest_the_place() -> None:
    """UTC-3:30 is Newfoundland only in winter: no fixed zone is guessed, the place is suggested."""
    assert resolve_timezone("UTC-3:30") == (None, ["America/St_Johns"])
