"""One way to ask a question: the bot asked, and the user's next message is the answer.

Every question (the guided /add, a note, an interview lesson) is a state of one persistent PTB
``ConversationHandler`` named ``question``, registered in group -1 so an answer is taken before
any command or hint in group 0. :func:`conversation` builds it from the areas' entry points and
states and adds, once for all of them:

* ``/cancel`` ends the question (nothing half-done is saved);
* another command, or a file, abandons the question and then goes on to its own handler in group
  0 (``/skip`` is left alone: it answers the timezone question, whatever else is open);
* anything that isn't text gets "Please answer with text, or /cancel.";
* an answer that comes after the question's time to live is treated as ordinary text.

Which question is open, when it was asked and its half-filled answers live in PTB's
``user_data`` (``context.scratch``, JSON values only) under :data:`KEY`; ``bot.persistence``
stores them and the conversation state, so an open question survives a restart. The timezone
question is not one of these: until a zone is chosen, the stored profile has none, and that alone
makes a typed city an answer (``onboarding.unknown_text``), across restarts too.
"""

from __future__ import annotations

import enum
import functools
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import datetime, timedelta
from typing import Any

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import BotContext
from bot.handlers.common import reply

KEY = "question"
"""``context.scratch[KEY]``: ``{"kind": ..., "asked": <ISO time>, ...}`` while a question is open."""

NAME = "question"
"""The persistent ConversationHandler's name (its states are stored under it)."""

TEXT = filters.TEXT & ~filters.COMMAND
NOT_TEXT = ~filters.TEXT & ~filters.COMMAND & ~filters.Document.ALL  # a file goes to /import
KEEPS = ("cancel", "skip")
END = ConversationHandler.END


class Ask(enum.IntEnum):
    """What the bot waits for (the conversation's states)."""

    ADD_COMPANY = 1
    ADD_ROLE = 2
    ADD_TRACK = 3
    ADD_STAGE = 4
    NOTE = 5
    LESSON = 6
    REASON = 7  # why an application was rejected (its answer is followed by the lesson question)
    PEOPLE_TEXT = 8  # a contact's note or conversation (bot/handlers/people.py)
    ENCOURAGE = 9  # a partner's own words of encouragement (bot/handlers/partner.py)


TTL = {
    "add": timedelta(minutes=30),
    "note": timedelta(minutes=30),
    "lesson": timedelta(hours=12),
    "reason": timedelta(minutes=30),
}
CANCELLED = {"lesson": "OK, no lesson this time.", "reason": "OK, I won't ask why."}
ABANDONED = {"lesson": "I'll skip the lesson this time."}  # said after the command that left it
_NOTICE = "question_notice"

Step = Callable[[Update, BotContext], Coroutine[Any, Any, Any]]
Ordinary = Callable[[Update, BotContext], Awaitable[None]]


def open_question(context: BotContext, kind: str, **data: Any) -> None:
    """Remember that the question ``kind`` is open (with ``data``, JSON values only)."""
    context.scratch[KEY] = {"kind": kind, "asked": context.now().isoformat(), **data}


def current(context: BotContext) -> dict[str, Any] | None:
    found: dict[str, Any] | None = context.scratch.get(KEY)
    return found


def close(context: BotContext) -> dict[str, Any] | None:
    """Forget the open question and everything it collected; returns what it was."""
    question: dict[str, Any] | None = context.scratch.pop(KEY, None)
    return question


def _live(question: dict[str, Any] | None, now: datetime) -> bool:
    if question is None:
        return False
    asked = datetime.fromisoformat(question["asked"])
    return now - asked <= TTL.get(question["kind"], timedelta(minutes=30))


def live(context: BotContext, kind: str) -> dict[str, Any] | None:
    """The open question if it is ``kind`` and not past its time to live."""
    question = current(context)
    if question is None or question["kind"] != kind or not _live(question, context.now()):
        return None
    return question


def _command(update: Update) -> str:
    message = update.effective_message
    text = message.text if message is not None else None
    if not text or not text.startswith("/"):
        return ""
    return text.split(maxsplit=1)[0].lstrip("/").split("@")[0].lower()


def _leave(context: BotContext) -> None:
    """Close the open question; a live one that says so when left queues its notice."""
    question = close(context)
    if question is not None and question["kind"] in ABANDONED and _live(question, context.now()):
        context.scratch[_NOTICE] = ABANDONED[question["kind"]]


async def abandon(update: Update, context: BotContext) -> int:
    """Another command (or a file) during a question: the question ends, the command goes on."""
    _leave(context)
    return END


async def say_notice(update: Update, context: BotContext) -> None:
    """Group 1: after the command that left a question has answered, say the question was left."""
    if context.user_data is None or _NOTICE not in context.user_data:
        return
    await reply(update, context.user_data.pop(_NOTICE))


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel ends the open question; nothing half-done is saved."""
    question = close(context)
    kind = question["kind"] if question is not None else ""
    await reply(update, CANCELLED.get(kind, "Cancelled. Nothing was saved."))
    return END


async def needs_text(update: Update, context: BotContext) -> None:
    """Anything that isn't text (a photo, a sticker) during a question."""
    await reply(update, "Please answer with text, or /cancel.")


def _leaving() -> filters.BaseFilter:
    """What abandons a question: a command other than /cancel and /skip, or a file."""
    keeps = filters.Regex(r"(?i)^/(" + "|".join(KEEPS) + r")(@\w+)?(\s|$)")
    return (filters.COMMAND & ~keeps) | filters.Document.ALL


def _stopping(step: Step) -> Step:
    """Whatever a step does, the update ends with it: a failure goes to the error handler (and
    the question stays as it was) instead of on to group 0's hints."""

    @functools.wraps(step)
    async def run(update: Update, context: BotContext) -> object:
        try:
            return await step(update, context)
        except ApplicationHandlerStop:
            raise
        except Exception as error:
            await context.application.process_error(update, error)
            raise ApplicationHandlerStop from error

    return run


def _answer_step(step: Step, kind: str | None, ordinary: Ordinary) -> Step:
    """Run a step and stop the update there (no hint from group 0); an answer to a question that
    is gone or past its time to live is handled as ordinary text instead."""

    @_stopping
    @functools.wraps(step)
    async def run(update: Update, context: BotContext) -> object:
        typed = update.callback_query is None  # a tapped step checks its own data
        if typed and kind is not None and live(context, kind) is None:
            close(context)
            await ordinary(update, context)
            raise ApplicationHandlerStop(END)
        raise ApplicationHandlerStop(await step(update, context))

    return run


def _entry_step(step: Step) -> Step:
    """An entry point: a command that opens a new question leaves the open one first."""

    @_stopping
    @functools.wraps(step)
    async def run(update: Update, context: BotContext) -> object:
        if current(context) is not None and _command(update):
            _leave(context)
        state = await step(update, context)
        await say_notice(update, context)  # the update stops here, so group 1 won't say it
        raise ApplicationHandlerStop(state)

    return run


def conversation(
    entry_points: Sequence[BaseHandler[Any, Any, Any]],
    states: dict[Ask, tuple[str, Sequence[BaseHandler[Any, Any, Any]]]],
    ordinary: Ordinary,
) -> ConversationHandler[Any]:
    """The one ConversationHandler for every question: ``states`` maps each state to the question
    kind it belongs to and its handlers; ``ordinary`` handles text that is no longer an answer."""
    for handler in entry_points:
        handler.callback = _entry_step(handler.callback)
    built: dict[object, list[BaseHandler[Any, Any, Any]]] = {}
    for state, (kind, handlers) in states.items():
        for handler in handlers:
            handler.callback = _answer_step(handler.callback, kind, ordinary)
        built[state] = [*handlers, MessageHandler(_leaving(), abandon)]
    with warnings.catch_warnings():
        # Questions are per chat and user on purpose, not per message.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=list(entry_points),
            states=built,
            fallbacks=[
                CommandHandler("cancel", _answer_step(cancel, None, ordinary)),
                MessageHandler(NOT_TEXT, _answer_step(needs_text, None, ordinary)),
            ],
            name=NAME,
            persistent=True,
            allow_reentry=True,  # /add (or a note button) during a question starts the new one
        )
