"""The typed ``CallbackContext`` and the services it reaches: the only way to the repository,
the settings, the scheduler and the clock (handlers through ``context``, jobs and the scheduler
through :func:`services`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from storage import Repository

if TYPE_CHECKING:
    from bot.scheduling import Scheduler

Clock = Callable[[], datetime]

SERVICES = "services"
"""The one ``bot_data`` key: everything else is reached through :class:`Services`."""


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    """What ``bot/app.py`` builds once per process; ``scheduler`` is set right after the app."""

    repo: Repository
    settings: Settings
    clock: Clock = system_clock
    scheduler: Scheduler | None = None
    error_reports: dict[str, float] = field(default_factory=dict)  # kind of error -> last report (monotonic)
    warming: asyncio.Task[None] | None = None  # the city index being built at start-up (kept referenced)

    def now(self) -> datetime:
        return self.clock()

    def user_tz(self, tz_name: str) -> ZoneInfo:
        """The user's zone (their IANA name, or ``DEFAULT_TZ`` before they picked one)."""
        return ZoneInfo(tz_name or self.settings.default_tz)


def services(app: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    """The services of an application built by ``bot.app.build_application``."""
    return cast(Services, app.bot_data[SERVICES])


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Adds ``repo``, ``settings``, ``scheduler``, ``now()`` and ``user_tz()`` to PTB's context."""

    @property
    def services(self) -> Services:
        return services(self.application)

    @property
    def repo(self) -> Repository:
        return self.services.repo

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def scheduler(self) -> Scheduler:
        scheduler = self.services.scheduler
        if scheduler is None:
            raise RuntimeError("the application was not built by bot.app.build_application")
        return scheduler

    @property
    def scratch(self) -> dict[Any, Any]:
        """PTB's ``user_data``: an open question and pending confirmations only, never a second
        database (it is stored as JSON by ``bot/persistence.py``, so JSON values only)."""
        if self.user_data is None:
            raise RuntimeError("no user in this update")
        return self.user_data

    def now(self) -> datetime:
        return self.services.now()

    def user_tz(self, tz_name: str) -> ZoneInfo:
        return self.services.user_tz(tz_name)


BotApp = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
