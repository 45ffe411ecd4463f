"""Reading a job from one message: ``Acme - Senior SRE https://… #sre closes friday applied``."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.domain.dates import DateOrder, parse_day
from bot.domain.models import Camp, Source, parse_camp, parse_source

URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRACK = re.compile(r"#([^\s#]+)")
_SEPARATORS = re.compile(r"\s+[-–—|]\s+")
_AT = re.compile(r"\s+(?:at|@)\s+", re.IGNORECASE)
_FIT = re.compile(r"^(\d)\s*/\s*(\d)$")
_DATE_PIECE = re.compile(r"^\d{1,4}(?:st|nd|rd|th)?[,.]?$", re.IGNORECASE)
_OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_OPTION_WORDS = {"closes", "closing", "deadline", "applied", "camp", "via", "source", "fit"}

MAX_NAME = 120


class CaptureError(ValueError):
    """The message could not be read as a job; the text says how to write it.

    Plain text, like every reason the domain gives: what to type is quoted in backticks
    (`closes friday`), and ``bot.views.markup.reason`` escapes it and shows those as code.
    """


@dataclass
class Draft:
    """A job as typed, before it becomes a :class:`JobApplication`."""

    company: str = ""
    role: str = ""
    link: str = ""
    track: str = ""
    closes_on: date | None = None
    closes_typed: str = ""  # the closing date as written, to say how a numeric one was read
    applied: bool = False
    camp: Camp | None = None
    camp_bare: bool = False  # the camp was a bare word at the end ("… SRE growth"), not "camp growth"
    source: Source | None = None
    source_text: str = ""  # a source we don't know, as written (it is grouped as "other")
    fit_contribute: int | None = None
    fit_learn: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON values only (a draft waits in an open question's data)."""
        data = dataclasses.asdict(self)
        data["closes_on"] = self.closes_on.isoformat() if self.closes_on else None
        data["camp"] = self.camp.value if self.camp else None
        data["source"] = self.source.value if self.source else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        fields = {f.name for f in dataclasses.fields(cls)}
        draft = cls(**{k: v for k, v in data.items() if k in fields})
        draft.closes_on = date.fromisoformat(data["closes_on"]) if data.get("closes_on") else None
        draft.camp = Camp(data["camp"]) if data.get("camp") else None
        draft.source = Source(data["source"]) if data.get("source") else None
        return draft


HOW_TO_ADD = (
    "Write it as `/add Acme - Senior SRE` or `/add Senior SRE at Acme`, "
    "optionally with a link, `#track`, `closes friday`, "
    "`camp growth`, `via referral`, `fit 4/3` or `applied`."
)


def _is_option(token: str) -> bool:
    return token in _OPTION_WORDS or token.startswith("#") or bool(URL.fullmatch(token))


def parse_quick_add(text: str, today: date, *, order: DateOrder = "dmy") -> Draft:
    """Split a one-line job description into its parts; options may come in any order.

    A numeric closing date ("closes 3/12") is read in the user's ``order``.
    """
    draft = Draft()
    tokens = text.split()
    rest: list[str] = []
    i = 0
    while i < len(tokens):
        token, lower = tokens[i], tokens[i].lower()
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        # Option words count only in lower case, so "Closes Inc" or "Via Rail" stay names.
        if _OTHER_SCHEME.match(token) and not URL.fullmatch(token):
            raise CaptureError("Links must start with https:// (or http://).")
        if URL.fullmatch(token):
            if draft.link:
                raise CaptureError("One link per job, please. " + HOW_TO_ADD)
            draft.link = token
        elif token.startswith("#") and len(token) > 1:
            if draft.track:
                raise CaptureError("One #track per job, please (use _ for spaces: `#platform_engineering`).")
            draft.track = token[1:].replace("_", " ")
        elif token in ("closes", "closing", "deadline") and following:
            i = _read_closing(tokens, i + 1, today, draft, order) - 1
        elif token == "applied" and (not following or _is_option(following)):
            draft.applied = True
        elif token in ("camp", "camp:") and following:
            draft.camp = parse_camp(following)
            if draft.camp is None:
                raise CaptureError("Camp is one of: safe, growth, adventurous, e.g. `camp growth`.")
            i += 1
        elif _bare_camp(token, following, rest) and draft.camp is None:
            draft.camp, draft.camp_bare = parse_camp(token), True
        elif token.startswith("camp:") and len(token) > 5:
            draft.camp = parse_camp(lower[5:])
            if draft.camp is None:
                raise CaptureError("Camp is one of: safe, growth, adventurous, e.g. `camp growth`.")
        elif token in ("via", "source") and following:
            i += _read_source(tokens, i + 1, draft)
        elif token.startswith("source:") and parse_source(lower[7:]):
            draft.source = parse_source(lower[7:])
        elif token == "fit" and _FIT.match(following):
            _read_fit(following, draft)
            i += 1
        else:
            rest.append(token)
        i += 1
    _split_names(" ".join(rest), draft)
    return draft


_CAMP_WORDS = {camp.value for camp in Camp}
_JOINERS = {"-", "–", "—", "|", "at", "@", "of", "for", "and", "&", "in", "the", "a", "an"}


def _bare_camp(token: str, following: str, rest: list[str]) -> bool:
    """A lower-case camp word after the role and before any options: "Acme - SRE growth".

    Only when it ends the names ("growth hacker" is a role) and doesn't finish a phrase such as
    "Head of growth"; the reply says how it was read, so a wrong guess is one /edit away.
    """
    return (
        token in _CAMP_WORDS
        and (not following or _is_option(following))
        and bool(rest)
        and rest[-1].lower() not in _JOINERS
        and any(_SEPARATORS.match(f" {t} ") or t.lower() in ("at", "@") for t in rest)
    )


def _read_closing(tokens: list[str], start: int, today: date, draft: Draft, order: DateOrder) -> int:
    """Take the longest run of tokens (up to five) that reads as a date; return where it ended."""
    for end in range(min(len(tokens), start + 5), start, -1):
        if any(_is_option(tok) for tok in tokens[start:end]):
            continue
        day = parse_day(" ".join(tokens[start:end]), today, order=order)
        if day is not None and end < len(tokens) and _DATE_PIECE.match(tokens[end]):
            break  # "feb 30": only "feb" parsed, and the rest of the date would land in the role
        if day is not None:
            problem = closing_problem(day, today)
            if problem:
                raise CaptureError(problem)
            draft.closes_on = day
            draft.closes_typed = " ".join(tokens[start:end])
            return end
    raise CaptureError(
        f"I couldn't read “{' '.join(tokens[start : start + 3])}” as a closing date. "
        "Try `closes 2026-12-05`, `closes friday` or "
        "`closes in 2 weeks`."
    )


def closing_problem(day: date, today: date) -> str | None:
    """A closing date more than a year back or two years ahead is almost surely a typo."""
    if not today - timedelta(days=366) <= day <= today + timedelta(days=2 * 366):
        return (
            f"A closing date of {day.isoformat()}? That looks like a typo: "
            "give one between a year ago and two years ahead."
        )
    return None


def _read_source(tokens: list[str], start: int, draft: Draft) -> int:
    """Read a source after "via"; return how many tokens it took.

    A known source takes up to three words. One we don't know ("via seek") is kept as written
    and counted as other: it runs up to three words when they reach the next option or the end
    of the message ("via Carrier pigeon applied"), else it is one word (so "via seek Acme - SRE"
    keeps the company).
    """
    for used in (3, 2, 1):
        if start + used > len(tokens):
            continue
        source = parse_source(" ".join(tokens[start : start + used]))
        if source is not None:
            draft.source = source
            return used
    used = 1
    for length in (3, 2):
        end = start + length
        reaches_option = end == len(tokens) or (end < len(tokens) and _is_option(tokens[end]))
        if end <= len(tokens) and reaches_option and not any(_is_option(t) for t in tokens[start:end]):
            used = length
            break
    draft.source = Source.OTHER
    draft.source_text = " ".join(tokens[start : start + used])[:60]
    return used


def _read_fit(text: str, draft: Draft) -> None:
    match = _FIT.match(text)
    assert match is not None
    contribute, learn = int(match.group(1)), int(match.group(2))
    if not (1 <= contribute <= 5 and 1 <= learn <= 5):
        raise CaptureError("Fit scores go from 1 to 5: `fit 4/3` means contribute 4, learn 3.")
    draft.fit_contribute, draft.fit_learn = contribute, learn


def _split_names(core: str, draft: Draft) -> None:
    core = core.strip(" ,;")
    parts = _SEPARATORS.split(core, maxsplit=1)
    if len(parts) == 2:
        draft.company, draft.role = parts[0].strip(), parts[1].strip()
    else:
        at_parts = _AT.split(core)
        if len(at_parts) >= 2:
            draft.role = " at ".join(at_parts[:-1]).strip()
            draft.company = at_parts[-1].strip()
    if not draft.company or not draft.role:
        raise CaptureError("I need both a company and a role. " + HOW_TO_ADD)
    for label, value in (("company", draft.company), ("role", draft.role)):
        if len(value) > MAX_NAME:
            raise CaptureError(f"That {label} name is over {MAX_NAME} characters; please shorten it.")


def validate_name(text: str, label: str) -> str:
    """Check a company or role typed on its own (guided add, /edit)."""
    value = " ".join(text.split())
    if not value:
        raise CaptureError(f"The {label} can't be empty.")
    if URL.fullmatch(value):
        raise CaptureError(f"That looks like a link, not a {label} name.")
    if len(value) > MAX_NAME:
        raise CaptureError(f"That {label} is over {MAX_NAME} characters; please shorten it.")
    return value


def find_link(text: str) -> str | None:
    match = URL.search(text)
    return match.group(0) if match else None


# -- a job typed without /add ----------------------------------------------------------------------

# LinkedIn's "share" text: "Check out this job at Canonical: Senior Site Reliability Engineer https://…"
_SHARED = re.compile(
    r"^check out this job at (?P<company>[^:\n]{1,120}?)\s*:\s*(?P<role>[^\n]+?)\s*(?P<link>https?://\S+)?\s*$",
    re.IGNORECASE,
)
_FREE_TEXT_LINES = 2  # a pasted job ad is not a one-line job


def _has_signal(draft: Draft) -> bool:
    """Something only a job has: a link, #track, closing date, camp, source, fit or "applied"."""
    return bool(
        draft.link
        or draft.track
        or draft.closes_on
        or draft.camp
        or draft.source
        or draft.fit_contribute
        or draft.applied
    )


def read_job(text: str, today: date, *, order: DateOrder = "dmy") -> Draft | None:
    """Free text (no /add) that reads as a job, with everything it holds; None when it doesn't.

    Stricter than /add, since the user didn't say it was a job: "Company - Role" (spaced dash), LinkedIn's
    share text (source: job board), or "Role at Company" with something only a job has (a link, #track…).
    A one-line "Company - Role …" whose options can't be read raises ``CaptureError`` (it says what would).
    """
    stripped = text.strip()
    shared = _SHARED.match(" ".join(stripped.split()))
    if shared:
        company, role, link = shared.group("company"), shared.group("role"), shared.group("link") or ""
        try:
            draft = parse_quick_add(f"{company} - {role} {link} via linkedin", today, order=order)
        except CaptureError:
            return None
        return draft
    if not stripped or len(stripped.splitlines()) >= _FREE_TEXT_LINES:
        return None
    dashed = _SEPARATORS.search(stripped) is not None
    try:
        draft = parse_quick_add(stripped, today, order=order)
    except CaptureError:
        if dashed and not any(len(part) > MAX_NAME for part in _SEPARATORS.split(stripped, maxsplit=1)):
            raise
        return None
    return draft if dashed or _has_signal(draft) else None


def split_job_names(text: str) -> tuple[str, str] | None:
    """(company, role) from "Acme - Senior SRE" or "Senior SRE at Acme" typed alone; None otherwise."""
    draft = Draft()
    try:
        _split_names(" ".join(text.split()), draft)
    except CaptureError:
        return None
    if URL.search(draft.company) or URL.search(draft.role):
        return None
    return draft.company, draft.role
