"""The one application-level error handler: log first, then tell the user and the operator.

Telegram's errors are told apart by class, most specific first (PTB's ``BadRequest``, ``TimedOut``
and ``Forbidden`` are all kinds of ``NetworkError``/``TelegramError``):

* ``Forbidden``: the user blocked us; one log line, nothing to send.
* ``Conflict``: another process polls with our token; one log line for the operator.
* ``BadRequest`` (a 400): Telegram refused what we sent, so it is our bug: the user gets the
  apology and the operator a report, like any other failure of ours.
* ``RetryAfter``, ``TimedOut`` and other ``NetworkError``: Telegram or the network is struggling,
  and the answer may well have arrived; one warning line, no apology into the same trouble.

A ``StorageWriteError`` (disk full, read-only, I/O error) means the change was not stored (the
storage rolls it back): the user is told exactly that, and the operator is alerted.
"""

from __future__ import annotations

import html
import logging
import time
import traceback

from telegram import Update
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.context import BotContext
from bot.handlers.common import answer
from bot.health import health_of
from storage import StorageWriteError

logger = logging.getLogger(__name__)

APOLOGY = (
    "⚠️ Sorry, something went wrong on my side and I couldn't finish answering. "
    "Check /list (or /show with the number) to see what was saved before you try again."
)
NOT_SAVED = (
    "⚠️ I couldn't save that: the server that runs me can't write to its disk right now "
    "(it may be full). <b>Nothing was changed.</b> Its operator has been told; please try again later."
)
REPORT_EVERY = 60.0
"""Seconds between two operator reports of the same kind of error (a broken disk fails every write)."""


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure with context (never message bodies or the token), then apologise and report."""
    user_id = update.effective_user.id if isinstance(update, Update) and update.effective_user else None
    error = context.error
    health_of(context).count("errors")
    if isinstance(error, Forbidden):
        logger.info("update.blocked user=%s", user_id)
        return
    if isinstance(error, Conflict):
        logger.error("polling.conflict: another process is polling with this token; stop it")
        return
    if isinstance(error, StorageWriteError):
        logger.error("storage.write_failed user=%s error=%s", user_id, error)
        await _apologise(update, user_id, NOT_SAVED)
        await report(context, f"<b>Funnelbot cannot write its data</b> (user {user_id})", error)
        return
    if isinstance(error, BadRequest):
        logger.error("telegram.bad_request user=%s error=%s", user_id, error.message, exc_info=error)
    elif isinstance(error, RetryAfter | TimedOut | NetworkError):
        logger.warning("telegram.unavailable user=%s error=%s: %s", user_id, type(error).__name__, error)
        return
    else:
        logger.error("update.failed user=%s", user_id, exc_info=error)
    await _apologise(update, user_id, APOLOGY)
    await report(context, f"<b>Funnelbot error</b> (user {user_id})", error)


async def _apologise(update: object, user_id: int | None, text: str) -> None:
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await answer(update.callback_query)  # stop the button's spinner; the message explains
        if update.effective_chat is not None:
            await update.effective_chat.send_message(text)
    except Forbidden:
        pass
    except TelegramError as failure:
        logger.warning("error.reply_failed user=%s error=%s", user_id, type(failure).__name__)


async def report(context: BotContext, title: str, error: BaseException | None) -> None:
    """Send ``title`` and the traceback to ADMIN_CHAT_ID, at most once a minute per kind of error."""
    admin = context.settings.admin_chat_id
    if admin is None or error is None:
        return
    kind = f"{type(error).__module__}.{type(error).__qualname__}"
    now = time.monotonic()
    last_report = context.services.error_reports
    if now - last_report.get(kind, -REPORT_EVERY) < REPORT_EVERY:
        logger.info("error.report_suppressed kind=%s", kind)
        return
    last_report[kind] = now
    trace = "".join(traceback.format_exception(error))
    keep = MessageLimit.MAX_TEXT_LENGTH - 100 - len(title)
    body = html.escape(trace[-keep:])
    while len(body) > MessageLimit.MAX_TEXT_LENGTH - 100 - len(title):  # escaping made it longer
        keep -= 200
        body = html.escape(trace[-keep:])
    try:
        await context.bot.send_message(admin, f"{title}\n<pre>{body}</pre>")
    except TelegramError:
        logger.warning("error.admin_report_failed")
