"""What the operator hears in ADMIN_CHAT_ID besides error reports: start-up and a daily summary.

* At start-up: one line saying the bot is up, with anything odd found on the way (temporary files
  a crash left behind, a Bot API without the command menu).
* A start-up that fails (a damaged data file, a busy data directory) is told too, best effort,
  before ``funnelbot run`` exits: the operator learns it without reading the server's logs.
* Once a day: users (active and blocked), nudges sent, failed and uncertain, updates handled and
  errors in the last 24 hours. Ids and counts only, never anyone's data.

Counting is cheap: handlers, the error handler and the scheduler call :meth:`Health.count`.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.context import BotApp, BotContext

logger = logging.getLogger(__name__)

SUMMARY_EVERY = timedelta(hours=24)
COUNTED = ("updates", "errors", "nudges_sent", "nudges_failed", "nudges_uncertain")


@dataclass
class Health:
    """Counts since the last summary, and start-up notes."""

    started: datetime
    counts: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] += n

    def summary(self, active: int, blocked: int, now: datetime) -> str:
        hours = max(1, round((now - self.started).total_seconds() / 3600)) if self.started else 24
        c = self.counts
        return (
            f"Funnelbot health, last {min(hours, 24)} h: {_n(active, 'active user')}, {blocked} blocked; "
            f"{c['updates']} updates handled, {c['errors']} errors; nudges {c['nudges_sent']} sent, "
            f"{c['nudges_failed']} failed, {c['nudges_uncertain']} uncertain."
        )


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def health_of(context: BotContext) -> Health:
    health = context.bot_data.get("health")
    if not isinstance(health, Health):
        health = context.bot_data["health"] = Health(started=context.now())
    return health


async def tell_admin(context: BotContext, text: str) -> None:
    """Send one plain line to ADMIN_CHAT_ID, if set; a failure is logged, never raised."""
    admin = context.settings.admin_chat_id
    if admin is None:
        return
    try:
        await context.bot.send_message(admin, text, parse_mode=None)
    except TelegramError as error:
        logger.warning("health.admin_unreachable error=%s", type(error).__name__)


async def daily_summary(context: BotContext) -> None:
    """Job: the day's summary to the operator, then the counts start again."""
    health = health_of(context)
    active, blocked = context.repo.activity_counts()
    text = health.summary(active, blocked, context.now())
    logger.info("health.summary %s", text)
    await tell_admin(context, text)
    health.counts.clear()
    health.started = context.now()


async def started(context: BotContext) -> None:
    """Job run once after start-up: the operator hears the bot is up, and what was odd."""
    health = health_of(context)
    users = len(context.repo.user_ids())
    notes = f" Notes: {'; '.join(health.notes)}." if health.notes else ""
    await tell_admin(context, f"Funnelbot started with {_n(users, 'user')}.{notes}")


def start(app: BotApp, now: datetime, notes: list[str]) -> None:
    """Count from now on; tell the operator the bot is up, and summarise every 24 hours."""
    app.bot_data["health"] = Health(started=now, notes=notes)
    if app.job_queue is not None:
        app.job_queue.run_once(started, when=1.0, name="health:started")
        app.job_queue.run_repeating(daily_summary, interval=SUMMARY_EVERY, first=SUMMARY_EVERY, name="health:daily")


async def tell_admin_before_exit(settings: Settings, text: str) -> None:
    """A start-up that fails still tells the operator (best effort, a few seconds at most)."""
    if settings.admin_chat_id is None or not settings.token:
        return
    request = HTTPXRequest(connect_timeout=3.0, read_timeout=3.0, write_timeout=3.0)
    bot = Bot(
        settings.token,
        base_url=settings.api_base_url or "https://api.telegram.org/bot",
        request=request,
    )
    try:
        async with bot:
            await bot.send_message(settings.admin_chat_id, text)
    except (TelegramError, OSError) as error:
        logger.warning("health.admin_unreachable error=%s", type(error).__name__)
