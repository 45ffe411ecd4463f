"""What Funnelbot should push to a user, and when. Pure: every function takes ``now``.

A reminder has a stable ``key`` (``plan:2026-11-23``, ``close2:#4:2026-12-05``,
``follow:#7:2026-11-02``, ``prep-eve:#5:2026-12-01T14:00Z``...). The scheduler records a key once
Telegram accepted the message (or once it was deliberately skipped), so a key is never sent twice,
restarts included. Silent-application keys name the silence (application and the day it began),
not the delay, so changing ``/followup`` never repeats a nudge; an older recorded key with the
delay in it (``follow10:#7:2026-11-02``) counts as the same reminder.

A weekly plan on Saturday or Sunday is about the coming week (``planned_week``).

Timing rules:

* A reminder is **due** when ``at <= now < at + CATCH_UP`` (12 h) and its key is not recorded.
  Older ones are **missed**: never sent, recorded as skipped.
* Weekly slots and day-based reminders use the user's local wall-clock time, converted to UTC
  for that very day, so 09:00 stays 09:00 across daylight-saving changes. A wall time that does
  not exist (the spring-forward gap) fires as if the clock had not jumped: 02:30 becomes 03:30
  local. A wall time that happens twice (fall-back) fires once, at its first occurrence.
* Nothing is due before the profile existed, while the user is paused, or once they blocked the
  bot (``active=False``).
* A plan, check or review goes out at its scheduled minute (or, after downtime, within the catch-up),
  never because a setting changed: the mid-week check is decided at its minute, and a quiet one
  (the user was on track) is recorded as skipped then, so raising the target later can't bring it
  back; a plan, check or review whose time is past when the user moves the slot or the timezone
  (``Profile.schedule_changed_at``) is left out rather than sent at once.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.dates import week_start
from bot.domain.funnel import Rates, rates
from bot.domain.models import JobApplication, Profile
from bot.domain.stages import Outcome, Stage
from bot.domain.weekly import (
    WeekStatus,
    applications_per_week,
    in_flight,
    rank_prospects,
    started_on,
    week_status,
    week_status_of,
)

_DELAY_IN_KEY = re.compile(r"(follow|ghost)\d+(:#\d+:.+)")  # keys recorded before the delay left them

CATCH_UP = timedelta(hours=12)  # a reminder this late is still worth sending; later is skipped
LOOKBACK = timedelta(days=8)  # missed reminders older than this are simply forgotten
DAY_NUDGE_AT = time(10, 0)  # closing dates and silent applications: local morning
PREP_EVENING_AT = time(19, 0)  # interview prep, the evening before
PREP_BEFORE = timedelta(hours=2)  # interview prep, the last one
CHECK_IN_AFTER = timedelta(hours=3)  # "How did it go?"
SCHEDULED_MINUTE = timedelta(minutes=1)  # a weekly nudge set for the minute it is now still comes
FOLLOW_UP_DEFAULT, GHOST_DEFAULT = 10, 30


class Kind(enum.StrEnum):
    PLAN = "plan"
    CHECK = "check"
    REVIEW = "review"
    CLOSE_SOON = "close2"
    CLOSE_TODAY = "close0"
    FOLLOW_UP = "follow"
    GHOST = "ghost"
    PREP_EVENING = "prep-eve"
    PREP_SOON = "prep-2h"
    CHECK_IN = "checkin"
    TAKE_HOME_SOON = "th-eve"  # the day before a take-home is due
    TAKE_HOME_DUE = "th-day"  # the morning of the day it is due


WEEKLY = frozenset((Kind.PLAN, Kind.CHECK, Kind.REVIEW))

# Several reminders due at once go out in this order.
_ORDER = {kind: index for index, kind in enumerate(Kind)}


@dataclass(frozen=True)
class Reminder:
    kind: Kind
    key: str
    at: datetime  # scheduled moment, UTC
    number: int | None = None  # the application it is about
    day: date | None = None  # plan/check/review: the local day; closing: the closing day
    moment: datetime | None = None  # interviews: when it is (UTC)
    quiet: bool = False  # nothing to say at its minute (a check when on track): recorded as skipped


@dataclass(frozen=True)
class Agenda:
    """A user's reminders relative to ``now``."""

    due: list[Reminder] = field(default_factory=list)  # send now, in this order
    missed: list[Reminder] = field(default_factory=list)  # too late: record as skipped
    next_at: datetime | None = None  # the earliest later reminder; None when nothing is ahead

    @property
    def wake_at(self) -> datetime | None:
        """When the scheduler should look at this user again."""
        if self.due or self.missed:
            return min(r.at for r in [*self.due, *self.missed])
        return self.next_at


# -- time ------------------------------------------------------------------------------------


def wall_time(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC moment of local wall-clock ``at`` on ``day``.

    ``fold=0`` (PEP 495): in a spring-forward gap the pre-transition offset applies, so the moment
    lands just after the jump by the gap's length (02:30 -> 03:30); in a fall-back overlap the
    first occurrence is chosen.
    """
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def pause_end(profile: Profile, tz: ZoneInfo) -> datetime | None:
    """When a timed pause ends (local midnight starting ``paused_until``); None otherwise."""
    if not profile.paused or profile.paused_until is None:
        return None
    return wall_time(profile.paused_until, time(0, 0), tz)


def is_paused(profile: Profile, now: datetime, tz: ZoneInfo) -> bool:
    if not profile.paused:
        return False
    end = pause_end(profile, tz)
    return end is None or now < end


# Stored dates can sit at the calendar's edge (a CSV import with 9999-12-31): arithmetic that leaves
# datetime's range gives None, and only that one reminder is left out.


def _shift(moment: datetime, delta: timedelta) -> datetime | None:
    try:
        return moment + delta
    except OverflowError:
        return None


def _local_day(moment: datetime, tz: ZoneInfo) -> date | None:
    try:
        return moment.astimezone(tz).date()
    except OverflowError:
        return None


def _wall(day: date, days: int, at: time, tz: ZoneInfo) -> datetime | None:
    """``wall_time`` of ``day + days``, or None outside the calendar."""
    try:
        return wall_time(day + timedelta(days=days), at, tz)
    except OverflowError:
        return None


def _key_moment(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


# -- what is scheduled ---------------------------------------------------------------------------


def _weekly(profile: Profile, apps: Sequence[JobApplication], now: datetime, tz: ZoneInfo) -> Iterable[Reminder]:
    this_monday = week_start(now.astimezone(tz).date())
    slots = ((Kind.PLAN, profile.plan), (Kind.CHECK, profile.check), (Kind.REVIEW, profile.review))
    counts = applications_per_week(apps, tz) if profile.check is not None else {}  # once, for all three weeks
    for kind, slot in slots:
        if slot is None:
            continue
        for weeks in (-1, 0, 1):
            at = _wall(this_monday, 7 * weeks + slot.weekday, slot.at, tz)
            if at is None:
                continue
            day = this_monday + timedelta(days=7 * weeks + slot.weekday)
            # The mid-week check is silent when the user is on track; it is still scheduled, so the
            # silence is recorded at its minute and a later change of target can't wake it.
            quiet = (
                kind == Kind.CHECK
                and week_status_of(counts, tz, profile.target_per_week, at, since=started_on(profile, tz)).met
            )
            yield Reminder(kind, f"{kind}:{day.isoformat()}", at, day=day, quiet=quiet)


def _closing(apps: Sequence[JobApplication], tz: ZoneInfo) -> Iterable[Reminder]:
    for app in apps:
        if not (app.is_open and app.stage == Stage.PROSPECT and app.closes_on):
            continue
        for kind, before in ((Kind.CLOSE_SOON, 2), (Kind.CLOSE_TODAY, 0)):
            at = _wall(app.closes_on, -before, DAY_NUDGE_AT, tz)
            if at is not None:
                key = f"{kind}:#{app.number}:{app.closes_on.isoformat()}"
                yield Reminder(kind, key, at, app.number, day=app.closes_on)


def _silent(profile: Profile, apps: Sequence[JobApplication], tz: ZoneInfo, since: datetime) -> Iterable[Reminder]:
    """Applied and nothing changed since: a follow-up hint, later "still waiting or ghosted?".

    An application whose last reminder falls before ``since`` is skipped unexamined (a day's
    margin covers any timezone): an imported search keeps thousands of old applications, and
    building their reminders only to drop them was half of a 5,000-application agenda.
    """
    last = max(profile.follow_up_days, profile.ghost_days, 0)
    before = _local_day(since, tz)
    for app in apps:
        if not (app.is_open and app.stage == Stage.APPLIED):
            continue
        anchor = _local_day(app.last_change_at(), tz)
        if anchor is None or (before is not None and (before - anchor).days > last + 1):
            continue
        for kind, days in ((Kind.FOLLOW_UP, profile.follow_up_days), (Kind.GHOST, profile.ghost_days)):
            at = _wall(anchor, days, DAY_NUDGE_AT, tz) if days > 0 else None
            if at is not None:
                key = f"{kind}:#{app.number}:{anchor.isoformat()}"  # no delay: see the module docstring
                yield Reminder(kind, key, at, app.number, day=anchor)


def _interviews(apps: Sequence[JobApplication], tz: ZoneInfo, since: datetime) -> Iterable[Reminder]:
    """Prep the evening before and 2 h before, a check-in 3 h after; any that falls outside the
    calendar (an imported 9999-12-31T23:00Z) is left out, the others still come.

    An interview whose check-in (its last reminder) is before ``since`` is skipped unexamined:
    a long search keeps hundreds of past interviews, and their reminders would all be dropped.
    """
    done_before = since - CHECK_IN_AFTER
    for app in apps:
        if not app.is_open:
            continue
        for moment in app.interviews:
            if moment < done_before:
                continue
            tag = f"#{app.number}:{_key_moment(moment)}"
            soon = _shift(moment, -PREP_BEFORE)
            day = _local_day(moment, tz)
            evening = _wall(day, -1, PREP_EVENING_AT, tz) if day is not None else None
            if evening is not None and (soon is None or evening < soon):
                yield Reminder(Kind.PREP_EVENING, f"{Kind.PREP_EVENING}:{tag}", evening, app.number, moment=moment)
            if soon is not None:
                yield Reminder(Kind.PREP_SOON, f"{Kind.PREP_SOON}:{tag}", soon, app.number, moment=moment)
            check_in = _shift(moment, CHECK_IN_AFTER)
            if check_in is not None:
                yield Reminder(Kind.CHECK_IN, f"{Kind.CHECK_IN}:{tag}", check_in, app.number, moment=moment)


def _take_homes(apps: Sequence[JobApplication], tz: ZoneInfo) -> Iterable[Reminder]:
    """A take-home's deadline: a reminder the morning before, and the morning of the day (if still ahead)."""
    for app in apps:
        due = app.take_home_due
        day = _local_day(due, tz) if due is not None and app.is_open else None
        if due is None or day is None:
            continue
        tag = f"#{app.number}:{_key_moment(due)}"
        for kind, before in ((Kind.TAKE_HOME_SOON, 1), (Kind.TAKE_HOME_DUE, 0)):
            at = _wall(day, -before, DAY_NUDGE_AT, tz)
            if at is not None and at < due:
                yield Reminder(kind, f"{kind}:{tag}", at, app.number, moment=due)


def scheduled(profile: Profile, apps: Sequence[JobApplication], now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """Every reminder from ``LOOKBACK`` ago onwards that applies to this user's data."""
    since = now - LOOKBACK
    found = [
        *_weekly(profile, apps, now, tz),
        *_closing(apps, tz),
        *_silent(profile, apps, tz, since),
        *_interviews(apps, tz, since),
        *_take_homes(apps, tz),
    ]
    return [r for r in found if r.at >= since]


def recorded_keys(sent: Collection[str]) -> Collection[str]:
    """``sent`` plus the current form of any old-style silent-application key (``follow10:#7:...``)."""
    renamed = {f"{m[1]}{m[2]}" for key in sent if key[:1] in "fg" and (m := _DELAY_IN_KEY.fullmatch(key))}
    return {*sent, *renamed} if renamed else sent


def agenda(
    profile: Profile,
    apps: Sequence[JobApplication],
    sent: Collection[str],
    now: datetime,
    tz: ZoneInfo,
) -> Agenda:
    """Split the user's unsent reminders into due now, missed, and the next one ahead."""
    if not profile.active or is_paused(profile, now, tz):
        resume = pause_end(profile, tz) if profile.active else None
        return Agenda(next_at=resume)
    floor = max(profile.created_at, pause_end(profile, tz) or profile.created_at)
    moved = profile.schedule_changed_at - SCHEDULED_MINUTE if profile.schedule_changed_at else floor
    sent = recorded_keys(sent)
    due, missed, ahead = [], [], []
    reminders = scheduled(profile, apps, now, tz)
    # An interview booked at short notice: once the 2-hour prep is due, the evening one is stale.
    soon = {_tag(r) for r in reminders if r.kind == Kind.PREP_SOON and r.at <= now}
    for reminder in reminders:
        if reminder.key in sent or reminder.at < floor or (reminder.kind in WEEKLY and reminder.at < moved):
            continue
        if reminder.at > now:
            ahead.append(reminder.at)
        elif reminder.quiet or (reminder.kind == Kind.PREP_EVENING and _tag(reminder) in soon):
            missed.append(reminder)
        elif now - reminder.at < CATCH_UP:  # not "at + CATCH_UP": that can leave the calendar
            due.append(reminder)
        else:
            missed.append(reminder)
    due.sort(key=lambda r: (r.at, _ORDER[r.kind], r.number or 0))
    return Agenda(due=due, missed=missed, next_at=min(ahead, default=None))


def _tag(reminder: Reminder) -> str:
    """What a reminder is about, without its kind: ``#5:2026-12-01T13:00Z`` for interview reminders."""
    return reminder.key.partition(":")[2]


def interview_prep(
    profile: Profile, app: JobApplication, moment: datetime, sent: Collection[str], now: datetime, tz: ZoneInfo
) -> tuple[list[Reminder], list[Reminder]]:
    """The prep notes for ``app``'s interview at ``moment``: (due now, still ahead), by the agenda's rules."""
    if not profile.active or (profile.paused and profile.paused_until is None):
        return [], []
    end = pause_end(profile, tz) or now
    plan = agenda(profile, [app], sent, now, tz)
    ahead = [r for r in scheduled(profile, [app], now, tz) if r.at > now and r.at >= end]

    def preps(reminders: Iterable[Reminder]) -> list[Reminder]:
        kinds = (Kind.PREP_EVENING, Kind.PREP_SOON)
        return [r for r in reminders if r.kind in kinds and r.moment == moment and r.key not in sent]

    return preps(plan.due), preps(ahead)


def prep_promise(due: Sequence[Reminder], ahead: Sequence[Reminder]) -> str:
    """The sentence on prep notes and the check-in, from ``interview_prep``: plain text, no markup."""
    if any(r.kind == Kind.PREP_SOON for r in due):
        return "It's less than two hours away, so your prep notes follow right away; afterwards I'll ask how it went."
    later = {r.kind for r in ahead}
    if Kind.PREP_EVENING in later:
        return "I'll send prep notes the evening before and two hours before, and ask how it went afterwards."
    if Kind.PREP_SOON in later:
        return f"I'll send prep notes {'now and ' if due else ''}two hours before, and ask how it went afterwards."
    return "Your reminders are paused, so no prep notes or check-in for it until you /resume."


def next_due(
    profile: Profile, apps: Sequence[JobApplication], sent: Collection[str], now: datetime, tz: ZoneInfo
) -> datetime | None:
    """When this user next needs the scheduler's attention (at or before ``now`` = right away)."""
    return agenda(profile, apps, sent, now, tz).wake_at


# -- what the messages say -----------------------------------------------------------------------


@dataclass(frozen=True)
class WeekMoves:
    """What moved in one week: counts of stage changes and closings."""

    applied: int = 0
    responses: int = 0
    interviews: int = 0
    offers: int = 0
    rejections: int = 0

    @property
    def anything(self) -> bool:
        return any((self.applied, self.responses, self.interviews, self.offers, self.rejections))


def week_moves(apps: Iterable[JobApplication], tz: ZoneInfo, monday: date) -> WeekMoves:
    """Stage changes whose first arrival fell in the local week starting ``monday``."""
    end = monday + timedelta(days=7)

    def within(moment: datetime | None) -> bool:
        return moment is not None and monday <= moment.astimezone(tz).date() < end

    counts = {"applied": 0, "responses": 0, "interviews": 0, "offers": 0, "rejections": 0}
    for app in apps:
        reached = app.reached()
        counts["applied"] += within(reached.get(Stage.APPLIED))
        counts["responses"] += within(reached.get(Stage.RESPONDED))
        counts["interviews"] += within(reached.get(Stage.INTERVIEW))
        counts["offers"] += within(reached.get(Stage.OFFER))
        counts["rejections"] += app.outcome == Outcome.REJECTED and within(app.closed_at())
    return WeekMoves(**counts)


@dataclass(frozen=True)
class Standing:
    """Everything the weekly messages quote, computed for the week containing ``at``."""

    week: WeekStatus
    moves: WeekMoves
    in_flight: int
    in_flight_target: int
    top: list[JobApplication]
    saved: int  # every application ever saved (the review's "Funnel so far" starts here)
    funnel: Rates  # all-time, by ``funnel.furthest``: the same numbers as /funnel


def planned_week(day: date) -> date:
    """The Monday of the week a plan sent on ``day`` is about: this week from Monday to Friday, the
    coming one on Saturday and Sunday (so "last week" is the week that is ending)."""
    monday = week_start(day)
    return monday if day.weekday() < 5 else monday + timedelta(days=7)


def standing(
    profile: Profile,
    apps: Sequence[JobApplication],
    at: datetime,
    tz: ZoneInfo,
    *,
    monday: date | None = None,
    today: date | None = None,
) -> Standing:
    """The numbers for the week containing ``at`` (or the week starting ``monday``).

    Best prospects leave out those whose closing day is before ``today`` (default: ``at``'s local day).
    """
    week_at = at if monday is None else datetime.combine(monday, time(12), tzinfo=tz)
    status = week_status(apps, tz, profile.target_per_week, week_at, since=started_on(profile, tz))
    day = today or _local_day(at, tz) or date.min
    still_open = [a for a in rank_prospects(apps) if a.closes_on is None or a.closes_on >= day]
    return Standing(
        week=status,
        moves=week_moves(apps, tz, status.monday),
        in_flight=len(in_flight(apps)),
        in_flight_target=profile.target_in_flight,
        top=still_open[:3],
        saved=len(apps),
        funnel=rates(apps),
    )


def interviews_ahead(apps: Iterable[JobApplication], now: datetime) -> list[tuple[datetime, JobApplication]]:
    return sorted(
        ((m, a) for a in apps if a.is_open for m in a.interviews if m >= now),
        key=lambda pair: pair[0],
    )
