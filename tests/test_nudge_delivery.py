"""Nudges are sent at most once under faults, and every one that may be lost is recorded and counted.

The real app talks to the offline Telegram through ``FaultyRequest``, which fails chosen
``sendMessage`` calls the way PTB's ``HTTPXRequest`` does (``NetworkError``/``TimedOut`` raised
``from`` the httpx error), before or after the fake stored the message. A full disk is the real
``AtomicJSONStorage.write`` failing at ``os.replace`` (so its clean-up runs); a kill is an exception
that no handler catches, followed by reopening the data from disk. What the user received comes
from the fake; what is stored is read back from the user's file.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import os
import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.context import BotApp
from bot.faketelegram import FakeTelegram, FakeTelegramRequest
from bot.ratelimit import SendLimiter
from bot.scheduling import Scheduler, TickReport
from storage import Repository
from tests.conftest import ADA
from tests.faults import fail
from tests.harness import FakeClock, FloodClock, Harness
from tests.test_scheduling import PLAN_AT, FakeSleep, join, start_reminders, stop_reminders

PLAN = "plan:2026-11-23"
CLOSE = "close2:#1:2026-11-25"


class Killed(BaseException):
    """The process dies here: nothing in the bot catches it (it is not an ``Exception``)."""


NOT_DELIVERED = ("429", "connect", "connect_timeout", "pool_timeout")  # provably never arrived
AMBIGUOUS_DELIVERED = ("502_after", "drop_after", "slow_after")  # arrived, but the answer was lost
AMBIGUOUS_LOST = ("500", "timeout_before")  # did not arrive, but nothing says so


class FaultyRequest(FakeTelegramRequest):
    """The fake's transport with a fault chosen for each ``sendMessage`` (``choose(chat_id)``)."""

    def __init__(self, fake: FakeTelegram, retry_after: float = 1) -> None:
        super().__init__(fake)
        self.choose: Callable[[int], str] = lambda chat_id: "ok"  # tests arm it once users have joined
        self.retry_after = retry_after
        self.injected: Counter[str] = Counter()
        self.hanging = asyncio.Event()

    async def do_request(
        self, url: str, method: str, request_data: Any = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        if not url.endswith("/sendMessage"):
            return await super().do_request(url, method, request_data, *args, **kwargs)
        fault = self.choose(int(request_data.json_parameters["chat_id"]))
        self.injected[fault] += 1
        if fault == "kill_before":
            raise Killed
        if fault in ("429", "connect", "connect_timeout", "pool_timeout", "500", "400", "timeout_before"):
            return fail("write_timeout" if fault == "timeout_before" else fault, self.retry_after)
        result = await super().do_request(url, method, request_data, *args, **kwargs)  # Telegram has it now
        if fault in ("502_after", "drop_after", "slow_after"):
            return fail({"502_after": "502_html", "drop_after": "dropped", "slow_after": "timeout"}[fault])
        if fault == "kill_after":
            raise Killed
        if fault == "hang_after":  # the reply never comes; the test kills the tick meanwhile
            self.hanging.set()
            await asyncio.Event().wait()
        return result


def scripted(*faults: str) -> Callable[[int], str]:
    """One fault per ``sendMessage`` in order, then "ok"."""
    queue = list(faults)
    return lambda chat_id: queue.pop(0) if queue else "ok"


class FullDisk:
    """Makes chosen writes of user files fail with ENOSPC inside the real atomic write."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, users_dir: Path) -> None:
        self.users_dir = users_dir
        self.fail: Callable[[int], bool] = lambda n: False
        self.writes = 0
        self.failed = 0
        replace = os.replace

        def full_replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            if Path(dst).parent == self.users_dir:
                self.writes += 1
                if self.fail(self.writes):
                    self.failed += 1
                    raise OSError(errno.ENOSPC, "No space left on device")
            replace(src, dst, *args, **kwargs)

        monkeypatch.setattr(os, "replace", full_replace)

    def on_writes(self, *numbers: int) -> None:
        """From now on, fail these writes (1 = the next one)."""
        start = self.writes
        self.fail = lambda n: n - start in numbers


def stored(settings: Settings, user: int) -> dict[str, str]:
    """The user's recorded reminder keys and their status, read from the file on disk."""
    data = json.loads((settings.data_dir / "users" / f"{user}.json").read_text("utf-8"))
    return {doc["key"]: doc["status"] for doc in data.get("reminders", {}).values()}


def copies(tg: FakeTelegram, user: int, marker: str) -> int:
    return sum(marker in (m.text or "") for m in tg.bot_messages(user))


def plans(tg: FakeTelegram, user: int = ADA) -> int:
    return copies(tg, user, "Your week")


async def faulty_bot(
    settings: Settings, repo: Repository, clock: FakeClock, tg: FakeTelegram, request: FaultyRequest, **kwargs: Any
) -> tuple[BotApp, Harness]:
    app = build_application(settings, repo, request=request, clock=clock, **kwargs)
    await app.initialize()
    return app, Harness(app=app, tg=tg, repo=repo, clock=clock)


async def close(app: BotApp) -> None:
    await stop_reminders(app)
    await app.shutdown()


# -- one fault at a time ----------------------------------------------------------------------------


@pytest.mark.parametrize("fault", AMBIGUOUS_DELIVERED + AMBIGUOUS_LOST)
async def test_an_ambiguous_failure_is_recorded_uncertain_and_never_retried(
    settings: Settings,
    repo: Repository,
    clock: FakeClock,
    tg: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
    fault: str,
) -> None:
    """A 5xx, a dropped connection or a timeout may hide a delivery: one log line, "uncertain", no second copy."""
    request = FaultyRequest(tg)
    app, bot = await faulty_bot(settings, repo, clock, tg, request)
    await join(bot)
    scheduler = await start_reminders(app)
    request.choose = scripted(fault)
    clock.set(PLAN_AT)
    with caplog.at_level(logging.INFO):
        report = await scheduler.tick()
    for minutes in (1, 5, 60):
        clock.set(PLAN_AT + timedelta(minutes=minutes))
        await scheduler.tick()
    await close(app)
    assert plans(tg) == (1 if fault in AMBIGUOUS_DELIVERED else 0)
    assert stored(settings, ADA)[PLAN] == "uncertain"
    assert (report.sent, report.uncertain, report.later) == (0, 1, 0)
    lines = [r for r in caplog.records if r.name == "bot.scheduling" and r.levelno >= logging.WARNING]
    assert [r.getMessage().split(" ")[0] for r in lines] == ["reminder.uncertain"]
    # PTB's own ERROR for a 5xx that comes as an HTML page is demoted to one WARNING without the page.
    assert not any(r.exc_info or r.levelno >= logging.ERROR for r in caplog.records)
    assert "uncertain=1" in caplog.text


@pytest.mark.parametrize("fault", NOT_DELIVERED)
async def test_a_failure_that_proves_nothing_arrived_is_retried_and_sent_once(
    settings: Settings, repo: Repository, clock: FakeClock, tg: FakeTelegram, fault: str
) -> None:
    """A 429, a refused connection or a connect/pool timeout never reached Telegram: retried, one copy, "sent"."""
    request = FaultyRequest(tg)
    # Without PTB's limiter the 429 reaches the scheduler itself (the limiter's retries are tested below).
    app, bot = await faulty_bot(settings, repo, clock, tg, request, rate_limiter=False)
    await join(bot)
    sleep = FakeSleep()
    scheduler = await start_reminders(app, sleep)
    request.choose = scripted(fault, fault)
    clock.set(PLAN_AT)
    report = await scheduler.tick()
    clock.advance(minutes=1)
    await scheduler.tick()
    await close(app)
    assert request.injected[fault] == 2
    assert plans(tg) == 1 and report.keys == [(ADA, PLAN)]
    assert stored(settings, ADA) == {PLAN: "sent"}
    assert sleep.waits == ([1.0, 1.0] if fault == "429" else [1.0, 2.0])


async def test_a_bad_request_is_recorded_failed_and_logged(
    settings: Settings, repo: Repository, clock: FakeClock, tg: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram refuses the message (400): not retried, stored "failed", one ERROR line naming the error."""
    request = FaultyRequest(tg)
    app, bot = await faulty_bot(settings, repo, clock, tg, request)
    await join(bot)
    scheduler = await start_reminders(app)
    request.choose = scripted("400", "400")
    clock.set(PLAN_AT)
    with caplog.at_level(logging.INFO, logger="bot.scheduling"):
        report = await scheduler.tick()
        clock.advance(minutes=1)
        await scheduler.tick()
    await close(app)
    assert request.injected["400"] == 1 and plans(tg) == 0
    assert report.failed == 1 and stored(settings, ADA) == {PLAN: "failed"}
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [f"reminders.bad_request user={ADA} kind=plan error=Can't parse entities"]


async def test_a_nudge_delivered_after_several_429s_logs_no_error(
    settings: Settings, repo: Repository, clock: FakeClock, tg: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    """Five 429s through the app's SendLimiter: it gives up, the scheduler waits and sends; no ERROR or traceback."""
    request = FaultyRequest(tg, retry_after=0.01)  # the limiter really holds the chat for retry_after
    app, bot = await faulty_bot(settings, repo, clock, tg, request)  # the production limiter
    await join(bot)
    sleep = FakeSleep()
    scheduler = await start_reminders(app, sleep)
    request.choose = scripted(*["429"] * 5)
    clock.set(PLAN_AT)
    with caplog.at_level(logging.DEBUG):
        report = await scheduler.tick()
    await close(app)
    assert request.injected["429"] == 5 and sleep.waits == [0.01]  # 4 tries in the limiter, then ours
    assert report.keys == [(ADA, PLAN)] and plans(tg) == 1 and stored(settings, ADA) == {PLAN: "sent"}
    assert f"ratelimit.gave_up chat={ADA} wait=0.01 tries=4" in caplog.text
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []


# -- kills ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fault", "received"), [("kill_after", 1), ("hang_after", 1), ("kill_before", 0)])
async def test_a_kill_around_the_send_never_sends_again_after_restart(
    settings: Settings, clock: FakeClock, tg: FakeTelegram, fault: str, received: int
) -> None:
    """Killed after Telegram took the plan, while its reply is slow, or before the request: no copy after a restart."""
    repo = Repository.open(settings.data_dir, fsync=False)
    request = FaultyRequest(tg)
    app, bot = await faulty_bot(settings, repo, clock, tg, request)
    await join(bot)
    scheduler = await start_reminders(app)
    request.choose = scripted(fault)
    clock.set(PLAN_AT)
    tick = asyncio.create_task(scheduler.tick())
    if fault == "hang_after":
        await request.hanging.wait()
        tick.cancel()
    with pytest.raises((Killed, asyncio.CancelledError)):
        await tick
    # The process is gone: its memory with it. Only the files remain.
    assert stored(settings, ADA) == {PLAN: "sending"}
    assert plans(tg) == received
    reopened = Repository.open(settings.data_dir, fsync=False)
    app2, _ = await faulty_bot(settings, reopened, clock, tg, FaultyRequest(tg))
    restarted = await start_reminders(app2)
    reports = [await restarted.tick()]
    for minutes in (1, 6, 60):
        clock.set(PLAN_AT + timedelta(minutes=minutes))
        reports.append(await restarted.tick())
    await close(app2)
    reopened.close()
    assert plans(tg) == received
    assert [r.sent for r in reports] == [0, 0, 0, 0]
    assert stored(settings, ADA) == {PLAN: "sending"}
    await close(app)  # the "dead" process's loop-bound objects, tidied only now
    repo.close()


# -- a full disk --------------------------------------------------------------------------------------


async def test_disk_full_before_sending_sends_nothing_and_tries_again(
    settings: Settings,
    repo: Repository,
    clock: FakeClock,
    tg: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The intent can't be written: nothing is sent, one log line, Ada stays due; once there is room, one copy."""
    app, bot = await faulty_bot(settings, repo, clock, tg, FaultyRequest(tg))
    await join(bot)
    scheduler = await start_reminders(app)
    disk = FullDisk(monkeypatch, settings.data_dir / "users")
    disk.on_writes(1)
    clock.set(PLAN_AT)
    with caplog.at_level(logging.INFO, logger="bot.scheduling"):
        report = await scheduler.tick()
    assert disk.failed == 1 and plans(tg) == 0
    assert (report.sent, report.later) == (0, 1) and PLAN not in stored(settings, ADA)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == [
        f"reminders.record_failed user={ADA} key={PLAN} status=sending error=No space left on device (errno 28)"
    ]
    assert scheduler.next_due(ADA) == PLAN_AT  # still in the index, due
    clock.advance(minutes=1)
    assert (await scheduler.tick()).keys == [(ADA, PLAN)]
    await close(app)
    assert plans(tg) == 1 and stored(settings, ADA) == {PLAN: "sent"}


async def test_disk_full_after_sending_never_sends_again(
    settings: Settings,
    repo: Repository,
    clock: FakeClock,
    tg: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Sent, then "sent" can't be written: the tick says sent=1, "sending" stays, no copy later or after a restart."""
    app, bot = await faulty_bot(settings, repo, clock, tg, FaultyRequest(tg))
    await join(bot)
    scheduler = await start_reminders(app)
    disk = FullDisk(monkeypatch, settings.data_dir / "users")
    disk.on_writes(2)
    clock.set(PLAN_AT)
    with caplog.at_level(logging.INFO, logger="bot.scheduling"):
        report = await scheduler.tick()
    assert disk.failed == 1 and plans(tg) == 1
    assert report.keys == [(ADA, PLAN)] and "sent=1 " in caplog.text
    assert f"reminders.record_failed user={ADA} key={PLAN} status=sent" in caplog.text
    assert stored(settings, ADA) == {PLAN: "sending"}
    for minutes in (1, 6, 12, 60):
        clock.set(PLAN_AT + timedelta(minutes=minutes))
        assert (await scheduler.tick()).sent == 0
    await close(app)
    reopened = Repository.open(settings.data_dir, fsync=False)
    app2, _ = await faulty_bot(settings, reopened, clock, tg, FaultyRequest(tg))
    assert (await (await start_reminders(app2)).tick()).sent == 0
    await close(app2)
    reopened.close()
    assert plans(tg) == 1


async def test_disk_full_while_recording_a_missed_reminder_keeps_the_user(
    settings: Settings, repo: Repository, clock: FakeClock, tg: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Monday's plan is 25 h late and "skipped" can't be written: Ada stays scheduled, Thursday's check comes."""
    app, bot = await faulty_bot(settings, repo, clock, tg, FaultyRequest(tg))
    await join(bot)
    clock.set(PLAN_AT + timedelta(hours=25))
    scheduler = await start_reminders(app)
    disk = FullDisk(monkeypatch, settings.data_dir / "users")
    disk.on_writes(1)
    report = await scheduler.tick()
    assert disk.failed == 1 and (report.skipped, report.later) == (0, 1)
    assert scheduler.next_due(ADA) == PLAN_AT  # not dropped from the index
    clock.advance(minutes=1)
    assert (await scheduler.tick()).skipped == 1
    assert stored(settings, ADA) == {PLAN: "skipped"}
    clock.set(datetime(2026, 11, 26, 17, 0, tzinfo=UTC))
    assert (await scheduler.tick()).keys == [(ADA, "check:2026-11-26")]
    await close(app)
    assert plans(tg) == 0


# -- many users, random faults -----------------------------------------------------------------------

USERS = [50_000 + n for n in range(160)]
WITH_CLOSING = set(USERS[::3])  # these have two reminders due at once: the plan and a closing date
FAULTS = NOT_DELIVERED + AMBIGUOUS_DELIVERED + AMBIGUOUS_LOST


async def crowd(
    settings: Settings, repo: Repository, clock: FakeClock, tg: FakeTelegram, flood: FloodClock
) -> tuple[BotApp, FaultyRequest]:
    """160 users in Berlin, a third with an application closing on Wednesday; the send limiter paces
    the fan-out under Telegram's flood limits on virtual time."""
    request = FaultyRequest(tg)
    limiter = SendLimiter(max_retries=3, clock=flood, sleep=flood.sleep)
    app, bot = await faulty_bot(settings, repo, clock, tg, request, rate_limiter=limiter)
    for user in USERS:
        await join(bot, user)
        if user in WITH_CLOSING:
            await bot.send(user, "/add Acme - SRE closes 2026-11-25")
    return app, request


async def run_until_settled(scheduler: Scheduler, clock: FakeClock, minutes: int) -> list[TickReport]:
    """Plan (09:00) and closing reminder (10:00) are both due at 10:00; then one tick a minute."""
    clock.set(PLAN_AT + timedelta(hours=1))
    reports = []
    for _ in range(minutes):
        reports.append(await scheduler.tick())
        clock.advance(minutes=1)
    assert all((due := scheduler.next_due(u)) is None or due > clock.now for u in USERS)
    return reports


def outcomes(settings: Settings, tg: FakeTelegram) -> list[tuple[int, str, str | None]]:
    """(copies received, key, stored status) for every reminder that was due."""
    found = []
    for user in USERS:
        status = stored(settings, user)
        found.append((plans(tg, user), PLAN, status.get(PLAN)))
        if user in WITH_CLOSING:
            found.append((copies(tg, user, "Apply, or let it go?"), CLOSE, status.get(CLOSE)))
    return found


async def test_many_users_with_random_network_faults_get_no_duplicate(
    settings: Settings, repo: Repository, clock: FakeClock, tg: FakeTelegram, flood_clock: FloodClock
) -> None:
    """214 reminders, 40% of sends failing at random: no duplicate; each lost one is stored "uncertain" and counted."""
    app, request = await crowd(settings, repo, clock, tg, flood_clock)
    scheduler = await start_reminders(app)
    rng = random.Random(20261123)
    request.choose = lambda chat_id: rng.choice(FAULTS) if rng.random() < 0.4 else "ok"
    reports = await run_until_settled(scheduler, clock, 30)
    await close(app)
    found = outcomes(settings, tg)
    assert len(found) == 214 and set(request.injected) == {"ok", *FAULTS}
    assert max(n for n, _, _ in found) == 1  # no duplicates
    assert all(status == "uncertain" for n, _, status in found if n == 0)  # every lost one recorded
    assert all(status in ("sent", "uncertain") for n, _, status in found if n == 1)
    assert sum(r.uncertain for r in reports) == sum(status == "uncertain" for _, _, status in found)
    assert sum(r.sent for r in reports) == sum(status == "sent" for _, _, status in found)
    lost = sum(n == 0 for n, _, _ in found)
    assert 0 < lost < sum(status == "uncertain" for _, _, status in found)  # some lost, some arrived anyway


async def test_many_users_with_random_network_and_disk_faults_get_no_duplicate(
    settings: Settings,
    repo: Repository,
    clock: FakeClock,
    tg: FakeTelegram,
    flood_clock: FloodClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Network faults and 15% of writes failing for ten minutes: no duplicate; anything lost is recorded and counted."""
    app, request = await crowd(settings, repo, clock, tg, flood_clock)
    scheduler = await start_reminders(app)
    rng = random.Random(5)
    request.choose = lambda chat_id: rng.choice(FAULTS) if rng.random() < 0.3 else "ok"
    disk = FullDisk(monkeypatch, settings.data_dir / "users")
    disk.fail = lambda n: clock.now < PLAN_AT + timedelta(hours=1, minutes=10) and rng.random() < 0.15
    reports = await run_until_settled(scheduler, clock, 30)
    await close(app)
    found = outcomes(settings, tg)
    assert disk.failed > 20 and set(request.injected) == {"ok", *FAULTS}
    assert max(n for n, _, _ in found) == 1  # no duplicates
    assert all(status in ("uncertain", "sending") for n, _, status in found if n == 0)  # "sending": may have gone
    assert all(status in ("sent", "uncertain", "sending") for n, _, status in found if n == 1)
    # Every key that reached (or may have reached) Telegram was counted once, as sent or as uncertain.
    assert sum(r.sent + r.uncertain for r in reports) == len(found)
    assert any(status == "sending" for n, _, status in found if n == 1)  # "sent" couldn't be written


async def test_blocked_user_is_marked_inactive_even_if_the_intent_cannot_be_removed(
    settings: Settings, repo: Repository, clock: FakeClock, tg: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ada blocked the bot and removing the intent fails: she is still marked inactive and counted as blocked."""
    app, bot = await faulty_bot(settings, repo, clock, tg, FaultyRequest(tg))
    await join(bot)
    scheduler = await start_reminders(app)
    tg.block(ADA)
    disk = FullDisk(monkeypatch, settings.data_dir / "users")
    disk.on_writes(2)
    clock.set(PLAN_AT)
    report = await scheduler.tick()
    await close(app)
    assert disk.failed == 1 and (report.blocked, report.uncertain) == (1, 0)
    assert repo.get_profile(ADA).active is False  # type: ignore[union-attr]
    assert scheduler.next_due(ADA) is None and stored(settings, ADA) == {PLAN: "sending"}


async def test_network_down_and_the_intent_cannot_be_removed_counts_the_reminder_as_uncertain(
    settings: Settings, repo: Repository, clock: FakeClock, tg: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four refused connections, then removing "sending" fails: never sent later, and the tick counts it uncertain."""
    request = FaultyRequest(tg)
    app, bot = await faulty_bot(settings, repo, clock, tg, request)
    await join(bot)
    scheduler = await start_reminders(app)
    request.choose = scripted(*["connect"] * 4)
    disk = FullDisk(monkeypatch, settings.data_dir / "users")
    disk.on_writes(2)
    clock.set(PLAN_AT)
    report = await scheduler.tick()
    for minutes in (5, 10, 60):
        clock.set(PLAN_AT + timedelta(minutes=minutes))
        assert (await scheduler.tick()).sent == 0
    await close(app)
    assert disk.failed == 1 and request.injected["connect"] == 4 and plans(tg) == 0
    assert (report.uncertain, report.later) == (1, 0) and stored(settings, ADA) == {PLAN: "sending"}
