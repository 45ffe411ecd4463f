"""Rules for the accountability settings: nudge slots, -1/+1 steps, pausing. Pure: no Telegram, no clock."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.domain.dates import DateOrder, parse_day
from bot.domain.models import Profile, Slot
from bot.domain.numbers import parse_int
from bot.domain.reminders import NUDGE_DEFAULTS, TARGET_MAX, SettingError

WEEK_MINUTES = 7 * 24 * 60
DAY_MINUTES = 24 * 60
PAUSE_MAX = timedelta(days=366)  # the longest pause with an end date; /pause alone has none
NUDGE_ACTIONS = ("on", "off", "day", "hr")
STEPPED = ("tgt", "fly", "fu")  # the -1/+1 buttons under /settings


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
