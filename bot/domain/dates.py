"""Reading dates, times and timezones the way people type them.

Natural phrases ("friday", "in 2 weeks", "tomorrow 14:00") go through ``dateparser`` relative to a
``now`` that the caller passes in; the domain never reads the clock itself.
"""

from __future__ import annotations

import difflib
import functools
import re
import warnings
import zoneinfo
from datetime import date, datetime, time, timedelta
from typing import Any

_HAS_DATE_HINT = re.compile(r"[a-z]|\d[-/.]\d", re.IGNORECASE)
_UTC_OFFSET = re.compile(r"^(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?00)?$", re.IGNORECASE)


def _parse(text: str, now: datetime, *, prefer: str = "future") -> datetime | None:
    import dateparser

    text = text.strip()
    if not text or not _HAS_DATE_HINT.search(text):
        return None
    settings: dict[str, Any] = {
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "PREFER_DATES_FROM": prefer,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DAY_OF_MONTH": "first",
    }
    with warnings.catch_warnings():
        # dateparser trips over its own deprecations on some Python versions; none affect us.
        warnings.simplefilter("ignore")
        return dateparser.parse(text, languages=["en"], settings=settings)  # type: ignore[no-any-return]


def parse_day(text: str, today: date) -> date | None:
    """A calendar day from "2026-12-05", "friday", "dec 5", "in 2 weeks", "tomorrow"."""
    cleaned = text.strip().lower()
    if cleaned in ("today", "tonight"):
        return today
    parsed = _parse(cleaned, datetime.combine(today, time(12, 0)))
    return parsed.date() if parsed else None


def parse_moment(text: str, now: datetime) -> datetime | None:
    """A local wall-clock moment ("tomorrow 14:00", "fri 10am") in ``now``'s timezone.

    Without a time of day the moment is 09:00. A time alone means its next occurrence.
    """
    tz = now.tzinfo
    if tz is None:
        raise ValueError("now must be aware")
    parsed = _parse(text, now.astimezone(tz))
    if parsed is None:
        return None
    if not re.search(r"\d{1,2}(:\d{2}|\s*[ap]m)|noon|midnight", text, re.IGNORECASE):
        parsed = parsed.replace(hour=9, minute=0)
    return parsed.replace(second=0, microsecond=0, tzinfo=tz)


def parse_clock(text: str) -> time | None:
    """A time of day: "09:00", "9", "18:30", "6pm"."""
    match = re.fullmatch(r"\s*(\d{1,2})(?::(\d{2}))?\s*([ap]m)?\s*", text, re.IGNORECASE)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").lower()
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_weekday(text: str) -> int | None:
    """0 = Monday, like ``date.weekday()``; accepts "mon", "Monday", "tues"."""
    cleaned = text.strip().lower()
    if len(cleaned) < 2:
        return None
    for index, name in enumerate(WEEKDAYS):
        if name.startswith(cleaned):
            return index
    return None


def week_start(day: date) -> date:
    """The Monday of ``day``'s week (weeks start on Monday)."""
    return day - timedelta(days=day.weekday())


@functools.cache
def _zones() -> dict[str, str]:
    """Lower-cased lookup keys -> IANA names: full names and bare city names."""
    table: dict[str, str] = {}
    for name in sorted(zoneinfo.available_timezones()):
        if name.startswith(("Etc/", "SystemV/", "posix/", "right/")) or "/" not in name:
            if name in ("UTC",):
                table["utc"] = name
            continue
        table[name.lower()] = name
        city = name.rsplit("/", 1)[1].replace("_", " ").lower()
        table.setdefault(city, name)
    return table


def resolve_timezone(text: str) -> tuple[str | None, list[str]]:
    """Return (IANA name, []) for a known zone, city or UTC offset, else (None, suggestions)."""
    cleaned = " ".join(text.strip().split())
    if not cleaned:
        return None, []
    if cleaned.upper() in ("UTC", "GMT", "Z"):
        return "UTC", []
    offset = _UTC_OFFSET.match(cleaned)
    if offset:
        hours = int(offset.group(2))
        if hours == 0:
            return "UTC", []
        if hours <= 14:
            # POSIX-style names invert the sign: UTC+2 is Etc/GMT-2.
            sign = "-" if offset.group(1) == "+" else "+"
            return f"Etc/GMT{sign}{hours}", []
        return None, []
    zones = _zones()
    key = cleaned.lower().replace("_", " ")
    for candidate in (cleaned.lower(), key, key.replace(" ", "_")):
        if candidate in zones:
            return zones[candidate], []
    close = difflib.get_close_matches(key, list(zones), n=3, cutoff=0.6)
    return None, list(dict.fromkeys(zones[c] for c in close))
