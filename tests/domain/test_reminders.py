"""What is due for a user at ``now``: every reminder kind, catch-up, pause, DST, buffer and streak."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import moves
from bot.domain.funnel import Rates
from bot.domain.models import Event, JobApplication, Profile, Slot
from bot.domain.reminders import (
    CATCH_UP,
    LOOKBACK,
    Kind,
    agenda,
    next_due,
    planned_week,
    scheduled,
    standing,
    wall_time,
)
from bot.domain.stages import Outcome, Stage

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
# The fixture week: Monday 23 Nov 2026 to Sunday 29 Nov 2026; Berlin is UTC+1 then.
MONDAY = date(2026, 11, 23)
LAST_WEEK = ("plan:2026-11-16", "check:2026-11-19", "review:2026-11-22")
CREATED = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)


def local(day: date, hour: int, minute: int = 0, tz: ZoneInfo = BERLIN) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)


def profile(**changes: object) -> Profile:
    base = Profile(user_id=1, chat_id=1, created_at=CREATED, timezone="Europe/Berlin")
    for name, value in changes.items():
        setattr(base, name, value)
    return base


def job(number: int, stage: Stage = Stage.PROSPECT, at: datetime = CREATED, **fields: object) -> JobApplication:
    app = JobApplication(number, f"Co{number}", "SRE", at, history=[Event(at, "created", Stage.PROSPECT)])
    for name, value in fields.items():
        setattr(app, name, value)
    if stage:
        moves.move(app, stage, at)
    return app


def keys(reminders: list) -> list[str]:  # type: ignore[type-arg]
    return [r.key for r in reminders]


def due_keys(p: Profile, apps: list[JobApplication], now: datetime, sent: tuple[str, ...] = ()) -> list[str]:
    return keys(agenda(p, apps, set(sent), now, BERLIN).due)


# -- weekly plan, check, review ------------------------------------------------------------------


def test_plan_is_due_at_local_monday_nine() -> None:
    """The weekly plan falls due at 09:00 Berlin time (08:00 UTC in November), not a minute before."""
    p = profile()
    assert due_keys(p, [], local(MONDAY, 8, 59)) == []
    assert agenda(p, [], set(), local(MONDAY, 8, 59), BERLIN).next_at == local(MONDAY, 9)
    assert due_keys(p, [], local(MONDAY, 9)) == ["plan:2026-11-23"]


def test_recorded_reminder_is_not_due_again_and_next_one_follows() -> None:
    """Once the plan's key is recorded it is never due again; the next wake-up is Thursday's check."""
    p = profile()
    now = local(MONDAY, 9, 5)
    assert due_keys(p, [], now, sent=("plan:2026-11-23",)) == []
    assert agenda(p, [], {"plan:2026-11-23"}, now, BERLIN).next_at == local(MONDAY + timedelta(days=3), 18)


def test_check_is_due_when_behind_and_says_how_many() -> None:
    """Thursday 18:00 with one of two sent: the check is due and the standing shows one to go."""
    p = profile()
    apps = [job(1, Stage.APPLIED, local(MONDAY, 12)), job(2)]
    thursday = local(MONDAY + timedelta(days=3), 18)
    assert due_keys(p, apps, thursday) == ["check:2026-11-26"]
    assert standing(p, apps, thursday, BERLIN).week.needed == 1


def test_check_is_silent_when_on_track() -> None:
    """Two sent by Thursday against a target of two: no mid-week check at all."""
    p = profile()
    apps = [job(1, Stage.APPLIED, local(MONDAY, 12)), job(2, Stage.APPLIED, local(MONDAY, 13))]
    thursday = local(MONDAY + timedelta(days=3), 18)
    assert due_keys(p, apps, thursday) == []
    assert agenda(p, apps, set(), thursday, BERLIN).next_at == local(MONDAY + timedelta(days=6), 18)


def test_check_stays_silent_if_user_caught_up_before_a_late_tick() -> None:
    """Applying after 18:00 but before a delayed tick removes the check, since it is computed then."""
    p = profile()
    thursday = MONDAY + timedelta(days=3)
    apps = [job(1, Stage.APPLIED, local(MONDAY, 12)), job(2, Stage.APPLIED, local(thursday, 19))]
    assert due_keys(p, apps, local(thursday, 20)) == []


def test_review_reports_what_moved_this_week() -> None:
    """Sunday 18:00: review due; two applied, one response, one interview, one rejection this week."""
    p = profile()
    apps = [
        job(1, Stage.APPLIED, local(MONDAY, 10)),
        job(2, Stage.APPLIED, local(MONDAY + timedelta(days=1), 10)),
        job(3, Stage.APPLIED, local(MONDAY - timedelta(days=10), 10)),
        job(4, Stage.APPLIED, local(MONDAY - timedelta(days=20), 10)),
    ]
    moves.move(apps[2], Stage.INTERVIEW, local(MONDAY + timedelta(days=2), 10))
    moves.close(apps[3], Outcome.REJECTED, local(MONDAY + timedelta(days=4), 10))
    sunday = local(MONDAY + timedelta(days=6), 18)
    assert due_keys(p, apps, sunday, sent=("check:2026-11-26",)) == ["review:2026-11-29"]
    seen = standing(p, apps, sunday, BERLIN)
    assert (seen.moves.applied, seen.moves.responses, seen.moves.interviews) == (2, 1, 1)
    assert (seen.moves.offers, seen.moves.rejections) == (0, 1)
    assert seen.week.met
    assert seen.saved == 4
    assert seen.funnel == Rates(applied=4, responded=1, interviewed=1, offered=0)


def test_plan_standing_has_top_three_prospects_and_in_flight() -> None:
    """The plan quotes the three best-fit prospects and in-flight count against its target."""
    p = profile(target_in_flight=3)
    apps = [job(n, fit_contribute=n, fit_learn=n) for n in range(1, 6)]
    apps.append(job(6, Stage.SCREEN, local(MONDAY - timedelta(days=3), 9)))
    seen = standing(p, apps, local(MONDAY, 9), BERLIN)
    assert [a.number for a in seen.top] == [5, 4, 3]
    assert (seen.in_flight, seen.in_flight_target) == (1, 3)


def test_switched_off_slots_are_never_due() -> None:
    """/nudges check off (and the others off) leaves no weekly reminder at all."""
    p = profile(plan=None, check=None, review=None)
    assert next_due(p, [], set(), local(MONDAY, 9), BERLIN) is None


def test_changed_slot_moves_the_reminder() -> None:
    """The plan moved to Tuesday 07:30 is due then and not on Monday."""
    p = profile(plan=Slot(1, time(7, 30)))
    assert due_keys(p, [], local(MONDAY, 9)) == []
    assert due_keys(p, [], local(MONDAY + timedelta(days=1), 7, 30)) == ["plan:2026-11-24"]


# -- buffer and streak ---------------------------------------------------------------------------


def test_buffer_carries_over_and_silences_the_check() -> None:
    """Four sent last week against two: a buffer of two covers this week, so no mid-week check."""
    p = profile()
    last = MONDAY - timedelta(days=7)
    apps = [job(n, Stage.APPLIED, local(last, 10 + n)) for n in range(1, 5)]
    thursday = local(MONDAY + timedelta(days=3), 18)
    seen = standing(p, apps, thursday, BERLIN)
    assert (seen.week.buffer, seen.week.last_week, seen.week.needed) == (2, 4, 0)
    assert not [k for k in due_keys(p, apps, thursday) if k.startswith("check")]


def test_streak_counts_weeks_met_and_resets_on_a_miss() -> None:
    """Three weeks met in a row give a streak of three; a week missed before them doesn't count."""
    p = profile()
    apps, number = [], 1
    for weeks_back, sent in ((5, 2), (4, 0), (3, 2), (2, 2), (1, 3)):
        for i in range(sent):
            apps.append(job(number, Stage.APPLIED, local(MONDAY - timedelta(days=7 * weeks_back), 10 + i)))
            number += 1
    seen = standing(p, apps, local(MONDAY, 9), BERLIN)
    assert seen.week.streak == 3
    assert seen.week.buffer == 1


def test_history_from_before_the_user_started_buys_no_buffer() -> None:
    """Thirty applications imported from ten weeks ago: no buffer, no streak, the check still comes."""
    p = profile(created_at=local(MONDAY - timedelta(days=1), 20))  # joined last Sunday evening
    earlier = MONDAY - timedelta(days=70)
    apps = [job(n, Stage.APPLIED, local(earlier, 9) + timedelta(minutes=n)) for n in range(1, 31)]
    thursday = local(MONDAY + timedelta(days=3), 18)
    seen = standing(p, apps, thursday, BERLIN)
    assert (seen.week.buffer, seen.week.streak, seen.week.needed) == (0, 0, 2)
    assert "check:2026-11-26" in due_keys(p, apps, thursday)
    old_profile = profile()  # created long before the history: it all counts
    assert standing(old_profile, apps, thursday, BERLIN).week.buffer > 0


def test_weeks_after_the_start_still_build_buffer_and_streak() -> None:
    """Only weeks before the start are ignored: the user's first full week met counts."""
    p = profile(created_at=local(MONDAY - timedelta(days=7), 8))
    apps = [job(n, Stage.APPLIED, local(MONDAY - timedelta(days=7), 10 + n)) for n in range(1, 5)]
    apps += [job(9, Stage.APPLIED, local(MONDAY - timedelta(days=30), 10))]
    seen = standing(p, apps, local(MONDAY, 9), BERLIN)
    assert (seen.week.buffer, seen.week.streak) == (2, 1)


def test_best_prospects_leave_out_closing_dates_that_have_passed() -> None:
    """A fit-10 prospect that closed last Friday is not a best prospect on Monday; one closing today is."""
    p = profile()
    apps = [
        job(1, fit_contribute=5, fit_learn=5, closes_on=MONDAY - timedelta(days=3)),
        job(2, fit_contribute=5, fit_learn=4, closes_on=MONDAY),
        job(3, fit_contribute=3),
        job(4, fit_contribute=1),
    ]
    seen = standing(p, apps, local(MONDAY, 9), BERLIN)
    assert [a.number for a in seen.top] == [2, 3, 4]


def test_a_weekend_plan_describes_the_coming_week() -> None:
    """A plan on Sat or Sun is about the week from the next Monday; Mon to Fri, about the current one."""
    next_monday = MONDAY + timedelta(days=7)
    assert [planned_week(MONDAY + timedelta(days=d)) for d in range(7)] == [MONDAY] * 5 + [next_monday] * 2
    p = profile()
    apps = [job(n, Stage.APPLIED, local(MONDAY, 10 + n)) for n in range(1, 4)]
    sunday = local(MONDAY + timedelta(days=6), 18)
    seen = standing(p, apps, sunday, BERLIN, monday=next_monday)
    assert seen.week.monday == next_monday
    assert (seen.week.last_week, seen.week.last_week_met, seen.week.buffer, seen.week.needed) == (3, True, 1, 1)


# -- closing dates -------------------------------------------------------------------------------


def test_closing_reminders_two_days_before_and_on_the_day() -> None:
    """A prospect closing Friday is recalled Wednesday 10:00 and Friday 10:00 local."""
    p = profile()
    apps = [job(4, closes_on=date(2026, 11, 27))]
    wednesday, friday = MONDAY + timedelta(days=2), MONDAY + timedelta(days=4)
    sent = ("plan:2026-11-23", "check:2026-11-26")
    assert due_keys(p, apps, local(wednesday, 10), sent) == ["close2:#4:2026-11-27"]
    assert due_keys(p, apps, local(friday, 10), sent) == ["close0:#4:2026-11-27"]


def test_no_closing_reminder_once_applied_or_dropped() -> None:
    """Applied or withdrawn prospects don't get closing-date reminders."""
    p = profile(plan=None, check=None, review=None)
    applied = job(4, Stage.APPLIED, local(MONDAY, 8), closes_on=date(2026, 11, 27))
    dropped = job(5, closes_on=date(2026, 11, 27))
    moves.close(dropped, Outcome.WITHDRAWN, local(MONDAY, 8))
    friday = local(MONDAY + timedelta(days=4), 10)
    assert not [k for k in due_keys(p, [applied, dropped], friday) if k.startswith("close")]


# -- silent applications -------------------------------------------------------------------------


def test_follow_up_after_ten_silent_days_and_ghost_question_after_thirty() -> None:
    """Applied 2 Nov and nothing since: follow-up hint on 12 Nov, "ghosted?" on 2 Dec, 10:00 local."""
    p = profile(plan=None, check=None, review=None)
    apps = [job(3, Stage.APPLIED, local(date(2026, 11, 2), 15))]
    assert due_keys(p, apps, local(date(2026, 11, 12), 10)) == ["follow:#3:2026-11-02"]
    assert due_keys(p, apps, local(date(2026, 12, 2), 10)) == ["ghost:#3:2026-11-02"]


def test_a_change_restarts_the_silence_and_a_response_ends_it() -> None:
    """An edit moves the anchor; a response means the application is no longer silent."""
    p = profile(plan=None, check=None, review=None, follow_up_days=7)
    app = job(3, Stage.APPLIED, local(date(2026, 11, 2), 15))
    app.history.append(Event(local(date(2026, 11, 5), 9), "edited", detail="link"))
    assert due_keys(p, [app], local(date(2026, 11, 9), 10)) == []
    assert due_keys(p, [app], local(date(2026, 11, 12), 10)) == ["follow:#3:2026-11-05"]
    moves.move(app, Stage.RESPONDED, local(date(2026, 11, 6), 9))
    assert next_due(p, [app], set(), local(date(2026, 11, 6), 10), BERLIN) is None


def test_a_changed_follow_up_delay_does_not_resend_for_the_same_silence() -> None:
    """Follow-up sent after 10 days, then /followup 12 40: nothing again on day 12, old-style keys included."""
    apps = [job(3, Stage.APPLIED, local(date(2026, 11, 2), 15))]
    p = profile(plan=None, check=None, review=None)
    assert due_keys(p, apps, local(date(2026, 11, 12), 10)) == ["follow:#3:2026-11-02"]
    later = profile(plan=None, check=None, review=None, follow_up_days=12, ghost_days=40)
    day_12 = local(date(2026, 11, 14), 10)
    assert due_keys(later, apps, day_12, sent=("follow:#3:2026-11-02",)) == []
    assert due_keys(later, apps, day_12, sent=("follow10:#3:2026-11-02",)) == []  # recorded before the rename
    assert due_keys(later, apps, local(date(2026, 12, 12), 10), sent=("ghost30:#3:2026-11-02",)) == []
    assert due_keys(later, apps, day_12, sent=("follow10:#4:2026-11-02",)) == ["follow:#3:2026-11-02"]


# -- interviews ----------------------------------------------------------------------------------


def test_interview_prep_evening_before_two_hours_before_and_check_in_after() -> None:
    """Interview Tue 1 Dec 14:00 Berlin: prep Mon 19:00, prep 12:00, check-in 17:00."""
    p = profile(plan=None, check=None, review=None)
    moment = local(date(2026, 12, 1), 14)
    app = job(5, Stage.INTERVIEW, local(MONDAY, 9))
    app.interviews.append(moment)
    found = agenda(p, [app], set(), local(date(2026, 11, 30), 19), BERLIN)
    assert keys(found.due) == ["prep-eve:#5:2026-12-01T13:00Z"]
    assert found.next_at == local(date(2026, 12, 1), 12)
    assert due_keys(p, [app], local(date(2026, 12, 1), 12), ("prep-eve:#5:2026-12-01T13:00Z",)) == [
        "prep-2h:#5:2026-12-01T13:00Z"
    ]
    sent = ("prep-eve:#5:2026-12-01T13:00Z", "prep-2h:#5:2026-12-01T13:00Z")
    assert due_keys(p, [app], local(date(2026, 12, 1), 17), sent) == ["checkin:#5:2026-12-01T13:00Z"]


def test_interview_recorded_late_skips_the_evening_prep() -> None:
    """Recorded at 13:00 for 14:00: the 12:00 prep still goes out; yesterday's evening is missed."""
    p = profile(plan=None, check=None, review=None)
    app = job(5, Stage.INTERVIEW, local(MONDAY, 9))
    app.interviews.append(local(date(2026, 12, 1), 14))
    found = agenda(p, [app], set(), local(date(2026, 12, 1), 13), BERLIN)
    assert keys(found.due) == ["prep-2h:#5:2026-12-01T13:00Z"]
    assert keys(found.missed) == ["prep-eve:#5:2026-12-01T13:00Z"]


def test_a_check_in_at_the_edge_of_the_look_back_is_still_missed_and_older_ones_are_dropped() -> None:
    """Past interviews are skipped unexamined only once their check-in is older than the look-back:
    one whose check-in is exactly at its edge still shows as missed, one a minute older does not."""
    p = profile(plan=None, check=None, review=None)
    now = local(date(2026, 12, 10), 12)
    edge = now - timedelta(days=8) - timedelta(hours=3)  # its check-in is 8 days ago to the minute
    app = job(5, Stage.INTERVIEW, local(MONDAY, 9))
    app.interviews += [edge - timedelta(minutes=1), edge]
    found = agenda(p, [app], set(), now, BERLIN)
    assert [r.key for r in found.missed if r.kind == Kind.CHECK_IN] == [f"checkin:#5:{edge:%Y-%m-%dT%H:%MZ}"]
    assert found.due == []


# -- catch-up, pause, inactive -------------------------------------------------------------------


def test_catch_up_within_twelve_hours_and_skip_beyond() -> None:
    """A plan 11 h 59 m late is still sent; at 12 h it is missed (to be recorded as skipped)."""
    p = profile()
    plan_at = local(MONDAY, 9)
    assert due_keys(p, [], plan_at + CATCH_UP - timedelta(minutes=1)) == ["plan:2026-11-23"]
    late = agenda(p, [], set(LAST_WEEK), plan_at + CATCH_UP, BERLIN)
    assert late.due == []
    assert keys(late.missed) == ["plan:2026-11-23"]
    assert late.wake_at == plan_at  # wake now, to record it as skipped
    skipped = agenda(p, [], {"plan:2026-11-23", *LAST_WEEK}, plan_at + CATCH_UP, BERLIN)
    assert skipped.missed == [] and skipped.wake_at == local(MONDAY + timedelta(days=3), 18)


def test_nothing_before_the_user_existed() -> None:
    """A user who joined at 10:00 on Monday doesn't get that morning's 09:00 plan."""
    p = profile(created_at=local(MONDAY, 10))
    found = agenda(p, [], set(), local(MONDAY, 10, 1), BERLIN)
    assert found.due == [] and found.missed == []


def test_paused_users_get_nothing_until_the_pause_ends() -> None:
    """Paused until Wednesday: Monday's plan is never sent; Thursday's check is, from Wednesday 00:00."""
    p = profile(paused=True, paused_until=MONDAY + timedelta(days=2))
    found = agenda(p, [], set(), local(MONDAY, 9), BERLIN)
    assert found.due == [] and found.next_at == local(MONDAY + timedelta(days=2), 0)
    after = agenda(p, [], set(), local(MONDAY + timedelta(days=2), 0), BERLIN)
    assert after.due == [] and after.missed == []
    assert after.next_at == local(MONDAY + timedelta(days=3), 18)


def test_indefinite_pause_and_resume() -> None:
    """/pause without a date silences everything with no wake-up; /resume brings reminders back."""
    p = profile(paused=True)
    assert next_due(p, [], set(), local(MONDAY, 9), BERLIN) is None
    p.paused = False
    assert due_keys(p, [], local(MONDAY, 9)) == ["plan:2026-11-23"]


def test_inactive_users_get_nothing() -> None:
    """A user who blocked the bot has no reminders and no wake-up time."""
    p = profile(active=False)
    assert next_due(p, [], set(), local(MONDAY, 9), BERLIN) is None


# -- daylight saving -----------------------------------------------------------------------------

# (zone, Sunday the clocks spring forward, Sunday they fall back, a wall time that happens twice)
DST = [
    (BERLIN, date(2026, 3, 29), date(2026, 10, 25), time(2, 30)),
    (NEW_YORK, date(2026, 3, 8), date(2026, 11, 1), time(1, 30)),
]


@pytest.mark.parametrize(("tz", "spring", "fall", "twice"), DST)
def test_plan_keeps_its_wall_clock_time_across_dst(tz: ZoneInfo, spring: date, fall: date, twice: time) -> None:
    """The Monday 09:00 plan is 09:00 local on both sides of each transition (UTC hour shifts)."""
    p = profile(check=None, review=None)
    for sunday in (spring, fall):
        before, after = sunday - timedelta(days=6), sunday + timedelta(days=1)
        for monday in (before, after):
            at = local(monday, 9, tz=tz)
            assert keys(agenda(p, [], set(), at, tz).due) == [f"plan:{monday.isoformat()}"]
            assert at.astimezone(tz).hour == 9
        shift = (local(after, 9, tz=tz) - local(before, 9, tz=tz)) - timedelta(days=7)
        assert abs(shift) == timedelta(hours=1)


@pytest.mark.parametrize(("tz", "spring", "fall", "twice"), DST)
def test_nonexistent_time_fires_once_just_after_the_jump(tz: ZoneInfo, spring: date, fall: date, twice: time) -> None:
    """A review set to 02:30 on spring-forward Sunday (a time that doesn't exist) fires at 03:30."""
    p = profile(plan=None, check=None, review=Slot(6, time(2, 30)))
    at = wall_time(spring, time(2, 30), tz)
    assert at.astimezone(tz).time() == time(3, 30)
    assert keys(agenda(p, [], set(), at - timedelta(minutes=1), tz).due) == []
    assert keys(agenda(p, [], set(), at, tz).due) == [f"review:{spring.isoformat()}"]


@pytest.mark.parametrize(("tz", "spring", "fall", "twice"), DST)
def test_ambiguous_time_fires_once_at_its_first_occurrence(tz: ZoneInfo, spring: date, fall: date, twice: time) -> None:
    """A time that happens twice on fall-back Sunday: the review fires at the first one only."""
    p = profile(plan=None, check=None, review=Slot(6, twice))
    first = wall_time(fall, twice, tz)
    second = datetime.combine(fall, twice, tzinfo=tz).replace(fold=1).astimezone(UTC)
    assert second - first == timedelta(hours=1)
    key = f"review:{fall.isoformat()}"
    assert keys(agenda(p, [], set(), first, tz).due) == [key]
    assert keys(agenda(p, [], {key}, second, tz).due) == []


@pytest.mark.parametrize(("tz", "spring", "fall", "twice"), DST)
def test_interview_prep_evening_across_dst(tz: ZoneInfo, spring: date, fall: date, twice: time) -> None:
    """An interview the Monday after a transition still gets its prep at 19:00 local on Sunday."""
    p = profile(plan=None, check=None, review=None)
    for sunday in (spring, fall):
        app = job(5, Stage.INTERVIEW, local(sunday - timedelta(days=7), 9, tz=tz))
        app.interviews.append(local(sunday + timedelta(days=1), 10, tz=tz))
        found = agenda(p, [app], set(), local(sunday, 19, tz=tz), tz)
        assert [r.kind for r in found.due] == [Kind.PREP_EVENING]
        assert found.due[0].at.astimezone(tz).hour == 19


# -- typed settings ------------------------------------------------------------------------------


@pytest.mark.parametrize("tz", [BERLIN, NEW_YORK])
def test_moments_at_the_calendar_edge_skip_only_their_own_reminders(tz: ZoneInfo) -> None:
    """An imported 9999-12-31T23:00Z interview, closing date and change: no overflow; the rest still come."""
    edge = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    real = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    interviewing = job(1, Stage.INTERVIEW, interviews=[edge, real])
    closing = job(2, closes_on=date.max)
    silent = job(3, Stage.APPLIED)
    silent.history.append(Event(edge, "edited", detail="notes"))  # its last change, as an import may store it
    early = job(4, closes_on=date.min)
    found = agenda(profile(), [interviewing, closing, silent, early], set(), local(MONDAY, 8), tz)
    assert found.next_at is not None and found.next_at < datetime(2027, 1, 1, tzinfo=UTC)
    ahead = agenda(profile(), [interviewing], set(), datetime(2026, 11, 30, 12, 0, tzinfo=UTC), tz)
    later = agenda(profile(), [interviewing], set(), datetime(9999, 12, 31, 22, 0, tzinfo=UTC), tz)
    assert ahead.next_at is not None
    assert keys(later.due) == ["prep-2h:#1:9999-12-31T23:00Z"]  # the check-in at 02:00 year 10000 is left out
    assert later.next_at is None


# -- take-home deadlines (hunt: closing the loop) ----------------------------------------------------


def test_take_home_reminders_the_morning_before_and_the_morning_of() -> None:
    """A take-home due Friday 18:00 is reminded Thursday and Friday at 10:00; one due at 09:00 only the day before."""
    due = local(MONDAY + timedelta(days=4), 18)
    app = job(1, Stage.SCREEN, take_home_due=due)
    thursday, friday = local(MONDAY + timedelta(days=3), 10), local(MONDAY + timedelta(days=4), 10)
    assert due_keys(profile(), [app], thursday) == ["th-eve:#1:2026-11-27T17:00Z"]
    assert due_keys(profile(), [app], friday, ("th-eve:#1:2026-11-27T17:00Z",)) == ["th-day:#1:2026-11-27T17:00Z"]
    early = job(2, Stage.SCREEN, take_home_due=local(MONDAY + timedelta(days=4), 9))
    assert due_keys(profile(), [early], friday) == []
    assert due_keys(profile(), [early], thursday) == ["th-eve:#2:2026-11-27T08:00Z"]
    closed = job(3, Stage.SCREEN, take_home_due=due)
    moves.close(closed, Outcome.REJECTED, CREATED)
    assert due_keys(profile(), [closed], thursday) == []


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Europe/Berlin", "Pacific/Pago_Pago"])
@pytest.mark.parametrize(("follow", "ghost"), [(10, 30), (3, 0), (0, 45)])
def test_old_silent_applications_skipped_unexamined_lose_no_reminder(zone: str, follow: int, ghost: int) -> None:
    """Silent applications from 0 to 80 days ago, at every hour: exactly the follow-ups and ghost
    questions from LOOKBACK ago on are scheduled, however far a timezone is from UTC."""
    tz = ZoneInfo(zone)
    now = datetime(2026, 11, 25, 7, 30, tzinfo=UTC)
    p = profile(plan=None, check=None, review=None, timezone=zone, follow_up_days=follow, ghost_days=ghost)
    apps = [job(n, Stage.APPLIED, now - timedelta(hours=n * 7)) for n in range(1, 280)]
    expected = set()
    for app in apps:
        day = app.last_change_at().astimezone(tz).date()
        for kind, days in ((Kind.FOLLOW_UP, follow), (Kind.GHOST, ghost)):
            if days > 0 and wall_time(day + timedelta(days=days), time(10, 0), tz) >= now - LOOKBACK:
                expected.add(f"{kind}:#{app.number}:{day.isoformat()}")
    found = {r.key for r in scheduled(p, apps, now, tz) if r.kind in (Kind.FOLLOW_UP, Kind.GHOST)}
    assert found == expected and expected
