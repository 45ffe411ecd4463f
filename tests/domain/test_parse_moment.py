"""``parse_moment``: strict about clock times, relative for "in N hours", 09:00 only when no time is given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.dates import parse_moment

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 10, 17, 42, tzinfo=BERLIN)  # Monday morning


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow 14:00", at(11, 24, 14)),
        ("fri 10am", at(11, 27, 10)),
        ("tomorrow at 2 pm", at(11, 24, 14)),
        ("tomorrow at noon", at(11, 24, 12)),
        ("2026-12-01 14:00", at(12, 1, 14)),
        ("2026-12-01T14:00", at(12, 1, 14)),
        ("dec 5 3pm", at(12, 5, 15)),
        ("5 December 2026 10:30", at(12, 5, 10, 30)),
        ("next monday 10:30", at(11, 30, 10, 30)),
        ("tomorrow 14h", at(11, 24, 14)),
        ("tomorrow 14.30", at(11, 24, 14, 30)),
        ("10 am tomorrow", at(11, 24, 10)),
    ],
)
def test_date_and_time_are_read_together(text: str, expected: datetime) -> None:
    """A day plus a clock time gives that local moment."""
    assert parse_moment(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in 2 hours", at(11, 23, 12, 17)),
        ("in 30 minutes", at(11, 23, 10, 47)),
        ("in an hour", at(11, 23, 11, 17)),
        ("in 1 hour 30 minutes", at(11, 23, 11, 47)),
        ("in 90 mins", at(11, 23, 11, 47)),
    ],
)
def test_relative_hours_and_minutes_count_from_now(text: str, expected: datetime) -> None:
    """ "in 2 hours" is two hours from now (seconds dropped), not 09:00 today."""
    assert parse_moment(text, NOW) == expected


def test_relative_hours_are_real_hours_across_a_clock_change() -> None:
    """Two hours before the autumn change at 03:00 -> 02:00, "in 2 hours" is 02:30 on the repeated hour."""
    before = datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN)  # CEST, UTC+2
    moment = parse_moment("in 2 hours", before)
    assert moment is not None
    assert moment.astimezone(UTC) - before.astimezone(UTC) == timedelta(hours=2)
    assert (moment.hour, moment.minute, moment.fold) == (2, 30, 1)


@pytest.mark.parametrize(
    "text",
    [
        "tomorrow 25:00",
        "tomorrow 13pm",
        "13pm",
        "tomorrow 10:75",
        "10:75",
        "monday 24:00",
        "tomorrow 9",  # a bare number: a time? a day?
        "tomorrow 1430",
        "tomorrow 10:00 11:00",
        "tomorrow afternoon",
        "tonight",
        "blorp 10:00",
        "soon",
        "",
    ],
)
def test_unreadable_or_impossible_times_give_none(text: str) -> None:
    """An impossible or unplaceable time is refused (None), never replaced by another time."""
    assert parse_moment(text, NOW) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow", at(11, 24, 9)),
        ("friday", at(11, 27, 9)),
        ("2026-12-01", at(12, 1, 9)),
        ("in 2 days", at(11, 25, 9)),
        ("december 5th, 2026", at(12, 5, 9)),
    ],
)
def test_a_date_without_any_time_is_at_nine(text: str, expected: datetime) -> None:
    """Only a date with no time at all defaults to 09:00."""
    assert parse_moment(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:00", at(11, 23, 14)),
        ("9am", at(11, 24, 9)),
        ("noon", at(11, 23, 12)),
        ("midnight", at(11, 24, 0)),
    ],
)
def test_a_time_alone_is_its_next_occurrence(text: str, expected: datetime) -> None:
    """14:00 is later today; 9am has passed, so it's tomorrow."""
    assert parse_moment(text, NOW) == expected


def test_naive_now_is_a_programming_error() -> None:
    """``now`` must carry the user's timezone."""
    with pytest.raises(ValueError, match="aware"):
        parse_moment("tomorrow 14:00", datetime(2026, 11, 23, 10, 0))
