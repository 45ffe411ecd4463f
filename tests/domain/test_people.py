"""Pure people rules: contact parsing, fuzzy names, follow-ups, check-ins, network vs cold, CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain import people as dom
from bot.domain.models import JobApplication, Source
from bot.domain.stages import Stage

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
TODAY = NOW.date()


def contact(cid: int, name: str, **kwargs: object) -> dom.Contact:
    return dom.Contact(id=cid, name=name, created_at=NOW, touched_at=NOW, **kwargs)  # type: ignore[arg-type]


def test_parse_contact_reads_every_option() -> None:
    """Name, title, link, tags, met date and via all come out of one line."""
    draft = dom.parse_contact(
        "Jane Doe - Staff SRE at Acme https://linkedin.com/in/jane #sre #ex-colleague met 2026-10-01 via meetup",
        TODAY,
    )
    assert (draft.name, draft.title, draft.link) == ("Jane Doe", "Staff SRE at Acme", "https://linkedin.com/in/jane")
    assert draft.tags == ["sre", "ex-colleague"]
    assert (draft.met_on, draft.via) == (date(2026, 10, 1), "meetup")


@pytest.mark.parametrize(
    ("text", "words"),
    [("- Staff SRE", "name"), ("x" * 90, "80"), ("Jane met sometime soon-ish", "met")],
)
def test_parse_contact_refuses_what_it_cannot_use(text: str, words: str) -> None:
    """No name, an over-long name, or an unreadable met date is refused with a hint."""
    with pytest.raises(dom.PeopleError, match=words):
        dom.parse_contact(text, TODAY)


def test_match_name_prefers_exact_then_prefixes_and_typos() -> None:
    """Exact names win alone; first names, prefixes and small typos match; unrelated words don't."""
    people = [contact(1, "Jane Doe"), contact(2, "Janet Smith"), contact(3, "Bob Stone")]
    assert [c.id for c in dom.match_name("jane doe", people)] == [1]
    assert {c.id for c in dom.match_name("Jan", people)} == {1, 2}
    assert [c.id for c in dom.match_name("Robert", people)] == []
    assert [c.id for c in dom.match_name("Stnoe", people)] == [3]  # a swapped pair of letters
    assert [c.id for c in dom.match_name("Sam", people)] == []
    assert [c.id for c in dom.match_name("Bob Stonee", people)] == [3]


def test_split_talk_takes_the_longest_matching_name() -> None:
    """'/talked Jane Doe coffee' uses the full name; the rest is the summary."""
    people = [contact(1, "Jane Doe"), contact(2, "Jane Roe")]
    name, found, rest = dom.split_talk("Jane Doe coffee, she'll refer me", people)
    assert (name, [c.id for c in found], rest) == ("Jane Doe", [1], "coffee, she'll refer me")
    name, found, rest = dom.split_talk("Jane coffee", people)
    assert (name, len(found), rest) == ("Jane", 2, "coffee")


def test_follow_ups_and_check_ins() -> None:
    """Due follow-ups come oldest first; check-ins name only long-quiet contacts, a few at most."""
    people = [contact(i, f"P{i}") for i in range(1, 7)]
    people[0].follow_up_on = TODAY - timedelta(days=1)
    people[1].follow_up_on = TODAY + timedelta(days=3)
    assert [c.id for c in dom.due_follow_ups(people, TODAY)] == [1]
    later = NOW + timedelta(weeks=9)
    people[2].talks.append(dom.Entry(later - timedelta(days=2), "lunch"))
    quiet = dom.check_in_suggestions(people, later, 8)
    assert len(quiet) == dom.CHECK_IN_SUGGESTIONS and all(c.id not in (1, 2, 3) for c in quiet)
    assert dom.check_in_suggestions(people, later, 0) == []
    with pytest.raises(dom.PeopleError):
        dom.follow_up_day(TODAY, 3)


def test_network_vs_cold_counts_linked_and_referral_sources() -> None:
    """An application linked to a contact, or sourced by referral, counts as network."""
    apps = [
        JobApplication(number=1, company="A", role="R", created_at=NOW, stage=Stage.APPLIED),
        JobApplication(number=2, company="B", role="R", created_at=NOW, stage=Stage.APPLIED, source=Source.REFERRAL),
        JobApplication(number=3, company="C", role="R", created_at=NOW, stage=Stage.APPLIED),
    ]
    network, cold = dom.network_vs_cold(apps, [contact(1, "Jane", apps=[1])])
    assert (network.applied, cold.applied) == (2, 1)


def test_csv_round_trip_and_refusals() -> None:
    """Exported contacts import back; formula-looking cells are neutralised; bad rows refuse the file."""
    jane = contact(1, "=Jane", title="SRE", tags=["sre"], met_on=date(2026, 1, 2))
    jane.notes = [dom.Entry(NOW, "knows the lead"), dom.Entry(NOW, "likes Go")]
    raw = dom.contacts_csv([jane])
    assert b"'=Jane" in raw
    [draft] = dom.read_contacts_csv(raw)
    assert (draft.name, draft.title, draft.tags, draft.met_on) == ("=Jane", "SRE", ["sre"], date(2026, 1, 2))
    assert draft.notes == ["knows the lead", "likes Go"]
    with pytest.raises(dom.PeopleError, match="name"):
        dom.read_contacts_csv(b"who,what\nx,y\n")
    with pytest.raises(dom.PeopleError, match="Row 3"):
        dom.read_contacts_csv(b"name,met_on\nA,2026-01-01\nB,yesterday\n")


def test_contact_dict_round_trip() -> None:
    """A contact survives being stored as JSON-ready data."""
    jane = contact(4, "Jane", notes=[dom.Entry(NOW, "n")], follow_up_on=TODAY, apps=[2])
    assert dom.contact_from_dict(dom.contact_to_dict(jane)) == jane


def test_invite_codes_are_checked_by_shape_and_hashed() -> None:
    """Only long URL-safe codes look like invites; the stored hash differs from the code."""
    assert (
        dom.looks_like_invite("A" * 32) and not dom.looks_like_invite("short") and not dom.looks_like_invite("<b>" * 12)
    )
    assert dom.hash_code("A" * 32) != "A" * 32 and len(dom.hash_code("A" * 32)) == 64


def test_encouragement_words_are_trimmed_and_bounded() -> None:
    """Own words are squeezed to one line; empty or over-long words are refused."""
    assert dom.clean_encouragement("  you\n got  this ") == "you got this"
    with pytest.raises(dom.PeopleError):
        dom.clean_encouragement("   ")
    with pytest.raises(dom.PeopleError):
        dom.clean_encouragement("x" * (dom.MAX_ENCOURAGEMENT + 1))
