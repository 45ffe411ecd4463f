"""The funnel's stages and the outcomes that close an application."""

from __future__ import annotations

import enum
import re


class Stage(enum.IntEnum):
    """How far an application has got. Order matters: higher is further down the funnel."""

    PROSPECT = 0
    APPLIED = 1
    RESPONDED = 2
    SCREEN = 3
    INTERVIEW = 4
    SECOND = 5
    OFFER = 6
    ACCEPTED = 7

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self]

    @property
    def blurb(self) -> str:
        return _STAGE_BLURBS[self]

    @property
    def next(self) -> Stage | None:
        return Stage(self + 1) if self < Stage.ACCEPTED else None


_STAGE_LABELS = {
    Stage.PROSPECT: "Prospect",
    Stage.APPLIED: "Applied",
    Stage.RESPONDED: "Responded",
    Stage.SCREEN: "Phone screen",
    Stage.INTERVIEW: "Interview",
    Stage.SECOND: "Second interview",
    Stage.OFFER: "Offer",
    Stage.ACCEPTED: "Accepted",
}

_STAGE_BLURBS = {
    Stage.PROSPECT: "saved, not applied yet",
    Stage.APPLIED: "applied, no reply yet",
    Stage.RESPONDED: "they replied, no interview yet",
    Stage.SCREEN: "phone screen",
    Stage.INTERVIEW: "interview",
    Stage.SECOND: "second interview",
    Stage.OFFER: "offer on the table",
    Stage.ACCEPTED: "offer accepted",
}

# The words people write for each stage, in a spreadsheet's status column or after /move.
# Keys are lower case with single spaces; punctuation and dashes are dropped before lookup. When a
# phrase could mean two stages it goes to the earlier one, so the funnel never claims progress.
_STAGE_SYNONYMS: dict[Stage, tuple[str, ...]] = {
    Stage.PROSPECT: (
        "prospect",
        "saved",
        "wishlist",
        "wish list",
        "not applied",
        "not applied yet",
        "to apply",
        "want to apply",
        "interested",
        "bookmarked",
        "shortlisted",
        "idea",
        "lead",
        "draft",
        "researching",
    ),
    Stage.APPLIED: (
        "applied",
        "apply",
        "submitted",
        "application submitted",
        "application sent",
        "sent",
        "applied online",
        "no response",
        "no reply",
        "no answer yet",
        "waiting",
        "waiting to hear",
        "waiting to hear back",
        "awaiting response",
        "awaiting reply",
        "pending",
        "in progress",
        "under review",
        "in review",
    ),
    Stage.RESPONDED: (
        "responded",
        "response",
        "reply",
        "replied",
        "heard back",
        "got a reply",
        "contacted",
        "they replied",
    ),
    Stage.SCREEN: (
        "screen",
        "phone",
        "phone screen",
        "phonescreen",
        "screening",
        "phone screening",
        "phone interview",
        "phone call",
        "screening call",
        "recruiter call",
        "recruiter screen",
        "hr call",
        "hr interview",
        "intro call",
        "technical test",
        "tech test",
        "take home",
        "take home test",
        "coding test",
        "coding challenge",
        "assessment",
        "online assessment",
    ),
    Stage.INTERVIEW: (
        "interview",
        "interviews",
        "interviewed",
        "interviewing",
        "first interview",
        "1st interview",
        "first round",
        "1st round",
        "tech interview",
        "technical interview",
        "video interview",
        "interview scheduled",
    ),
    Stage.SECOND: (
        "second",
        "second interview",
        "2nd",
        "2nd interview",
        "second round",
        "2nd round",
        "round 2",
        "third round",
        "3rd round",
        "final round",
        "final interview",
        "onsite",
        "on site",
        "final",
    ),
    Stage.OFFER: ("offer", "offered", "offer received", "got an offer", "got offer", "offer made"),
    Stage.ACCEPTED: ("accepted", "accept", "offer accepted", "accepted offer", "hired", "signed"),
}
_STAGE_ALIASES: dict[str, Stage] = {word: stage for stage, words in _STAGE_SYNONYMS.items() for word in words}


class Outcome(enum.StrEnum):
    """Ways an application closes before (or instead of) being accepted."""

    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    DECLINED = "declined"
    GHOSTED = "ghosted"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# Quick choices offered when an application is rejected; free text is allowed too.
REJECTION_REASONS: dict[str, str] = {
    "noreply": "No reply",
    "timezone": "Timezone / location",
    "skills": "Skills fit",
    "salary": "Salary",
    "experience": "Experience level",
    "filled": "Position filled",
}


MAX_REASON = 200  # a reason is a short phrase; longer text belongs in a note or a lesson


def read_reason(text: str, outcome: Outcome) -> str:
    """The reason as typed, a rejection's quick key ("skills") read as its label, cut at ``MAX_REASON``."""
    typed = " ".join(text.split())
    if outcome == Outcome.REJECTED:
        typed = REJECTION_REASONS.get(typed.lower(), typed)
    return typed[:MAX_REASON]


def parse_stage(text: str) -> Stage | None:
    """Read a stage from a name, an alias or a number 0-7, case-insensitively."""
    raw = text.strip()
    if raw.startswith(("-", "+")):
        return None
    cleaned = " ".join(re.sub(r"[_\-.,:;!?()'’]", " ", raw.lower()).split())
    if cleaned.isascii() and cleaned.isdigit():
        value = int(cleaned)
        return Stage(value) if 0 <= value <= Stage.ACCEPTED else None
    return _STAGE_ALIASES.get(cleaned) or _STAGE_ALIASES.get(cleaned.removeprefix("the ").removeprefix("a "))


def stage_choices() -> str:
    """A one-line list of the valid stages, for error replies."""
    return ", ".join(f"{stage.value} {stage.label.lower()}" for stage in Stage)


def stage_legend() -> str:
    """The stages with a few of the everyday words each one accepts, for a file's status column."""
    return "; ".join(f"{stage.value} {stage.label.lower()} ({_LEGEND_WORDS[stage]})" for stage in Stage)


_LEGEND_WORDS = {
    Stage.PROSPECT: "wishlist, not applied",
    Stage.APPLIED: "no response, in progress",
    Stage.RESPONDED: "heard back",
    Stage.SCREEN: "phone interview, technical test",
    Stage.INTERVIEW: "interviewing",
    Stage.SECOND: "second round, final round",
    Stage.OFFER: "offer received",
    Stage.ACCEPTED: "hired",
}
