"""Building the Telegram application: the one place where everything is wired together."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import BotCommand, BotCommandScopeAllPrivateChats, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import health
from bot.commands import COMMANDS
from bot.config import Settings
from bot.context import BotApp, BotContext, Clock, system_clock
from bot.domain import places
from bot.handlers import applications, common, errors, onboarding, people, privacy
from bot.updates import FairUpdateProcessor
from storage import Repository

logger = logging.getLogger(__name__)


class _Demote(logging.Filter):
    """PTB logs ERROR with a traceback for events its caller handles anyway; make them one WARNING.

    * AIORateLimiter stops retrying a 429 and raises RetryAfter to the caller, which decides: the
      scheduler waits and sends it, the error handler logs a failed reply.
    * A 5xx answered with an HTML page (a proxy in front of the Bot API): PTB logs the whole page,
      then raises NetworkError, which the caller handles; the page itself is not worth a log.
    """

    def __init__(self, prefix: str, replacement: str | None = None) -> None:
        super().__init__()
        self.prefix, self.replacement = prefix, replacement

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and str(record.msg).startswith(self.prefix):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
            if self.replacement is not None:
                record.msg, record.args = self.replacement, ()
        return True


# One instance each: adding the same filter again on each build is a no-op.
_LIMITER_GAVE_UP = _Demote("Rate limit hit after maximum")
_NOT_JSON = _Demote("Can not load invalid JSON data", "telegram.not_json: the Bot API answered with a non-JSON body")


def build_application(
    settings: Settings,
    repo: Repository,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    clock: Clock | None = None,
    rate_limiter: bool = True,
) -> BotApp:
    """Build the PTB application. Tests pass an offline ``request`` and a ``clock``."""
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        Application.builder()
        .token(settings.token)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .context_types(ContextTypes(context=BotContext))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .concurrent_updates(FairUpdateProcessor(repo))
    )
    if rate_limiter:
        # Retries wait out Telegram's 429 answers (which promise nothing was delivered).
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
        logging.getLogger("telegram.ext.AIORateLimiter").addFilter(_LIMITER_GAVE_UP)
    logging.getLogger("telegram.request.BaseRequest").addFilter(_NOT_JSON)
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url)
    if settings.api_base_file_url:
        builder = builder.base_file_url(settings.api_base_file_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(get_updates_request or request)
    app: BotApp = builder.build()
    app.bot_data["repo"] = repo
    app.bot_data["settings"] = settings
    if clock is not None:
        app.bot_data["clock"] = clock
    register(app)
    return app


def register(app: BotApp) -> None:
    """Every handler, in a deliberate order.

    Group -3 refuses users outside ALLOWED_USER_IDS; group -2 records users; group -1 lets another
    command (or a file) abandon an open add/note question. In group 0 the first matching handler
    wins: conversations first (so their questions get answers), then commands and buttons, then
    hints for anything left.
    """
    app.add_handler(TypeHandler(Update, common.gate), group=-3)
    app.add_handler(TypeHandler(Update, common.track_user), group=-2)
    app.add_handler(
        MessageHandler(filters.COMMAND | filters.Document.ALL, applications.forget_open_questions), group=-1
    )
    app.add_handlers(onboarding.handlers())
    app.add_handlers(people.early_handlers())  # /undo covers contacts; a contact question takes /cancel
    app.add_handlers(applications.handlers())
    for extension in _extensions():
        app.add_handlers(extension.handlers())
    app.add_handlers(privacy.handlers())
    app.add_handlers(applications.late_handlers())  # a bare link, unless a question wants the text
    app.add_handlers(onboarding.fallback_handlers())
    app.add_error_handler(errors.on_error)


def _extensions() -> list[Any]:
    """Feature modules with ``handlers()`` (and optionally ``post_init(app)``), after the core."""
    from bot.handlers import accountability, groups, insights, partner

    return [people, partner, groups, accountability, insights]


async def _post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    notes: list[str] = []  # anything odd at start-up, for the operator
    try:
        # Private chats only: in a group the bot answers nothing but a pointer to a private chat.
        await app.bot.set_my_commands(
            [BotCommand(c.name, c.description) for c in COMMANDS], scope=BotCommandScopeAllPrivateChats()
        )
        await app.bot.set_my_description(privacy.DESCRIPTION)
        await app.bot.set_my_short_description(privacy.SHORT_DESCRIPTION)
    except TelegramError as error:
        # A Bot API server without the command menu still serves every command we have.
        logger.warning("bot.commands_not_set error=%s", error)
        notes.append(f"the Bot API refused the command menu ({error})")
    privacy.start_retention(app)
    # The city index takes a second or two to build: a worker thread does it now, so the first
    # user who types a city doesn't wait (and nobody else waits behind them).
    # (A plain task, kept referenced: PTB's create_task warns before the application runs.)
    app.bot_data["places_warm"] = asyncio.create_task(asyncio.to_thread(places.warm), name="places:warm")
    health.start(app, app.bot_data.get("clock", system_clock)(), notes)
    for extension in _extensions():
        if hasattr(extension, "post_init"):
            await extension.post_init(app)
    logger.info("bot.started username=%s", app.bot.username)


async def _post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    repo: Repository = app.bot_data["repo"]
    repo.close()
