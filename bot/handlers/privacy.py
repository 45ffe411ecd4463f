"""Data rights: /privacy says what is kept and where; /forget deletes all of it, after a confirmation.

Users who blocked the bot have their data deleted after ``BLOCKED_RETENTION_DAYS`` (default 180),
by a job that runs at start-up and then every six hours.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callback_data import decode
from bot.context import BotApp, BotContext
from bot.handlers import people
from bot.handlers.common import Registered, answer, changed, edit, profile_of, reply
from bot.handlers.insights import export_data
from bot.views import people as people_views
from bot.views import privacy as views

logger = logging.getLogger(__name__)

RETENTION_EVERY = timedelta(hours=6)


async def show_privacy(update: Update, context: BotContext) -> None:
    """/privacy: what is stored, where, who can see it, and for how long."""
    await reply(update, views.privacy_text(context.settings.blocked_retention_days, people_views.PRIVACY))


async def forget(update: Update, context: BotContext) -> None:
    """/forget: says what would be deleted and asks to confirm (with an export offered first)."""
    profile = profile_of(update, context)
    apps = context.repo.applications_view(profile.user_id)
    token = secrets.token_hex(4)
    context.scratch["forget"] = token
    await reply(update, *views.forget_question(len(apps), token))


async def forget_button(update: Update, context: BotContext) -> None:
    """``fgt:exp|yes|no:<token>``: export, delete or keep; a stale token changes nothing."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    _, action, args = decode(query.data)
    if not args or context.scratch.get("forget") != args[0] or action not in ("exp", "yes", "no"):
        await answer(query, "This button has expired. Send /forget again.")
        return
    if action == "exp":
        await answer(query)
        context.args = []
        await export_data(update, context)
        return
    del context.scratch["forget"]
    if action == "no":
        await answer(query, "Kept")
        await edit(update, "OK, nothing was deleted.")
        return
    user_id = update.effective_user.id
    count = len(context.repo.applications_view(user_id))
    context.repo.delete_user(user_id)  # store first: if the answer fails, the data is still gone
    people.forget_user(context, user_id)  # contacts, partnerships, group boards
    context.application.drop_user_data(user_id)  # and the question data kept for them, if any
    changed(context, user_id)
    logger.info("privacy.forgotten user=%s applications=%s", user_id, count)
    await answer(query, "Deleted")
    await edit(update, views.forgotten(count))


async def delete_long_blocked(context: BotContext) -> None:
    """Job: delete the data of users who blocked the bot more than the retention period ago."""
    cutoff = context.now() - timedelta(days=context.settings.blocked_retention_days)
    for profile in context.repo.inactive_profiles():
        if profile.active or profile.inactive_since is None or profile.inactive_since > cutoff:
            continue
        async with context.repo.lock(profile.user_id):
            context.repo.delete_user(profile.user_id)
            people.forget_user(context, profile.user_id)
        context.application.drop_user_data(profile.user_id)  # and any open question's file
        changed(context, profile.user_id)
        logger.info(
            "privacy.retention_deleted user=%s blocked_since=%s", profile.user_id, profile.inactive_since.date()
        )


def start_retention(app: BotApp) -> None:
    """Run the retention job at start-up and every six hours (the JobQueue runs only with polling)."""
    if app.job_queue is not None:
        app.job_queue.run_repeating(delete_long_blocked, interval=RETENTION_EVERY, first=1.0, name="privacy:retention")


def handlers() -> list[Registered]:
    return [
        CommandHandler("privacy", show_privacy),
        CommandHandler("forget", forget),
        CallbackQueryHandler(forget_button, pattern=r"^fgt:"),
    ]
