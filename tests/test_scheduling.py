"""The reminder scheduler through the real app and the offline Telegram: on time, once, and robust.

Ticks are forced (``await scheduler.tick()`` or ``await job.run(app)``) after setting the clock;
nothing sleeps: the scheduler's ``sleep`` is replaced by a recorder.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from telegram.error import NetworkError, TimedOut

from bot import scheduling
from bot.app import build_application
from bot.config import Settings
from bot.context import BotApp, services
from bot.faketelegram import FakeTelegram, FakeTelegramRequest, FloodLimits
from bot.scheduling import JOB_NAME, TICK_EVERY, Scheduler
from storage import Repository
from storage.index import INDEX_NAME, IndexSnapshot
from tests.conftest import ADA, BOB, TOKEN
from tests.harness import FakeClock, Harness, text_of

SUNDAY = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # after Sunday's review everywhere
PLAN_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin


@dataclass
class FakeSleep:
    """Stands in for ``asyncio.sleep``: records the wait and moves an optional fake clock on."""

    waits: list[float] = field(default_factory=list)
    mono: list[float] = field(default_factory=lambda: [0.0])

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.mono[0] += seconds

    def clock(self) -> float:
        return self.mono[0]


async def start_reminders(app: BotApp, sleep: FakeSleep | None = None) -> Scheduler:
    """Start the scheduler ``build_application`` made; the repeating job is paused so only forced ticks run."""
    scheduler = services(app).scheduler
    assert scheduler is not None
    scheduler.start()
    assert scheduler.job is not None
    scheduler.job.enabled = False
    scheduler.sleep = sleep or FakeSleep()
    assert app.job_queue is not None
    await app.job_queue.start()  # conversations need it for their timeouts
    return scheduler


async def stop_reminders(app: BotApp) -> None:
    assert app.job_queue is not None
    await app.job_queue.stop(wait=False)


@pytest.fixture
async def nudger(bot: Harness) -> AsyncIterator[Scheduler]:
    scheduler = await start_reminders(bot.app)
    yield scheduler
    await stop_reminders(bot.app)


async def join(bot: Harness, user: int = ADA, zone: str = "Europe/Berlin") -> None:
    """The user turns up on Sunday morning and sets a timezone."""
    bot.clock.set(SUNDAY)
    await bot.send(user, f"/timezone {zone}")


def bot_texts(tg: FakeTelegram, user: int) -> list[str]:
    return [m.text or "" for m in tg.bot_messages(user)]


# -- wiring and timing -----------------------------------------------------------------------------


async def test_post_init_starts_one_repeating_job_that_sends_the_plan(bot: Harness) -> None:
    """post_init starts the scheduler with one 60 s job; running it sends the due plan."""
    await join(bot)
    scheduler = await start_reminders(bot.app)
    try:
        jobs = bot.app.job_queue.get_jobs_by_name(JOB_NAME)  # type: ignore[union-attr]
        assert list(jobs) == [scheduler.job]
        assert scheduler.job is not None and scheduler.job.job.trigger.interval == timedelta(seconds=TICK_EVERY)
        bot.clock.set(PLAN_AT)
        await scheduler.job.run(bot.app)
        assert "Your week" in text_of(bot.last(ADA))
    finally:
        await stop_reminders(bot.app)


async def test_first_tick_runs_at_start_up_without_waiting_a_minute(bot: Harness) -> None:
    """Starting the job queue runs the first tick at once: a due plan comes with no clock advance, the next in 60 s."""
    await join(bot)
    bot.clock.set(PLAN_AT)
    arrived = asyncio.Event()
    bot.tg.subscribe(lambda message, event: arrived.set() if "Your week" in (message.text or "") else None)
    scheduler = services(bot.app).scheduler  # started by post_init in the fixture
    assert scheduler is not None
    assert bot.app.job_queue is not None and scheduler.job is not None
    await bot.app.job_queue.start()
    try:
        await asyncio.wait_for(arrived.wait(), timeout=20)  # the old first run came after 60 s
        started = datetime.now(UTC)
        assert scheduler.job.next_t is not None
        assert timedelta(seconds=50) < scheduler.job.next_t - started <= timedelta(seconds=TICK_EVERY)
    finally:
        await bot.app.job_queue.stop(wait=True)
    assert sum("Your week" in t for t in bot_texts(bot.tg, ADA)) == 1
    assert bot.repo.sent_reminders(ADA).keys() == {"plan:2026-11-23"}


async def test_plan_waits_for_local_nine_and_then_comes_once(bot: Harness, nudger: Scheduler) -> None:
    """A minute early nothing goes out; at 09:00 Berlin the plan does; later ticks don't repeat it."""
    await join(bot)
    before = len(bot.tg.bot_messages(ADA))
    bot.clock.set(PLAN_AT - timedelta(minutes=1))
    assert (await nudger.tick()).sent == 0
    assert nudger.next_due(ADA) == PLAN_AT
    bot.clock.set(PLAN_AT)
    report = await nudger.tick()
    assert report.keys == [(ADA, "plan:2026-11-23")]
    bot.clock.advance(minutes=1)
    assert (await nudger.tick()).sent == 0
    assert len(bot.tg.bot_messages(ADA)) == before + 1
    assert bot.repo.sent_reminders(ADA).keys() == {"plan:2026-11-23"}


async def test_timezone_change_takes_effect_immediately(bot: Harness, nudger: Scheduler) -> None:
    """Moving to New York moves the next plan to 09:00 New York time (14:00 UTC)."""
    await join(bot)
    assert nudger.next_due(ADA) == PLAN_AT
    await bot.send(ADA, "/timezone America/New_York")
    assert nudger.next_due(ADA) == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


async def test_only_due_users_are_touched(bot: Harness, nudger: Scheduler) -> None:
    """Ada (Berlin) gets her plan at 08:00 UTC; Bob (New York) is not due and gets nothing yet."""
    await join(bot, ADA)
    await join(bot, BOB, "America/New_York")
    bot.clock.set(PLAN_AT)
    report = await nudger.tick()
    assert report.users == 1 and report.keys == [(ADA, "plan:2026-11-23")]
    bot.clock.set(datetime(2026, 11, 23, 14, 0, tzinfo=UTC))
    assert (await nudger.tick()).keys == [(BOB, "plan:2026-11-23")]


# -- restarts and catch-up ---------------------------------------------------------------------------


async def restarted(settings: Settings, tg: FakeTelegram, clock: FakeClock, **kwargs: Any) -> tuple[BotApp, Repository]:
    repo = Repository.open(settings.data_dir, fsync=False)
    app = build_application(settings, repo, request=tg.request(), clock=clock, **kwargs)
    return app, repo


async def test_a_tick_for_more_users_than_the_cache_reads_each_file_once(
    bot: Harness, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """1,000 weekly plans in one minute, in small: 12 users due, a cache of 4. Preparing them all
    first pushed each out of the cache before its send, and read and parsed it twice more."""
    users = [ADA + i for i in range(12)]
    for user in users:
        await join(bot, user)
    bot.clock.set(PLAN_AT)
    monkeypatch.setattr(scheduling, "LOOKAHEAD", 2)
    repo = Repository.open(settings.data_dir, fsync=False, cache_users=4)
    app = build_application(settings, repo, request=bot.tg.request(), clock=bot.clock)
    async with app:
        scheduler = await start_reminders(app)
        opened = repo.opened_files
        report = await scheduler.tick()
        read = repo.opened_files - opened
        await stop_reminders(app)
    repo.close()
    assert sorted(report.keys) == [(user, "plan:2026-11-23") for user in users]
    assert read == len(users)
    assert all(sum("Your week" in t for t in bot_texts(bot.tg, user)) == 1 for user in users)
    assert all(scheduler.next_due(user) > PLAN_AT for user in users)  # each one's next time, worked out


async def test_restart_sends_nothing_twice_and_catches_up(bot: Harness, nudger: Scheduler, settings: Settings) -> None:
    """After a restart the plan already sent stays sent; a check missed 2 h ago goes out once."""
    await join(bot)
    bot.clock.set(PLAN_AT)
    await nudger.tick()
    plans = bot_texts(bot.tg, ADA).count(text_of(bot.last(ADA)))
    # The bot is down from Monday until Thursday 20:00 Berlin; the 18:00 check is 2 h late.
    bot.clock.set(datetime(2026, 11, 26, 19, 0, tzinfo=UTC))
    app, repo = await restarted(settings, bot.tg, bot.clock)
    async with app:
        scheduler = await start_reminders(app)
        report = await scheduler.tick()
        assert report.keys == [(ADA, "check:2026-11-26")]
        assert "Mid-week check" in text_of(bot.last(ADA))
        assert (await scheduler.tick()).sent == 0
        await stop_reminders(app)
    repo.close()
    assert plans == 1
    assert sum("Your week" in t for t in bot_texts(bot.tg, ADA)) == 1


async def test_start_up_skips_reminders_over_twelve_hours_late(bot: Harness, settings: Settings) -> None:
    """Down from Sunday to Tuesday 10:00: Monday's plan (25 h late) is recorded skipped, not sent."""
    await join(bot)
    bot.clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    app, repo = await restarted(settings, bot.tg, bot.clock)
    async with app:
        scheduler = await start_reminders(app)
        before = len(bot.tg.bot_messages(ADA))
        report = await scheduler.tick()
        await stop_reminders(app)
    assert report.sent == 0 and report.skipped == 1
    assert len(bot.tg.bot_messages(ADA)) == before
    assert repo.sent_reminders(ADA).keys() == {"plan:2026-11-23"}
    repo.close()


async def test_reminders_missed_over_a_long_downtime_are_recorded_in_one_write(
    bot: Harness, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Down from Sunday to Friday 10:00: Monday's plan and Thursday's check are both too late. They
    are recorded skipped in one write of Ada's file, not one each (after a 5,000-row import the
    benchmark saw 85 writes of a 4 MB file in one tick)."""
    await join(bot)
    bot.clock.set(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    app, repo = await restarted(settings, bot.tg, bot.clock)
    writes: list[str] = []
    real = os.replace

    def replace(src: Any, dst: Any) -> None:
        writes.append(os.path.basename(dst))
        real(src, dst)

    async with app:
        scheduler = await start_reminders(app)
        monkeypatch.setattr(os, "replace", replace)
        report = await scheduler.tick()
        monkeypatch.undo()
        await stop_reminders(app)
    assert report.sent == 0 and report.skipped == 2
    assert writes.count(f"{ADA}.json") == 1
    repo.close()
    records = json.loads((settings.data_dir / "users" / f"{ADA}.json").read_text())["reminders"].values()
    assert {r["key"]: r["status"] for r in records} == {"plan:2026-11-23": "skipped", "check:2026-11-26": "skipped"}


async def test_start_up_sends_a_reminder_eleven_hours_late(bot: Harness, settings: Settings) -> None:
    """Down over Monday morning, back at 20:00 Berlin: the 09:00 plan still goes out, once."""
    await join(bot)
    bot.clock.set(PLAN_AT + timedelta(hours=11))
    app, repo = await restarted(settings, bot.tg, bot.clock)
    async with app:
        scheduler = await start_reminders(app)
        assert (await scheduler.tick()).keys == [(ADA, "plan:2026-11-23")]
        await stop_reminders(app)
    repo.close()


# -- Telegram says no -----------------------------------------------------------------------------


async def test_forbidden_marks_the_user_inactive(bot: Harness, nudger: Scheduler) -> None:
    """Ada blocked the bot: the send fails, she is marked inactive and never tried again; Bob is fine."""
    await join(bot, ADA)
    await join(bot, BOB)
    bot.tg.block(ADA)
    bot.clock.set(PLAN_AT)
    report = await nudger.tick()
    assert report.blocked == 1 and report.keys == [(BOB, "plan:2026-11-23")]
    assert bot.repo.get_profile(ADA).active is False  # type: ignore[union-attr]
    assert "plan:2026-11-23" not in bot.repo.sent_reminders(ADA)
    assert nudger.next_due(ADA) is None
    attempts = len(bot.tg.calls_to("sendMessage"))
    bot.clock.advance(days=3, hours=10)
    assert (await nudger.tick()).blocked == 0
    assert all(call["chat_id"] != ADA for call in bot.tg.calls_to("sendMessage")[attempts:])


async def test_unblocking_and_writing_again_brings_reminders_back(bot: Harness, nudger: Scheduler) -> None:
    """After /start-ing again (any message) Ada is active and the next reminder reaches her."""
    await join(bot)
    bot.tg.block(ADA)
    bot.tg.pop_updates()
    bot.clock.set(PLAN_AT)
    await nudger.tick()
    bot.tg.unblock(ADA)
    bot.tg.pop_updates()
    await bot.send(ADA, "/streak")
    assert bot.repo.get_profile(ADA).active is True  # type: ignore[union-attr]
    bot.clock.set(datetime(2026, 11, 26, 17, 0, tzinfo=UTC))
    assert (await nudger.tick()).keys == [(ADA, "check:2026-11-26")]


async def test_retry_after_is_waited_out_and_sent_once(
    settings: Settings, repo: Repository, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two reminders at once hit the per-chat flood limit: the 429 is waited out, each arrives once."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB 22 warns on building RetryAfter otherwise
    sleep = FakeSleep()
    tg = FakeTelegram(token=TOKEN, flood=FloodLimits(per_chat_burst=1, per_chat_per_second=1.0), clock=sleep.clock)
    app = build_application(settings, repo, request=tg.request(), clock=clock, rate_limiter=False)
    async with app:
        bot = Harness(app=app, tg=tg, repo=repo, clock=clock)
        await join(bot)
        sleep.mono[0] += 10
        await bot.send(ADA, "/add Acme - SRE closes 2026-11-25")
        sleep.mono[0] += 10
        scheduler = await start_reminders(app, sleep)
        # No limiter in this app (rate_limiter=False), so Telegram's per-chat limit is hit.
        bot.clock.set(PLAN_AT + timedelta(hours=1))  # plan 09:00 and close2 (Mon 10:00) both due
        report = await scheduler.tick()
        await stop_reminders(app)
    assert [key for _, key in report.keys] == ["plan:2026-11-23", "close2:#1:2026-11-25"]
    assert sleep.waits == [1.0]
    texts = bot_texts(tg, ADA)
    assert sum("Your week" in t for t in texts) == 1
    assert sum("closes" in t and "in 2 days" in t for t in texts) == 1
    assert [e for e in tg.errors if "429" not in e[1] and "Too Many" not in e[1]] == []


class FlakyRequest(FakeTelegramRequest):
    """Fails chosen sendMessage calls as PTB's HTTPXRequest would: no connection, or a read timeout after delivery."""

    def __init__(self, fake: FakeTelegram, plan: list[str]) -> None:
        super().__init__(fake)
        self.plan = plan  # one entry per sendMessage: "ok", "net" or "timeout"

    async def do_request(
        self, url: str, method: str, request_data: Any = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        step = self.plan.pop(0) if url.endswith("/sendMessage") and self.plan else "ok"
        if step == "net":
            raise NetworkError("httpx.ConnectError: connection refused") from httpx.ConnectError("connection refused")
        result = await super().do_request(url, method, request_data, *args, **kwargs)
        if step == "timeout":
            raise TimedOut from httpx.ReadTimeout("read timed out")
        return result


async def flaky_bot(
    settings: Settings, repo: Repository, clock: FakeClock, tg: FakeTelegram
) -> tuple[BotApp, FlakyRequest]:
    request = FlakyRequest(tg, [])
    return build_application(settings, repo, request=request, clock=clock), request


async def test_network_errors_are_retried_with_backoff(
    settings: Settings, repo: Repository, clock: FakeClock, tg: FakeTelegram
) -> None:
    """Two connection failures, then success: waits of 1 s and 2 s, one message, recorded sent."""
    app, request = await flaky_bot(settings, repo, clock, tg)
    async with app:
        bot = Harness(app=app, tg=tg, repo=repo, clock=clock)
        await join(bot)
        sleep = FakeSleep()
        scheduler = await start_reminders(app, sleep)
        request.plan[:] = ["net", "net", "ok"]
        bot.clock.set(PLAN_AT)
        report = await scheduler.tick()
        await stop_reminders(app)
    assert report.keys == [(ADA, "plan:2026-11-23")]
    assert sleep.waits == [1.0, 2.0]
    assert sum("Your week" in t for t in bot_texts(tg, ADA)) == 1


async def test_network_down_leaves_the_reminder_for_later(
    settings: Settings, repo: Repository, clock: FakeClock, tg: FakeTelegram
) -> None:
    """Every retry fails: nothing is recorded, the user is looked at again in 5 minutes and then served."""
    app, request = await flaky_bot(settings, repo, clock, tg)
    async with app:
        bot = Harness(app=app, tg=tg, repo=repo, clock=clock)
        await join(bot)
        scheduler = await start_reminders(app)
        request.plan[:] = ["net"] * 4
        bot.clock.set(PLAN_AT)
        assert (await scheduler.tick()).sent == 0
        assert repo.sent_reminders(ADA) == {}
        assert scheduler.next_due(ADA) == PLAN_AT + timedelta(minutes=5)
        bot.clock.advance(minutes=5)
        assert (await scheduler.tick()).keys == [(ADA, "plan:2026-11-23")]
        await stop_reminders(app)


async def test_timed_out_send_is_not_repeated(
    settings: Settings, repo: Repository, clock: FakeClock, tg: FakeTelegram
) -> None:
    """A send that timed out may have arrived: it is recorded as "uncertain" and never sent again."""
    app, request = await flaky_bot(settings, repo, clock, tg)
    async with app:
        bot = Harness(app=app, tg=tg, repo=repo, clock=clock)
        await join(bot)
        scheduler = await start_reminders(app)
        request.plan[:] = ["timeout"]
        bot.clock.set(PLAN_AT)
        await scheduler.tick()
        bot.clock.advance(minutes=1)
        await scheduler.tick()
        await stop_reminders(app)
    assert sum("Your week" in t for t in bot_texts(tg, ADA)) == 1  # delivered once, despite the timeout
    assert "plan:2026-11-23" in repo.sent_reminders(ADA)


# -- pause ---------------------------------------------------------------------------------------


async def test_paused_user_gets_nothing_and_resume_has_no_backlog(bot: Harness, nudger: Scheduler) -> None:
    """Paused over Monday 09:00: no plan; /resume at 10:00 doesn't send the missed plan; Thursday's check comes."""
    await join(bot)
    await bot.send(ADA, "/pause")
    bot.clock.set(PLAN_AT)
    assert (await nudger.tick()).sent == 0
    assert nudger.next_due(ADA) is None
    bot.clock.set(PLAN_AT + timedelta(hours=1))
    await bot.send(ADA, "/resume")
    assert (await nudger.tick()).sent == 0
    assert nudger.next_due(ADA) == datetime(2026, 11, 26, 17, 0, tzinfo=UTC)


async def test_pause_until_a_date_resumes_by_itself(bot: Harness, nudger: Scheduler) -> None:
    """/pause until Wednesday: Monday's plan never comes, Thursday's check does."""
    await join(bot)
    await bot.send(ADA, "/pause until 2026-11-25")
    assert "until Wed 25 Nov 2026" in text_of(bot.last(ADA))
    bot.clock.set(PLAN_AT)
    assert (await nudger.tick()).sent == 0
    assert nudger.next_due(ADA) == datetime(2026, 11, 24, 23, 0, tzinfo=UTC)  # Wed 00:00 Berlin
    bot.clock.set(datetime(2026, 11, 26, 17, 0, tzinfo=UTC))
    assert (await nudger.tick()).keys == [(ADA, "check:2026-11-26")]


class GatedRequest(FakeTelegramRequest):
    """Holds every sendMessage to one chat until the test opens the gate."""

    def __init__(self, fake: FakeTelegram, chat_id: int) -> None:
        super().__init__(fake)
        self.chat_id = str(chat_id)
        self.gate = asyncio.Event()
        self.waiting = asyncio.Event()

    async def do_request(
        self, url: str, method: str, request_data: Any = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        to = request_data.json_parameters.get("chat_id") if request_data is not None else None
        if url.endswith("/sendMessage") and to == self.chat_id:
            self.waiting.set()
            await self.gate.wait()
        return await super().do_request(url, method, request_data, *args, **kwargs)


async def test_commands_are_answered_while_a_tick_is_sending(
    settings: Settings, repo: Repository, clock: FakeClock, tg: FakeTelegram
) -> None:
    """A tick stuck sending to Bob does not hold up Ada's command: she gets her answer first."""
    request = GatedRequest(tg, BOB)
    app = build_application(settings, repo, request=request, clock=clock)
    async with app:
        bot = Harness(app=app, tg=tg, repo=repo, clock=clock)
        request.gate.set()
        await join(bot, BOB)
        await join(bot, ADA, "America/New_York")
        request.gate.clear()
        scheduler = await start_reminders(app)
        bot.clock.set(PLAN_AT)
        tick = asyncio.create_task(scheduler.tick())
        await request.waiting.wait()
        replies = await bot.send(ADA, "/target 3")
        assert "Target set" in text_of(replies[0]) and not tick.done()
        request.gate.set()
        report = await tick
        await stop_reminders(app)
    assert report.keys == [(BOB, "plan:2026-11-23")]


# -- one user's bad data ---------------------------------------------------------------------------


def spoil_timezone(bot: Harness, user: int, zone: str = "Mars/Olympus") -> None:
    """Store an unknown zone name straight into the profile, as old or hand-edited data might have."""
    profile = bot.repo.get_profile(user)
    assert profile is not None
    profile.timezone = zone
    bot.repo.save_profile(profile)


async def test_start_up_skips_a_user_with_an_unknown_timezone(
    bot: Harness, nudger: Scheduler, caplog: pytest.LogCaptureFixture
) -> None:
    """Bob's stored zone "Mars/Olympus": rebuild logs him by id and skips him; Ada's plan still comes."""
    await join(bot, ADA)
    await join(bot, BOB)
    spoil_timezone(bot, BOB)
    bob_before = len(bot.tg.bot_messages(BOB))
    with caplog.at_level(logging.ERROR, logger="bot.scheduling"):
        assert nudger.rebuild() == []
    assert nudger.next_due(ADA) == PLAN_AT and nudger.next_due(BOB) is None
    failures = [r for r in caplog.records if r.exc_info]
    assert [r.getMessage() for r in failures] == [f"reminders.user_failed user={BOB} step=refresh"]
    bot.clock.set(PLAN_AT)
    report = await nudger.tick()
    assert report.keys == [(ADA, "plan:2026-11-23")]
    assert "Your week" in text_of(bot.last(ADA))
    assert len(bot.tg.bot_messages(BOB)) == bob_before
    assert bot.repo.sent_reminders(BOB) == {}


async def test_tick_isolates_a_user_whose_data_went_bad(
    bot: Harness, nudger: Scheduler, caplog: pytest.LogCaptureFixture
) -> None:
    """Bob's zone goes bad after start-up: the tick serves Ada, logs Bob's id only; fixing the zone brings him back."""
    await join(bot, ADA)
    await join(bot, BOB)
    assert nudger.next_due(BOB) == PLAN_AT  # computed after his change, before the data went bad
    spoil_timezone(bot, BOB, "Etc/GMT+13")
    bot.clock.set(PLAN_AT)
    with caplog.at_level(logging.ERROR, logger="bot.scheduling"):
        report = await nudger.tick()
    assert report.keys == [(ADA, "plan:2026-11-23")]
    assert [r.getMessage() for r in caplog.records if r.exc_info] == [f"reminders.user_failed user={BOB} step=prepare"]
    assert "Your week" not in caplog.text  # ids in the log, never message bodies
    assert nudger.next_due(BOB) is None
    await bot.send(BOB, "/timezone Europe/Berlin")
    assert nudger.next_due(BOB) == PLAN_AT
    assert (await nudger.tick()).keys == [(BOB, "plan:2026-11-23")]


async def test_a_reminder_that_fails_to_render_is_recorded_and_the_rest_go_out(
    bot: Harness, nudger: Scheduler, caplog: pytest.LogCaptureFixture
) -> None:
    """A render bug for Bob's plan: it is logged and recorded "failed" (not retried); Ada's plan is sent."""
    await join(bot, ADA)
    await join(bot, BOB)
    render = nudger.render

    def broken_for_bob(reminder: Any, profile: Any, *args: Any) -> Any:
        if profile.user_id == BOB:
            raise KeyError("boom")
        return render(reminder, profile, *args)

    nudger.render = broken_for_bob
    bot.clock.set(PLAN_AT)
    with caplog.at_level(logging.ERROR, logger="bot.scheduling"):
        report = await nudger.tick()
    assert report.keys == [(ADA, "plan:2026-11-23")] and report.failed == 1
    assert "plan:2026-11-23" in bot.repo.sent_reminders(BOB)
    assert "reminders.render_failed user=2002 kind=plan" in caplog.text
    bot.clock.advance(minutes=1)
    assert (await nudger.tick()).failed == 0


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/pause", "Paused: no nudges or reminders until you /resume."),
        ("/move 1 applied", "#1"),  # a closing reminder for a prospect that is no longer one
        ("/timezone America/New_York", "America/New_York"),  # 10:00 Berlin is 04:00 there: nothing due yet
    ],
)
async def test_change_during_a_tick_stops_reminders_no_longer_due(
    settings: Settings,
    repo: Repository,
    clock: FakeClock,
    tg: FakeTelegram,
    command: str,
    answer: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ada's plan went out and the tick waits on Bob; Ada pauses (or applies): her closing reminder never comes."""
    monkeypatch.setattr(scheduling, "SENDERS", 1)  # one user at a time: Ada's close2 waits behind Bob's plan
    request = GatedRequest(tg, BOB)
    app = build_application(settings, repo, request=request, clock=clock)
    async with app:
        bot = Harness(app=app, tg=tg, repo=repo, clock=clock)
        request.gate.set()
        await join(bot, ADA)
        await join(bot, BOB)
        await bot.send(ADA, "/add Acme - SRE closes 2026-11-25")
        request.gate.clear()
        request.waiting.clear()
        scheduler = await start_reminders(app)
        bot.clock.set(PLAN_AT + timedelta(hours=1))  # Ada: plan (09:00) and close2 (10:00) due; Bob: plan
        tick = asyncio.create_task(scheduler.tick())
        await request.waiting.wait()  # Ada's plan is sent; Bob's is held, Ada's close2 is next in line
        replies = await bot.send(ADA, command)
        assert answer in text_of(replies[-1])
        request.gate.set()
        report = await tick
        await stop_reminders(app)
    assert report.keys == [(ADA, "plan:2026-11-23"), (BOB, "plan:2026-11-23")]
    assert tg.last_bot_message(ADA) == replies[-1]  # nothing after the answer
    assert "close2:#1:2026-11-25" not in repo.sent_reminders(ADA)
    assert all("Apply, or let it go?" not in t for t in bot_texts(tg, ADA))


async def test_the_index_is_encoded_off_the_event_loop(
    bot: Harness, nudger: Scheduler, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Encoding 10,000 users' entries held the loop for 175 ms in the benchmark: a worker does it."""
    import storage.repository

    encoded_on: list[threading.Thread] = []
    real = storage.repository.index_text

    def recording(snapshot: IndexSnapshot) -> bytes:
        encoded_on.append(threading.current_thread())
        return real(snapshot)

    monkeypatch.setattr(storage.repository, "index_text", recording)
    await join(bot)
    nudger._index_saved_at = None  # due now
    await nudger._save_index()

    assert encoded_on and threading.main_thread() not in encoded_on
    saved = json.loads((bot.repo.data_dir / INDEX_NAME).read_text())
    assert str(ADA) in saved["users"]


async def test_a_background_refresh_of_many_users_lets_others_in_between(
    bot: Harness, nudger: Scheduler, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a fan-out many users are stale at once; each recompute is its own turn of the loop,
    so a reply (here: any callback) waits for one user's recompute, not for all of them."""
    happened: list[object] = []
    monkeypatch.setattr(nudger, "_recompute", lambda user_id: happened.append(user_id))
    for user_id in range(1, 51):
        nudger._stale.add(user_id)
    asyncio.get_running_loop().call_soon(happened.append, "someone else")
    await nudger._flush_stale()
    assert len(happened) == 51 and happened.index("someone else") <= 1


async def _big_user_at_plan_time(
    bot: Harness, nudger: Scheduler, monkeypatch: pytest.MonkeyPatch, agenda: Callable[..., Any]
) -> None:
    """Ada, with one application and every user counted as big, at Monday's plan time; ``agenda``
    stands in for the scheduler's."""
    monkeypatch.setattr(scheduling, "agenda", agenda)
    monkeypatch.setattr(scheduling, "AGENDA_IN_THREAD_AT", 1)
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE")
    await nudger._flush_stale()
    bot.clock.set(PLAN_AT)


async def test_every_look_at_a_big_users_agenda_during_a_tick_is_off_the_loop(
    bot: Harness, nudger: Scheduler, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From AGENDA_IN_THREAD_AT applications, the tick's first agenda, the re-check right before the
    plan goes out, and the next due time after it all run in worker threads (the benchmark caught
    the re-check holding the loop 120-135 ms for a 5,000-row importer). The plan goes out once, and
    the next one is due."""
    threads: list[threading.Thread] = []
    real = scheduling.agenda

    def recording(*args: Any) -> Any:
        threads.append(threading.current_thread())
        return real(*args)

    await _big_user_at_plan_time(bot, nudger, monkeypatch, recording)
    threads.clear()
    report = await nudger.tick()
    assert report.keys == [(ADA, "plan:2026-11-23")]
    assert len(threads) >= 3  # prepare, the re-check, the next due time
    assert all(thread is not threading.main_thread() for thread in threads)
    assert sum("Your week" in t for t in bot.texts(ADA)) == 1
    assert bot.repo.sent_reminders(ADA).keys() == {"plan:2026-11-23"}
    assert nudger.next_due(ADA) == datetime(2026, 11, 26, 17, 0, tzinfo=UTC)  # Thursday's check


async def test_a_change_while_a_big_users_reminder_is_worked_out_off_the_loop_is_heeded(
    bot: Harness, nudger: Scheduler, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user pauses while the thread is checking their plan against a snapshot: the snapshot's
    answer is thrown away, the check is made again on the data as it is now, and nothing goes out."""
    loop = asyncio.get_running_loop()
    real = scheduling.agenda
    calls: list[str] = []

    async def pause() -> None:
        profile = bot.repo.get_profile(ADA)
        assert profile is not None
        profile.paused = True
        bot.repo.save_profile(profile)

    def pausing_meanwhile(*args: Any) -> Any:
        calls.append(threading.current_thread().name)
        if len(calls) == 2:  # the re-check right before sending (the first was the tick's own)
            asyncio.run_coroutine_threadsafe(pause(), loop).result(timeout=5)  # on the loop, now
        return real(*args)

    await _big_user_at_plan_time(bot, nudger, monkeypatch, pausing_meanwhile)
    calls.clear()
    report = await nudger.tick()
    assert report.sent == 0 and report.keys == []
    assert not any("Your week" in t for t in bot.texts(ADA))
    assert "plan:2026-11-23" not in bot.repo.sent_reminders(ADA)
    stored = bot.repo.get_profile(ADA)
    assert stored is not None and stored.paused
    assert nudger.next_due(ADA) is None


async def test_a_big_users_agenda_that_fails_off_the_loop_is_logged_and_not_done_again_on_it(
    bot: Harness, nudger: Scheduler, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Their next due time can't be worked out (a bug in their data, say): it is logged, they are
    left out of the index as inline, and the failing work is not repeated on the loop's thread."""
    threads: list[threading.Thread] = []
    failing = False
    real = scheduling.agenda

    def broken(*args: Any) -> Any:
        threads.append(threading.current_thread())
        if failing:
            raise ValueError("a history that can't be replayed")
        return real(*args)

    await _big_user_at_plan_time(bot, nudger, monkeypatch, broken)
    assert nudger.next_due(ADA) is not None
    failing, threads[:] = True, []
    assert await nudger._refresh(ADA) is None
    assert len(threads) == 1 and threads[0] is not threading.main_thread()
    assert nudger.next_due(ADA) is None
    assert f"reminders.user_failed user={ADA} step=refresh" in caplog.text
    assert "a history that can't be replayed" in caplog.text
