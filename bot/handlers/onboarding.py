"""First contact: /start (with timezone), /timezone, /help, and hints for what we don't know."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram import Message, MessageEntity, ReplyKeyboardRemove, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.callback_data import decode, int_args
from bot.commands import closest_command
from bot.context import BotContext
from bot.domain import settings_rules
from bot.domain.dates import DATE_ORDERS, DateOrder, date_order_for
from bot.domain.models import Profile
from bot.domain.places import PlaceMatch, zone_at
from bot.domain.zones import read_zone
from bot.handlers import partner
from bot.handlers.common import EXPIRED_BUTTON, Registered, answer, changed, edit, profile_of, reply
from bot.views import onboarding as views

logger = logging.getLogger(__name__)


async def start(update: Update, context: BotContext) -> None:
    """/start: who we are, then the timezone question.

    The question is not a conversation state: until a timezone is chosen, a tap on a city or any
    text that names a timezone answers it, and every other command keeps working meanwhile (see
    ``bot.handlers.questions`` for why it stays that way).
    """
    if context.args and await partner.start_with_payload(update, context):  # a partner invite link
        return
    profile = profile_of(update, context)
    await reply(update, *views.greeting(profile.first_name, profile.timezone or context.settings.default_tz))
    context.scratch[ZONE_ASKED] = True  # a city we can't place now gets a timezone answer


async def _set_zone(update: Update, context: BotContext, zone: str) -> None:
    ZoneInfo(zone)  # resolve_timezone only returns loadable zones; never store one that isn't
    profile = profile_of(update, context)
    settings_rules.set_timezone(profile, zone, context.now())
    context.repo.save_profile(profile)
    changed(context, profile.user_id)
    logger.info("user.timezone user=%s", profile.user_id)


async def zone_tapped(update: Update, context: BotContext) -> None:
    """A city button under /start."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, _, args = decode(query.data)
    index = int_args(args, 1)
    if index is None or not 0 <= index[0] < len(views.COMMON_ZONES):
        await answer(query, "Please type your city instead.")
        return
    zone = views.COMMON_ZONES[index[0]]
    await _set_zone(update, context, zone)
    await answer(query)
    await edit(update, views.zone_set(zone))
    await _zone_set(update, None, None, views.FIRST_JOB)  # and put the location keyboard away


async def skip_zone(update: Update, context: BotContext) -> None:
    """/skip: keep the default timezone (and stop reading free text as a timezone)."""
    profile = profile_of(update, context)
    if not profile.timezone:
        await _set_zone(update, context, context.settings.default_tz)
    await reply(update, views.zone_kept(profile.timezone or context.settings.default_tz))


async def set_timezone(update: Update, context: BotContext) -> None:
    """/timezone <city|IANA name|UTC+N>"""
    text = " ".join(context.args or [])
    profile = profile_of(update, context)
    if not text:
        await _offer_location(update, views.your_zone(profile.timezone or context.settings.default_tz))
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


async def set_dates(update: Update, context: BotContext) -> None:
    """/dates dmy|mdy: how numeric dates like 3/12 are read."""
    profile = profile_of(update, context)
    typed = " ".join(context.args or []).strip()
    choice = typed.lower().replace("/", "").replace("-", "")
    choice = {"daymonth": "dmy", "day": "dmy", "monthday": "mdy", "month": "mdy", "us": "mdy"}.get(choice, choice)
    current = order_for(profile, context)
    if not choice:
        await reply(update, views.dates_now(current, bool(profile.date_order)))
        return
    if choice not in DATE_ORDERS:
        await reply(update, views.not_a_date_order(typed))
        return
    profile.date_order = "mdy" if choice == "mdy" else "dmy"
    context.repo.save_profile(profile)
    logger.info("user.date_order user=%s order=%s", profile.user_id, choice)
    await reply(update, views.dates_set(order_for(profile, context)))


async def show_help(update: Update, context: BotContext) -> None:
    """/help: the essentials, with buttons for each section."""
    await reply(update, *views.help_page(0))


async def help_tapped(update: Update, context: BotContext) -> None:
    """``help:page:<n>``: turn the /help message to another section."""
    query = update.callback_query
    assert query is not None and query.data is not None
    page = int_args(decode(query.data)[2], 1)
    await answer(query)
    await edit(update, *views.help_page(page[0] if page else 0))


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
        await reply(update, views.unknown_command(command))
        return
    # The typed arguments stay here, not in the button (callback data is small and never user text).
    token = int(context.scratch.get("typo_seq", 0)) + 1
    text = f"/{meant} {rest.strip()}".strip()
    context.scratch["typo_seq"] = token
    context.scratch["typo"] = {"token": token, "text": text}
    await reply(update, *views.did_you_mean(command, meant, text, token))


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
    await edit(update, views.running(text))
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
            await _zone_set(update, zone, place, views.FIRST_JOB)
            return
        if suggestions or (context.scratch.get(ZONE_ASKED) and _could_be_a_place(text)):
            await _zone_miss(update, text, suggestions, asked=True)
            return
    await reply(update, views.NOT_SURE)


async def unknown_input(update: Update, context: BotContext) -> None:
    """Stickers, photos, voice... outside any question."""
    await reply(update, "I only understand text and commands (and CSV files for /import). Try /help.")


def handlers() -> list[Registered]:
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


def fallback_handlers() -> list[Registered]:
    """Registered last: hints instead of silence."""
    return [
        MessageHandler(filters.COMMAND, unknown_command),
        MessageHandler(filters.TEXT, unknown_text),
        MessageHandler(filters.ALL & ~filters.StatusUpdate.ALL, unknown_input),
        CallbackQueryHandler(expired_button),  # a tap no handler claims: old, forged or from a finished flow
    ]


async def expired_button(update: Update, context: BotContext) -> None:
    """A button nothing knows (any longer): say so instead of leaving it spinning."""
    assert update.callback_query is not None
    await answer(update.callback_query, EXPIRED_BUTTON)


# -- places and shared locations -----------------------------------------------------------------

ZONE_ASKED = "zone_asked"  # scratch key: /start asked for a timezone
_PLACE_ATTEMPT_MAX = 60  # longer text, before a timezone is chosen, is not a try at a city name


def _could_be_a_place(text: str) -> bool:
    """Before a timezone is chosen, a short line without a link or command reads as a try at a city."""
    line = text.strip()
    return 0 < len(line) <= _PLACE_ATTEMPT_MAX and "\n" not in line and "://" not in line


async def _offer_location(update: Update, text: str) -> None:
    if update.effective_chat is not None:
        await update.effective_chat.send_message(text, reply_markup=views.location_keyboard())


async def _zone_miss(update: Update, text: str, suggestions: list[str], *, asked: bool = False) -> None:
    """A city or zone we can't place: say so, change nothing, and offer the location button.

    ``asked``: the /start question is open, so the text may not have been meant as a city at all.
    """
    await _offer_location(update, views.zone_miss(text, suggestions, asked=asked))


async def _zone_set(update: Update, zone: str | None, place: PlaceMatch | None, then: str) -> None:
    """ "Timezone set to …" (unless ``zone`` is None) then ``then``; the location keyboard goes away."""
    if update.effective_chat is None:
        return
    await update.effective_chat.send_message(views.zone_set_then(zone, place, then), reply_markup=ReplyKeyboardRemove())


async def location_shared(update: Update, context: BotContext) -> None:
    """A shared location sets the timezone of that point (the location itself is not kept)."""
    message = update.effective_message
    assert message is not None and message.location is not None
    zone = zone_at(message.location.latitude, message.location.longitude)
    if zone is None:
        await _offer_location(update, views.NO_ZONE_THERE)
        return
    first = not profile_of(update, context).timezone
    await _set_zone(update, context, zone)
    await _zone_set(update, zone, None, views.FIRST_JOB if first else "Reminders follow your local time.")
