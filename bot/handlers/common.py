"""Small helpers shared by the handler modules."""

from __future__ import annotations

import logging
from datetime import date

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext
from bot.domain.models import JobApplication, Profile
from bot.rendering import Keyboard

logger = logging.getLogger(__name__)


async def reply(update: Update, text: str, markup: Keyboard = None) -> Message | None:
    """Answer in the chat the update came from."""
    if update.effective_chat is None:
        return None
    return await update.effective_chat.send_message(text, reply_markup=markup)


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
    if profile is None:  # the gate group always creates it first
        raise RuntimeError("profile missing")
    return profile


def today_for(profile: Profile, context: BotContext) -> date:
    return context.now().astimezone(context.user_tz(profile.timezone)).date()


def changed(context: BotContext, user_id: int) -> None:
    """Tell the scheduler (when one runs) that this user's data or settings changed."""
    scheduler = context.bot_data.get("scheduler")
    if scheduler is not None:
        scheduler.refresh(user_id)


def parse_number(text: str) -> int | None:
    """An application number as typed ("3" or "#3"); plain ASCII digits only."""
    text = text.strip().lstrip("#")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


async def find_app(update: Update, context: BotContext, args: list[str], usage: str) -> JobApplication | None:
    """The application numbered in ``args[0]``; replies with a hint and returns None otherwise."""
    assert update.effective_user is not None
    number = parse_number(args[0]) if args else None
    if number is None:
        await reply(update, f"Which application? Give its number, e.g. <code>{usage}</code>. See /list.")
        return None
    app = context.repo.get_application(update.effective_user.id, number)
    if app is None:
        await reply(update, f"You have no application #{number}. See /list for yours.")
    return app


async def gate(update: Update, context: BotContext) -> None:
    """Group -2: refuse users outside ALLOWED_USER_IDS before anything is stored."""
    allowed = context.settings.allowed_user_ids
    user = update.effective_user
    if allowed is None or user is None or user.id in allowed:
        return
    logger.info("gate.refused user=%s", user.id)
    text = "Sorry, this Funnelbot is private. Ask its owner, or run your own: it's free software."
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_chat is not None and update.effective_chat.type == "private":
        await update.effective_chat.send_message(text)
    raise ApplicationHandlerStop


async def track_user(update: Update, context: BotContext) -> None:
    """Group -2: make sure every user who talks to us has a profile, and is marked active.

    Only private chats get further: channel posts and edits are ignored, and in a group only a
    command gets the one-line pointer to a private chat (so group chatter is never answered).
    """
    user, chat = update.effective_user, update.effective_chat
    if update.edited_message is not None or update.channel_post is not None or update.edited_channel_post:
        raise ApplicationHandlerStop
    if user is None or chat is None:
        raise ApplicationHandlerStop
    if chat.type != "private":
        message = update.message
        if message is not None and (message.text or "").startswith("/"):
            await chat.send_message("I keep your job search private: talk to me in a direct chat.")
        raise ApplicationHandlerStop
    profile = context.repo.get_profile(user.id)
    member = update.my_chat_member
    if member is not None and member.new_chat_member.status == "kicked":
        # They blocked the bot: nothing more is sent until they talk to us again.
        if profile is not None and profile.active:
            profile.active = False
            context.repo.save_profile(profile)
            changed(context, user.id)
        raise ApplicationHandlerStop
    if profile is None:
        profile = Profile(user_id=user.id, chat_id=chat.id, created_at=context.now(), first_name=user.first_name or "")
        context.repo.save_profile(profile)
        logger.info("user.created user=%s", user.id)
        changed(context, user.id)
    elif not profile.active:
        # They talk to us again, so they unblocked the bot: reminders may flow again.
        profile.active = True
        context.repo.save_profile(profile)
        changed(context, user.id)
