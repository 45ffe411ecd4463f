"""Prep for interviews booked at short notice: due at once, the stale evening one dropped, honest promises."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.models import Event, JobApplication, Profile
from bot.domain.reminders import Kind, agenda, interview_prep, prep_promise
from bot.domain.stages import Stage

BERLIN = ZoneInfo("Europe/Berlin")
CREATED = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)


def setup(moment: datetime) -> tuple[Profile, JobApplication]:
    profile = Profile(user_id=1, chat_id=1, created_at=CREATED, timezone="Europe/Berlin")
    profile.plan = profile.check = profile.review = None
    app = JobApplication(1, "Acme", "SRE", CREATED, history=[Event(CREATED, "created", Stage.APPLIED)])
    app.stage, app.interviews = Stage.APPLIED, [moment]
    return profile, app


def test_an_interview_within_two_hours_has_its_prep_due_now() -> None:
    """Booked an hour ahead: the 2-hour prep is due now and the promise says it follows right away."""
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    profile, app = setup(now + timedelta(hours=1))
    due, ahead = interview_prep(profile, app, app.interviews[0], set(), now, BERLIN)
    assert [r.kind for r in due] == [Kind.PREP_SOON] and ahead == []
    assert "right away" in prep_promise(due, ahead)


def test_the_evening_prep_is_dropped_once_the_two_hour_one_is_due() -> None:
    """23:00 for 00:30: the evening prep (19:00) is missed, not sent alongside the 2-hour one."""
    now = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)
    profile, app = setup(datetime(2026, 11, 24, 23, 30, tzinfo=UTC))
    plan = agenda(profile, [app], set(), now, BERLIN)
    assert [r.kind for r in plan.due] == [Kind.PREP_SOON]
    assert [r.kind for r in plan.missed] == [Kind.PREP_EVENING]


def test_promises_follow_what_is_still_ahead() -> None:
    """Days ahead: evening and 2 hours before; after 19:00 the day before: now and 2 hours before; paused: none."""
    moment = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    profile, app = setup(moment)
    early = interview_prep(profile, app, moment, set(), datetime(2026, 11, 23, 9, 0, tzinfo=UTC), BERLIN)
    assert "evening before and two hours before" in prep_promise(*early)
    late = interview_prep(profile, app, moment, set(), datetime(2026, 11, 25, 20, 0, tzinfo=UTC), BERLIN)
    assert "now and two hours before" in prep_promise(*late)
    profile.paused = True
    assert "paused" in prep_promise(*interview_prep(profile, app, moment, set(), moment, BERLIN))
    profile.paused_until = date(2026, 11, 26)  # over at midnight before it: only the 2-hour prep comes
    early = interview_prep(profile, app, moment, set(), datetime(2026, 11, 23, 9, 0, tzinfo=UTC), BERLIN)
    assert [r.kind for r in early[1]] == [Kind.PREP_SOON]
