"""Applications in and out as CSV (scheduled interviews go out as iCalendar: ``bot.domain.ical``).

Export header (stable; new columns are only ever appended)::

    id, company, role, link, track, camp, source, fit_contribute, fit_learn, closes_on,
    stage, outcome, reason,
    prospect_at, applied_at, responded_at, screen_at, interview_at, second_at, offer_at,
    accepted_at,
    notes, created_at, closed_at, interviews, history, take_home_due

* ``stage`` is the stage's name ("Phone screen"); ``outcome`` is empty while open or accepted.
* ``<stage>_at`` is when the application first reached that stage (ISO-8601 UTC); empty when it
  never did (or when an imported row gave no date).
* ``notes``: one note per line as ``<ISO-8601 UTC> note: text`` (or ``lesson:``); a note's own
  extra lines follow, each indented by two spaces.
* ``interviews``: one ISO-8601 UTC moment per line.
* ``history``: the application's whole history, one event per line as
  ``<ISO-8601 UTC> <kind>[ stage=<0-7>][ outcome=<outcome>][ correction][: detail]`` (a detail's
  extra lines indented by two spaces). Import keeps it when it agrees with the stage dates and
  the closing; otherwise (say the dates were edited in a spreadsheet) it rebuilds the history
  from the columns, and events such as "interview scheduled" are lost.
* Any cell starting with ``= + - @ '``, a tab or a carriage return gets a leading ``'`` so a
  spreadsheet shows it as text instead of running it as a formula; import removes that quote.

Import reads our export or a user's own spreadsheet with at least company, role and stage columns
(header spellings in ``HEADER_ALIASES``, case-insensitive; stage as a name, 0-7 or an everyday
status word from ``stages._STAGE_SYNONYMS``; numeric dates such as 11/02/2026 in the user's
day-first or month-first order). Every row is
validated before anything is stored; the caller decides what to keep. Rows get the checks /add
and /edit apply (an http(s) link, names up to ``MAX_NAME``, a track up to ``MAX_TRACK`` and a
reason up to ``MAX_REASON`` characters), and every date must fall in a sane window: from
``EARLIEST`` to ``YEARS_AHEAD`` years after now (interviews: ``INTERVIEW_YEARS_AHEAD``). A source
it doesn't know ("Carrier pigeon") doesn't cost the row: it imports as "other" with a warning in
``ImportPlan.warnings``. All messages are plain text written for the user (escape them before
sending as HTML).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from itertools import pairwise
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.domain.capture import URL, CaptureError, validate_name
from bot.domain.dates import DateOrder, read_numeric_day
from bot.domain.funnel import ReportRow
from bot.domain.models import (
    Camp,
    Event,
    JobApplication,
    Note,
    Source,
    parse_camp,
    parse_source,
    utc_iso,
)
from bot.domain.numbers import parse_int
from bot.domain.stages import Outcome, Stage, parse_stage

MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
MAX_TRACK = 60  # as /edit track
MAX_REASON = 200  # as /reject N <reason>
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
YEARS_AHEAD = 5  # stage dates, created, closed, notes, history and closes_on
INTERVIEW_YEARS_AHEAD = 2
STAGE_COLUMNS = {stage: f"{stage.name.lower()}_at" for stage in Stage}
HEADER: tuple[str, ...] = (
    "id",
    "company",
    "role",
    "link",
    "track",
    "camp",
    "source",
    "fit_contribute",
    "fit_learn",
    "closes_on",
    "stage",
    "outcome",
    "reason",
    *STAGE_COLUMNS.values(),
    "notes",
    "created_at",
    "closed_at",
    "interviews",
    "history",
    "take_home_due",
)
T = TypeVar("T")
REQUIRED = ("company", "role", "stage")
UNKNOWN_STAGE = "unknown stage"  # the reply adds the stage legend once for all such rows
REPORT_HEADER = ("applied_on", "id", "company", "role", "status", "link")

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "'")
_NOTE_HEAD = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00) (note|lesson|question): (.*)$", re.S)
_EVENT_HEAD = re.compile(
    r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00) ([a-z_]+)"
    r"(?: stage=(\d))?(?: outcome=([a-z]+))?( correction)?(?:: (.*))?$",
    re.S,
)


# -- cells -----------------------------------------------------------------------------------


def neutralise(cell: str) -> str:
    """Prefix a quote to a cell a spreadsheet would read as a formula."""
    return "'" + cell if cell.startswith(_DANGEROUS) else cell


def unneutralise(cell: str) -> str:
    """Undo :func:`neutralise` (a lone leading quote before ordinary text is kept)."""
    if len(cell) > 1 and cell[0] == "'" and cell[1:].startswith(_DANGEROUS):
        return cell[1:]
    return cell


def _write(rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)  # QUOTE_MINIMAL: commas, quotes and newlines get quoted
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    # utf-8-sig: the byte order mark makes Excel read emoji and RTL text correctly.
    return buffer.getvalue().encode("utf-8-sig")


def _notes_cell(notes: Sequence[Note]) -> str:
    lines = []
    for note in notes:
        first, *rest = note.text.split("\n")
        lines.append(f"{utc_iso(note.at)} {note.kind}: {first}")
        lines.extend(f"  {line}" for line in rest)
    return "\n".join(lines)


def _history_cell(history: Sequence[Event]) -> str:
    lines = []
    for event in history:
        head = f"{utc_iso(event.at)} {event.kind}"
        if event.stage is not None:
            head += f" stage={int(event.stage)}"
        if event.outcome is not None:
            head += f" outcome={event.outcome.value}"
        if event.correction:
            head += " correction"
        if event.detail:
            first, *rest = event.detail.split("\n")
            lines.append(f"{head}: {first}")
            lines.extend(f"  {line}" for line in rest)
        else:
            lines.append(head)
    return "\n".join(lines)


def _row(app: JobApplication) -> list[str]:
    reached = app.reached()
    closed = app.closed_at() if app.outcome is not None else None
    return [
        str(app.number),
        app.company,
        app.role,
        app.link,
        app.track,
        app.camp.value if app.camp else "",
        app.source.value if app.source else "",
        "" if app.fit_contribute is None else str(app.fit_contribute),
        "" if app.fit_learn is None else str(app.fit_learn),
        app.closes_on.isoformat() if app.closes_on else "",
        app.stage.label,
        app.outcome.value if app.outcome else "",
        app.reason,
        *(utc_iso(reached[stage]) if stage in reached else "" for stage in Stage),
        _notes_cell(app.notes),
        utc_iso(app.created_at),
        utc_iso(closed) if closed else "",
        "\n".join(utc_iso(moment) for moment in app.interviews),
        _history_cell(app.history),
        utc_iso(app.take_home_due) if app.take_home_due else "",
    ]


def export_csv(apps: Iterable[JobApplication]) -> bytes:
    """Every application, one row each, under :data:`HEADER`."""
    return _write([HEADER, *(_row(app) for app in sorted(apps, key=lambda a: a.number))])


def report_csv(rows: Iterable[ReportRow]) -> bytes:
    """The /report list as a CSV file."""
    body = ((r.applied_on.isoformat(), str(r.number), r.company, r.role, r.status, r.link) for r in rows)
    return _write([REPORT_HEADER, *body])


# -- import: header --------------------------------------------------------------------------


def _norm(text: str) -> str:
    text = text.replace("\ufeff", "").strip().lower().rstrip(":?")
    return " ".join(re.sub(r"[_\-./]", " ", text).split())


HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "#", "no", "number", "nr"),
    "company": ("company", "company name", "employer", "organisation", "organization", "org"),
    "role": ("role", "position", "job title", "title", "job", "job role", "role title"),
    "link": ("link", "url", "job link", "job url", "posting", "job posting", "ad"),
    "track": ("track", "role track", "tag", "category"),
    "camp": ("camp",),
    "source": ("source", "via", "channel", "found via", "lead source"),
    "fit_contribute": ("fit contribute", "contribute", "contribution"),
    "fit_learn": ("fit learn", "learn", "learning"),
    "closes_on": ("closes on", "closes", "closing date", "deadline", "closing"),
    "stage": ("stage", "status", "state"),
    "outcome": ("outcome", "result"),
    "reason": ("reason", "rejection reason", "why"),
    "notes": ("notes", "note", "comments", "comment"),
    "created_at": ("created at", "created", "added", "date added", "saved"),
    "closed_at": ("closed at", "closed on", "closed", "date closed"),
    "interviews": ("interviews", "interview dates"),
    "history": ("history",),
    "take_home_due": ("take home due", "take home", "take home deadline", "technical test due"),
}
for _stage, _column in STAGE_COLUMNS.items():
    _word = _norm(_stage.name)
    HEADER_ALIASES[_column] = (_norm(_column), f"{_word} on", f"{_word} date", f"date {_word}")
HEADER_ALIASES["applied_at"] += ("date applied", "application date", "applied", "date")
HEADER_ALIASES["screen_at"] += ("phone screen at", "phone screen date")
_ALIAS_TO_FIELD = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}


class ImportRefused(ValueError):
    """The file as a whole can't be imported; nothing was read into the data."""


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str


@dataclass(frozen=True)
class Duplicate:
    line: int
    company: str
    role: str
    of: str  # "#3" (already saved) or "line 4" (earlier in the file)


@dataclass
class ImportPlan:
    """What a file would add: valid applications (unnumbered), problems and skipped duplicates."""

    apps: list[JobApplication] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # file line of each app
    errors: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)  # guesses on imported rows
    duplicates: list[Duplicate] = field(default_factory=list)
    undated: int = 0  # rows past Applied with no dates: they stay out of weekly counts
    order: DateOrder = "dmy"  # how numeric dates were read
    two_way_date: str = ""  # the first numeric date that could be read both ways, if any
    ignored_columns: list[str] = field(default_factory=list)
    rows: int = 0


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ImportRefused(
            f"That file is {len(data) / 1_000_000:.1f} MB; I import up to 1 MB "
            f"({MAX_ROWS:,} rows). Split it and send the parts."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            "That file isn't UTF-8 text. In your spreadsheet choose “CSV UTF-8” when saving, and send it again."
        ) from None
    if "\x00" in text:
        raise ImportRefused("That doesn't look like a CSV text file.")
    if not text.strip():
        raise ImportRefused("That file is empty.")
    return text


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


# -- import: values --------------------------------------------------------------------------

_DATE_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%d.%m.%Y")


def _read_date(text: str, order: DateOrder = "dmy", seen: list[str] | None = None) -> date:
    """ISO, "5 Dec 2026" and friends, or numbers ("11/02/2026") read in the user's ``order``.

    A numeric date that could be read both ways is appended to ``seen``, so the reply can say
    which way such dates were read.
    """
    cleaned = text.strip().replace(",", " ")
    try:
        return date.fromisoformat(cleaned.replace("/", "-"))
    except ValueError:
        pass
    numeric = read_numeric_day(cleaned, order)
    if numeric is not None:
        if numeric.other is not None and seen is not None:
            seen.append(numeric.text)
        return numeric.day
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(" ".join(cleaned.split()), fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
    if re.fullmatch(r"\d{1,2}[/.-]\d{1,2}", cleaned):
        raise ValueError(f"date {text[:30]!r} has no year (use YYYY-MM-DD or add the year)")
    raise ValueError(f"can't read date {text[:30]!r} (use YYYY-MM-DD)")


def _read_moment(text: str, tz: ZoneInfo, order: DateOrder = "dmy", seen: list[str] | None = None) -> datetime:
    """ISO-8601 with offset as given; without one, in the user's zone; a bare day is local noon."""
    cleaned = text.strip()
    try:
        if "T" in cleaned or ":" in cleaned:
            try:
                moment = datetime.fromisoformat(cleaned.replace(" ", "T", 1).replace("Z", "+00:00"))
            except ValueError:
                raise ValueError(f"can't read date {text[:30]!r} (use YYYY-MM-DD)") from None
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=tz)
            return moment.astimezone(UTC)
        return datetime.combine(_read_date(cleaned, order, seen), time(12), tzinfo=tz).astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+05:00 is before year 1 in UTC
        raise DateOutOfRange(f"date out of range: {text[:30]!r}") from None


class DateOutOfRange(ValueError):
    """A date that reads fine but lies outside the window an import accepts."""


def _years_after(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


@dataclass(frozen=True)
class _Window:
    """The dates an import accepts: from EARLIEST to a few years after now."""

    latest: datetime
    latest_interview: datetime

    @classmethod
    def around(cls, now: datetime) -> _Window:
        return cls(_years_after(now, YEARS_AHEAD), _years_after(now, INTERVIEW_YEARS_AHEAD))

    def check(self, moment: datetime, label: str, text: str, *, interview: bool = False) -> datetime:
        latest = self.latest_interview if interview else self.latest
        if not EARLIEST <= moment <= latest:
            raise self.refusal(label, text, interview=interview)
        return moment

    def refusal(self, label: str, text: str, *, interview: bool = False) -> DateOutOfRange:
        latest = self.latest_interview if interview else self.latest
        ahead = f"interviews up to {INTERVIEW_YEARS_AHEAD} years ahead, " if interview else ""
        return DateOutOfRange(
            f"date out of range: {label} {text[:30]!r} ({ahead}use {EARLIEST:%Y-%m-%d} to {latest:%Y-%m-%d})"
        )

    def check_day(self, day: date, label: str, text: str) -> date:
        if not EARLIEST.date() <= day <= self.latest.date():
            raise self.refusal(label, text)
        return day


def _read_notes(text: str, fallback: datetime, window: _Window) -> list[Note]:
    """Our folded format back into notes; anything else is one note."""
    if not text:
        return []
    notes: list[Note] = []
    for line in text.split("\n"):
        head = _NOTE_HEAD.match(line)
        if head and not line.startswith("  "):
            at = window.check(datetime.fromisoformat(head[1]).astimezone(UTC), f"{head[2]} dated", head[1])
            notes.append(Note(at, head[3], head[2]))
        elif line.startswith("  ") and notes:
            last = notes[-1]
            notes[-1] = Note(last.at, f"{last.text}\n{line[2:]}", last.kind)
        else:
            return [Note(fallback, text)]
    return notes


def _read_fit(text: str, label: str) -> int | None:
    if not text:
        return None
    fit = parse_int(text)
    if fit is not None and 1 <= fit <= 5:
        return fit
    raise ValueError(f"{label} must be 1-5, not {text[:10]!r}")


_OUTCOME_WORDS = {o.value: o for o in Outcome} | {"withdrew": Outcome.WITHDRAWN, "ghost": Outcome.GHOSTED}
_NO_OUTCOME = {"", "open", "none", "-", "accepted"}


def _read_outcome(text: str) -> Outcome | None:
    key = text.strip().lower()
    if key in _NO_OUTCOME:
        return None
    if key in _OUTCOME_WORDS:
        return _OUTCOME_WORDS[key]
    raise ValueError(f"unknown outcome {text[:60]!r} (use rejected, withdrawn, declined or ghosted)")


def _read_history(text: str) -> list[Event] | None:
    """Our ``history`` cell back into events; None when it isn't in that format."""
    events: list[Event] = []
    for line in text.split("\n"):
        if line.startswith("  ") and events:
            last = events[-1]
            events[-1] = Event(
                last.at, last.kind, last.stage, last.outcome, f"{last.detail}\n{line[2:]}", last.correction
            )
            continue
        head = _EVENT_HEAD.match(line)
        if head is None:
            return None
        at, kind, stage, outcome, correction, detail = head.groups()
        try:
            events.append(
                Event(
                    at=datetime.fromisoformat(at).astimezone(UTC),
                    kind=kind,
                    stage=Stage(int(stage)) if stage is not None else None,
                    outcome=Outcome(outcome) if outcome is not None else None,
                    detail=detail or "",
                    correction=correction is not None,
                )
            )
        except ValueError:
            return None
    return events


def _history_fits(
    history: list[Event],
    stage: Stage,
    dated: dict[Stage, datetime],
    outcome: Outcome | None,
    closed_at: datetime | None,
) -> bool:
    """Does a history read back from the file agree with the row's stage, dates and closing?"""
    if not history:
        return False
    probe = JobApplication(number=0, company="", role="", created_at=history[0].at, history=history)
    if probe.reached() != dated:
        return False
    if any(e.kind == "imported" and e.stage != stage for e in history):
        return False
    endings = [e for e in history if e.kind in ("closed", "reopened")]
    if outcome is None:
        return not endings or endings[-1].kind == "reopened"
    last = endings[-1] if endings else None
    return last is not None and last.kind == "closed" and (last.outcome, last.at) == (outcome, closed_at)


def build_history(
    created_at: datetime,
    dated: dict[Stage, datetime],
    outcome: Outcome | None,
    reason: str,
    closed_at: datetime | None,
    stage: Stage = Stage.PROSPECT,
) -> list[Event]:
    """The history an imported application starts with: its stage dates, then its closing.

    A row without any date starts with one "imported" event carrying its stage: it says when
    and at which stage the application arrived without pretending it reached that stage then
    (an "imported" event is not a stage arrival, so weekly counts and waits leave it out).
    """
    events = []
    for index, (reached, moment) in enumerate(sorted(dated.items(), key=lambda kv: (kv[1], kv[0]))):
        events.append(Event(at=moment, kind="created" if index == 0 else "stage", stage=reached))
    if not events:
        events.append(Event(at=created_at, kind="imported", stage=stage))
    if outcome is not None and closed_at is not None:
        events.append(Event(at=closed_at, kind="closed", outcome=outcome, detail=reason))
    return events


class _Row:
    """One data row, read cell by cell into an application (or a list of problems)."""

    def __init__(self, cells: dict[str, str], tz: ZoneInfo, now: datetime, order: DateOrder = "dmy") -> None:
        self.cells, self.tz, self.now, self.order = cells, tz, now, order
        self.two_way: list[str] = []  # numeric dates that could be read both ways
        self.window = _Window.around(now)
        self.problems: list[str] = []
        self.warnings: list[str] = []  # read with a guess: the row still imports

    def get(self, name: str) -> str:
        return self.cells.get(name, "")

    def attempt(self, read: Callable[..., T], *args: object) -> T | None:
        """``read(*args)``, or None with the problem noted."""
        try:
            return read(*args)
        except (ValueError, CaptureError) as error:
            self.problems.append(str(error))
            return None
        except OverflowError:  # a date arithmetic could not represent: too far out either way
            self.problems.append("date out of range")
            return None

    def moment(self, name: str, label: str) -> datetime | None:
        text = self.get(name)
        return self.attempt(self._moment, text, label) if text else None

    def _moment(self, text: str, label: str, *, interview: bool = False) -> datetime:
        try:
            moment = _read_moment(text, self.tz, self.order, self.two_way)
        except DateOutOfRange:
            raise self.window.refusal(label, text, interview=interview) from None
        except ValueError as error:
            raise ValueError(f"{label}: {error}") from None
        return self.window.check(moment, label, text, interview=interview)

    def _day(self, text: str, label: str) -> date:
        return self.window.check_day(_read_date(text, self.order, self.two_way), label, text)

    def _checked_text(self, name: str, limit: int, strip: str = "") -> str:
        text = self.get(name).lstrip(strip).strip()
        if len(text) > limit:
            self.problems.append(f"{name} is over {limit} characters")
        return text

    def build(self) -> JobApplication | None:
        company = self.attempt(validate_name, self.get("company"), "company")
        role = self.attempt(validate_name, self.get("role"), "role")
        stage, outcome = self._stage_and_outcome()
        camp = source = None
        if self.get("camp"):
            camp = parse_camp(self.get("camp"))
            if camp is None:
                self.problems.append(f"unknown camp {self.get('camp')[:60]!r} (use {', '.join(c.value for c in Camp)})")
        if self.get("source"):
            source = parse_source(self.get("source"))
            if source is None:  # a spreadsheet's "Via" says anything: keep the row, say so
                source = Source.OTHER
                self.warnings.append(f"source {self.get('source')[:40]!r} read as {Source.OTHER.value}")
        fit_contribute = self.attempt(_read_fit, self.get("fit_contribute"), "fit_contribute")
        fit_learn = self.attempt(_read_fit, self.get("fit_learn"), "fit_learn")
        closes_on = self.attempt(self._day, self.get("closes_on"), "closing date") if self.get("closes_on") else None
        dated = {}
        for s, column in STAGE_COLUMNS.items():
            moment = self.moment(column, f"{s.label.lower()} date")
            if moment is not None:
                dated[s] = moment
        created_at = self.moment("created_at", "created")
        closed_at = self.moment("closed_at", "closed")
        take_home_due = (
            self.attempt(
                lambda text: self._moment(text, "take-home deadline", interview=True), self.get("take_home_due")
            )
            if self.get("take_home_due")
            else None
        )
        interviews = []
        for part in re.split(r"[\n;]", self.get("interviews")):
            if part.strip():
                moment = self.attempt(lambda text: self._moment(text, "interview", interview=True), part.strip())
                if moment is not None:
                    interviews.append(moment)
        link = self.get("link")
        if link and not URL.fullmatch(link):
            self.problems.append(f"link {link[:40]!r} isn't a web address (use one starting with https://)")
        track = self._checked_text("track", MAX_TRACK, strip="#")
        reason = self._checked_text("reason", MAX_REASON)
        history = _read_history(self.get("history")) if self.get("history") else None
        for event in history or ():
            if self.attempt(self.window.check, event.at, f"history event {event.kind}", utc_iso(event.at)) is None:
                break
        if stage is not None:
            self._check_consistency(stage, outcome, dated)
        if self.problems or company is None or role is None or stage is None:
            return None
        if created_at is None:
            created_at = min(dated.values(), default=self.now)
        if outcome is not None and closed_at is None:
            closed_at = max([created_at, *dated.values()])
        if outcome is None:
            closed_at = None
        notes = self.attempt(_read_notes, self.get("notes"), created_at, self.window)
        if notes is None:
            return None
        if history is None or not _history_fits(history, stage, dated, outcome, closed_at):
            history = build_history(created_at, dated, outcome, reason, closed_at, stage)
        return JobApplication(
            number=0,
            company=company,
            role=role,
            created_at=created_at,
            link=link,
            track=track,
            camp=camp,
            source=source,
            fit_contribute=fit_contribute,
            fit_learn=fit_learn,
            closes_on=closes_on,
            stage=stage,
            outcome=outcome,
            reason=reason,
            history=history,
            notes=notes,
            interviews=interviews,
            take_home_due=take_home_due,
        )

    def _stage_and_outcome(self) -> tuple[Stage | None, Outcome | None]:
        raw = self.get("stage")
        outcome = self.attempt(_read_outcome, self.get("outcome"))
        if not raw:
            self.problems.append("stage is empty")
            return None, outcome
        stage = parse_stage(raw)
        if stage is None and raw.strip().lower() in _OUTCOME_WORDS and outcome is None:
            # A spreadsheet "status" that says how it ended, not how far it got.
            outcome = _OUTCOME_WORDS[raw.strip().lower()]
            stage = Stage.OFFER if outcome == Outcome.DECLINED else Stage.APPLIED
        if stage is None:
            self.problems.append(f"{UNKNOWN_STAGE} {raw[:80]!r}")
        return stage, outcome

    def _check_consistency(self, stage: Stage, outcome: Outcome | None, dated: dict[Stage, datetime]) -> None:
        if outcome is not None and stage == Stage.ACCEPTED:
            self.problems.append(f"an accepted application can't also be {outcome.value}")
        if outcome in (Outcome.REJECTED, Outcome.GHOSTED) and stage == Stage.PROSPECT:
            self.problems.append(f"a prospect (never applied) can't be {outcome.value}")
        if outcome == Outcome.DECLINED and stage < Stage.OFFER:
            self.problems.append("declined needs stage offer (you decline an offer)")
        beyond = [s for s in dated if s > stage]
        if beyond:
            label = max(beyond).label.lower()
            article = "an" if label[0] in "aeiou" else "a"
            self.problems.append(f"has {article} {label} date but stage is {stage.label.lower()}")
        ordered = sorted(dated)
        for lower, higher in pairwise(ordered):
            if dated[higher] < dated[lower]:
                self.problems.append(f"{higher.label.lower()} date is before {lower.label.lower()} date")
                break


class CsvImport:
    """Reads a file's header and rows up front; :meth:`check` validates them in batches."""

    def __init__(
        self,
        data: bytes,
        existing: Iterable[JobApplication],
        tz: ZoneInfo,
        now: datetime,
        order: DateOrder = "dmy",
    ) -> None:
        text = _decode(data)
        self.tz, self.now, self.order = tz, now, order
        try:
            records = self._records(text)
        except csv.Error as error:
            raise ImportRefused(f"I can't read that as CSV ({error}).") from None
        header = records.pop(0)[1] if records else []
        self.columns: dict[int, str] = {}
        ignored = []
        for index, title in enumerate(header):
            name = _ALIAS_TO_FIELD.get(_norm(title))
            if name is not None and name not in self.columns.values():
                self.columns[index] = name
            elif title.strip():
                ignored.append(title.strip())
        missing = [name for name in REQUIRED if name not in self.columns.values()]
        if missing:
            found = ", ".join(t.strip() for t in header if t.strip())[:300] or "nothing"
            raise ImportRefused(
                f"The file needs columns company, role and stage; missing: {', '.join(missing)}. "
                f"The first line has: {found}."
            )
        self.records = [(line, cells) for line, cells in records if any(c.strip() for c in cells)]
        if len(self.records) > MAX_ROWS:
            raise ImportRefused(
                f"That file has {len(self.records):,} rows; I import up to {MAX_ROWS:,} at a time. "
                "Split it and send the parts."
            )
        if not self.records:
            raise ImportRefused("That file has a header but no rows.")
        self.plan = ImportPlan(ignored_columns=ignored, rows=len(self.records), order=order)
        self._seen: dict[tuple[str, str], str] = {_key(app.company, app.role): f"#{app.number}" for app in existing}
        self._done = 0

    @staticmethod
    def _records(text: str) -> list[tuple[int, list[str]]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        records = []
        start = 1
        for cells in reader:
            records.append((start, cells))
            start = reader.line_num + 1
        return records

    @property
    def total(self) -> int:
        return len(self.records)

    def check(self, batch: int = 500) -> Iterator[int]:
        """Validate the rows, yielding how many are done after each batch."""
        while self._done < self.total:
            for line, cells in self.records[self._done : self._done + batch]:
                self._check_row(line, cells)
            self._done = min(self.total, self._done + batch)
            yield self._done

    def result(self) -> ImportPlan:
        for _ in self.check(self.total or 1):
            pass
        return self.plan

    def _check_row(self, line: int, cells: list[str]) -> None:
        values = {}
        for index, cell in enumerate(cells):
            name = self.columns.get(index)
            if name is not None:
                values[name] = unneutralise(cell.strip())
        row = _Row(values, self.tz, self.now, self.order)
        app = row.build()
        if row.two_way and not self.plan.two_way_date:
            self.plan.two_way_date = row.two_way[0]
        if app is None:
            self.plan.errors.append(RowProblem(line, "; ".join(row.problems)))
            return
        key = _key(app.company, app.role)
        if key in self._seen:
            self.plan.duplicates.append(Duplicate(line, app.company, app.role, self._seen[key]))
            return
        self._seen[key] = f"line {line}"
        if app.stage >= Stage.APPLIED and Stage.APPLIED not in app.reached():
            self.plan.undated += 1
        self.plan.apps.append(app)
        self.plan.lines.append(line)
        self.plan.warnings += [RowProblem(line, warning) for warning in row.warnings]


def _key(company: str, role: str) -> tuple[str, str]:
    return company.casefold(), role.casefold()


def read_import(
    data: bytes, existing: Iterable[JobApplication], tz: ZoneInfo, now: datetime, order: DateOrder = "dmy"
) -> ImportPlan:
    """Validate a whole file at once (raises :class:`ImportRefused`)."""
    return CsvImport(data, existing, tz, now, order).result()


def still_new(apps: Iterable[JobApplication], existing: Iterable[JobApplication]) -> list[JobApplication]:
    """Drop applications that match an existing company+role (saved since the file was checked)."""
    seen = {_key(a.company, a.role) for a in existing}
    return [a for a in apps if _key(a.company, a.role) not in seen]
