"""Rules for the accountability settings: reading what the user typed (/target, /nudges, lists),
nudge slots, -1/+1 steps, pausing. Pure: no Telegram, no clock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import cast

from bot.domain.dates import DateOrder, parse_clock, parse_day, parse_weekday
from bot.domain.models import DEFAULT_CHECK, DEFAULT_PLAN, DEFAULT_REVIEW, Profile, Slot
from bot.domain.numbers import parse_int

TARGET_MAX = 50

WEEK_MINUTES = 7 * 24 * 60
DAY_MINUTES = 24 * 60
PAUSE_MAX = timedelta(days=366)  # the longest pause with an end date; /pause alone has none
NUDGE_ACTIONS = ("on", "off", "day", "hr")
STEPPED = ("tgt", "fly", "fu")  # the -1/+1 buttons under /settings


# -- reading settings ------------------------------------------------------------------------------


class SettingError(ValueError):
    """A setting the user typed that we can't use; the message says what would work."""


def parse_target(args: Sequence[str]) -> tuple[int, int | None]:
    """``/target 3`` or ``/target 3 2``: per week, and optionally in flight."""
    numbers = [parse_int(a) for a in args]
    if not 1 <= len(args) <= 2 or None in numbers:
        raise SettingError(
            "Give a weekly target, optionally followed by an in-flight target, e.g. /target 3 or /target 3 2."
        )
    per_week = cast(int, numbers[0])
    flight = numbers[1] if len(numbers) == 2 else None
    if not 1 <= per_week <= TARGET_MAX or (flight is not None and not 0 <= flight <= TARGET_MAX):
        raise SettingError(f"Targets go from 1 to {TARGET_MAX} a week (in flight: 0 to {TARGET_MAX}).")
    return per_week, flight


NUDGE_NAMES = ("plan", "check", "review")
NUDGE_DEFAULTS = {"plan": DEFAULT_PLAN, "check": DEFAULT_CHECK, "review": DEFAULT_REVIEW}
_NUDGE_ALIASES = {"plan": "plan", "check": "check", "midweek": "check", "mid-week": "check", "review": "review"}


def parse_nudge(args: Sequence[str]) -> tuple[str, Slot | None]:
    """``plan mon 09:00``, ``check off``, ``check on``, ``review sun 18:30`` -> (name, new slot or None = off).

    ``on`` restores that nudge's default time.
    """
    words = [a.strip().lower() for a in args if a.strip()]
    name = _NUDGE_ALIASES.get(words[0]) if words else None
    if name is None:
        raise SettingError("Which nudge? plan, check or review, e.g. /nudges plan mon 09:00 or /nudges check off.")
    rest = words[1:]
    if rest == ["off"]:
        return name, None
    if rest == ["on"]:
        return name, NUDGE_DEFAULTS[name]
    weekday = parse_weekday(rest[0]) if len(rest) == 2 else None
    clock = parse_clock(rest[1]) if len(rest) == 2 else None
    if weekday is None or clock is None:
        raise SettingError(
            f"Give a day and a time for the {name}, e.g. /nudges {name} mon 09:00, "
            f"/nudges {name} on (the usual time) or /nudges {name} off."
        )
    return name, Slot(weekday, clock)


def parse_list(text: str, limit: int = 10) -> list[str]:
    """``a; b; c`` (or one per line) -> a clean list of at most ``limit`` short items."""
    parts = [" ".join(p.split()) for chunk in text.split("\n") for p in chunk.split(";")]
    items = [p[:200] for p in parts if p]
    if not items:
        raise SettingError("Nothing to save there: separate items with semicolons.")
    if len(items) > limit:
        raise SettingError(f"That's {len(items)} items; keep it to {limit}.")
    return items


def shift_slot(slot: Slot, minutes: int) -> Slot:
    """Move a weekly slot by ``minutes``, across midnight into the next or previous day (Sun -> Mon)."""
    total = (slot.weekday * DAY_MINUTES + slot.at.hour * 60 + slot.at.minute + minutes) % WEEK_MINUTES
    day, rest = divmod(total, DAY_MINUTES)
    return Slot(day, time(rest // 60, rest % 60))


def unit_step(step: int) -> int:
    """A button's step clamped to -1, 0 or +1 (callback data is never trusted for more)."""
    return max(-1, min(1, step))


def nudge_change(slot: Slot | None, action: str, name: str, step: int = 0) -> Slot | None:
    """A nudge button's effect: ``on`` (its default time), ``off``, ``day`` (+1 day), ``hr`` (±1 hour)."""
    if action == "on":
        return slot or NUDGE_DEFAULTS[name]
    if action == "off":
        return None
    if slot is not None and action == "day":
        return shift_slot(slot, DAY_MINUTES)
    if slot is not None and action == "hr":
        return shift_slot(slot, 60 * unit_step(step))
    return slot


def bounded(value: int, step: int, low: int, high: int) -> int:
    """``value`` moved by one step (clamped to ±1), kept within ``low..high``."""
    return max(low, min(high, value + unit_step(step)))


def stepped_range(profile: Profile, action: str) -> tuple[str, int, int]:
    """The profile field a -1/+1 settings button changes, with its bounds (follow-up stays before "ghosted?")."""
    ranges = {
        "tgt": ("target_per_week", 1, TARGET_MAX),
        "fly": ("target_in_flight", 0, TARGET_MAX),
        "fu": ("follow_up_days", 1, profile.ghost_days - 1),
    }
    return ranges[action]


def step_setting(profile: Profile, action: str, step: int) -> tuple[int, int]:
    """Apply a -1/+1 settings button to ``profile``; returns (before, after), equal at a bound."""
    field, low, high = stepped_range(profile, action)
    old: int = getattr(profile, field)
    new = bounded(old, step, low, high)
    setattr(profile, field, new)
    return old, new


def pause_day(text: str, today: date, *, order: DateOrder = "dmy") -> date | None:
    """The end of a pause as typed: "until monday", "till 2026-12-01", "for 2 weeks", "2 weeks"."""
    words = text.strip().lower().split()
    if words and words[0] in ("until", "till", "til"):
        words = words[1:]
    elif words and words[0] == "for":
        words = ["in", *words[1:]]
    elif words and parse_int(words[0]) is not None:
        words = ["in", *words]  # "/pause 2 weeks"
    return parse_day(" ".join(words), today, order=order) if words else None


def parse_pause(text: str, today: date, *, order: DateOrder = "dmy") -> date | None:
    """``/pause`` arguments -> the first local day without a pause (None: until /resume).

    Raises SettingError when the day can't be read, isn't after today or is over a year away.
    """
    if not text.strip():
        return None
    until = pause_day(text, today, order=order)
    if until is None:
        raise SettingError("I couldn't read a date there.")
    if until <= today:
        raise SettingError("That date isn't in the future: a pause needs an end after today.")
    if until > today + PAUSE_MAX:
        raise SettingError(
            "That's more than a year away. Pause for up to a year, or use /pause alone until you /resume."
        )
    return until


def pause(profile: Profile, until: date | None) -> None:
    """Stop nudges and reminders until ``until`` (local midnight), or until resumed when None."""
    profile.paused, profile.paused_until = True, until


def pause_for(profile: Profile, today: date, days: int) -> date:
    """Pause for ``days`` (one day to :data:`PAUSE_MAX`) from ``today``; returns the day nudges come back."""
    until = today + timedelta(days=min(max(1, days), PAUSE_MAX.days))
    pause(profile, until)
    return until


def resume(profile: Profile) -> None:
    profile.paused, profile.paused_until = False, None


def set_slot(profile: Profile, name: str, slot: Slot | None, now: datetime) -> None:
    """Set the ``plan``, ``check`` or ``review`` slot; a nudge whose new time is already past waits a week."""
    if getattr(profile, name) != slot:
        setattr(profile, name, slot)
        profile.schedule_changed_at = now


def set_timezone(profile: Profile, zone: str, now: datetime) -> None:
    """Set the IANA zone; weekly nudges its new wall times put in the past are not sent at once."""
    if profile.timezone != zone:
        profile.timezone = zone
        profile.schedule_changed_at = now
