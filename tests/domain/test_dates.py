"""Reading times and weekdays as people type them (timezones: test_zones.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.domain.dates import parse_clock, parse_moment, parse_weekday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00", time(9)),
        ("6pm", time(18)),
        ("18:30", time(18, 30)),
        ("9", time(9)),
        ("25:00", None),
        ("noon-ish", None),
    ],
)
def test_parse_clock(text: str, expected: time | None) -> None:
    """Times of day in 24 h or am/pm form."""
    assert parse_clock(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("mon", 0), ("Thursday", 3), ("sun", 6), ("x", None), ("m", None)])
def test_parse_weekday(text: str, expected: int | None) -> None:
    """Weekday names and prefixes, Monday = 0."""
    assert parse_weekday(text) == expected


def test_parse_moment_is_local_wall_time() -> None:
    """ "tomorrow 14:00" means 14:00 on the user's clock, aware in their zone."""
    from zoneinfo import ZoneInfo

    now = datetime(2026, 11, 22, 10, 0, tzinfo=UTC).astimezone(ZoneInfo("America/New_York"))
    moment = parse_moment("tomorrow 14:00", now)
    assert moment is not None
    assert (moment.year, moment.month, moment.day, moment.hour, moment.minute) == (2026, 11, 23, 14, 0)
    assert moment.utcoffset() is not None
    assert moment.astimezone(UTC).hour == 19


def test_months_ahead_keep_the_day_and_a_bare_month_means_its_first() -> None:
    """ "in 11 months" lands on the same day of the month; "december" on the 1st."""
    from datetime import date

    from bot.domain.dates import parse_day

    assert parse_day("in 11 months", date(2026, 11, 22)) == date(2027, 10, 22)
    assert parse_day("december", date(2026, 11, 22)) == date(2026, 12, 1)


def test_date_order_follows_the_timezone_unless_chosen() -> None:
    """US zones read month first, everyone else day first; an explicit choice wins."""
    from bot.domain.dates import date_order_for

    assert date_order_for("", "America/New_York") == "mdy"
    assert date_order_for("", "America/Indiana/Indianapolis") == "mdy"
    assert date_order_for("", "Pacific/Auckland") == "dmy"
    assert date_order_for("", "Europe/London") == "dmy"
    assert date_order_for("dmy", "America/Chicago") == "dmy"
    assert date_order_for("mdy", "Europe/Berlin") == "mdy"


def test_numeric_days_follow_the_order_and_far_two_way_readings_are_flagged() -> None:
    """3/12 is 3 Dec day-first and 12 Mar month-first; only the far, two-way reading is flagged."""
    from bot.domain.dates import ambiguous_far, parse_day

    today = date(2026, 11, 23)
    assert parse_day("3/12", today) == date(2026, 12, 3)
    assert parse_day("3/12", today, order="mdy") == date(2027, 3, 12)
    assert parse_day("3.12.2026", today, order="mdy") == date(2026, 3, 12)
    assert parse_day("31/2", today) is None
    assert ambiguous_far("closes 3/12", today, "dmy") is None  # ten days away: no need to say
    found = ambiguous_far("3/12", today, "mdy")
    assert found is not None and (found.day, found.other) == (date(2027, 3, 12), date(2026, 12, 3))
    assert ambiguous_far("13/12", today, "mdy") is None  # only one reading exists
