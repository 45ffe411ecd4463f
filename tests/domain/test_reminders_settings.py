"""A changed setting never makes a past plan, check or review go out: they come at their minute only."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain import moves, settings_rules
from bot.domain.models import Event, JobApplication, Profile, Slot
from bot.domain.reminders import agenda
from bot.domain.stages import Stage

BERLIN = ZoneInfo("Europe/Berlin")
CREATED = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)
CHECK_AT = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)  # Thursday 18:00 Berlin
NIGHT = datetime(2026, 11, 27, 3, 37, tzinfo=UTC)  # Friday 04:37 Berlin, within the 12 h catch-up


def setup() -> tuple[Profile, list[JobApplication]]:
    """Target 1 a week, met on Tuesday; plan and review off so only the check is in play."""
    profile = Profile(user_id=1, chat_id=1, created_at=CREATED, timezone="Europe/Berlin", target_per_week=1)
    profile.plan = profile.review = None
    tuesday = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    app = JobApplication(1, "Acme", "SRE", tuesday, history=[Event(tuesday, "created", Stage.PROSPECT)])
    moves.move(app, Stage.APPLIED, tuesday)
    return profile, [app]


def test_quiet_check_is_recorded_at_its_minute_and_a_new_target_cannot_wake_it() -> None:
    """On track at 18:00 the check is 'missed' (recorded skipped); with /target 3 later nothing is due."""
    profile, apps = setup()
    at_minute = agenda(profile, apps, set(), CHECK_AT, BERLIN)
    recorded = {r.key for r in at_minute.missed}  # what the scheduler records as skipped
    assert at_minute.due == [] and "check:2026-11-26" in recorded
    assert agenda(profile, apps, set(), CHECK_AT - timedelta(hours=1), BERLIN).next_at == CHECK_AT
    profile.target_per_week = 3
    later = agenda(profile, apps, recorded, NIGHT, BERLIN)
    assert later.due == [] and later.missed == []


def test_behind_at_its_minute_the_check_is_due_and_caught_up_after_downtime() -> None:
    """Behind target, the check is due at 18:00 and, if the bot was down, still within 12 hours."""
    profile, apps = setup()
    profile.target_per_week = 3
    assert [r.key for r in agenda(profile, apps, set(), CHECK_AT, BERLIN).due] == ["check:2026-11-26"]
    assert [r.key for r in agenda(profile, apps, set(), NIGHT, BERLIN).due] == ["check:2026-11-26"]


def test_moving_a_nudge_into_the_past_sends_nothing_but_this_minute_still_counts() -> None:
    """/nudges check fri 04:00 at 04:37 waits a week; fri 04:37 (this very minute) goes out now."""
    profile, apps = setup()
    profile.target_per_week = 3
    profile.check = None
    settings_rules.set_slot(profile, "check", Slot(4, time(4, 0)), NIGHT)
    assert agenda(profile, apps, set(), NIGHT, BERLIN).due == []
    assert agenda(profile, apps, set(), NIGHT, BERLIN).next_at == datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
    settings_rules.set_slot(profile, "check", Slot(4, time(4, 37)), NIGHT + timedelta(seconds=20))
    assert [r.day for r in agenda(profile, apps, set(), NIGHT + timedelta(seconds=30), BERLIN).due] == [
        date(2026, 11, 27)
    ]


def test_a_new_timezone_does_not_send_a_plan_its_wall_time_puts_in_the_past() -> None:
    """Monday 09:00 plan: moving from New York to Berlin at 10:00 Berlin time sends no plan at once."""
    profile, apps = setup()
    profile.timezone = "America/New_York"
    profile.plan = Slot(0, time(9, 0))
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 Berlin, 04:00 New York
    settings_rules.set_timezone(profile, "Europe/Berlin", now)
    assert agenda(profile, apps, set(), now, BERLIN).due == []
    settings_rules.set_timezone(profile, "Europe/Berlin", now + timedelta(hours=1))  # the same zone: no change
    assert profile.schedule_changed_at == now
