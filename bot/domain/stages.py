"""The funnel's stages and the outcomes that close an application."""

from __future__ import annotations

import enum


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

_STAGE_ALIASES: dict[str, Stage] = {
    "prospect": Stage.PROSPECT,
    "saved": Stage.PROSPECT,
    "applied": Stage.APPLIED,
    "apply": Stage.APPLIED,
    "responded": Stage.RESPONDED,
    "response": Stage.RESPONDED,
    "reply": Stage.RESPONDED,
    "replied": Stage.RESPONDED,
    "screen": Stage.SCREEN,
    "phone": Stage.SCREEN,
    "phone screen": Stage.SCREEN,
    "phonescreen": Stage.SCREEN,
    "screening": Stage.SCREEN,
    "interview": Stage.INTERVIEW,
    "interviewed": Stage.INTERVIEW,
    "second": Stage.SECOND,
    "second interview": Stage.SECOND,
    "2nd": Stage.SECOND,
    "2nd interview": Stage.SECOND,
    "offer": Stage.OFFER,
    "accepted": Stage.ACCEPTED,
    "accept": Stage.ACCEPTED,
}


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


def parse_stage(text: str) -> Stage | None:
    """Read a stage from a name, an alias or a number 0-7, case-insensitively."""
    raw = text.strip()
    if raw.startswith(("-", "+")):
        return None
    cleaned = " ".join(raw.lower().replace("_", " ").replace("-", " ").split())
    if cleaned.isascii() and cleaned.isdigit():
        value = int(cleaned)
        return Stage(value) if 0 <= value <= Stage.ACCEPTED else None
    return _STAGE_ALIASES.get(cleaned)


def stage_choices() -> str:
    """A one-line list of the valid stages, for error replies."""
    return ", ".join(f"{stage.value} {stage.label.lower()}" for stage in Stage)
