"""Week status: whether last week was met (buffer included) and the streak rule shared by every message."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain import moves
from bot.domain.models import Event, JobApplication
from bot.domain.stages import Stage
from bot.domain.weekly import streak_including_this_week, week_status

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 11, 23)


def sent(number: int, day: date) -> JobApplication:
    at = datetime.combine(day, time(10), tzinfo=BERLIN).astimezone(UTC)
    app = JobApplication(number, f"Co{number}", "SRE", at, history=[Event(at, "created", Stage.PROSPECT)])
    moves.move(app, Stage.APPLIED, at)
    return app


def weeks(*counts: int) -> list[JobApplication]:
    """Applications sent in the weeks before MONDAY, oldest first (the last count is last week)."""
    apps: list[JobApplication] = []
    for back, count in zip(range(len(counts), 0, -1), counts, strict=True):
        apps += [sent(len(apps) + 1, MONDAY - timedelta(days=7 * back)) for _ in range(count)]
    return apps


NOW = datetime.combine(MONDAY, time(9), tzinfo=BERLIN)


def test_last_week_met_counts_the_buffer_carried_into_it() -> None:
    """Three sent, then one against a target of two: last week was met with the buffer, as the review said."""
    status = week_status(weeks(3, 1), BERLIN, 2, NOW)
    assert (status.last_week, status.last_week_met, status.streak) == (1, True, 2)
    missed = week_status(weeks(2, 1), BERLIN, 2, NOW)
    assert (missed.last_week_met, missed.streak) == (False, 0)
    assert week_status([], BERLIN, 2, NOW).last_week_met is False


def test_last_week_before_the_user_started_has_no_verdict() -> None:
    """A user who started this week gets no "met" or "not met" for a week they weren't here."""
    status = week_status(weeks(5, 0), BERLIN, 2, NOW, since=MONDAY)
    assert status.last_week_met is None and status.streak == 0


def test_streak_including_this_week_counts_it_once_met() -> None:
    """Two weeks met, then this week: the streak is 2 until this week's target is met, then 3."""
    apps = weeks(2, 2)
    assert streak_including_this_week(week_status(apps, BERLIN, 2, NOW)) == 2
    apps += [sent(10, MONDAY), sent(11, MONDAY)]
    assert streak_including_this_week(week_status(apps, BERLIN, 2, NOW)) == 3
    covered = week_status(weeks(2, 4), BERLIN, 2, NOW)  # the buffer alone covers this week
    assert covered.met and streak_including_this_week(covered) == 3


# -- small things (hunt item 15) --------------------------------------------------------------------


def test_recent_weeks_since_drops_empty_weeks_before_the_start() -> None:
    """Empty weeks before the first week go; a week with an (imported) application stays, as do later ones."""
    from bot.domain.weekly import recent_weeks

    assert recent_weeks([], BERLIN, NOW, 8, since=MONDAY) == [(MONDAY, 0)]
    older = sent(1, MONDAY - timedelta(days=14))
    assert [monday for monday, _ in recent_weeks([older], BERLIN, NOW, 8, since=MONDAY)] == [
        MONDAY - timedelta(days=14),
        MONDAY - timedelta(days=7),
        MONDAY,
    ]
    assert len(recent_weeks([], BERLIN, NOW, 8)) == 8  # without since: every week asked for


def prospect(number: int, fit: tuple[int, int] | None = None) -> JobApplication:
    at = datetime.combine(MONDAY, time(10), tzinfo=BERLIN)
    app = JobApplication(number, f"Co{number}", "SRE", at, history=[Event(at, "created", Stage.PROSPECT)])
    if fit is not None:
        app.fit_contribute, app.fit_learn = fit
    return app


def test_prospect_rank_and_list_order_follow_fit() -> None:
    """A prospect's rank is its place by fit; /list puts prospects best fit first and other stages by number."""
    from bot.domain.weekly import list_order, prospect_rank

    apps = [prospect(1, (1, 1)), prospect(2), prospect(3, (5, 4)), sent(4, MONDAY), sent(5, MONDAY)]
    assert prospect_rank(apps, 3) == (1, 3) and prospect_rank(apps, 2) == (3, 3)
    assert prospect_rank(apps, 4) is None
    assert [a.number for a in list_order(apps)] == [4, 5, 3, 1, 2]
