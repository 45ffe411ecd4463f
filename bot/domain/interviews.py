"""Interview rules: which times can be recorded, adding versus moving, cancelling, the check-in. Pure.

``/interview N <when>`` adds an interview, unless N already has an upcoming one on the same local
day: then that one moves (a typo fixed, a time shifted). ``/interview N move <when>`` moves the
next upcoming one explicitly, to any day. Reminder keys carry the moment, so a moved or cancelled
interview's prep and check-in simply stop existing.

Booking an interview changes no stage: it is a plan, and cancelling it leaves the funnel as it was.
The application reaches Interview once an interview has happened and the user answers the check-in
(``check_in``), or when they say so with ``/move N interview``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain import moves
from bot.domain.dates import DateOrder, parse_moment
from bot.domain.models import Event, JobApplication
from bot.domain.stages import Outcome, Stage

PAST_GRACE = timedelta(minutes=5)  # an interview moment this recent still counts as "now"
HORIZON = timedelta(days=2 * 365)  # interviews further ahead than this are refused
SAME_TIME = timedelta(minutes=1)

Describe = Callable[[datetime], str]  # how a moment reads in the history ("Tue 1 Dec 2026, 14:00")


class Problem(enum.Enum):
    CLOSED = "closed"
    PAST = "past"
    TOO_FAR = "too far"
    DUPLICATE = "duplicate"
    NOTHING_TO_MOVE = "nothing to move"


@dataclass(frozen=True)
class Recorded:
    """What ``record`` did: the new moment (UTC), the one it replaced, how many others are ahead."""

    moment: datetime
    moved_from: datetime | None
    others: int


def upcoming(app: JobApplication, now: datetime) -> list[datetime]:
    return sorted(m for m in app.interviews if m >= now)


def problem(app: JobApplication, moment: datetime, now: datetime, *, move: bool = False) -> Problem | None:
    """Why ``moment`` (any aware time, even year 9999 in a zone behind UTC) can't be recorded, if so."""
    if app.is_closed:
        return Problem.CLOSED
    # Subtracting aware datetimes works in timedeltas, so it can't overflow at the calendar's edge.
    ahead = moment - now
    if ahead < -PAST_GRACE:
        return Problem.PAST
    if ahead > HORIZON:
        return Problem.TOO_FAR
    if any(abs(m - moment) < SAME_TIME for m in app.interviews):
        return Problem.DUPLICATE
    if move and not upcoming(app, now):
        return Problem.NOTHING_TO_MOVE
    return None


def day_without_time(text: str, now: datetime, *, order: DateOrder = "dmy") -> bool:
    """True when ``text`` names a day but no time ("tomorrow", "fri", "2026-12-01").

    ``parse_moment`` reads such a day as 09:00, a guess an interview can't take, so the user is asked.
    Adding a time reads only when there was none: two times, or a time after "in 2 hours", read as nothing.
    """
    return (
        parse_moment(text, now, order=order) is not None and parse_moment(f"{text} 12:00", now, order=order) is not None
    )


def _local_day(moment: datetime, tz: ZoneInfo) -> date | None:
    try:
        return moment.astimezone(tz).date()
    except OverflowError:  # an imported moment at the very edge of the calendar
        return None


def replaced(app: JobApplication, moment: datetime, now: datetime, tz: ZoneInfo, *, move: bool) -> datetime | None:
    """The upcoming interview that ``moment`` replaces; None means it is an additional one."""
    ahead = upcoming(app, now)
    if move:
        return ahead[0] if ahead else None
    day = _local_day(moment, tz)
    return next((m for m in ahead if _local_day(m, tz) == day), None)


def record(
    app: JobApplication, moment: datetime, now: datetime, tz: ZoneInfo, describe: Describe, *, move: bool = False
) -> Recorded:
    """Add the interview at ``moment`` (or move one, see the module doc); checked by ``problem`` first."""
    moment = moment.astimezone(UTC)
    old = replaced(app, moment, now, tz, move=move)
    detail = describe(moment)
    if old is not None:
        app.interviews.remove(old)
        detail = f"{detail} (moved from {describe(old)})"
    app.interviews.append(moment)
    app.interviews.sort()
    app.history.append(Event(at=now, kind="interview", detail=detail))
    return Recorded(moment, old, len(upcoming(app, now)) - 1)


def cancel_upcoming(app: JobApplication, now: datetime, describe: Describe) -> list[datetime]:
    """Drop every upcoming interview (history says "<when> — cancelled"); returns what was dropped."""
    dropped = upcoming(app, now)
    app.interviews = [m for m in app.interviews if m < now]
    for moment in dropped:
        # The history renders kind "interview" as "interview scheduled <detail>".
        app.history.append(Event(at=now, kind="interview", detail=f"{describe(moment)} — cancelled"))
    return dropped


class CheckIn(enum.Enum):
    """The answer to "How did the interview go?", as applied to the application."""

    SECOND_ROUND = "second"  # moved to Second interview
    ANOTHER_ROUND = "another"  # already at Second interview or beyond: nothing to move
    OFFER = "offer"
    REJECTED = "rejected"
    WAITING = "waiting"


CHECK_IN_CHOICES = ("next", "offer", "rej", "wait")


def happened(app: JobApplication, now: datetime) -> datetime | None:
    """The latest booked interview that has begun by ``now``, if any (a cancelled one is gone)."""
    return max((m for m in app.interviews if m <= now), default=None)


def _reach_interview(app: JobApplication, now: datetime) -> None:
    """An interview took place: record the Interview stage, dated when it began (if that is in order)."""
    moment = happened(app, now)
    if moment is None or app.outcome is not None or app.stage >= Stage.INTERVIEW:
        return
    moves.move(app, Stage.INTERVIEW, max(moment, app.last_change_at()))


def check_in(app: JobApplication, choice: str, now: datetime) -> CheckIn:
    """Apply a check-in button (one of ``CHECK_IN_CHOICES``); may raise ``moves.InvalidMove``.

    Any answer says the interview took place, so an application below Interview reaches it first.
    """
    if choice in CHECK_IN_CHOICES:
        _reach_interview(app, now)
    if choice == "next":
        if app.stage < Stage.SECOND:
            moves.move(app, Stage.SECOND, now)
            return CheckIn.SECOND_ROUND
        return CheckIn.ANOTHER_ROUND
    if choice == "offer":
        if app.stage < Stage.OFFER:
            moves.move(app, Stage.OFFER, now)
        return CheckIn.OFFER
    if choice == "rej":
        moves.close(app, Outcome.REJECTED, now)  # the stage says when; the bot asks why
        return CheckIn.REJECTED
    return CheckIn.WAITING


def questions_for(app: JobApplication, general: Sequence[str]) -> list[str]:
    """The questions to ask at ``app``'s interviews: its own (``/ask``) first, then the general ones, no repeats."""
    own = [note.text for note in app.notes if note.kind == "question"]
    seen: set[str] = set()
    result = []
    for question in [*own, *general]:
        key = " ".join(question.casefold().split())
        if key not in seen:
            seen.add(key)
            result.append(question)
    return result


# -- a technical test or take-home task with a deadline ------------------------------------------------

TAKE_HOME_DAY_END = time(23, 59)  # a deadline given as a day alone: the end of that day


def take_home_deadline(text: str, now: datetime, *, order: DateOrder = "dmy") -> datetime | None:
    """The deadline typed (``fri 18:00``, ``2026-12-04``…) in ``now``'s zone, as UTC; a day alone ends at 23:59."""
    moment = parse_moment(text, now, order=order)
    if moment is None:
        return None
    if day_without_time(text, now, order=order):
        moment = moment.replace(hour=TAKE_HOME_DAY_END.hour, minute=TAKE_HOME_DAY_END.minute)
    return moment.astimezone(UTC)


def set_take_home(app: JobApplication, due: datetime, now: datetime, describe: Describe) -> None:
    """Record (or move) #N's take-home deadline; it must be ahead, and the application open and applied to."""
    if app.is_closed:
        raise moves.InvalidMove(f"#{app.number} is closed ({app.status_label().lower()}). /reopen {app.number} first.")
    if app.stage == Stage.PROSPECT:
        raise moves.InvalidMove(f"#{app.number} is still a prospect: a take-home comes after you apply.")
    if due <= now:
        raise moves.InvalidMove("That deadline has passed already. Give one ahead, e.g. fri 18:00.")
    app.take_home_due = due
    app.history.append(Event(at=now, kind="takehome", detail=f"due {describe(due)}"))


def end_take_home(app: JobApplication, now: datetime, how: str) -> datetime:
    """Close #N's take-home (``how``: submitted or cancelled); returns the deadline it had."""
    due = app.take_home_due
    if due is None:
        raise moves.InvalidMove(f"#{app.number} has no take-home on record. Add one: /takehome {app.number} fri 18:00")
    app.take_home_due = None
    app.history.append(Event(at=now, kind="takehome", detail=how))
    return due
