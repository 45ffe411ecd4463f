"""An offline, strict model of the Telegram Bot API for tests and demos.

``FakeTelegram`` is the model; ``FakeTelegramRequest`` plugs it into PTB in-process; the HTTP
server lives in ``bot.faketelegram.server`` (imported separately, it needs aiohttp).
"""

from bot.faketelegram.core import FakeMessage, FakeTelegram, FloodLimits, Upload, utf16_len
from bot.faketelegram.errors import FakeApiError, FakeUsageError
from bot.faketelegram.html import HTMLParseError, parse_html
from bot.faketelegram.request import FakeTelegramRequest

__all__ = [
    "FakeApiError",
    "FakeMessage",
    "FakeTelegram",
    "FakeTelegramRequest",
    "FakeUsageError",
    "FloodLimits",
    "HTMLParseError",
    "Upload",
    "parse_html",
    "utf16_len",
]
