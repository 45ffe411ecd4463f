"""Weeks, targets, buffer and streaks. Weeks start on Monday in the user's own timezone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.dates import week_start
from bot.domain.models import JobApplication, Profile
from bot.domain.stages import Stage


def applied_on(app: JobApplication, tz: ZoneInfo) -> date | None:
    """The local day the user applied, if they did."""
    moment = app.entered_at(Stage.APPLIED)
    if moment is None:
        return None
    try:
        return moment.astimezone(tz).date()
    except OverflowError:  # a stored date at the calendar's edge
        return moment.date()


def applications_per_week(apps: Iterable[JobApplication], tz: ZoneInfo) -> dict[date, int]:
    """Monday of each week -> applications sent that week."""
    counts: dict[date, int] = {}
    for app in apps:
        day = applied_on(app, tz)
        if day is not None:
            monday = week_start(day)
            counts[monday] = counts.get(monday, 0) + 1
    return counts


def started_on(profile: Profile, tz: ZoneInfo) -> date:
    """The local day the user started with Funnelbot: weeks before it don't count toward buffer or streak."""
    return profile.created_at.astimezone(tz).date()


def in_flight(apps: Iterable[JobApplication]) -> list[JobApplication]:
    """Open applications that got past "Applied" (a reply, a screen, interviews, an offer)."""
    return [a for a in apps if a.is_open and a.stage >= Stage.RESPONDED]


@dataclass(frozen=True)
class WeekStatus:
    """Where the user stands in the week that starts on ``monday``."""

    monday: date
    applied: int  # applications sent this week
    target: int  # the weekly target
    buffer: int  # applications ahead of target carried in from earlier weeks
    streak: int  # completed weeks in a row that met the target, up to last week
    last_week: int  # applications sent last week
    # Last week met its target, the buffer carried into it included (the review's verdict);
    # None when last week was before the user started with Funnelbot: no verdict.
    last_week_met: bool | None = None

    @property
    def needed(self) -> int:
        """How many more applications this week, after the carried buffer."""
        return max(0, self.target - self.buffer - self.applied)

    @property
    def met(self) -> bool:
        return self.needed == 0


def week_status(
    apps: Iterable[JobApplication], tz: ZoneInfo, target: int, now: datetime, *, since: date | None = None
) -> WeekStatus:
    """Count this week, the buffer carried in, and the streak of weeks met.

    The buffer works like Beeminder's: each completed week adds (applied - target), never going
    below zero, so a strong week covers a later slow one. A week counts as met when its
    applications plus the buffer it started with reach the target.

    Weeks before ``since`` (the day the user started with Funnelbot) don't count: an imported
    history of old applications must not buy years of silence.
    """
    return week_status_of(applications_per_week(apps, tz), tz, target, now, since=since)


def week_status_of(
    counts: dict[date, int], tz: ZoneInfo, target: int, now: datetime, *, since: date | None = None
) -> WeekStatus:
    """:func:`week_status` from the counts :func:`applications_per_week` made (for several weeks at once)."""
    this_monday = week_start(now.astimezone(tz).date())
    last_monday = this_monday - timedelta(days=7)
    buffer, streak = 0, 0
    last_met: bool | None = None
    if counts:
        monday = min(counts) if since is None else max(min(counts), week_start(since))
        while monday < this_monday:
            sent = counts.get(monday, 0)
            met = sent + buffer >= target
            streak = streak + 1 if met else 0
            buffer = max(0, buffer + sent - target)
            if monday == last_monday:
                last_met = met
            monday += timedelta(days=7)
    if last_met is None and (since is None or week_start(since) <= last_monday):
        last_met = False  # counted, but nothing sent up to then
    return WeekStatus(
        monday=this_monday,
        applied=counts.get(this_monday, 0),
        target=target,
        buffer=buffer,
        streak=streak,
        last_week=counts.get(last_monday, 0),
        last_week_met=last_met,
    )


def streak_including_this_week(status: WeekStatus) -> int:
    """The streak every message quotes: the weeks met up to last week, plus this one once it is met."""
    return status.streak + 1 if status.met else status.streak


def recent_weeks(
    apps: Iterable[JobApplication], tz: ZoneInfo, now: datetime, weeks: int, *, since: date | None = None
) -> list[tuple[date, int]]:
    """The last ``weeks`` weeks (oldest first, this week last) with applications sent in each.

    With ``since`` (the user's first day), the empty weeks before both that week and the first
    application (an imported one can be older) are left out; this week always stays.
    """
    counts = applications_per_week(apps, tz)
    this_monday = week_start(now.astimezone(tz).date())
    first = date.min
    if since is not None:
        first = min([week_start(since), *(monday for monday, count in counts.items() if count)])
    return [
        (monday, counts.get(monday, 0))
        for back in range(weeks - 1, -1, -1)
        if (monday := this_monday - timedelta(days=7 * back)) >= first or back == 0
    ]


def rank_prospects(apps: Iterable[JobApplication]) -> list[JobApplication]:
    """Open prospects, best fit first; ties go to the soonest closing date, then the oldest."""
    prospects = [a for a in apps if a.is_open and a.stage == Stage.PROSPECT]
    return sorted(
        prospects,
        key=lambda a: (-(a.fit or 0), a.closes_on or date.max, a.number),
    )


def prospect_rank(apps: Iterable[JobApplication], number: int) -> tuple[int, int] | None:
    """Where prospect #``number`` stands among the open prospects (1 = best, as ``rank_prospects``), and of how many."""
    ranked = rank_prospects(apps)
    place = next((i for i, app in enumerate(ranked, start=1) if app.number == number), None)
    return (place, len(ranked)) if place is not None else None


def list_order(apps: Iterable[JobApplication]) -> list[JobApplication]:
    """The order of /list: open ones furthest stage first, prospects by fit (as ``rank_prospects``),
    other stages by number; closed ones last, by stage reached and number."""

    def key(app: JobApplication) -> tuple[bool, int, int, date, int]:
        if app.is_open and app.stage == Stage.PROSPECT:
            return (False, -int(app.stage), -(app.fit or 0), app.closes_on or date.max, app.number)
        return (app.is_closed, -int(app.stage), 0, date.max, app.number)

    return sorted(apps, key=key)
