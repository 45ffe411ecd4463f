"""Reading a timezone the way people type it: an IANA name, a city (any of 15,000+ people), or a UTC offset."""

from __future__ import annotations

import difflib
import functools
import re
import zoneinfo

from bot.domain.places import PlaceMatch, find_place, loadable

_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?:[:.h]?(\d{2}))?$", re.IGNORECASE)

# Offsets that are not whole hours have no Etc/GMT zone; each maps to the place that keeps it all
# year. Where the only places using an offset change clocks in summer, the offset is not a fixed
# zone: we suggest the place instead of guessing.
_PART_HOUR_OFFSETS = {
    (-1, 9, 30): "Pacific/Marquesas",
    (1, 3, 30): "Asia/Tehran",
    (1, 4, 30): "Asia/Kabul",
    (1, 5, 30): "Asia/Kolkata",
    (1, 5, 45): "Asia/Kathmandu",
    (1, 6, 30): "Asia/Yangon",
    (1, 8, 45): "Australia/Eucla",
    (1, 9, 30): "Australia/Darwin",
}
_PART_HOUR_WITH_DST = {
    (-1, 3, 30): "America/St_Johns",
    (-1, 2, 30): "America/St_Johns",
    (1, 10, 30): "Australia/Adelaide",
    (1, 12, 45): "Pacific/Chatham",
    (1, 13, 45): "Pacific/Chatham",
}

# Big cities that are not the name of their IANA zone.
_CITY_ALIASES = {
    "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "portland": "America/Los_Angeles",
    "san diego": "America/Los_Angeles",
    "boston": "America/New_York",
    "washington": "America/New_York",
    "washington dc": "America/New_York",
    "miami": "America/New_York",
    "atlanta": "America/New_York",
    "philadelphia": "America/New_York",
    "austin": "America/Chicago",
    "dallas": "America/Chicago",
    "houston": "America/Chicago",
    "montreal": "America/Toronto",
    "munich": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "barcelona": "Europe/Madrid",
    "milan": "Europe/Rome",
    "geneva": "Europe/Zurich",
    "manchester": "Europe/London",
    "edinburgh": "Europe/London",
    "mumbai": "Asia/Kolkata",
    "bombay": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "chennai": "Asia/Kolkata",
    "hyderabad": "Asia/Kolkata",
    "beijing": "Asia/Shanghai",
    "shenzhen": "Asia/Shanghai",
    "osaka": "Asia/Tokyo",
    "melbourne": "Australia/Melbourne",
    "canberra": "Australia/Sydney",
    "rio": "America/Sao_Paulo",
    "rio de janeiro": "America/Sao_Paulo",
    "cape town": "Africa/Johannesburg",
    "tel aviv": "Asia/Jerusalem",
    "abu dhabi": "Asia/Dubai",
    "kyiv": "Europe/Kyiv",
    "kiev": "Europe/Kyiv",
}


@functools.cache
def _zones() -> dict[str, str]:
    """Lower-cased lookup keys -> IANA names: full names, bare city names and aliases."""
    available = zoneinfo.available_timezones()
    table: dict[str, str] = {}
    for name in sorted(available):
        if name.startswith(("SystemV/", "posix/", "right/")):
            continue
        table[name.lower()] = name
        if "/" in name and not name.startswith("Etc/"):
            city = name.rsplit("/", 1)[1].replace("_", " ").lower()
            table.setdefault(city, name)
    for alias, name in _CITY_ALIASES.items():
        if name in available:
            table.setdefault(alias, name)
    return table


def _from_offset(text: str) -> str | bool | None:
    """An IANA name for "UTC+2", "+05:30", "GMT-3"; False if it isn't an offset; None if invalid.

    A part-hour offset used only by places with daylight saving gives None (see ``suggest_for``).
    """
    match = _OFFSET.match(text)
    if not match or (not text[:1].isalpha() and not text.startswith(("+", "-"))):
        return False
    sign = 1 if match.group(1) == "+" else -1
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if minutes:
        return _PART_HOUR_OFFSETS.get((sign, hours, minutes))
    if hours == 0:
        return "UTC"
    if (sign > 0 and hours > 14) or (sign < 0 and hours > 12):
        return None  # no place on Earth is there
    # POSIX-style names invert the sign: UTC+2 is Etc/GMT-2.
    return f"Etc/GMT{'-' if sign > 0 else '+'}{hours}"


def resolve_timezone(text: str) -> tuple[str | None, list[str]]:
    """Return (IANA name, []) for a known zone, city or UTC offset, else (None, suggestions)."""
    cleaned = " ".join(text.strip().split())
    if not cleaned:
        return None, []
    if cleaned.upper() in ("UTC", "GMT", "Z"):
        return "UTC", []
    offset = _from_offset(cleaned)
    if offset is None:
        return None, _suggest_for_offset(cleaned)
    if isinstance(offset, str):
        return offset, []
    zones = _zones()
    key = cleaned.lower().replace("_", " ")
    for candidate in (cleaned.lower(), key, key.replace(" ", "_")):
        if candidate in zones:
            return zones[candidate], []
    close = difflib.get_close_matches(key, list(zones), n=3, cutoff=0.75)
    return None, list(dict.fromkeys(zones[c] for c in close))


def _suggest_for_offset(text: str) -> list[str]:
    match = _OFFSET.match(text)
    if not match or not match.group(3):
        return []
    key = (1 if match.group(1) == "+" else -1, int(match.group(2)), int(match.group(3)))
    return [_PART_HOUR_WITH_DST[key]] if key in _PART_HOUR_WITH_DST else []


def describe_zone(name: str) -> str:
    """How to show a zone to its user: Etc/GMT-2 reads as UTC+2."""
    match = re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", name)
    if match:
        return f"UTC{'-' if match.group(1) == '+' else '+'}{match.group(2)}"
    return name


def read_zone(text: str) -> tuple[str | None, list[str], PlaceMatch | None]:
    """Like ``resolve_timezone``, but any city of 15,000 people or more answers too (GeoNames).

    A zone's own name ("Europe/Berlin", "Calcutta", "UTC+2") is read as before, with the place it
    names when that place is in the zone ("Berlin, Germany"). Anything else, our city aliases
    included, goes to the place database, which names the city it chose and others of that name;
    then come close suggestions.
    """
    cleaned = " ".join(text.strip().split())
    if cleaned.lower().replace("_", " ") not in _CITY_ALIASES:
        zone, suggestions = resolve_timezone(text)
        if zone is not None:
            match = find_place(cleaned) if "/" not in cleaned and _from_offset(cleaned) is False else None
            return zone, [], match if match is not None and match.place.timezone == zone else None
    match = find_place(cleaned)
    if match is not None and loadable(match.place.timezone):
        return match.place.timezone, [], match
    zone, suggestions = resolve_timezone(text)
    return zone, suggestions, None
