"""Reading dates, times and timezones the way people type them.

Natural phrases ("friday", "in 2 weeks", "tomorrow 14:00") go through ``dateparser`` relative to a
``now`` that the caller passes in; the domain never reads the clock itself.
"""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime, time, timedelta
from typing import Any

_HAS_DATE_HINT = re.compile(r"[a-z]|\d[-/.]\d", re.IGNORECASE)


def _parse(text: str, now: datetime, *, prefer: str = "future") -> datetime | None:
    import dateparser

    text = text.strip()
    if not text or not _HAS_DATE_HINT.search(text):
        return None
    settings: dict[str, Any] = {
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "PREFER_DATES_FROM": prefer,
        "RETURN_AS_TIMEZONE_AWARE": False,
        # "december" means its 1st; "in 11 months" keeps today's day of the month.
        "PREFER_DAY_OF_MONTH": "current" if re.search(r"\bmonths?\b", text, re.IGNORECASE) else "first",
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
    """A local wall-clock moment ("tomorrow 14:00", "fri 10am", "in 2 hours") in ``now``'s timezone.

    Strict: a clock time that can't be right (25:00, 13pm, 10:75), a number that is neither part of
    a date nor a time ("tomorrow 9"), or a vague part of the day ("tonight") gives None rather than
    a guess. "in N hours/minutes" counts from ``now``. A date with no time at all is at 09:00; a
    time alone means its next occurrence.
    """
    tz = now.tzinfo
    if tz is None:
        raise ValueError("now must be aware")
    cleaned = re.sub(r"(\d)t(\d)", r"\1 \2", " ".join(text.lower().replace(",", " ").split()))
    amount = r"(\d{1,5}|an?|one)"
    relative = re.fullmatch(
        rf"in {amount} ?(?:h|hrs?|hours?)(?: (?:and )?(\d{{1,5}}) ?(?:m|mins?|minutes?))?"
        rf"|in {amount} ?(?:m|mins?|minutes?)",
        cleaned,
    )
    if relative:
        hours, minutes, only_minutes = relative.groups()
        count = {"a": 1, "an": 1, "one": 1}
        delta = (
            timedelta(hours=int(count.get(hours, hours)), minutes=int(minutes or 0))
            if hours
            else timedelta(minutes=int(count.get(only_minutes, only_minutes)))
        )
        moment = datetime.fromtimestamp(now.timestamp() + delta.total_seconds(), tz)
        return moment.replace(second=0, microsecond=0)
    if re.search(r"\b(?:morning|afternoon|evening|tonight|night|eod)\b", cleaned):
        return None  # a part of the day is not a time
    clocks = list(
        re.finditer(
            r"(?<![\w:/.-])(?:(?P<h12>\d{1,2})(?:[:.](?P<m12>\d{2}))? ?(?P<ap>[ap])\.?m\b\.?"
            r"|(?P<h24>\d{1,3})[:.h](?P<m24>\d{1,3})|(?P<hh>\d{1,2})h|(?P<word>noon|midday|midnight))"
            r"(?![\w:]|\.\d)",
            cleaned,
        )
    )
    if len(clocks) > 1:
        return None
    clock: time | None = None
    date_part = cleaned
    if clocks:
        found = clocks[0]
        word, ap = found.group("word"), found.group("ap")
        if word:
            hour, minute = (0, 0) if word == "midnight" else (12, 0)
        elif ap:
            hour, minute = int(found.group("h12")), int(found.group("m12") or 0)
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if ap == "p" else 0)
        else:
            hour, minute = int(found.group("h24") or found.group("hh")), int(found.group("m24") or 0)
        if hour > 23 or minute > 59:
            return None
        clock = time(hour, minute)
        date_part = cleaned[: found.start()] + " " + cleaned[found.end() :]
    date_part = " ".join(w for w in date_part.split() if w not in ("at", "@", "on"))
    months = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
    explained = re.sub(
        rf"\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?|\bin \d{{1,3}} (?:days?|weeks?|months?)\b"
        rf"|\b\d{{1,2}}(?:st|nd|rd|th)?(?: of)? {months}(?: \d{{4}}\b)?"
        rf"|{months} \d{{1,2}}(?:st|nd|rd|th)?\b(?: \d{{4}}\b)?",
        " ",
        date_part,
    )
    if re.search(r"\d", explained):
        return None  # a number we can't place: not a date, not a time we can read
    if not date_part:
        if clock is None:
            return None
        local = now.astimezone(tz)
        moment = datetime.combine(local.date(), clock, tzinfo=tz)
        return moment if moment > local else datetime.combine(local.date() + timedelta(days=1), clock, tzinfo=tz)
    parsed = _parse(date_part, now.astimezone(tz))
    if parsed is None:
        return None
    return datetime.combine(parsed.date(), clock or time(9, 0), tzinfo=tz)


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
