"""Settings rules without Telegram: reading /target, /nudges and lists, nudge slots, -1/+1 steps and pauses."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.domain.models import Profile, Slot
from bot.domain.settings_rules import (
    TARGET_MAX,
    SettingError,
    bounded,
    nudge_change,
    parse_list,
    parse_nudge,
    parse_pause,
    parse_target,
    pause,
    pause_day,
    pause_for,
    resume,
    shift_slot,
    step_setting,
)

MONDAY = date(2026, 11, 23)


def profile() -> Profile:
    return Profile(user_id=1, chat_id=1, created_at=datetime(2026, 11, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("slot", "minutes", "moved"),
    [
        (Slot(6, time(0, 30)), -60, Slot(5, time(23, 30))),
        (Slot(5, time(23, 30)), 60, Slot(6, time(0, 30))),
        (Slot(6, time(9, 0)), 24 * 60, Slot(0, time(9, 0))),
        (Slot(0, time(0, 0)), -1, Slot(6, time(23, 59))),
    ],
)
def test_shift_slot_crosses_midnight_and_the_week(slot: Slot, minutes: int, moved: Slot) -> None:
    """Sun 00:30 -1h is Sat 23:30; Sun +1 day is Mon; Mon 00:00 -1 min wraps to Sun 23:59."""
    assert shift_slot(slot, minutes) == moved


def test_nudge_change_on_off_day_and_hour() -> None:
    """on restores the default, off clears, day adds a day, hr moves one hour at most either way."""
    plan = Slot(0, time(9, 0))
    assert nudge_change(None, "on", "check") == Slot(3, time(18, 0))
    assert nudge_change(plan, "on", "plan") == plan
    assert nudge_change(plan, "off", "plan") is None
    assert nudge_change(plan, "day", "plan") == Slot(1, time(9, 0))
    assert nudge_change(plan, "hr", "plan", 5) == Slot(0, time(10, 0))
    assert nudge_change(plan, "hr", "plan", -9) == Slot(0, time(8, 0))
    assert nudge_change(None, "hr", "plan", 1) is None


def test_bounded_moves_one_step_within_limits() -> None:
    """A step of any size moves by one; the bounds hold."""
    assert bounded(3, 7, 1, 50) == 4
    assert bounded(1, -1, 1, 50) == 1
    assert bounded(50, 1, 1, 50) == 50


def test_step_setting_keeps_follow_up_before_ghost() -> None:
    """Follow-up can't reach the ghost delay; targets stop at their limits; (before, after) is returned."""
    p = profile()
    p.follow_up_days, p.ghost_days = 29, 30
    assert step_setting(p, "fu", 1) == (29, 29)
    assert step_setting(p, "fu", -1) == (29, 28) and p.follow_up_days == 28
    p.target_per_week = TARGET_MAX
    assert step_setting(p, "tgt", 1) == (TARGET_MAX, TARGET_MAX)
    p.target_in_flight = 0
    assert step_setting(p, "fly", -1) == (0, 0)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("until 2026-12-01", date(2026, 12, 1)),
        ("till monday", date(2026, 11, 30)),
        ("for 2 weeks", date(2026, 12, 7)),
        ("2 weeks", date(2026, 12, 7)),
        ("blorp", None),
        ("", None),
    ],
)
def test_pause_day_reads_until_for_and_bare_durations(text: str, day: date | None) -> None:
    """ "until …", "till …", "for 2 weeks" and "2 weeks" give the end day; junk gives None."""
    assert pause_day(text, MONDAY) == day


def test_parse_pause_refuses_past_unreadable_and_over_a_year() -> None:
    """No text pauses until /resume; a past, unreadable or far-off end is a SettingError."""
    assert parse_pause("  ", MONDAY) is None
    assert parse_pause("for 50 weeks", MONDAY) == date(2027, 11, 8)
    for text, message in (
        ("until 2020-01-01", "isn't in the future"),
        ("until blorp", "couldn't read a date"),
        ("for 1000 years", "more than a year away"),
    ):
        with pytest.raises(SettingError, match=message):
            parse_pause(text, MONDAY)


def test_pause_pause_for_and_resume() -> None:
    """pause(None) has no end; pause_for counts at least one day; resume clears both."""
    p = profile()
    pause(p, None)
    assert (p.paused, p.paused_until) == (True, None)
    assert pause_for(p, MONDAY, 0) == date(2026, 11, 24) and p.paused_until == date(2026, 11, 24)
    resume(p)
    assert not p.paused
    assert p.paused_until is None


def test_parse_target_accepts_one_or_two_numbers() -> None:
    """/target 3 and /target 3 2 are read; bad input raises a friendly SettingError."""
    assert parse_target(["3"]) == (3, None)
    assert parse_target(["3", "2"]) == (3, 2)
    for bad in ([], ["x"], ["0"], ["3", "-1"], ["1", "2", "3"], ["999"]):
        with pytest.raises(SettingError):
            parse_target(bad)


def test_parse_nudge_reads_day_time_and_off() -> None:
    """/nudges plan mon 09:00, check off and review sun 6:30pm; junk is refused."""
    assert parse_nudge(["plan", "mon", "09:00"]) == ("plan", Slot(0, time(9, 0)))
    assert parse_nudge(["check", "off"]) == ("check", None)
    assert parse_nudge(["check", "on"]) == ("check", Slot(3, time(18, 0)))
    assert parse_nudge(["plan", "ON"]) == ("plan", Slot(0, time(9, 0)))
    assert parse_nudge(["review", "Sunday", "6:30pm"]) == ("review", Slot(6, time(18, 30)))
    for bad in ([], ["lunch", "mon", "12:00"], ["plan", "funday", "09:00"], ["plan", "mon", "25:00"], ["plan"]):
        with pytest.raises(SettingError):
            parse_nudge(bad)


def test_parse_list_splits_on_semicolons_and_lines() -> None:
    """/values a; b; c gives three trimmed items; empty input is refused."""
    assert parse_list(" remote ;  mentoring;\ncalm on-call ") == ["remote", "mentoring", "calm on-call"]
    with pytest.raises(SettingError):
        parse_list(" ; ")
    with pytest.raises(SettingError):
        parse_list(";".join("x" * 11), limit=10)
