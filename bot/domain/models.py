"""The domain's records: a job application with its history, and a user's settings.

Everything serialises to plain JSON-able dicts (``to_dict``/``from_dict``): timestamps as ISO-8601
UTC strings, dates as ISO dates, timezones as IANA names.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from bot.domain.stages import Outcome, Stage


class Camp(enum.StrEnum):
    """How big a leap the job is for the user."""

    SAFE = "safe"
    GROWTH = "growth"
    ADVENTUROUS = "adventurous"


class Source(enum.StrEnum):
    """Where the lead came from."""

    JOB_BOARD = "job board"
    REFERRAL = "referral"
    NETWORK = "network"
    RECRUITER = "recruiter"
    OTHER = "other"


_SOURCE_ALIASES = {
    "board": Source.JOB_BOARD,
    "jobboard": Source.JOB_BOARD,
    "job board": Source.JOB_BOARD,
    "job-board": Source.JOB_BOARD,
    "listing": Source.JOB_BOARD,
    "linkedin": Source.JOB_BOARD,
    "indeed": Source.JOB_BOARD,
    "glassdoor": Source.JOB_BOARD,
    "stepstone": Source.JOB_BOARD,
    "monster": Source.JOB_BOARD,
    "hacker news": Source.JOB_BOARD,
    "hn": Source.JOB_BOARD,
    "company site": Source.JOB_BOARD,
    "company website": Source.JOB_BOARD,
    "careers page": Source.JOB_BOARD,
    "career page": Source.JOB_BOARD,
    "website": Source.JOB_BOARD,
    "online": Source.JOB_BOARD,
    "referral": Source.REFERRAL,
    "referred": Source.REFERRAL,
    "ref": Source.REFERRAL,
    "network": Source.NETWORK,
    "networking": Source.NETWORK,
    "friend": Source.NETWORK,
    "friends": Source.NETWORK,
    "contact": Source.NETWORK,
    "former colleague": Source.NETWORK,
    "colleague": Source.NETWORK,
    "meetup": Source.NETWORK,
    "conference": Source.NETWORK,
    "employee referral": Source.REFERRAL,
    "referred by a friend": Source.REFERRAL,
    "recruiter": Source.RECRUITER,
    "headhunter": Source.RECRUITER,
    "agency": Source.RECRUITER,
    "recruitment agency": Source.RECRUITER,
    "inbound": Source.RECRUITER,
    "other": Source.OTHER,
}


def parse_camp(text: str) -> Camp | None:
    try:
        return Camp(text.strip().lower())
    except ValueError:
        return None


def parse_source(text: str) -> Source | None:
    return _SOURCE_ALIASES.get(" ".join(text.strip().lower().replace("_", " ").split()))


def utc_iso(moment: datetime) -> str:
    """Store an aware datetime as an ISO-8601 UTC string."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@dataclass(frozen=True)
class Event:
    """One change in an application's life, kept forever."""

    at: datetime
    kind: str  # created | stage | closed | reopened | edited | interview | imported | takehome
    stage: Stage | None = None
    outcome: Outcome | None = None
    detail: str = ""  # rejection reason, edited field, ...
    correction: bool = False  # a backwards move that retracts later stages

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"at": utc_iso(self.at), "kind": self.kind}
        if self.stage is not None:
            data["stage"] = int(self.stage)
        if self.outcome is not None:
            data["outcome"] = self.outcome.value
        if self.detail:
            data["detail"] = self.detail
        if self.correction:
            data["correction"] = True
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        return cls(
            at=from_iso(data["at"]),
            kind=data["kind"],
            stage=Stage(data["stage"]) if "stage" in data else None,
            outcome=Outcome(data["outcome"]) if "outcome" in data else None,
            detail=data.get("detail", ""),
            correction=bool(data.get("correction", False)),
        )


@dataclass(frozen=True)
class Note:
    at: datetime
    text: str
    kind: str = "note"  # note | lesson | question (one to ask at this application's interviews)

    def to_dict(self) -> dict[str, Any]:
        return {"at": utc_iso(self.at), "text": self.text, "kind": self.kind}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Note:
        return cls(at=from_iso(data["at"]), text=data["text"], kind=data.get("kind", "note"))


@dataclass
class JobApplication:
    """A job the user is chasing, from prospect to outcome."""

    number: int
    company: str
    role: str
    created_at: datetime
    link: str = ""
    track: str = ""
    camp: Camp | None = None
    source: Source | None = None
    fit_contribute: int | None = None  # what I can contribute, 1-5
    fit_learn: int | None = None  # what I would learn, 1-5
    closes_on: date | None = None
    stage: Stage = Stage.PROSPECT
    outcome: Outcome | None = None
    reason: str = ""
    history: list[Event] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    interviews: list[datetime] = field(default_factory=list)
    take_home_due: datetime | None = None  # a technical test or take-home task's deadline (UTC)

    @property
    def is_open(self) -> bool:
        return self.outcome is None and self.stage < Stage.ACCEPTED

    @property
    def is_closed(self) -> bool:
        return not self.is_open

    @property
    def fit(self) -> int | None:
        """Ranking score: contribution plus learning, or None when unrated."""
        if self.fit_contribute is None and self.fit_learn is None:
            return None
        return (self.fit_contribute or 0) + (self.fit_learn or 0)

    def status_label(self) -> str:
        if self.outcome is not None:
            return f"{self.outcome.label} at {self.stage.label.lower()}"
        return self.stage.label

    def reached(self) -> dict[Stage, datetime]:
        """Each stage the application reached, with when it first got there.

        Replays the history: a backwards correction retracts the stages above it.
        """
        # /funnel asks each application several times; history is only ever appended to (events
        # are frozen), so the replay is kept until the list grows or is replaced. Not a field:
        # it stays out of comparisons, copies keep it only while they share the list.
        cached = self.__dict__.get("_reached")
        if cached is not None and cached[0] is self.history and cached[1] == len(self.history):
            return dict(cached[2])
        reached: dict[Stage, datetime] = {}
        for event in self.history:
            if event.stage is None or event.kind not in ("created", "stage"):
                continue
            if event.correction:
                for stage in [s for s in reached if s > event.stage]:
                    del reached[stage]
            reached.setdefault(event.stage, event.at)
        self.__dict__["_reached"] = (self.history, len(self.history), reached)
        return dict(reached)

    def entered_at(self, stage: Stage) -> datetime | None:
        return self.reached().get(stage)

    def last_change_at(self) -> datetime:
        return max((event.at for event in self.history), default=self.created_at)

    def closed_at(self) -> datetime | None:
        for event in reversed(self.history):
            if event.kind == "closed":
                return event.at
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "company": self.company,
            "role": self.role,
            "created_at": utc_iso(self.created_at),
            "link": self.link,
            "track": self.track,
            "camp": self.camp.value if self.camp else None,
            "source": self.source.value if self.source else None,
            "fit_contribute": self.fit_contribute,
            "fit_learn": self.fit_learn,
            "closes_on": self.closes_on.isoformat() if self.closes_on else None,
            "stage": int(self.stage),
            "outcome": self.outcome.value if self.outcome else None,
            "reason": self.reason,
            "history": [event.to_dict() for event in self.history],
            "notes": [note.to_dict() for note in self.notes],
            "interviews": [utc_iso(moment) for moment in self.interviews],
            "take_home_due": utc_iso(self.take_home_due) if self.take_home_due else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobApplication:
        return cls(
            number=int(data["number"]),
            company=data["company"],
            role=data["role"],
            created_at=from_iso(data["created_at"]),
            link=data.get("link") or "",
            track=data.get("track") or "",
            camp=Camp(data["camp"]) if data.get("camp") else None,
            source=Source(data["source"]) if data.get("source") else None,
            fit_contribute=data.get("fit_contribute"),
            fit_learn=data.get("fit_learn"),
            closes_on=date.fromisoformat(data["closes_on"]) if data.get("closes_on") else None,
            stage=Stage(data["stage"]),
            outcome=Outcome(data["outcome"]) if data.get("outcome") else None,
            reason=data.get("reason") or "",
            history=[Event.from_dict(item) for item in data.get("history", [])],
            notes=[Note.from_dict(item) for item in data.get("notes", [])],
            interviews=[from_iso(item) for item in data.get("interviews", [])],
            take_home_due=from_iso(data["take_home_due"]) if data.get("take_home_due") else None,
        )

    def copy(self) -> JobApplication:
        return JobApplication.from_dict(self.to_dict())


@dataclass(frozen=True)
class Slot:
    """A weekly moment: weekday (0 = Monday, like ``date.weekday()``) and local wall-clock time."""

    weekday: int
    at: time

    def to_dict(self) -> dict[str, Any]:
        return {"weekday": self.weekday, "at": self.at.strftime("%H:%M")}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Slot | None:
        if not data:
            return None
        return cls(weekday=int(data["weekday"]), at=time.fromisoformat(data["at"]))


DEFAULT_PLAN = Slot(0, time(9, 0))
DEFAULT_CHECK = Slot(3, time(18, 0))
DEFAULT_REVIEW = Slot(6, time(18, 0))


@dataclass
class Profile:
    """A user's settings and standing material; the only source of truth for their schedule."""

    user_id: int
    chat_id: int
    created_at: datetime
    first_name: str = ""
    timezone: str = ""  # IANA name; empty until chosen
    date_order: str = ""  # "dmy" or "mdy" once chosen with /dates; empty: follow the timezone
    active: bool = True  # False once they blocked the bot
    inactive_since: datetime | None = None  # when they blocked it (their data is deleted after a while)
    next_number: int = 1
    target_per_week: int = 2
    target_in_flight: int = 2
    plan: Slot | None = DEFAULT_PLAN
    check: Slot | None = DEFAULT_CHECK
    review: Slot | None = DEFAULT_REVIEW
    paused: bool = False
    paused_until: date | None = None
    follow_up_days: int = 10
    ghost_days: int = 30
    pitch: str = ""
    values: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    tracks: list[str] = field(default_factory=list)  # the user's role tracks, most recent first
    # When a nudge time or the timezone last changed: weekly nudges already past then are not sent.
    schedule_changed_at: datetime | None = None

    def remember_track(self, track: str) -> None:
        if not track:
            return
        existing = [t for t in self.tracks if t.lower() != track.lower()]
        self.tracks = [track, *existing][:8]

    def number_new(self, app: JobApplication) -> None:
        """Give a new application the next number, advance the counter and remember its track.

        The one numbering rule for /add (``Repository.add_application``) and /import alike; the
        caller stores the profile and the application together.
        """
        app.number = self.next_number
        self.next_number += 1
        self.remember_track(app.track)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["created_at"] = utc_iso(self.created_at)
        for name in ("plan", "check", "review"):
            slot = getattr(self, name)
            data[name] = slot.to_dict() if slot else None
        data["paused_until"] = self.paused_until.isoformat() if self.paused_until else None
        data["inactive_since"] = utc_iso(self.inactive_since) if self.inactive_since else None
        data["schedule_changed_at"] = utc_iso(self.schedule_changed_at) if self.schedule_changed_at else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        values["created_at"] = from_iso(data["created_at"])
        for name in ("plan", "check", "review"):
            if name in data:
                values[name] = Slot.from_dict(data[name])
        if data.get("paused_until"):
            values["paused_until"] = date.fromisoformat(data["paused_until"])
        values["inactive_since"] = from_iso(data["inactive_since"]) if data.get("inactive_since") else None
        changed = data.get("schedule_changed_at")
        values["schedule_changed_at"] = from_iso(changed) if changed else None
        for name in ("values", "questions", "tracks"):
            values[name] = list(data.get(name) or [])
        return cls(**values)
