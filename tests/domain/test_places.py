"""Places without Telegram: GeoNames cities to zones, ambiguous names, qualifiers and coordinates."""

from __future__ import annotations

import pytest

from bot.domain.places import find_place, zone_at
from bot.domain.zones import read_zone


@pytest.mark.parametrize(
    ("typed", "zone", "label"),
    [
        ("Dunedin", "Pacific/Auckland", "Dunedin, New Zealand"),
        ("wellington", "Pacific/Auckland", "Wellington, New Zealand"),
        ("Zurich", "Europe/Zurich", "Zürich, Switzerland"),
        ("sao-paulo", "America/Sao_Paulo", "São Paulo, Brazil"),
        ("Kiev", "Europe/Kyiv", "Kyiv, Ukraine"),
        ("Portland, Maine", "America/New_York", "Portland, Maine, United States"),
        ("cambridge ma", "America/New_York", "Cambridge, Massachusetts, United States"),
        ("Cambridge, Canada", "America/Toronto", "Cambridge, Canada"),
    ],
)
def test_cities_resolve_to_their_zone(typed: str, zone: str, label: str) -> None:
    """Names, accents, dashes, other spellings and a country or US-state qualifier all resolve."""
    match = find_place(typed)
    assert match is not None and (match.place.timezone, match.place.label) == (zone, label)


def test_ambiguous_name_prefers_the_most_populous_and_lists_notable_others() -> None:
    """Portland is Oregon's, with Maine's offered; Berlin has no other Berlin big enough to mention."""
    portland = find_place("Portland")
    assert portland is not None and portland.place.region == "Oregon"
    assert [o.label for o in portland.others] == ["Portland, Maine, United States"]
    berlin = find_place("Berlin")
    assert berlin is not None and berlin.others == []


def test_nonsense_and_unknown_qualifiers_find_nothing() -> None:
    """Gibberish, an empty string and a city in the wrong country give None, not a guess."""
    assert find_place("Xyzzyville") is None
    assert find_place("  ") is None
    assert find_place("Dunedin, Japan") is None


def test_read_zone_keeps_iana_names_offsets_and_suggestions() -> None:
    """IANA names and offsets are read as before; a typo still gets suggestions and no place."""
    assert read_zone("Europe/Berlin") == ("Europe/Berlin", [], None)
    assert read_zone("UTC+2") == ("Etc/GMT-2", [], None)
    zone, suggestions, place = read_zone("Berln")
    assert zone is None and "Europe/Berlin" in suggestions and place is None


def test_zone_at_coordinates() -> None:
    """Dunedin's coordinates are Pacific/Auckland; impossible coordinates are None."""
    assert zone_at(-45.874, 170.504) == "Pacific/Auckland"
    assert zone_at(95.0, 10.0) is None
    assert zone_at(10.0, 200.0) is None


@pytest.mark.parametrize(
    ("typed", "zone"), [("Calcutta", "Asia/Calcutta"), ("Belize", "America/Belize"), ("Jamaica", "Jamaica")]
)
def test_a_zones_own_name_beats_a_namesake_town(typed: str, zone: str) -> None:
    """A name that is an IANA zone's city keeps that zone, not a smaller namesake elsewhere."""
    assert read_zone(typed)[0] == zone


def test_read_zone_names_the_place_only_when_it_is_in_that_zone() -> None:
    """'Berlin' says Berlin, Germany; 'Calcutta' (a South African town too) names no place."""
    assert read_zone("Berlin")[2] is not None
    assert read_zone("Calcutta")[2] is None
