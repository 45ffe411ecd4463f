"""Reading a job from one message."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.domain.capture import CaptureError, parse_quick_add
from bot.domain.models import Camp, Source

SUNDAY = date(2026, 11, 22)


def test_company_dash_role() -> None:
    """``Acme - Senior SRE`` splits on the spaced dash."""
    draft = parse_quick_add("Acme - Senior SRE", SUNDAY)
    assert (draft.company, draft.role, draft.applied) == ("Acme", "Senior SRE", False)


def test_role_at_company() -> None:
    """``Senior SRE at Acme`` reads the other way round."""
    draft = parse_quick_add("Senior SRE at Acme", SUNDAY)
    assert (draft.company, draft.role) == ("Acme", "Senior SRE")


def test_hyphen_inside_a_name_is_not_a_separator() -> None:
    """Hewlett-Packard stays whole."""
    draft = parse_quick_add("Hewlett-Packard - Site Reliability Engineer", SUNDAY)
    assert (draft.company, draft.role) == ("Hewlett-Packard", "Site Reliability Engineer")


def test_every_optional_part_in_any_order() -> None:
    """Link, #track, closes, camp, via, fit and applied can come anywhere."""
    draft = parse_quick_add(
        "https://acme.jobs/42 #sre Acme - Senior SRE closes friday camp growth via referral fit 4/3 applied",
        SUNDAY,
    )
    assert draft.link == "https://acme.jobs/42"
    assert draft.track == "sre"
    assert (draft.company, draft.role) == ("Acme", "Senior SRE")
    assert draft.closes_on == date(2026, 11, 27)
    assert draft.camp == Camp.GROWTH
    assert draft.source == Source.REFERRAL
    assert (draft.fit_contribute, draft.fit_learn) == (4, 3)
    assert draft.applied is True


@pytest.mark.parametrize(
    ("phrase", "day"),
    [
        ("2026-12-05", date(2026, 12, 5)),
        ("in 2 weeks", date(2026, 12, 6)),
        ("tomorrow", date(2026, 11, 23)),
        ("dec 5", date(2026, 12, 5)),
        ("friday", date(2026, 11, 27)),
    ],
)
def test_natural_closing_dates(phrase: str, day: date) -> None:
    """Closing dates read as people type them, relative to today."""
    assert parse_quick_add(f"Acme - SRE closes {phrase}", SUNDAY).closes_on == day


def test_applied_inside_a_role_is_part_of_the_role() -> None:
    """ "Applied Scientist" is a role, not the applied flag."""
    draft = parse_quick_add("Amazon - Applied Scientist", SUNDAY)
    assert (draft.role, draft.applied) == ("Applied Scientist", False)


@pytest.mark.parametrize("text", ["Acme", "", "closes friday", "Acme - SRE closes whenever-ish"])
def test_unreadable_input_explains_how(text: str) -> None:
    """Missing company/role or an unreadable date raises CaptureError with guidance."""
    with pytest.raises(CaptureError):
        parse_quick_add(text, SUNDAY)


def test_special_characters_are_kept_verbatim() -> None:
    """Markup-like names are data, not markup."""
    draft = parse_quick_add("<Ben & Jerry's_*[x]> - Ice <b>cream</b> taster", SUNDAY)
    assert draft.company == "<Ben & Jerry's_*[x]>"
    assert draft.role == "Ice <b>cream</b> taster"


@pytest.mark.parametrize(
    ("text", "company"),
    [("Closes Inc - Dev", "Closes Inc"), ("Via Rail - Engineer", "Via Rail"), ("Camp Kitchen - Chef", "Camp Kitchen")],
)
def test_capitalised_option_words_are_names(text: str, company: str) -> None:
    """Option words only count in lower case, so companies named after them still work."""
    assert parse_quick_add(text, SUNDAY).company == company


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Foo - Bar https://a.example https://b.example", "One link per job"),
        ("Foo - Bar #a #b", "One #track per job"),
        ("Foo - Bar camp weird", "Camp is one of"),
        ("Foo - Bar fit 9/1", "Fit scores go from 1 to 5"),
    ],
)
def test_ambiguous_options_are_refused_not_absorbed(text: str, message: str) -> None:
    """Nothing typed is silently dropped or swallowed into the role."""
    with pytest.raises(CaptureError, match=message):
        parse_quick_add(text, SUNDAY)


def test_unreadable_date_is_quoted_as_plain_text() -> None:
    """The error quotes what was typed as plain text: the domain writes no markup (the view escapes it)."""
    with pytest.raises(CaptureError, match=re.escape("“<soon>” as a closing date. Try `closes 2026-12-05`")):
        parse_quick_add("Acme - SRE closes <soon>", SUNDAY)


@pytest.mark.parametrize("phrase", ["9999-12-31", "1999-01-01", "in 30 years"])
def test_closing_dates_far_away_are_refused(phrase: str) -> None:
    """Dates years off are typos, not deadlines: refused with a sentence."""
    with pytest.raises(CaptureError, match="looks like a typo"):
        parse_quick_add(f"Acme - SRE closes {phrase}", SUNDAY)


@pytest.mark.parametrize(
    ("text", "written", "role"),
    [
        ("Foo - Bar via seek", "seek", "Bar"),
        ("Foo - Bar via Carrier pigeon applied", "Carrier pigeon", "Bar"),
        ("via seek Foo - Bar", "seek", "Bar"),
        ("Foo - Bar via seek.com.au #sre", "seek.com.au", "Bar"),
    ],
)
def test_unknown_source_is_other_and_kept_as_written(text: str, written: str, role: str) -> None:
    """A source we don't know counts as other, keeps its words, and takes nothing from the names."""
    draft = parse_quick_add(text, SUNDAY)
    assert (draft.source, draft.source_text) == (Source.OTHER, written)
    assert (draft.company, draft.role) == ("Foo", role)


@pytest.mark.parametrize(
    ("text", "role", "camp"),
    [
        ("Acme - SRE growth", "SRE", Camp.GROWTH),
        ("Acme - SRE safe applied", "SRE", Camp.SAFE),
        ("Acme - Head of growth", "Head of growth", None),
        ("Acme - growth hacker", "growth hacker", None),
        ("Acme - SRE Growth", "SRE Growth", None),
        ("Acme - growth", "growth", None),
    ],
)
def test_bare_camp_word_after_the_role(text: str, role: str, camp: Camp | None) -> None:
    """A lower-case camp word ending the names is the camp, unless it finishes a phrase or is the whole role."""
    draft = parse_quick_add(text, SUNDAY)
    assert (draft.role, draft.camp) == (role, camp)
