"""The people around a job search: contacts, conversations, follow-ups and referrers.

Pure functions and small dataclasses: data in, data out, no markup, no I/O. Time comes in as ``now``
or ``today``.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.domain.dates import DateOrder, parse_clock, parse_day, parse_weekday
from bot.domain.funnel import Rates, rates
from bot.domain.models import JobApplication, Source
from bot.domain.stages import Stage

MAX_NAME = 80
MAX_TITLE = 120
MAX_TEXT = 1000  # a note or a conversation summary
MAX_CONTACTS = 500
MAX_UNDO = 20
FOLLOW_UP_WEEKS = (1, 2, 4)
CHECK_IN_SUGGESTIONS = 3  # at most this many check-in suggestions at a time

_LINK = re.compile(r"^https?://\S+$", re.IGNORECASE)
_TAG = re.compile(r"^#[\w-]{1,30}$")
_OPTIONS = ("met", "via")
_DASH = re.compile(r"\s+[-–—]\s+")
CONTACT_USAGE = (
    "Write it in one message: <code>/contact Jane Doe - Staff SRE at Acme</code>, optionally with a "
    "link, <code>#tag</code>, <code>met 2026-10-01</code> and <code>via meetup</code>."
)


class PeopleError(ValueError):
    """Input we can't use; the message is a sentence for the user (HTML-safe, no user text)."""


@dataclass
class Entry:
    """A dated note or conversation on a contact."""

    at: datetime
    text: str


@dataclass
class Contact:
    id: int
    name: str
    created_at: datetime
    touched_at: datetime
    title: str = ""
    link: str = ""
    tags: list[str] = field(default_factory=list)
    met_on: date | None = None
    via: str = ""
    notes: list[Entry] = field(default_factory=list)
    talks: list[Entry] = field(default_factory=list)
    apps: list[int] = field(default_factory=list)  # applications they are linked to (referrer)
    follow_up_on: date | None = None

    @property
    def last_talk(self) -> datetime | None:
        return max((t.at for t in self.talks), default=None)


# -- (de)serialisation ------------------------------------------------------------------------


def contact_to_dict(contact: Contact) -> dict[str, Any]:
    data = asdict(contact)
    for key in ("created_at", "touched_at"):
        data[key] = getattr(contact, key).isoformat()
    for key in ("met_on", "follow_up_on"):
        value = getattr(contact, key)
        data[key] = value.isoformat() if value else None
    for key in ("notes", "talks"):
        data[key] = [{"at": e.at.isoformat(), "text": e.text} for e in getattr(contact, key)]
    return data


def contact_from_dict(data: dict[str, Any]) -> Contact:
    def day(value: object) -> date | None:
        return date.fromisoformat(str(value)) if value else None

    def entries(values: Iterable[dict[str, Any]]) -> list[Entry]:
        return [Entry(datetime.fromisoformat(v["at"]), str(v["text"])) for v in values]

    return Contact(
        id=int(data["id"]),
        name=str(data["name"]),
        created_at=datetime.fromisoformat(data["created_at"]),
        touched_at=datetime.fromisoformat(data["touched_at"]),
        title=str(data.get("title", "")),
        link=str(data.get("link", "")),
        tags=[str(t) for t in data.get("tags", [])],
        met_on=day(data.get("met_on")),
        via=str(data.get("via", "")),
        notes=entries(data.get("notes", [])),
        talks=entries(data.get("talks", [])),
        apps=[int(n) for n in data.get("apps", [])],
        follow_up_on=day(data.get("follow_up_on")),
    )


# -- /contact parsing ------------------------------------------------------------------------


@dataclass
class ContactDraft:
    name: str
    title: str = ""
    link: str = ""
    tags: list[str] = field(default_factory=list)
    met_on: date | None = None
    via: str = ""
    notes: list[str] = field(default_factory=list)  # from an imported CSV


def parse_contact(text: str, today: date, order: DateOrder = "dmy") -> ContactDraft:
    """``Jane Doe - Staff SRE at Acme https://… #sre met 2026-10-01 via meetup`` -> a draft."""
    tokens = text.split()
    if not tokens:
        raise PeopleError(CONTACT_USAGE)
    kept: list[str] = []
    link, tags, via, met_text = "", [], "", ""
    i = 0
    while i < len(tokens):
        token, lower = tokens[i], tokens[i].lower()
        if _LINK.match(token) and not link:
            link = token[:300]
        elif _TAG.match(token):
            if token[1:] not in tags:
                tags.append(token[1:])
        elif lower in _OPTIONS and i + 1 < len(tokens):
            end = i + 1
            while end < len(tokens) and not _is_option(tokens[end]):
                end += 1
            words = " ".join(tokens[i + 1 : end])
            if lower == "via":
                via = words[:60]
            else:
                met_text = words
            i = end
            continue
        else:
            kept.append(token)
        i += 1
    core = " ".join(kept).strip(" ,;")
    parts = _DASH.split(" " + core, maxsplit=1)  # the space: a leading dash means no name
    name = parts[0].strip(" -–—,;")
    title = parts[1].strip() if len(parts) > 1 else ""
    if not name:
        raise PeopleError("Who is it? Start with their name. " + CONTACT_USAGE)
    if len(name) > MAX_NAME:
        raise PeopleError(f"A name of up to {MAX_NAME} characters, please; put the rest after a dash.")
    if len(title) > MAX_TITLE:
        raise PeopleError(f"The part after the dash is kept to {MAX_TITLE} characters; please shorten it.")
    met_on = None
    if met_text:
        met_on = parse_day(met_text, today, order=order)
        if met_on is None:
            raise PeopleError(
                "I couldn't read when you met. Try <code>met 2026-10-01</code> or <code>met dec 5</code>."
            )
        if met_on > today:
            met_on = met_on.replace(year=met_on.year - 1) if met_on.replace(year=met_on.year - 1) <= today else None
            if met_on is None:
                raise PeopleError("That meeting date is in the future; give the day you met.")
    return ContactDraft(name=name, title=title, link=link, tags=tags, met_on=met_on, via=via)


def _is_option(token: str) -> bool:
    return token.lower() in _OPTIONS or bool(_LINK.match(token)) or bool(_TAG.match(token))


def clean_text(text: str) -> str:
    """A note or conversation as typed; refuses empty and over-long text."""
    text = text.strip()
    if not text:
        raise PeopleError("What was it about? Add a few words after the name.")
    if len(text) > MAX_TEXT:
        raise PeopleError(f"Please keep it under {MAX_TEXT} characters.")
    return text


# -- fuzzy names -------------------------------------------------------------------------------


def fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _token_matches(query: str, word: str) -> bool:
    if word.startswith(query):
        return True
    return len(query) >= 4 and difflib.SequenceMatcher(None, query, word).ratio() >= 0.8


def match_name(query: str, contacts: Sequence[Contact]) -> list[Contact]:
    """Contacts whose name fits ``query``: an exact full name wins alone; otherwise every query word
    must start (or nearly spell) a different word of the name. Best first."""
    folded = fold(query)
    if not folded:
        return []
    exact = [c for c in contacts if fold(c.name) == folded]
    if exact:
        return exact
    words = folded.split()
    found = []
    for contact in contacts:
        name_words = fold(contact.name).split()
        pool = list(name_words)
        ok = True
        for word in words:
            hit = next((w for w in pool if _token_matches(word, w)), None)
            if hit is None:
                ok = False
                break
            pool.remove(hit)
        if ok:
            found.append(contact)
    found.sort(key=lambda c: (-difflib.SequenceMatcher(None, folded, fold(c.name)).ratio(), c.name))
    return found


def split_talk(text: str, contacts: Sequence[Contact]) -> tuple[str, list[Contact], str]:
    """``Jane coffee, she'll refer me`` -> ("Jane", [matches], "coffee, she'll refer me").

    Tries the first three, two, then one words as the name; the longest that matches wins.
    """
    tokens = text.split()
    for n in (3, 2, 1):
        if len(tokens) < n:
            continue
        name = " ".join(tokens[:n]).strip(",:;")
        found = match_name(name, contacts)
        if found:
            return name, found, " ".join(tokens[n:]).lstrip(",:;- ").strip()
    return (tokens[0].strip(",:;") if tokens else ""), [], " ".join(tokens[1:])


# -- lists, follow-ups, check-ins ------------------------------------------------------------


def by_recent(contacts: Iterable[Contact]) -> list[Contact]:
    """Most recently touched first (ties: newest id first)."""
    return sorted(contacts, key=lambda c: (c.touched_at, c.id), reverse=True)


def follow_up_day(now_day: date, weeks: int) -> date:
    if weeks not in FOLLOW_UP_WEEKS:
        raise PeopleError("Follow up in 1, 2 or 4 weeks.")
    return now_day + timedelta(weeks=weeks)


def due_follow_ups(contacts: Iterable[Contact], today: date) -> list[Contact]:
    """Contacts whose follow-up day has come, oldest due first."""
    due = [c for c in contacts if c.follow_up_on is not None and c.follow_up_on <= today]
    return sorted(due, key=lambda c: (c.follow_up_on or today, c.id))


def check_in_suggestions(contacts: Iterable[Contact], now: datetime, weeks: int) -> list[Contact]:
    """Up to a few contacts with no conversation in ``weeks`` weeks (and no follow-up pending),
    longest silence first; 0 weeks turns suggestions off."""
    if weeks <= 0:
        return []
    cutoff = now - timedelta(weeks=weeks)
    quiet = [c for c in contacts if c.follow_up_on is None and (c.last_talk or c.created_at) <= cutoff]
    quiet.sort(key=lambda c: (c.last_talk or c.created_at, c.id))
    return quiet[:CHECK_IN_SUGGESTIONS]


# -- network vs cold ---------------------------------------------------------------------------

NETWORK_SOURCES = (Source.REFERRAL, Source.NETWORK)


def is_network(app: JobApplication, referred: set[int]) -> bool:
    """An application came through people: a contact is linked to it, or its source says so."""
    return app.number in referred or app.source in NETWORK_SOURCES


def network_vs_cold(apps: Iterable[JobApplication], contacts: Iterable[Contact]) -> tuple[Rates, Rates]:
    referred = {n for c in contacts for n in c.apps}
    apps = list(apps)
    network = [a for a in apps if is_network(a, referred)]
    cold = [a for a in apps if not is_network(a, referred)]
    return rates(network), rates(cold)


# -- CSV --------------------------------------------------------------------------------------

CSV_FIELDS = ("name", "title", "link", "tags", "met_on", "via", "follow_up_on", "applications", "notes")
MAX_IMPORT_BYTES = 256 * 1024


def contacts_csv(contacts: Iterable[Contact]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for c in sorted(contacts, key=lambda c: c.id):
        writer.writerow(
            [
                _safe_cell(c.name),
                _safe_cell(c.title),
                c.link,
                " ".join(f"#{t}" for t in c.tags),
                c.met_on.isoformat() if c.met_on else "",
                _safe_cell(c.via),
                c.follow_up_on.isoformat() if c.follow_up_on else "",
                " ".join(str(n) for n in c.apps),
                _safe_cell(" | ".join(n.text for n in c.notes)),
            ]
        )
    return out.getvalue().encode("utf-8")


def _safe_cell(text: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas; a leading quote keeps them text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def read_contacts_csv(raw: bytes) -> list[ContactDraft]:
    """Rows of a contacts CSV (ours or a hand-made one with a ``name`` column), checked whole:
    any bad row refuses the file, naming the row."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise PeopleError("That file is too big for contacts (up to 256 KB).")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PeopleError("That file isn't UTF-8 text; export it as CSV (UTF-8) and send it again.") from error
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or "name" not in {(k or "").strip().lower() for k in rows[0]}:
        raise PeopleError("A contacts CSV needs a <code>name</code> column (like the one /contacts export sends).")
    drafts = []
    for number, row in enumerate(rows, start=2):
        cells = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
        name = cells.get("name", "").lstrip("'")
        if not name or len(name) > MAX_NAME:
            raise PeopleError(f"Row {number}: a name of 1 to {MAX_NAME} characters is needed. Nothing was imported.")
        met = cells.get("met_on", "")
        try:
            met_on = date.fromisoformat(met) if met else None
        except ValueError as error:
            raise PeopleError(f"Row {number}: met_on should look like 2026-10-01. Nothing was imported.") from error
        tags = [t.lstrip("#") for t in cells.get("tags", "").split() if _TAG.match("#" + t.lstrip("#"))]
        drafts.append(
            ContactDraft(
                name=name,
                title=cells.get("title", "").lstrip("'")[:MAX_TITLE],
                link=cells.get("link", "")[:300] if _LINK.match(cells.get("link", "")) else "",
                tags=tags,
                met_on=met_on,
                via=cells.get("via", "").lstrip("'")[:60],
                notes=[n.strip()[:MAX_TEXT] for n in cells.get("notes", "").lstrip("'").split(" | ") if n.strip()][:20],
            )
        )
    if len(drafts) > MAX_CONTACTS:
        raise PeopleError(f"Up to {MAX_CONTACTS} contacts at a time, please.")
    return drafts


# -- accountability partner --------------------------------------------------------------------

INVITE_DAYS = 7
INVITE_BYTES = 24  # 192 bits of randomness (at least 128 are required)
_INVITE_CODE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
ENCOURAGEMENTS = (
    "Keep going, you've got this! 💪",
    "Proud of the work you put in this week 🌱",
    "One step at a time, and rest counts too ☕",
    "Rooting for you! 🎉",
)
MAX_ENCOURAGEMENT = 300


def hash_code(code: str) -> str:
    """Invite codes are stored only as their SHA-256: a leaked file can't be used to accept."""
    return hashlib.sha256(code.encode("ascii", "replace")).hexdigest()


def looks_like_invite(code: str) -> bool:
    return bool(_INVITE_CODE.match(code))


@dataclass(frozen=True)
class PartnerWeek:
    """What a partner sees of one week: no company names unless the user shares them."""

    monday: date
    target: int
    met: bool
    applied: int
    interviews: int
    offers: int
    streak: int
    companies: tuple[str, ...] = ()  # only when the user opted in
    asks_help: bool = False  # missed twice running, and the user chose to let the partner know


def partner_week(
    status_monday: date,
    target: int,
    met: bool,
    applied: int,
    interviews: int,
    offers: int,
    streak: int,
    moved: Iterable[str] = (),
    *,
    asks_help: bool = False,
) -> PartnerWeek:
    companies = tuple(dict.fromkeys(moved))[:8]
    return PartnerWeek(status_monday, target, met, applied, interviews, offers, streak, companies, asks_help)


def companies_moved(apps: Iterable[JobApplication], monday: date, tz: Any) -> list[str]:
    """Companies applied to, interviewed at or offered by in the week starting ``monday``."""
    end = monday + timedelta(days=7)
    names = []
    for app in apps:
        reached = app.reached()
        for stage in (Stage.APPLIED, Stage.INTERVIEW, Stage.OFFER):
            moment = reached.get(stage)
            if moment is not None and monday <= moment.astimezone(tz).date() < end:
                names.append(app.company)
                break
    return names


def review_moment(monday: date, weekday: int, at: Any, tz: Any) -> datetime:
    """The user's weekly review moment in the week of ``monday`` (aware)."""
    return datetime.combine(monday + timedelta(days=weekday), at, tzinfo=tz)


def clean_encouragement(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise PeopleError("Write a few kind words, or pick one of the buttons.")
    if len(text) > MAX_ENCOURAGEMENT:
        raise PeopleError(f"Please keep it under {MAX_ENCOURAGEMENT} characters.")
    return text


# -- group board -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRow:
    name: str
    met: bool
    applied: int
    streak: int


def kind_order(rows: Iterable[BoardRow]) -> list[BoardRow]:
    """Those who met their target first, then everyone else; alphabetical within each, so nobody is
    ranked by how little they did."""
    return sorted(rows, key=lambda r: (not r.met, r.name.casefold()))


def parse_group_review(args: Sequence[str]) -> tuple[int, Any, str]:
    """``sun 19:00 [Europe/Berlin]`` -> (weekday 0=Monday, time, zone name or "")."""
    usage = "Give a day and a time, e.g. <code>/groupreview sun 19:00</code> (optionally a timezone after it)."
    if len(args) < 2:
        raise PeopleError(usage)
    weekday, at = parse_weekday(args[0]), parse_clock(args[1])
    if weekday is None or at is None:
        raise PeopleError(usage)
    return weekday, at, args[2] if len(args) > 2 else ""
