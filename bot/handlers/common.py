"""Small helpers shared by the handler modules."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any, cast

from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ApplicationHandlerStop, BaseHandler

from bot.context import BotContext
from bot.domain.models import JobApplication, Profile
from bot.domain.numbers import parse_int
from bot.health import health_of
from bot.views.cards import which_application
from bot.views.markup import Keyboard

logger = logging.getLogger(__name__)

EXPIRED_BUTTON = "This button has expired. Send /list to see your applications, or /help."


async def reply(update: Update, text: str, markup: Keyboard = None) -> Message | None:
    """Answer in the chat the update came from."""
    if update.effective_chat is None:
        return None
    return await update.effective_chat.send_message(text, reply_markup=markup)


# The ids of the button taps answered while handling the current update (see bot/updates.py).
_answered: ContextVar[set[str] | None] = ContextVar("answered_queries", default=None)


@contextmanager
def tracking_answers() -> Iterator[set[str]]:
    """Collect the taps answered while the block runs (one update's handling)."""
    token = _answered.set(set())
    try:
        yield cast(set[str], _answered.get())
    finally:
        _answered.reset(token)


def _too_old(error: BadRequest) -> bool:
    text = error.message.lower()
    return "query is too old" in text or "query id is invalid" in text


async def answer(query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button tap: stop its spinner, optionally with a toast (``alert``: a dialog).

    Telegram refuses answers that come too late (after a restart or a long backlog); that is not
    a failure of the tap itself, so it is logged and the handler goes on to edit or reply.
    """
    answered = _answered.get()
    if answered is not None:
        answered.add(query.id)
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as error:
        if not _too_old(error):
            raise
        logger.info("callback.expired user=%s", query.from_user.id)


async def edit(update: Update, text: str, markup: Keyboard = None) -> None:
    """Edit the message a button sits on; an identical edit is not an error for us."""
    query = update.callback_query
    if query is None or query.message is None:
        await reply(update, text, markup)
        return
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


def profile_of(update: Update, context: BotContext) -> Profile:
    """The user's profile; ``track_user`` has made sure it exists."""
    assert update.effective_user is not None
    profile = context.repo.get_profile(update.effective_user.id)
    if profile is None:  # track_user (group -2) creates it before any handler runs
        raise RuntimeError("profile missing")
    return profile


def today_for(profile: Profile, context: BotContext) -> date:
    return context.now().astimezone(context.user_tz(profile.timezone)).date()


def changed(context: BotContext, user_id: int) -> None:
    """Tell the scheduler that this user's data or settings changed (it recomputes their next due time)."""
    context.scheduler.refresh(user_id)


def parse_number(text: str) -> int | None:
    """An application number as typed ("3" or "#3"); plain ASCII digits only."""
    return parse_int(text.strip().lstrip("#"))


async def find_app(update: Update, context: BotContext, args: list[str], usage: str) -> JobApplication | None:
    """The application numbered in ``args[0]``; replies with a hint and returns None otherwise."""
    assert update.effective_user is not None
    number = parse_number(args[0]) if args else None
    if number is None:
        await reply(update, which_application(usage))
        return None
    app = context.repo.get_application(update.effective_user.id, number)
    if app is None:
        await reply(update, f"You have no application #{number}. See /list for yours.")
    return app


Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]
Registered = BaseHandler[Any, BotContext, Any]
"""A PTB handler as a handler module hands it to ``bot/app.py``."""


def fails_closed(handler: Handler) -> Handler:
    """For the handlers that decide whether an update goes any further: whatever goes wrong inside
    (a refusal that cannot be sent, a disk that cannot be written) is reported to the error
    handler and the update stops. Left alone, PTB would run the remaining handler groups."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: BotContext) -> None:
        try:
            await handler(update, context)
        except ApplicationHandlerStop:
            raise
        except Exception as error:
            await context.application.process_error(update, error)
            raise ApplicationHandlerStop from error

    return guarded


@fails_closed
async def gate(update: Update, context: BotContext) -> None:
    """Group -3: refuse users outside ALLOWED_USER_IDS before anything is stored."""
    allowed = context.settings.allowed_user_ids
    user = update.effective_user
    if allowed is None or (user is not None and user.id in allowed):
        return
    logger.info("gate.refused user=%s", user.id if user else None)
    text = "Sorry, this Funnelbot is private. Ask its owner, or run your own: it's free software."
    await last_word(update, text, alert=True, private_only=True)
    raise ApplicationHandlerStop


async def last_word(update: Update, text: str | None, *, alert: bool = False, private_only: bool = False) -> None:
    """A best-effort answer when an update goes no further (refused, skipped, or left unanswered):
    a toast for a button (``None``: just stop its spinner), else a message.

    A failure to send is logged in one line and never raised: the update stops either way.
    """
    user_id = update.effective_user.id if update.effective_user else None
    chat = update.effective_chat
    try:
        if update.callback_query is not None:
            await answer(update.callback_query, text, alert=alert)
        elif text and chat is not None and (chat.type == "private" or not private_only):
            await chat.send_message(text)
    except TelegramError as error:
        logger.warning("reply.last_word_failed user=%s error=%s", user_id, type(error).__name__)


@fails_closed
async def track_user(update: Update, context: BotContext) -> None:
    """Group -2: make sure every user who talks to us has a profile, and is marked active.

    Only private chats get further: channel posts and edits are ignored, in a group only a command
    gets the one-line pointer to a private chat (so group chatter is never answered), and a button
    whose message is not in the tapping user's own chat (a forged tap) is refused.
    """
    health_of(context).count("updates")
    user, chat = update.effective_user, update.effective_chat
    if update.edited_message is not None or update.channel_post is not None or update.edited_channel_post:
        raise ApplicationHandlerStop
    if user is None or chat is None or chat.type != "private" or chat.id != user.id:
        from bot.handlers import groups  # the group board's commands (bot/handlers/groups.py)

        if groups.lets_through(update):
            return
        message = update.message
        if chat is not None and chat.type != "private" and message is not None:
            if (message.text or "").startswith("/"):
                await last_word(update, "I keep your job search private: talk to me in a direct chat.")
        elif update.callback_query is not None:
            logger.info("update.foreign_button user=%s", user.id if user else None)
            await last_word(update, EXPIRED_BUTTON)
        raise ApplicationHandlerStop
    profile = context.repo.get_profile(user.id)
    member = update.my_chat_member
    if member is not None and member.new_chat_member.status == "kicked":
        # They blocked the bot: nothing more is sent until they talk to us again.
        if profile is not None and profile.active:
            profile.active, profile.inactive_since = False, context.now()
            context.repo.save_profile(profile)
            changed(context, user.id)
        from bot.handlers import people  # partners and group boards stop sharing with them

        people.user_blocked(context, user.id)
        raise ApplicationHandlerStop
    if profile is None:
        profile = Profile(user_id=user.id, chat_id=chat.id, created_at=context.now(), first_name=user.first_name or "")
        context.repo.save_profile(profile)
        logger.info("user.created user=%s", user.id)
        changed(context, user.id)
    elif not profile.active:
        # They talk to us again, so they unblocked the bot: reminders may flow again.
        profile.active, profile.inactive_since = True, None
        context.repo.save_profile(profile)
        changed(context, user.id)
