"""A typed ``CallbackContext``: handlers reach the repository, settings and clock through it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from storage import Repository

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Adds ``repo``, ``settings`` and ``now()`` (swappable in tests) to PTB's context."""

    @property
    def repo(self) -> Repository:
        return cast(Repository, self.bot_data["repo"])

    @property
    def settings(self) -> Settings:
        return cast(Settings, self.bot_data["settings"])

    @property
    def scratch(self) -> dict[Any, Any]:
        """PTB's ``user_data``: conversation scratch space only, never a second database."""
        if self.user_data is None:
            raise RuntimeError("no user in this update")
        return self.user_data

    def now(self) -> datetime:
        return cast(Clock, self.bot_data.get("clock", system_clock))()

    def user_tz(self, tz_name: str) -> ZoneInfo:
        return ZoneInfo(tz_name or self.settings.default_tz)


BotApp = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
