"""First contact: the greeting and timezone question, /timezone, /dates, /help pages, and the hints
for commands and text we don't know."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.commands import BY_NAME, ESSENTIALS, HELP_SECTIONS
from bot.domain.dates import ORDER_NAMES, DateOrder, NumericDate, describe_order
from bot.domain.places import PlaceMatch
from bot.domain.zones import describe_zone
from bot.views.markup import Rendered, button, clip, esc, keyboard

COMMON_ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Australia/Sydney",
    "UTC",
)


def greeting(first_name: str, zone: str) -> Rendered:
    """/start: who we are, then the timezone question with a button per common zone."""
    name = f", {esc(first_name)}" if first_name else ""
    return (
        f"Hi{name}! I'm Funnelbot. I keep your job search moving:\n"
        "• save a job in one message, and move it along with a tap after each step;\n"
        "• I nudge you weekly to hit your target, and remind you of deadlines and follow-ups;\n"
        "• I show you your funnel, so you can see what's working.\n\n"
        "First, your <b>timezone</b>, so reminders come at your local time. "
        "Tap one, or type your city (e.g. <code>Lisbon</code>) or a name like "
        "<code>Europe/Lisbon</code>. /skip keeps " + esc(zone) + ".",
        zone_keyboard(),
    )


def zone_keyboard() -> InlineKeyboardMarkup:
    buttons = [button(zone.split("/")[-1].replace("_", " "), "tz", "set", i) for i, zone in enumerate(COMMON_ZONES)]
    return keyboard(*(buttons[i : i + 3] for i in range(0, len(buttons), 3)))


FIRST_JOB = (
    "Now save your first job in one message, for example:\n"
    "<code>/add Acme - Senior SRE https://acme.jobs/42 #sre closes friday</code>\n"
    "or just send /add and I'll ask. /help lists everything."
)


def zone_set(zone: str) -> str:
    return f"Timezone set to <b>{esc(describe_zone(zone))}</b>."


def zone_kept(zone: str) -> str:
    return f"Keeping {esc(describe_zone(zone))}; change it any time with /timezone.\n\n{FIRST_JOB}"


def your_zone(zone: str) -> str:
    return (
        f"Your timezone is <b>{esc(zone)}</b>. "
        "Change it with e.g. <code>/timezone Europe/Berlin</code>, "
        "<code>/timezone Lisbon</code> or <code>/timezone UTC+2</code>, or share your location."
    )


def unknown_zone(text: str, suggestions: list[str]) -> str:
    hint = f" Did you mean {', '.join(f'<code>{esc(s)}</code>' for s in suggestions)}?" if suggestions else ""
    return (
        f"I don't know the timezone “{esc(text.strip()[:60])}”.{hint} "
        "Try a big city near you, an IANA name like <code>Europe/Berlin</code>, or <code>UTC+2</code>. "
        "Nothing was changed."
    )


def reading_note(found: NumericDate, order: DateOrder) -> str:
    """A line saying how an ambiguous, far-off numeric date was read, and how to read it the other way."""
    other: DateOrder = "dmy" if order == "mdy" else "mdy"
    meant = f"{found.other:%-d %B %Y}" if found.other else "the other way round"
    return (
        f"Heads-up: I read “{esc(found.text)}” {ORDER_NAMES[order]}, as <b>{found.day:%-d %B %Y}</b>. "
        f"If you meant {meant}, tap the button below; <code>/dates {other}</code> reads such dates "
        f"{ORDER_NAMES[other]} from now on."
    )


def dates_now(order: DateOrder, chosen: bool) -> str:
    source = "your choice" if chosen else "from your timezone"
    return (
        f"I read numeric dates <b>{describe_order(order)}</b>, {source}. "
        "Change it with <code>/dates dmy</code> (day first) or <code>/dates mdy</code> (month first)."
    )


def not_a_date_order(typed: str) -> str:
    return (
        f"“{esc(typed[:20])}” isn't a date order. Use <code>/dates dmy</code> (3/12 is 3 December) or "
        "<code>/dates mdy</code> (3/12 is 12 March). Nothing was changed."
    )


def dates_set(order: DateOrder) -> str:
    return f"From now on I read numeric dates <b>{describe_order(order)}</b>."


STAGES_LINE = (
    "Stages: 0 prospect → 1 applied → 2 responded → 3 phone screen → 4 interview → "
    "5 second interview → 6 offer → 7 accepted (everyday words like “tech interview” work too)."
)


def _example_line(name: str) -> str:
    command = BY_NAME[name]
    return f"<code>{esc(command.example)}</code> — {esc(command.description)}"


def help_page(page: int) -> tuple[str, InlineKeyboardMarkup]:
    """/help page 0: the essentials and every other command by name; pages 1-5: one section with examples."""
    if 1 <= page <= len(HELP_SECTIONS):
        title, names = HELP_SECTIONS[page - 1]
        lines = [f"<b>{esc(title)}</b> (N is an application's number, as in #3)"]
        lines += [_example_line(name) for name in names]
        if title == "Move and close":
            lines.append("\n" + STAGES_LINE)
    else:
        lines = ["<b>Funnelbot: the commands you'll use most</b> (N is an application's number, as in #3)"]
        lines += [_example_line(name) for name in ESSENTIALS]
        lines += [
            "Send a job link on its own to save it.",
            "",
            STAGES_LINE,
            "",
            "<b>More</b> (tap a section for examples)",
        ]
        lines += [f"{esc(title)}: {' '.join(f'/{name}' for name in names)}" for title, names in HELP_SECTIONS]
    buttons = [
        button(title, "help", "page", index) for index, (title, _) in enumerate(HELP_SECTIONS, 1) if index != page
    ]
    if 1 <= page <= len(HELP_SECTIONS):
        buttons.insert(0, button("« Essentials", "help", "page", 0))
    return clip("\n".join(lines)), keyboard(*(buttons[i : i + 3] for i in range(0, len(buttons), 3)))


def unknown_command(command: str) -> str:
    return f"I don't know {esc(command[:40])}. /help lists what I can do."


def did_you_mean(command: str, meant: str, text: str, token: int) -> Rendered:
    """The closest command, with a button that runs it with what was typed after the typo."""
    label = text if len(text) <= 40 else text[:39] + "…"
    return (
        f"I don't know {esc(command[:40])}. Did you mean /{meant}? Tap to run <code>{esc(text[:200])}</code>.",
        keyboard([button(f"▶ {label}", "typo", "run", token)]),
    )


def running(text: str) -> str:
    return f"Running <code>{esc(text[:200])}</code>"


NOT_SURE = (
    "I'm not sure what to do with that. To save a job: <code>/add Acme - Senior SRE</code>. Everything else: /help."
)


# -- places and shared locations -----------------------------------------------------------------

LOCATION_BUTTON = "📍 Share my location"
NO_ZONE_THERE = "I couldn't find a timezone for that spot. Type your city instead, or try again:"


def location_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(LOCATION_BUTTON, request_location=True)]], resize_keyboard=True, one_time_keyboard=True
    )


def zone_miss(text: str, suggestions: list[str], *, asked: bool) -> str:
    """A city or zone we can't place; ``asked``: the /start question is open, so it may not be a city at all."""
    other = " /skip keeps the default. Not a city? To save a job: <code>/add Acme - Senior SRE</code>." if asked else ""
    return f"{unknown_zone(text, suggestions)} Or share your location.{other}"


def _place_note(place: PlaceMatch | None) -> str:
    """ " (Dunedin, New Zealand)" and, when the name is shared, how to pick another one."""
    if place is None:
        return ""
    note = f" ({esc(place.place.label)})"
    if place.others:
        picks = "; ".join(
            f"<code>/timezone {esc(o.name)}, {esc(o.region or o.country)}</code> ({esc(o.timezone)})"
            for o in place.others
        )
        note += f".\nAnother {esc(place.place.name)}? {picks}"
    return note


def zone_set_then(zone: str | None, place: PlaceMatch | None, then: str) -> str:
    """ "Timezone set to …" (unless ``zone`` is None), then ``then``."""
    head = f"Timezone set to <b>{esc(describe_zone(zone))}</b>{_place_note(place)}." if zone else ""
    return f"{head}\n\n{then}" if head and "\n" in then else f"{head} {then}".strip()
