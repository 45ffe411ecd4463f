"""Funnel numbers from the stage history: counts, conversions, rates, waits, segments, reports.

Definitions (all per *application*; README "Insights" repeats them for users):

* An application's **furthest stage** is the highest stage it ever reached (``reached()``), or its
  current stage if that is higher (imported rows may carry a stage without dates). Closing an
  application never lowers it, so one rejected after an interview still counts as interviewed.
* **Applied** = furthest stage is Applied or beyond. This is the denominator of every rate, and it
  includes open applications that are still waiting.
* **Response** = furthest stage is Responded or beyond (a reply, a phone screen, an interview...).
  A rejection that arrives while the application sits at Applied closes it without a response:
  it shows under outcomes, not in the response rate.
* **Interview** = furthest stage is Interview (4) or beyond. A phone screen (3) is a response, not
  an interview.
* **Offer** = furthest stage is Offer or beyond (an accepted offer was an offer first).
* **Entry stage** = where the application came in: the furthest stage recorded at its first
  recorded moment (saved as a prospect, or added as already applied).
* **Stage-to-stage conversion** = reached stage s / reached stage s-1, both counted as "furthest
  stage is s or beyond". For Applied the base is only applications that entered as prospects
  (the others never had to be turned from a prospect into an application).
* **Inertia** = prospects never applied to: still open, or dropped.
* **Waits** are medians of the elapsed days between two milestones, over applications that have
  dates for both and entered at or before the first one (so "added as applied" does not count as
  a zero-day prospect).

These are the only definitions: /funnel, /stats, the weekly review's "Funnel so far"
(``reminders.standing``) and /chart all count through ``furthest`` and ``rates``.

Nothing here reads the clock or imports telegram; callers pass ``now``, ``tz`` and the data.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import cast
from zoneinfo import ZoneInfo

from bot.domain.dates import DateOrder, parse_day, week_start
from bot.domain.models import JobApplication
from bot.domain.stages import Outcome, Stage
from bot.domain.weekly import applied_on, recent_weeks, week_status
from bot.domain.words import plural

SMALL_SAMPLE = 5  # segments with fewer applications get a caution
WAIT_PAIRS: tuple[tuple[Stage, Stage], ...] = (
    (Stage.PROSPECT, Stage.APPLIED),
    (Stage.APPLIED, Stage.RESPONDED),
    (Stage.RESPONDED, Stage.INTERVIEW),
    (Stage.INTERVIEW, Stage.OFFER),
)
NO_REASON = "no reason given"


# -- one application -------------------------------------------------------------------------


def furthest(app: JobApplication, reached: dict[Stage, datetime] | None = None) -> Stage:
    """The highest stage the application ever reached (its current stage if that is higher).

    ``reached`` is ``app.reached()`` when the caller already has it.
    """
    return max([app.stage, *(app.reached() if reached is None else reached)])


def entry_stage(app: JobApplication, reached: dict[Stage, datetime] | None = None) -> Stage:
    """Where the application came into the funnel: the stage it was created at.

    Without a creation event (older or imported data), the furthest stage at its first moment.
    ``reached`` is ``app.reached()`` when the caller already has it.
    """
    created = next((e.stage for e in app.history if e.kind == "created" and e.stage is not None), None)
    if created is not None:
        return created
    if reached is None:
        reached = app.reached()
    if not reached:
        return Stage.APPLIED if app.stage >= Stage.APPLIED else Stage.PROSPECT
    first = min(reached.values())
    return max(stage for stage, moment in reached.items() if moment == first)


def end_state(app: JobApplication) -> str:
    """How the application's line ends: open, accepted, or the outcome's value."""
    if app.outcome is not None:
        return app.outcome.value
    return "accepted" if app.stage == Stage.ACCEPTED else "open"


# -- rates -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rates:
    """How many applications got how far, and the rates per application sent."""

    applied: int = 0
    responded: int = 0
    interviewed: int = 0
    offered: int = 0
    accepted: int = 0

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def response_rate(self) -> float | None:
        return self._rate(self.responded, self.applied)

    @property
    def interview_rate(self) -> float | None:
        return self._rate(self.interviewed, self.applied)

    @property
    def offer_rate(self) -> float | None:
        return self._rate(self.offered, self.applied)


def rates(apps: Iterable[JobApplication]) -> Rates:
    return _rates(Counter(facts(app).furthest for app in apps))


def _at_least(counts: Counter[Stage], stage: Stage) -> int:
    """Applications whose furthest stage is ``stage`` or beyond, from the count per furthest stage."""
    return sum(n for s, n in counts.items() if s >= stage)


def _rates(counts: Counter[Stage]) -> Rates:
    """``rates`` from the count of applications per furthest stage."""
    return Rates(
        applied=_at_least(counts, Stage.APPLIED),
        responded=_at_least(counts, Stage.RESPONDED),
        interviewed=_at_least(counts, Stage.INTERVIEW),
        offered=_at_least(counts, Stage.OFFER),
        accepted=_at_least(counts, Stage.ACCEPTED),
    )


# -- the whole funnel ------------------------------------------------------------------------


@dataclass(frozen=True)
class StageCount:
    stage: Stage
    count: int  # applications whose furthest stage is this one or beyond
    conversion: float | None  # from the stage before; None when there is no base


@dataclass(frozen=True)
class Wait:
    start: Stage
    end: Stage
    median_days: float
    samples: int


@dataclass(frozen=True)
class OutcomeCount:
    state: str  # "open", "accepted" or an Outcome value
    count: int
    reasons: tuple[tuple[str, int], ...] = ()  # most common first


@dataclass(frozen=True)
class Funnel:
    total: int
    stages: tuple[StageCount, ...]  # Applied .. Accepted
    saved_as_prospect: int  # applications that entered as prospects
    rates: Rates
    waits: tuple[Wait, ...]
    prospects_open: int  # inertia: saved, never applied, still open
    prospects_dropped: int  # inertia: saved, never applied, closed
    outcomes: tuple[OutcomeCount, ...]
    headline: str


@dataclass(frozen=True, slots=True)
class Facts:
    """What the funnel needs from one application, from one replay of its history."""

    furthest: Stage
    entry: Stage
    end: str  # end_state
    waits: tuple[tuple[tuple[Stage, Stage], float], ...]  # (pair, days) for each pair it has dates for


def facts(app: JobApplication) -> Facts:
    """The application's :class:`Facts`, kept on it until its history, stage or outcome changes.

    A user with 500 applications changes one at a time, so /funnel, /stats and the weekly review
    recompute one application's facts, not 500 (storage keeps the parsed applications; a changed
    one is parsed again, and a caller's copy gets a history list of its own).
    """
    key = (len(app.history), app.stage, app.outcome)
    cached = app.__dict__.get("_facts")
    if cached is not None and cached[0] is app.history and cached[1] == key:
        return cast(Facts, cached[2])
    reached = app.reached()
    entry = entry_stage(app, reached)
    found = Facts(furthest(app, reached), entry, end_state(app), tuple(_wait_days(reached, entry)))
    app.__dict__["_facts"] = (app.history, key, found)  # not a field: out of comparisons and copies' keys
    return found


def _wait_days(reached: dict[Stage, datetime], entry: Stage) -> Iterator[tuple[tuple[Stage, Stage], float]]:
    for start, end in WAIT_PAIRS:
        if start in reached and end in reached and start >= entry:
            delta = reached[end] - reached[start]
            if delta >= timedelta(0):
                yield (start, end), delta.total_seconds() / 86400


def funnel(apps: Iterable[JobApplication]) -> Funnel:
    """Every number /funnel shows, from each application's :func:`facts`."""
    apps = list(apps)
    facts_of = [facts(app) for app in apps]
    counts = Counter(f.furthest for f in facts_of)

    def at_least(stage: Stage) -> int:
        return _at_least(counts, stage)

    prospects = [f for f in facts_of if f.entry == Stage.PROSPECT]
    stages = []
    for stage in Stage:
        if stage == Stage.PROSPECT:
            continue
        if stage == Stage.APPLIED:
            base = len(prospects)
            converted = sum(1 for f in prospects if f.furthest >= Stage.APPLIED)
            conversion = converted / base if base else None
        else:
            before = at_least(Stage(stage - 1))
            conversion = at_least(stage) / before if before else None
        stages.append(StageCount(stage, at_least(stage), conversion))

    never_applied = [f for f in facts_of if f.furthest == Stage.PROSPECT]
    overall = _rates(counts)
    return Funnel(
        total=len(apps),
        stages=tuple(stages),
        saved_as_prospect=len(prospects),
        rates=overall,
        waits=tuple(_waits(facts_of)),
        prospects_open=sum(1 for f in never_applied if f.end == "open"),
        prospects_dropped=sum(1 for f in never_applied if f.end != "open"),
        outcomes=tuple(_outcomes(apps, facts_of)),
        headline=headline(overall),
    )


def waits(apps: Sequence[JobApplication]) -> list[Wait]:
    """Median elapsed days between milestones, for pairs with at least one sample."""
    return _waits([facts(app) for app in apps])


def _waits(facts_of: Iterable[Facts]) -> list[Wait]:
    days: dict[tuple[Stage, Stage], list[float]] = {pair: [] for pair in WAIT_PAIRS}
    for found in facts_of:
        for pair, elapsed in found.waits:
            days[pair].append(elapsed)
    return [
        Wait(start, end, statistics.median(samples), len(samples)) for (start, end), samples in days.items() if samples
    ]


def outcomes(apps: Sequence[JobApplication]) -> list[OutcomeCount]:
    """Open, accepted and each way of closing, with the reasons given (most common first)."""
    return _outcomes(apps, [facts(app) for app in apps])


def _outcomes(apps: Sequence[JobApplication], facts_of: Sequence[Facts]) -> list[OutcomeCount]:
    result = []
    by_state: dict[str, list[JobApplication]] = {}
    for app, found in zip(apps, facts_of, strict=True):
        by_state.setdefault(found.end, []).append(app)
    closed = tuple(o.value for o in Outcome)
    for state in ("open", "accepted", *closed):
        matching = by_state.get(state, [])
        reasons: tuple[tuple[str, int], ...] = ()
        if state in closed:
            counter = Counter(a.reason.strip() or NO_REASON for a in matching)
            reasons = tuple(sorted(counter.items(), key=lambda item: (-item[1], item[0].lower())))
        result.append(OutcomeCount(state, len(matching), reasons))
    return result


def ratio_phrase(part: int, whole: int) -> str:
    """ "1 in 3", "2 in 5", "every": a rate people can picture."""
    if part >= whole:
        return "every"
    exact = Fraction(part, whole)
    if exact.denominator <= 10:
        return f"{exact.numerator} in {exact.denominator}"
    if exact < Fraction(1, 5):
        return f"1 in {round(whole / part)}"
    near = exact.limit_denominator(5)  # 7 of 16 reads as "2 in 5", not "1 in 2"
    return f"{near.numerator} in {near.denominator}"


def headline(overall: Rates) -> str:
    """One sentence on top of /funnel."""
    n = overall.applied
    if n == 0:
        return "You haven't applied anywhere yet: your funnel starts with the first application."
    if overall.responded == 0:
        return f"No responses yet from your {plural(n, 'application')}: early days, keep sending."
    response = ratio_phrase(overall.responded, n)
    response_text = "every application" if response == "every" else f"{response} applications"
    if overall.interviewed == 0:
        return f"You get a response to {response_text}; no interviews yet."
    interview = ratio_phrase(overall.interviewed, n)
    interview_text = "every one" if interview == "every" else interview
    return f"You get a response to {response_text} and an interview to {interview_text}."


# -- segments --------------------------------------------------------------------------------

SEGMENT_FIELDS = ("track", "camp", "source")
_UNSET = {"track": "(no track)", "camp": "(no camp)", "source": "(no source)"}


@dataclass(frozen=True)
class Segment:
    name: str
    rates: Rates
    prospects: int  # never applied
    labelled: bool = True  # False for "(no track)" and the like: listed, never ranked

    @property
    def small(self) -> bool:
        return self.rates.applied < SMALL_SAMPLE

    @property
    def score(self) -> tuple[float, float, int]:
        """Ranking: interview rate, then response rate, then volume."""
        r = self.rates
        return (r.interview_rate or 0.0, r.response_rate or 0.0, r.applied)


@dataclass(frozen=True)
class Segments:
    by: str
    segments: tuple[Segment, ...]  # most applications first
    best: Segment | None
    worst: Segment | None
    tentative: bool  # best/worst rest on segments with fewer than SMALL_SAMPLE applications


def _segment_key(app: JobApplication, by: str) -> str:
    if by == "track":
        return app.track.strip()
    value = app.camp if by == "camp" else app.source
    return value.value if value is not None else ""


def segment_stats(apps: Iterable[JobApplication], by: str) -> Segments:
    """Rates split by track, camp or source, with the best and worst segment.

    Best and worst compare interview rate, then response rate. Only segments with at least
    SMALL_SAMPLE applications compete when two or more have that many; otherwise every segment
    with an application competes and the result is marked tentative. The unlabelled segment
    ("(no camp)") is listed but never competes: "tag your jobs" is not a finding. When the best
    and worst score the same, neither is named.
    """
    if by not in SEGMENT_FIELDS:
        raise ValueError(f"unknown segment field {by!r}")
    groups: dict[str, list[JobApplication]] = {}
    names: dict[str, str] = {}
    for app in apps:
        raw = _segment_key(app, by)
        key = raw.casefold()
        names.setdefault(key, raw or _UNSET[by])
        groups.setdefault(key, []).append(app)
    segments = [
        Segment(
            name=names[key],
            rates=rates(members),
            prospects=sum(1 for a in members if furthest(a) == Stage.PROSPECT),
            labelled=key != "",
        )
        for key, members in groups.items()
    ]
    segments.sort(key=lambda s: (-s.rates.applied, s.name.casefold()))
    ranked = [s for s in segments if s.labelled]
    sized = [s for s in ranked if not s.small]
    tentative = len(sized) < 2
    contenders = [s for s in ranked if s.rates.applied > 0] if tentative else sized
    best = worst = None
    if len(contenders) >= 2:
        top = max(contenders, key=lambda s: s.score)
        bottom = min(contenders, key=lambda s: s.score)
        if top.score[:2] != bottom.score[:2]:
            best, worst = top, bottom
    return Segments(by, tuple(segments), best, worst, tentative and best is not None)


# -- weeks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekRow:
    monday: date
    applied: int
    buffer_in: int  # applications ahead of target carried into this week
    target: int
    counted: bool = True  # False before the user's first week: no buffer, no streak, no verdict

    @property
    def met(self) -> bool:
        return self.applied + self.buffer_in >= self.target


def week_rows(
    apps: Iterable[JobApplication],
    tz: ZoneInfo,
    target: int,
    now: datetime,
    weeks: int,
    *,
    since: date | None = None,
) -> list[WeekRow]:
    """The last ``weeks`` weeks, oldest first, with the buffer each started with (weekly.py rules).

    ``since`` is the user's first day (weekly.week_status): earlier weeks are not counted.
    """
    apps = list(apps)
    first = week_start(since) if since is not None else date.min
    rows = []
    for monday, count in recent_weeks(apps, tz, now, weeks, since=since):
        moment = datetime.combine(monday, time(12), tzinfo=tz)
        status = week_status(apps, tz, target, moment, since=since)
        rows.append(WeekRow(monday, count, status.buffer, target, counted=monday >= first))
    return rows


# -- reports ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    applied_on: date
    number: int
    company: str
    role: str
    status: str  # current stage, or outcome at stage
    link: str


def report_rows(apps: Iterable[JobApplication], tz: ZoneInfo, start: date, end: date) -> list[ReportRow]:
    """Every application sent between ``start`` and ``end`` (inclusive, local days), by date."""
    rows = []
    for app in apps:
        day = applied_on(app, tz)
        if day is not None and start <= day <= end:
            rows.append(ReportRow(day, app.number, app.company, app.role, app.status_label(), app.link))
    return sorted(rows, key=lambda r: (r.applied_on, r.number))


class PeriodError(ValueError):
    """The period could not be read; the message is plain text written for the user."""


_YEAR = re.compile(r"\b\d{4}\b")
_WEEKDAY = re.compile(r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*")
_FORWARD = re.compile(r"\b(?:next|tomorrow|in)\b")
_SEPARATOR = re.compile(r"\s+(?:to|until|till)\s+|\s+-\s+|\s*[–—]\s*", re.IGNORECASE)
MAX_PERIOD_WORDS = 12
_EXAMPLE = "e.g. /report nov 1 to nov 30 or /report 2026-11-01 2026-11-30"


def _read_day(text: str, today: date, not_before: date | None = None, order: DateOrder = "dmy") -> date | None:
    """One day: an ISO date, or a phrase that means the most recent such day (not after today).

    "nov 1" typed in late November is this year's, "friday" typed on a Monday the one just gone.
    An end date (``not_before`` = the start) only looks back while it stays on or after the
    start: "nov 1 to nov 30" ends on 30 Nov even before that day has come.
    """
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    day = parse_day(text, today, order=order)
    if day is None or day <= today or _YEAR.search(text) or _FORWARD.search(text.lower()):
        return day
    earlier = day
    if _WEEKDAY.fullmatch(text.lower()):
        while earlier > today:
            earlier -= timedelta(days=7)
    else:
        try:
            earlier = day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            earlier = day - timedelta(days=365)
    return earlier if not_before is None or earlier >= not_before else day


def _read_pair(first: str, second: str, today: date, order: DateOrder) -> tuple[date | None, date | None]:
    start = _read_day(first, today, order=order)
    return start, _read_day(second, today, start, order)


def _can_not_read(text: str) -> PeriodError:
    return PeriodError(f"I can't read {text[:40]!r} as a date. Use YYYY-MM-DD or a phrase, {_EXAMPLE}.")


def parse_period(args: Sequence[str], today: date, *, order: DateOrder = "dmy") -> tuple[date, date]:
    """``<from> [<to>]`` as ISO dates or phrases of any number of words; ``to`` defaults to today.

    "nov 1 to nov 30" (or " - ", or an en or em dash) splits at the separator. Without one, the
    whole text is tried as one day (the start), then every split between two words: the one
    where both halves read as days wins (forwards first, then the evenest halves).
    """
    words = " ".join(args).split()
    if not words:
        raise PeriodError(f"Give a period, {_EXAMPLE}.")
    if len(words) > MAX_PERIOD_WORDS:
        raise PeriodError(f"That period is too long to read: {_EXAMPLE}.")
    text = " ".join(words)
    parts = [part.strip() for part in _SEPARATOR.split(text)]
    if len(parts) > 2 or not all(parts):
        raise PeriodError(f"Give one start and at most one end, {_EXAMPLE}.")
    if len(parts) == 2:
        start, end = _read_pair(parts[0], parts[1], today, order)
        if start is None or end is None:
            raise _can_not_read(parts[0] if start is None else parts[1])
        return _ordered(start, end)
    whole = _read_day(text, today, order=order)
    if whole is not None:
        return _ordered(whole, today)
    found: dict[tuple[date, date], int] = {}  # each reading, with how uneven its halves are
    longest_start = 0  # words in the longest beginning that reads as a day
    for cut in range(1, len(words)):
        start, end = _read_pair(" ".join(words[:cut]), " ".join(words[cut:]), today, order)
        if start is not None:
            longest_start = cut
        if start is not None and end is not None:
            found[(start, end)] = min(found.get((start, end), len(words)), abs(len(words) - 2 * cut))
    if not found:
        raise _can_not_read(" ".join(words[longest_start:]))
    # Prefer a period that runs forwards, then halves written alike ("nov 1 nov 30" is
    # "nov 1" + "nov 30", not "nov" + "1 nov 30" read with 30 as a year).
    forward = {pair: uneven for pair, uneven in found.items() if pair[0] <= pair[1]} or found
    evenest = min(forward.values())
    best = [pair for pair, uneven in forward.items() if uneven == evenest]
    if len(best) > 1:
        raise PeriodError(f"I can read {text[:40]!r} more than one way: put “to” between the dates, {_EXAMPLE}.")
    return _ordered(*best[0])


def _ordered(start: date, end: date) -> tuple[date, date]:
    if start > end:
        raise PeriodError("The period starts after it ends: give the earlier date first.")
    return start, end
