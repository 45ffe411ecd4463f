"""Each class of Telegram error is told apart: 400s are reported, routine trouble is one log line."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.faketelegram import FakeTelegram
from storage import Repository
from tests.conftest import ADA
from tests.faults import FaultyRequest
from tests.harness import FakeClock, Harness, text_of

ADMIN = 4242


@pytest.fixture
async def faulty(settings: Settings, repo: Repository, tg: FakeTelegram, clock: FakeClock) -> AsyncIterator[Harness]:
    """The real app with ADMIN_CHAT_ID set, talking through a transport that can fail."""
    app = build_application(
        replace(settings, admin_chat_id=ADMIN), repo, request=FaultyRequest(tg), clock=clock, rate_limiter=False
    )
    async with app:
        bot = Harness(app=app, tg=tg, repo=repo, clock=clock)
        await bot.send(ADMIN, "/start")  # the operator has talked to the bot, so it may write to them
        yield bot


def _arm(bot: Harness, kind: str) -> None:
    request = bot.app.bot.request
    assert isinstance(request, FaultyRequest)
    request.arm(kind, "sendMessage", chat_id=ADA, times=1)


def _admin_reports(bot: Harness) -> list[str]:
    return [text_of(m) for m in bot.tg.bot_messages(ADMIN) if "Funnelbot error" in text_of(m)]


async def test_a_bad_request_is_apologised_for_and_reported(faulty: Harness, caplog: pytest.LogCaptureFixture) -> None:
    """A 400 (say a parse error in our HTML) gets the apology and a report, never silence."""
    caplog.set_level(logging.WARNING)
    _arm(faulty, "400")
    replies = await faulty.send(ADA, "/help")
    assert replies and "something went wrong" in text_of(replies[-1])
    reports = _admin_reports(faulty)
    assert len(reports) == 1 and "BadRequest" in reports[0] and "user 1001" in reports[0]
    assert "telegram.bad_request user=1001" in caplog.text
    assert "telegram.unavailable" not in caplog.text


@pytest.mark.parametrize(
    ("kind", "logged"),
    [("502", "NetworkError"), ("dropped", "NetworkError"), ("timeout", "TimedOut"), ("429", "RetryAfter")],
)
async def test_network_trouble_is_one_warning_line(
    faulty: Harness, caplog: pytest.LogCaptureFixture, kind: str, logged: str
) -> None:
    """5xx, dropped connections, timeouts and flood control: one warning, no apology, no report."""
    caplog.set_level(logging.INFO)
    _arm(faulty, kind)
    replies = await faulty.send(ADA, "/help")
    assert replies == [] or "went wrong" not in text_of(replies[-1])
    assert f"telegram.unavailable user=1001 error={logged}" in caplog.text
    assert "Traceback" not in caplog.text and _admin_reports(faulty) == []


async def test_a_blocked_user_is_one_info_line(faulty: Harness, caplog: pytest.LogCaptureFixture) -> None:
    """403 from a user who blocked us: logged once, nothing more sent."""
    caplog.set_level(logging.INFO)
    _arm(faulty, "403")
    await faulty.send(ADA, "/help")
    assert "update.blocked user=1001" in caplog.text and _admin_reports(faulty) == []


async def test_reports_of_one_kind_are_rate_limited(faulty: Harness) -> None:
    """A failure that repeats (a broken disk, a bad template) reaches the operator once a minute."""
    for _ in range(3):
        _arm(faulty, "400")
        await faulty.send(ADA, "/help")
    assert len(_admin_reports(faulty)) == 1


async def test_a_full_disk_says_not_saved_and_alerts_the_operator(
    faulty: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A write that fails (ENOSPC) leaves nothing stored, tells the user so, and reports it."""
    import errno
    import os

    await faulty.send(ADA, "/add Acme - SRE")
    real_replace = os.replace

    def full(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    replies = await faulty.send(ADA, "/add Beta - Dev")
    monkeypatch.setattr(os, "replace", real_replace)
    assert "Nothing was changed" in text_of(replies[-1]) and not any(text_of(r).startswith("Saved") for r in replies)
    assert [a.company for a in faulty.repo.list_applications(ADA)] == ["Acme"]
    assert any("cannot write its data" in text_of(m) for m in faulty.tg.bot_messages(ADMIN))
    assert "storage.write_failed user=1001" in caplog.text
    replies = await faulty.send(ADA, "/add Beta - Dev")
    assert text_of(replies[0]).startswith("Saved as prospect #2")
