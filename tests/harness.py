"""Drive the real Funnelbot ``Application`` through the strict offline Telegram.

A test says what a user does (``await bot.send(ADA, "/add Acme - SRE")``, ``await bot.tap(ADA,
"Interview")``) and then asserts on what the user sees (``bot.last(ADA).text``) and what is stored
(``bot.repo``). Nothing here touches the network.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Update

from bot.context import BotApp
from bot.faketelegram import FakeMessage, FakeTelegram
from storage import Repository


@dataclass
class FakeClock:
    """A settable clock; the bot reads time only through it."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 8, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("aware datetimes only")
        self.now = moment


@dataclass
class FloodClock:
    """Seconds for Telegram's flood limits, shared by the fake's limits and the bot's SendLimiter.

    A wait the limiter makes advances it at once, so a conversation that reaches the per-chat limit
    is paced exactly as in production without costing real seconds. The bot's own clock
    (:class:`FakeClock`) is separate: pacing never moves the time of day a test has set.
    """

    now: float = 1_000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


@dataclass
class Harness:
    app: BotApp
    tg: FakeTelegram
    repo: Repository
    clock: FakeClock

    async def pump(self) -> None:
        """Process every update the fake users have produced, in order."""
        while True:
            updates = self.tg.pop_updates()
            if not updates:
                return
            for data in updates:
                await self.process(Update.de_json(data, self.app.bot))

    async def process(self, update: Update) -> None:
        """Handle one update the way polling does: through the app's update processor."""
        await self.app.update_processor.process_update(update, self.app.process_update(update))

    def _mark(self, user: int) -> int:
        """The newest message id in the chat so far (deleted messages included)."""
        return max((m.message_id for m in self.tg.messages(user, include_deleted=True)), default=0)

    def _since(self, user: int, mark: int) -> list[FakeMessage]:
        return [m for m in self.tg.messages(user) if m.from_bot and m.message_id > mark]

    async def send(self, user: int, text: str, **kwargs: Any) -> list[FakeMessage]:
        """The user types ``text``; returns the bot's new messages in that chat."""
        mark = self._mark(user)
        self.tg.send_text(user, text, **kwargs)
        await self.pump()
        return self._since(user, mark)

    async def tap(self, user: int, button_text: str) -> list[FakeMessage]:
        """The user taps the newest button whose label contains ``button_text``."""
        mark = self._mark(user)
        self.tg.press_button(user, button_text)
        await self.pump()
        return self._since(user, mark)

    async def press(self, user: int, message_id: int, data: str, *, force: bool = False) -> list[FakeMessage]:
        mark = self._mark(user)
        self.tg.press(user, message_id, data, force=force)
        await self.pump()
        return self._since(user, mark)

    async def upload(self, user: int, filename: str, content: bytes, **kwargs: Any) -> list[FakeMessage]:
        mark = self._mark(user)
        self.tg.send_document(user, filename, content, **kwargs)
        await self.pump()
        return self._since(user, mark)

    def last(self, user: int) -> FakeMessage:
        message = self.tg.last_bot_message(user)
        assert message is not None, "the bot has not said anything to this user"
        return message

    def texts(self, user: int) -> list[str]:
        """Every bot message's text in the chat ("" for a photo or a file without text)."""
        return [m.text or "" for m in self.tg.bot_messages(user)]


def text_of(message: FakeMessage | None) -> str:
    """The text of a message the bot sent, failing the test when it is missing or has no text."""
    assert message is not None and message.text is not None, "expected a text message"
    return message.text


def html_of(message: FakeMessage | None) -> str:
    """The HTML the bot sent for a message, failing the test when it is missing or has no text."""
    assert message is not None and message.html is not None, "expected a text message"
    return message.html
