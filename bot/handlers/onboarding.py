"""First contact: /start (with timezone), /timezone, /help, and hints for what we don't know."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.callback_data import decode, int_args
from bot.commands import BY_NAME, ESSENTIALS, HELP_SECTIONS, closest_command
from bot.context import BotContext
from bot.domain import settings_rules
from bot.domain.dates import DATE_ORDERS, ORDER_NAMES, DateOrder, NumericDate, date_order_for, describe_order
from bot.domain.models import Profile
from bot.domain.places import PlaceMatch, zone_at
from bot.domain.zones import describe_zone, read_zone
from bot.handlers import partner
from bot.handlers.common import answer, changed, edit, profile_of, reply
from bot.rendering import button, clip, esc, keyboard

logger = logging.getLogger(__name__)

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


def _zone_keyboard() -> InlineKeyboardMarkup:
    buttons = [button(zone.split("/")[-1].replace("_", " "), "tz", "set", i) for i, zone in enumerate(COMMON_ZONES)]
    return keyboard(*(buttons[i : i + 3] for i in range(0, len(buttons), 3)))


async def start(update: Update, context: BotContext) -> None:
    """/start: who we are, then the timezone question.

    The question is not a conversation state: until a timezone is chosen, a tap on a city or any
    text that names a timezone answers it, and every other command keeps working meanwhile.
    """
    if context.args and await partner.start_with_payload(update, context):  # an invite link
        return
    profile = profile_of(update, context)
    name = f", {esc(profile.first_name)}" if profile.first_name else ""
    await reply(
        update,
        f"Hi{name}! I'm Funnelbot. I keep your job search moving:\n"
        "• save a job in one message, and move it along with a tap after each step;\n"
        "• I nudge you weekly to hit your target, and remind you of deadlines and follow-ups;\n"
        "• I show you your funnel, so you can see what's working.\n\n"
        "First, your <b>timezone</b>, so reminders come at your local time. "
        "Tap one, or type your city (e.g. <code>Lisbon</code>) or a name like "
        "<code>Europe/Lisbon</code>. /skip keeps " + esc(profile.timezone or context.settings.default_tz) + ".",
        _zone_keyboard(),
    )
    context.scratch[ZONE_ASKED] = True  # a city we can't place now gets a timezone answer


async def _set_zone(update: Update, context: BotContext, zone: str) -> None:
    ZoneInfo(zone)  # resolve_timezone only returns loadable zones; never store one that isn't
    profile = profile_of(update, context)
    settings_rules.set_timezone(profile, zone, context.now())
    context.repo.save_profile(profile)
    changed(context, profile.user_id)
    logger.info("user.timezone user=%s", profile.user_id)


FIRST_JOB = (
    "Now save your first job in one message, for example:\n"
    "<code>/add Acme - Senior SRE https://acme.jobs/42 #sre closes friday</code>\n"
    "or just send /add and I'll ask. /help lists everything."
)


async def zone_tapped(update: Update, context: BotContext) -> None:
    """A city button under /start."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, _, args = decode(query.data)
    index = int_args(args, 1)
    if index is None or not 0 <= index[0] < len(COMMON_ZONES):
        await answer(query, "Please type your city instead.")
        return
    zone = COMMON_ZONES[index[0]]
    await _set_zone(update, context, zone)
    await answer(query)
    await edit(update, f"Timezone set to <b>{esc(describe_zone(zone))}</b>.")
    await _zone_set(update, None, None, FIRST_JOB)  # and put the location keyboard away


def _unknown_zone(text: str, suggestions: list[str]) -> str:
    hint = f" Did you mean {', '.join(f'<code>{esc(s)}</code>' for s in suggestions)}?" if suggestions else ""
    return (
        f"I don't know the timezone “{esc(text.strip()[:60])}”.{hint} "
        "Try a big city near you, an IANA name like <code>Europe/Berlin</code>, or <code>UTC+2</code>. "
        "Nothing was changed."
    )


async def skip_zone(update: Update, context: BotContext) -> None:
    """/skip: keep the default timezone (and stop reading free text as a timezone)."""
    profile = profile_of(update, context)
    if not profile.timezone:
        await _set_zone(update, context, context.settings.default_tz)
    await reply(
        update,
        f"Keeping {esc(describe_zone(profile.timezone or context.settings.default_tz))}; "
        f"change it any time with /timezone.\n\n{FIRST_JOB}",
    )


async def set_timezone(update: Update, context: BotContext) -> None:
    """/timezone <city|IANA name|UTC+N>"""
    text = " ".join(context.args or [])
    profile = profile_of(update, context)
    if not text:
        await _offer_location(
            update,
            f"Your timezone is <b>{esc(profile.timezone or context.settings.default_tz)}</b>. "
            "Change it with e.g. <code>/timezone Europe/Berlin</code>, "
            "<code>/timezone Lisbon</code> or <code>/timezone UTC+2</code>, or share your location.",
        )
        return
    zone, suggestions, place = read_zone(text)
    if zone is None:
        await _zone_miss(update, text, suggestions)
        return
    await _set_zone(update, context, zone)
    await _zone_set(update, zone, place, "Reminders follow your local time.")


def order_for(profile: Profile, context: BotContext) -> DateOrder:
    """How this user writes numeric dates: their /dates choice, else their timezone's custom."""
    return date_order_for(profile.date_order, profile.timezone or context.settings.default_tz)


def reading_note(found: NumericDate, order: DateOrder) -> str:
    """A line saying how an ambiguous, far-off numeric date was read, and how to read it the other way."""
    other: DateOrder = "dmy" if order == "mdy" else "mdy"
    meant = f"{found.other:%-d %B %Y}" if found.other else "the other way round"
    return (
        f"Heads-up: I read “{esc(found.text)}” {ORDER_NAMES[order]}, as <b>{found.day:%-d %B %Y}</b>. "
        f"If you meant {meant}, tap the button below; <code>/dates {other}</code> reads such dates "
        f"{ORDER_NAMES[other]} from now on."
    )


async def set_dates(update: Update, context: BotContext) -> None:
    """/dates dmy|mdy: how numeric dates like 3/12 are read."""
    profile = profile_of(update, context)
    typed = " ".join(context.args or []).strip()
    choice = typed.lower().replace("/", "").replace("-", "")
    choice = {"daymonth": "dmy", "day": "dmy", "monthday": "mdy", "month": "mdy", "us": "mdy"}.get(choice, choice)
    current = order_for(profile, context)
    if not choice:
        source = "your choice" if profile.date_order else "from your timezone"
        await reply(
            update,
            f"I read numeric dates <b>{describe_order(current)}</b>, {source}. "
            "Change it with <code>/dates dmy</code> (day first) or <code>/dates mdy</code> (month first).",
        )
        return
    if choice not in DATE_ORDERS:
        await reply(
            update,
            f"“{esc(typed[:20])}” isn't a date order. Use <code>/dates dmy</code> (3/12 is 3 December) or "
            "<code>/dates mdy</code> (3/12 is 12 March). Nothing was changed.",
        )
        return
    profile.date_order = "mdy" if choice == "mdy" else "dmy"
    context.repo.save_profile(profile)
    logger.info("user.date_order user=%s order=%s", profile.user_id, choice)
    await reply(update, f"From now on I read numeric dates <b>{describe_order(order_for(profile, context))}</b>.")


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


async def show_help(update: Update, context: BotContext) -> None:
    """/help: the essentials, with buttons for each section."""
    await reply(update, *help_page(0))


async def help_tapped(update: Update, context: BotContext) -> None:
    """``help:page:<n>``: turn the /help message to another section."""
    query = update.callback_query
    assert query is not None and query.data is not None
    page = int_args(decode(query.data)[2], 1)
    await answer(query)
    await edit(update, *help_page(page[0] if page else 0))


async def unknown_command(update: Update, context: BotContext) -> None:
    """Any command we don't have: the closest one we do have is offered as a button."""
    message = update.effective_message
    assert message is not None
    head, *more = (message.text or "").split(maxsplit=1)
    rest = more[0] if more else ""
    command, _, addressee = head.partition("@")
    if addressee and addressee.lower() != (context.bot.username or "").lower():
        return  # meant for another bot
    meant = closest_command(command.lstrip("/"))
    if meant is None:
        await reply(update, f"I don't know {esc(command[:40])}. /help lists what I can do.")
        return
    # The typed arguments stay here, not in the button (callback data is small and never user text).
    token = int(context.scratch.get("typo_seq", 0)) + 1
    text = f"/{meant} {rest.strip()}".strip()
    context.scratch["typo_seq"] = token
    context.scratch["typo"] = {"token": token, "text": text}
    label = text if len(text) <= 40 else text[:39] + "…"
    await reply(
        update,
        f"I don't know {esc(command[:40])}. Did you mean /{meant}? Tap to run <code>{esc(text[:200])}</code>.",
        keyboard([button(f"▶ {label}", "typo", "run", token)]),
    )


async def typo_tapped(update: Update, context: BotContext) -> None:
    """``typo:run:<token>``: run the suggested command with the arguments typed with the typo."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    _, _, args = decode(query.data)
    token = int_args(args, 1)
    pending = context.scratch.get("typo")
    if token is None or not pending or pending["token"] != token[0]:
        await answer(query, "That suggestion has expired; type the command again.")
        await edit(update, "That suggestion has expired; type the command again.")
        return
    del context.scratch["typo"]
    text: str = pending["text"]
    await answer(query)
    await edit(update, f"Running <code>{esc(text[:200])}</code>")
    command_length = len(text.split(" ", 1)[0])
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    typed = Message(
        message_id=query.message.message_id,
        date=context.now(),
        chat=chat,
        from_user=user,
        text=text,
        entities=[MessageEntity(MessageEntity.BOT_COMMAND, 0, command_length)],
    )
    typed.set_bot(context.bot)
    # Straight through the handlers, as if the user had typed it (no update queue involved).
    await context.application.process_update(Update(update_id=update.update_id, message=typed))


async def unknown_text(update: Update, context: BotContext) -> None:
    """Free text that isn't an answer to anything (or names a timezone, before one is chosen)."""
    assert update.effective_message is not None
    text = update.effective_message.text or ""
    if not profile_of(update, context).timezone:
        zone, suggestions, place = read_zone(text)
        if zone is not None:
            await _set_zone(update, context, zone)
            await _zone_set(update, zone, place, FIRST_JOB)
            return
        if suggestions or (context.scratch.get(ZONE_ASKED) and _could_be_a_place(text)):
            await _zone_miss(update, text, suggestions, asked=True)
            return
    await reply(
        update,
        "I'm not sure what to do with that. To save a job: "
        "<code>/add Acme - Senior SRE</code>. Everything else: /help.",
    )


async def unknown_input(update: Update, context: BotContext) -> None:
    """Stickers, photos, voice... outside any question."""
    await reply(update, "I only understand text and commands (and CSV files for /import). Try /help.")


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("start", start),
        CallbackQueryHandler(zone_tapped, pattern=r"^tz:set:"),
        CommandHandler("skip", skip_zone),
        CommandHandler("timezone", set_timezone),
        MessageHandler(filters.LOCATION, location_shared),  # a live location's moves are edits: ignored earlier
        CommandHandler("help", show_help),
        CallbackQueryHandler(help_tapped, pattern=r"^help:page:"),
        CommandHandler("dates", set_dates),
        CallbackQueryHandler(typo_tapped, pattern=r"^typo:run:"),
    ]


def fallback_handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """Registered last: hints instead of silence."""
    return [
        MessageHandler(filters.COMMAND, unknown_command),
        MessageHandler(filters.TEXT, unknown_text),
        MessageHandler(filters.ALL & ~filters.StatusUpdate.ALL, unknown_input),
    ]


# -- places and shared locations -----------------------------------------------------------------

LOCATION_BUTTON = "📍 Share my location"
ZONE_ASKED = "zone_asked"  # scratch key: /start asked for a timezone
_PLACE_ATTEMPT_MAX = 60  # longer text, before a timezone is chosen, is not a try at a city name


def _could_be_a_place(text: str) -> bool:
    """Before a timezone is chosen, a short line without a link or command reads as a try at a city."""
    line = text.strip()
    return 0 < len(line) <= _PLACE_ATTEMPT_MAX and "\n" not in line and "://" not in line


def _location_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(LOCATION_BUTTON, request_location=True)]], resize_keyboard=True, one_time_keyboard=True
    )


async def _offer_location(update: Update, text: str) -> None:
    if update.effective_chat is not None:
        await update.effective_chat.send_message(text, reply_markup=_location_keyboard())


async def _zone_miss(update: Update, text: str, suggestions: list[str], *, asked: bool = False) -> None:
    """A city or zone we can't place: say so, change nothing, and offer the location button.

    ``asked``: the /start question is open, so the text may not have been meant as a city at all.
    """
    other = " /skip keeps the default. Not a city? To save a job: <code>/add Acme - Senior SRE</code>." if asked else ""
    await _offer_location(update, f"{_unknown_zone(text, suggestions)} Or share your location.{other}")


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


async def _zone_set(update: Update, zone: str | None, place: PlaceMatch | None, then: str) -> None:
    """ "Timezone set to …" (unless ``zone`` is None) then ``then``; the location keyboard goes away."""
    if update.effective_chat is None:
        return
    head = f"Timezone set to <b>{esc(describe_zone(zone))}</b>{_place_note(place)}." if zone else ""
    text = f"{head}\n\n{then}" if head and "\n" in then else f"{head} {then}".strip()
    await update.effective_chat.send_message(text, reply_markup=ReplyKeyboardRemove())


async def location_shared(update: Update, context: BotContext) -> None:
    """A shared location sets the timezone of that point (the location itself is not kept)."""
    message = update.effective_message
    assert message is not None and message.location is not None
    zone = zone_at(message.location.latitude, message.location.longitude)
    if zone is None:
        await _offer_location(update, "I couldn't find a timezone for that spot. Type your city instead, or try again:")
        return
    first = not profile_of(update, context).timezone
    await _set_zone(update, context, zone)
    await _zone_set(update, zone, None, FIRST_JOB if first else "Reminders follow your local time.")
