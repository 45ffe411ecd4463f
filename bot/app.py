"""Building the Telegram application: the one place where everything is wired together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any, cast

from telegram import BotCommand, BotCommandScopeAllPrivateChats, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    Defaults,
    TypeHandler,
)
from telegram.request import BaseRequest

from bot import health, offload, probe
from bot.commands import COMMANDS
from bot.config import Settings
from bot.context import SERVICES, BotApp, BotContext, Clock, Services, services, system_clock
from bot.domain import places
from bot.handlers import (
    accountability,
    applications,
    common,
    errors,
    groups,
    insights,
    onboarding,
    partner,
    people,
    privacy,
    questions,
)
from bot.jobqueue import GracefulJobQueue
from bot.persistence import QuestionPersistence
from bot.ratelimit import SendLimiter
from bot.scheduling import Scheduler
from bot.updates import FairUpdateProcessor
from bot.views import privacy as privacy_views
from bot.views.reminders import render_reminder
from storage import Repository
from storage.conversations import ConversationStore

logger = logging.getLogger(__name__)


class _NotJson(logging.Filter):
    """A 5xx answered with an HTML page (a proxy in front of the Bot API): PTB logs ERROR with the
    whole page and a traceback, then raises NetworkError, which its caller handles. One WARNING
    line without the page is enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and str(record.msg).startswith("Can not load invalid JSON data"):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
            record.msg, record.args = "telegram.not_json: the Bot API answered with a non-JSON body", ()
        return True


_NOT_JSON = _NotJson()  # one instance: adding the same filter again on each build is a no-op


class _Application(Application[Any, Any, Any, Any, Any, Any]):
    """PTB's application; each persistence pass ends with one write per changed user.

    ``update_persistence`` is what PTB's periodic pass, its shutdown and our per-update flush all
    call. Between PTB's pass returning and the write below there is no ``await``, and the next
    pass cannot hand anything over before it holds PTB's lock, so the write holds exactly what
    this pass (and any earlier one whose write failed) handed over.
    """

    async def update_persistence(self) -> None:
        await super().update_persistence()
        if isinstance(self.persistence, QuestionPersistence):
            try:
                self.persistence.write_handed_over()
            except Exception as error:  # as PTB does with a failing persistence call
                await self.process_error(update=None, error=error)


class _FlushingProcessor(FairUpdateProcessor):
    """The fair processor, then the open questions to disk after every update (``bot/persistence.py``).

    The flushes are a group commit: PTB's ``update_persistence`` runs one at a time (under its own
    lock) and hands over every change made before it started. So an update that ends while one
    runs waits for the next one only, and the updates that ended meanwhile share that next one;
    taking turns for a pass each, a burst of 4,000 taps queued 4,000 passes (and 50 MB of waiting
    updates) behind each other.
    """

    app: BotApp | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._flush_lock = asyncio.Lock()
        self._flushes_started = 0
        self._flushed_through = 0  # the newest flush that finished (they finish in order)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await super().do_process_update(update, coroutine)
        finally:
            await self._persist()

    async def _persist(self) -> None:
        """Wait until a flush that started after this update's changes has finished."""
        if self.app is None:
            return
        needed = self._flushes_started + 1  # any flush started from now on includes our changes
        async with self._flush_lock:
            if self._flushed_through >= needed:
                return  # one started after we ended, and is done
            self._flushes_started += 1
            number = self._flushes_started
            await self.app.update_persistence()
            self._flushed_through = number


def build_application(
    settings: Settings,
    repo: Repository,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    clock: Clock | None = None,
    rate_limiter: bool | SendLimiter = True,
) -> BotApp:
    """Build the PTB application and its services. Tests pass an offline ``request`` and a ``clock``,
    and a ``rate_limiter`` on virtual time (or ``False`` for none).

    The services (repository, settings, clock, scheduler) are made here and nowhere else; handlers
    reach them through the typed ``context``, the scheduler through ``bot.context.services``.
    """
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        Application.builder()
        .application_class(_Application)
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
        .job_queue(GracefulJobQueue())  # a stop lets running jobs finish and starts none
        .concurrent_updates(_FlushingProcessor(repo, defer_writes=bool(rate_limiter)))
        .persistence(QuestionPersistence(ConversationStore(settings.data_dir, fsync=repo.fsync)))
    )
    if rate_limiter:
        # One limiter for replies and nudges (replies first); a 429 holds back only its chat, and
        # its retries wait out Telegram's answer (which promises nothing was delivered).
        limiter = SendLimiter(max_retries=3) if rate_limiter is True else rate_limiter
        # An update's file writes run in a worker thread, and are on disk before it sends anything.
        limiter.before_send = repo.flush_writes
        builder = builder.rate_limiter(limiter)
    logging.getLogger("telegram.request.BaseRequest").addFilter(_NOT_JSON)
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url)
    if settings.api_base_file_url:
        builder = builder.base_file_url(settings.api_base_file_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(get_updates_request or request)
    app: BotApp = builder.build()
    cast(_FlushingProcessor, app.update_processor).app = app
    app.bot_data[SERVICES] = Services(repo=repo, settings=settings, clock=clock or system_clock)
    services(app).scheduler = Scheduler(app, render_reminder)
    register(app)
    return app


def register(app: BotApp) -> None:
    """Every handler, in a deliberate order.

    Group -3 refuses users outside ALLOWED_USER_IDS; group -2 records users. Group -1 is the one
    question conversation (``handlers/questions.py``): an answer stops there, another command or a
    file ends the question and goes on. In group 0 the first matching handler wins: commands and
    buttons, then hints for anything left. Group 1 says a question was left, after the command
    that left it has answered.
    """
    app.add_handler(TypeHandler(Update, common.gate), group=-3)
    app.add_handler(TypeHandler(Update, common.track_user), group=-2)
    app.add_handler(
        questions.conversation(
            [*applications.question_entries(), *accountability.question_entries(), *people.question_entries()],
            {**applications.question_states(), **accountability.question_states(), **people.question_states()},
            applications.answer_as_text,
        ),
        group=-1,
    )
    app.add_handlers(onboarding.handlers())
    app.add_handlers(people.early_handlers())  # /undo covers contact changes too; /stats network
    app.add_handlers(applications.handlers())
    app.add_handlers([*people.handlers(), *partner.handlers(), *groups.handlers()])  # a contacts CSV before /import
    app.add_handlers(accountability.handlers())
    app.add_handlers(insights.handlers())
    app.add_handlers(privacy.handlers())
    app.add_handlers(applications.late_handlers())  # a bare link, unless a question wants the text
    app.add_handlers(onboarding.fallback_handlers())
    app.add_handler(TypeHandler(Update, questions.say_notice), group=1)
    app.add_error_handler(errors.on_error)


async def _post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    notes: list[str] = []  # anything odd at start-up, for the operator
    try:
        # Private chats only: in a group the bot answers nothing but a pointer to a private chat.
        await app.bot.set_my_commands(
            [BotCommand(c.name, c.description) for c in COMMANDS], scope=BotCommandScopeAllPrivateChats()
        )
        await app.bot.set_my_description(privacy_views.DESCRIPTION)
        await app.bot.set_my_short_description(privacy_views.SHORT_DESCRIPTION)
    except TelegramError as error:
        # A Bot API server without the command menu still serves every command we have.
        logger.warning("bot.commands_not_set error=%s", error)
        notes.append(f"the Bot API refused the command menu ({error})")
    privacy.start_retention(app)
    # The city index takes a second or two to build: a worker thread does it now, so the first
    # user who types a city doesn't wait (and nobody else waits behind them).
    # (A plain task, kept referenced: PTB's create_task warns before the application runs.)
    services(app).warming = asyncio.create_task(asyncio.to_thread(places.warm), name="places:warm")
    health.start(app, services(app).now(), notes)
    # Rebuild the reminder index from storage and start the repeating tick.
    scheduler = services(app).scheduler
    assert scheduler is not None
    scheduler.start()
    await people.post_init(app)  # follow-ups due and check-ins, at the weekly plan time
    await partner.post_init(app)  # the weekly partner summaries
    await groups.post_init(app)  # the group boards
    logger.info("bot.started username=%s", app.bot.username)


async def _post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    offload.shutdown()  # the drawing process, if a chart or the warm-up started one
    await probe.stop()  # the benchmark's probe, if FUNNELBOT_PROBE started it
    services(app).repo.close()
