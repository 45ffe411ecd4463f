"""Reading dates, times and timezones the way people type them.

Natural phrases ("friday", "in 2 weeks", "tomorrow 14:00") go through ``dateparser`` relative to a
``now`` that the caller passes in; the domain never reads the clock itself.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

_HAS_DATE_HINT = re.compile(r"[a-z]|\d[-/.]\d", re.IGNORECASE)

DateOrder = Literal["dmy", "mdy"]
DATE_ORDERS: tuple[DateOrder, ...] = ("dmy", "mdy")

# Zones of the places that write the month first (the US and its territories, the Philippines,
# Micronesia, Palau, the Marshall Islands); everyone else gets day-first.
_MONTH_FIRST_ZONES = {
    "America/New_York",
    "America/Detroit",
    "America/Chicago",
    "America/Menominee",
    "America/Denver",
    "America/Boise",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "America/Juneau",
    "America/Sitka",
    "America/Metlakatla",
    "America/Yakutat",
    "America/Nome",
    "America/Adak",
    "America/Puerto_Rico",
    "America/St_Thomas",
    "Pacific/Honolulu",
    "Pacific/Guam",
    "Pacific/Saipan",
    "Pacific/Pago_Pago",
    "Pacific/Palau",
    "Pacific/Majuro",
    "Pacific/Kwajalein",
    "Pacific/Chuuk",
    "Pacific/Pohnpei",
    "Pacific/Kosrae",
    "Asia/Manila",
    "EST5EDT",
    "CST6CDT",
    "MST7MDT",
    "PST8PDT",
}
_MONTH_FIRST_PREFIXES = ("America/Indiana/", "America/Kentucky/", "America/North_Dakota/", "US/")


def date_order_for(chosen: str, zone: str) -> DateOrder:
    """The user's own choice (``/dates``), else month-first where the timezone's country writes so."""
    if chosen == "mdy":
        return "mdy"
    if chosen == "dmy":
        return "dmy"
    return "mdy" if zone in _MONTH_FIRST_ZONES or zone.startswith(_MONTH_FIRST_PREFIXES) else "dmy"


ORDER_NAMES: dict[DateOrder, str] = {"dmy": "day first", "mdy": "month first"}


def describe_order(order: DateOrder) -> str:
    return f"{ORDER_NAMES[order]} (3/12 is {'12 March' if order == 'mdy' else '3 December'})"


# Numbers with slashes ("3/12", "3/12/2026"), or with dots or dashes when a year follows
# ("3.12.2026", "03-12-26"). ISO "2026-12-03" is not one of these and is never ambiguous.
_NUMERIC = re.compile(
    r"(?<![\w/.:-])(\d{1,2})(?:/(\d{1,2})(?:/(\d{4}|\d{2}))?|([.-])(\d{1,2})\4(\d{4}|\d{2}))(?![\w/:-]|\.\d)"
)


@dataclass(frozen=True)
class NumericDate:
    """A day typed as numbers, read in the user's convention; ``other`` is the other reading."""

    text: str
    day: date
    other: date | None  # None when only one reading is a real date (13/12) or both agree (5/5)


def _numeric_match(match: re.Match[str], today: date, order: DateOrder) -> NumericDate | None:
    first, second = int(match.group(1)), int(match.group(2) or match.group(5))
    year_text = match.group(3) or match.group(6)
    year = None if year_text is None else int(year_text) + (2000 if len(year_text) == 2 else 0)

    def build(day: int, month: int) -> date | None:
        if year is not None:
            try:
                return date(year, month, day)
            except ValueError:
                return None
        for candidate_year in (today.year, today.year + 1):  # the next such day, today included
            try:
                candidate = date(candidate_year, month, day)
            except ValueError:
                continue
            if candidate >= today:
                return candidate
        return None

    day_first, month_first = build(first, second), build(second, first)
    read, other = (month_first, day_first) if order == "mdy" else (day_first, month_first)
    if read is None:
        read, other = other, None  # 13/12 can only be 13 December, whatever the convention
    if read is None:
        return None
    return NumericDate(match.group(0), read, other if other != read else None)


def find_numeric_date(text: str, today: date, order: DateOrder) -> NumericDate | None:
    """The first numeric date in ``text`` ("3/12", "3.12.2026"), read in ``order``."""
    match = _NUMERIC.search(text)
    return _numeric_match(match, today, order) if match else None


def read_numeric_day(text: str, order: DateOrder) -> NumericDate | None:
    """``text`` as a whole numeric date with a year ("11/02/2026", "11.02.26"), read in ``order``."""
    match = _NUMERIC.fullmatch(text.strip())
    if match is None or not (match.group(3) or match.group(6)):
        return None
    return _numeric_match(match, date.min, order)


def compact_day(day: date) -> str:
    """A day as 8 ASCII digits, for button data ("20261203")."""
    return f"{day:%Y%m%d}"


def read_compact_day(text: str) -> date | None:
    """The inverse of :func:`compact_day`; None for anything else."""
    if not (len(text) == 8 and text.isascii() and text.isdigit()):
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


FAR_AWAY = timedelta(days=62)


def ambiguous_far(text: str, today: date, order: DateOrder) -> NumericDate | None:
    """A numeric date that could be read both ways and, as read, is over two months away.

    Such a reading is worth saying out loud: "3/12" read month-first in late November is next
    March, which is probably not what a day-first writer meant.
    """
    found = find_numeric_date(text, today, order)
    if found is None or found.other is None or abs(found.day - today) <= FAR_AWAY:
        return None
    return found


def _parse(text: str, now: datetime, *, prefer: str = "future", order: DateOrder = "dmy") -> datetime | None:
    import dateparser

    text = text.strip()
    if not text or not _HAS_DATE_HINT.search(text):
        return None
    numeric = _NUMERIC.fullmatch(text)
    if numeric is not None:  # our own reading: dateparser turns "12/13" into 2113 when day-first
        found = _numeric_match(numeric, now.date(), order)
        return datetime.combine(found.day, time(0)) if found else None
    settings: dict[str, Any] = {
        "DATE_ORDER": order.upper(),
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


def parse_day(text: str, today: date, *, order: DateOrder = "dmy") -> date | None:
    """A calendar day from "2026-12-05", "friday", "dec 5", "in 2 weeks", "tomorrow", "3/12".

    Numeric days follow ``order``: "3/12" is 3 December day-first, 12 March month-first.
    """
    cleaned = text.strip().lower()
    if cleaned in ("today", "tonight"):
        return today
    parsed = _parse(cleaned, datetime.combine(today, time(12, 0)), order=order)
    return parsed.date() if parsed else None


def parse_moment(text: str, now: datetime, *, order: DateOrder = "dmy") -> datetime | None:
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
    parsed = _parse(date_part, now.astimezone(tz), order=order)
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
