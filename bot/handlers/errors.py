"""The one application-level error handler: log first, then tell the user briefly."""

from __future__ import annotations

import html
import logging
import traceback

from telegram import Update
from telegram.constants import MessageLimit
from telegram.error import Conflict, Forbidden, NetworkError, TelegramError

from bot.context import BotContext

logger = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure with context (never message bodies or the token) and apologise.

    Routine Telegram answers are logged in one line and not apologised for: a user who blocked
    us can't read it, and after a network or server error the answer may well have arrived.
    """
    user_id = update.effective_user.id if isinstance(update, Update) and update.effective_user else None
    error = context.error
    if isinstance(error, Forbidden):
        logger.info("update.blocked user=%s", user_id)
        return
    if isinstance(error, Conflict):
        logger.error("polling.conflict: another process is polling with this token; stop it")
        return
    if isinstance(error, NetworkError):
        logger.warning("telegram.unavailable user=%s error=%s", user_id, error)
        return
    logger.error("update.failed user=%s", user_id, exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await update.effective_chat.send_message(
                "⚠️ Sorry, something went wrong on my side and I couldn't finish answering. "
                "Check /list (or /show with the number) to see what was saved before you try again."
            )
        except Forbidden:
            pass
        except TelegramError:
            logger.warning("error.reply_failed user=%s", user_id)
    admin = context.settings.admin_chat_id
    if admin is not None and context.error is not None:
        trace = "".join(traceback.format_exception(context.error))
        keep = MessageLimit.MAX_TEXT_LENGTH - 100
        body = html.escape(trace[-keep:])
        while len(body) > MessageLimit.MAX_TEXT_LENGTH - 100:  # escaping made it longer
            keep -= 200
            body = html.escape(trace[-keep:])
        text = f"<b>Funnelbot error</b> (user {user_id})\n<pre>{body}</pre>"
        try:
            await context.bot.send_message(admin, text)
        except TelegramError:
            logger.warning("error.admin_report_failed")
