"""Weekly-plan nudges for 150+ users under Telegram and disk faults.

The real ``Application`` runs in-process with PTB's own HTTP transport (HTTPXRequest, production
timeouts, AIORateLimiter) against the fake served over HTTP with a fault plan; the bot's
``Scheduler.tick`` is called directly (``funnelbot run`` ticks every 60 s). Users are seeded
through ``storage.Repository`` (fsync on) with a weekly plan that fell due ten minutes ago and
nothing else on. Each user's first ``sendMessage`` meets one fault: none, 429, 502 before
delivery, 502 after delivery, a dropped connection before and after delivery, a slow reply, a
reply slower than PTB's read timeout, or a slow reply during which the process "dies": the tick is
cancelled mid-send (nothing runs after that point, as after SIGKILL) and a new Application opens
the same data directory and ticks again. A few users' files cannot be written (a directory sits
where the atomic writer's temp file goes, so the write fails with an OSError as on a full disk);
the disk is then freed and the bot restarted. A last restart checks nothing goes out twice.
Cancelling is not SIGKILL (``finally`` blocks still run), so the full run also kills a real
``funnelbot run`` in the acknowledge window of three more users (slow: it waits for the process's
own ticks).

Counted per user: copies of the plan delivered to the chat (more than one is a duplicate), and
users who got none: "lost by policy" when the bot recorded the key with a non-sent status (e.g.
``timeout``), "lost unexplained" otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import bot.context
from bench.reliability.common import TOKEN, BotProcess, Row, Scale, wait_until
from bot.app import build_application
from bot.config import Settings
from bot.context import BotApp
from bot.domain.models import Profile, Slot
from bot.domain.reminders import agenda
from bot.faketelegram import FakeTelegram
from bot.faketelegram.faults import FaultKind, FaultPlan
from bot.faketelegram.server import serve
from bot.scheduling import TICK_EVERY, Scheduler
from storage import Repository
from storage.atomic_json import TEMP_SUFFIX

PLAN_MARK = "🗓"
KILL = "kill in ack window"
DISK_FULL = "disk full"
# (name, fault, times, seconds, users in the full run, users in the quick run)
SCENARIOS: list[tuple[str, FaultKind | None, int, float, int, int]] = [
    ("clean", None, 0, 0.0, 40, 3),
    ("429", FaultKind.RETRY_AFTER, 1, 1.0, 20, 2),
    ("502 before", FaultKind.FAIL_BEFORE, 1, 0.0, 20, 2),
    ("502 after delivery", FaultKind.FAIL_AFTER, 1, 0.0, 20, 2),
    ("drop before", FaultKind.DROP_BEFORE, 1, 0.0, 20, 2),
    ("drop after delivery", FaultKind.DROP_AFTER, 1, 0.0, 20, 2),
    ("slow 1.5 s", FaultKind.DELAY, 1, 1.5, 10, 2),
    ("timeout 6 s", FaultKind.DELAY, 1, 6.0, 4, 1),
    (KILL, FaultKind.DELAY, 1, 4.0, 4, 2),
    (DISK_FULL, None, 0, 0.0, 4, 2),
]


@dataclass
class Session:
    """One life of the bot: an Application on the data directory, as after a start."""

    app: BotApp
    repo: Repository

    @classmethod
    async def open(cls, settings: Settings, full: frozenset[int] = frozenset()) -> Session:
        """Start on ``settings.data_dir``; the files of users in ``full`` cannot be written."""
        for user in full:  # start-up clears stray temp files; the disk fills up again after
            _blocked_temp(settings.data_dir, user).rmdir()
        repo = Repository.open(settings.data_dir)
        for user in full:
            _blocked_temp(settings.data_dir, user).mkdir()
        app = build_application(settings, repo)
        await app.initialize()
        await app.post_init(app)  # type: ignore[misc]  # creates the Scheduler (index rebuilt)
        return cls(app, repo)

    @property
    def scheduler(self) -> Scheduler:
        # Newer bot/app.py keeps it in bot.context.services(app); older ones in bot_data.
        services = getattr(bot.context, "services", None)
        scheduler: Scheduler = services(self.app).scheduler if services else self.app.bot_data["scheduler"]
        return scheduler

    async def close(self) -> None:
        await self.app.shutdown()  # post_shutdown closes the repository


@dataclass
class Outcome:
    tg: FakeTelegram
    data_dir: Path
    users: dict[int, str]  # user -> scenario
    keys: dict[int, str]  # user -> the plan key due
    kills: int = 0
    ticks: int = 0
    failed_starts: int = 0


def _seed(data_dir: Path, users: list[int], now: datetime) -> dict[int, str]:
    """Profiles whose weekly plan fell due ten minutes ago; returns each user's due key."""
    repo = Repository.open(data_dir)
    due_at = (now - timedelta(minutes=10)).replace(second=0, microsecond=0)
    keys: dict[int, str] = {}
    for user in users:
        profile = Profile(
            user_id=user,
            chat_id=user,
            created_at=now - timedelta(days=30),
            first_name="Nia",
            timezone="UTC",
            plan=Slot(due_at.weekday(), due_at.time()),
            check=None,
            review=None,
        )
        repo.save_profile(profile)
        due = agenda(profile, [], {}, now, ZoneInfo("UTC")).due
        if len(due) != 1:
            raise RuntimeError(f"seeding: expected one due plan, got {due}")
        keys[user] = due[0].key
    repo.close()
    return keys


def _recorded(data_dir: Path, user: int) -> dict[str, str]:
    """key -> status as stored in the user's file (the bot writes files whole)."""
    try:
        data = json.loads((data_dir / "users" / f"{user}.json").read_bytes())
    except (OSError, ValueError):
        return {}
    return {doc["key"]: doc.get("status", "sent") for doc in data.get("reminders", {}).values()}


def _delivered(tg: FakeTelegram, user: int) -> int:
    return sum(1 for m in tg.bot_messages(user) if (m.text or "").startswith(PLAN_MARK))


def _blocked_temp(data_dir: Path, user: int) -> Path:
    return data_dir / "users" / f".{user}.json.{os.getpid()}{TEMP_SUFFIX}"


async def _done_or_fault(tick: asyncio.Task[Any], plan: FaultPlan, seen: int) -> None:
    await wait_until(lambda: tick.done() or len(plan.injected) > seen, 600, step=0.05)


async def _tick_with_kills(
    settings: Settings, plan: FaultPlan, kill_rules: set[int], full: frozenset[int], out: Outcome
) -> None:
    """Tick; whenever a kill-window fault fires, cancel the tick 1 s into it and restart."""
    while True:
        session = await Session.open(settings, full)
        tick = asyncio.create_task(session.scheduler.tick())
        out.ticks += 1
        killed = False
        seen = len(plan.injected)
        while not tick.done():
            await _done_or_fault(tick, plan, seen)
            fresh, seen = plan.injected[seen:], len(plan.injected)
            if any(id(i.fault) in kill_rules for i in fresh):
                await asyncio.sleep(1.0)
                tick.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await tick
                killed = True
                out.kills += 1
        await session.close()
        if not killed:
            return


async def _run(scale: Scale, root: Path, now: datetime) -> Outcome:
    tg = FakeTelegram(token=TOKEN, bot_username="funnelbot_bench_bot")  # FloodLimits() defaults
    plan = FaultPlan(seed=scale.seed)
    runner, base_url, base_file_url = await serve(tg, faults=plan)
    data_dir = root / "data"
    settings = Settings(token=TOKEN, data_dir=data_dir, api_base_url=base_url, api_base_file_url=base_file_url)
    scenarios: dict[int, str] = {}
    user = 600_000
    for name, *_, in_full, in_quick in SCENARIOS:
        for _ in range(scale.pick(int(in_full), int(in_quick))):
            user += 1
            scenarios[user] = name
    out = Outcome(tg, data_dir, scenarios, _seed(data_dir, list(scenarios), now))
    kill_rules: set[int] = set()
    for user, scenario in scenarios.items():
        tg.send_text(user, "hi")  # the chat exists (the user started the bot long ago)
        name, kind, times, seconds, *_ = next(s for s in SCENARIOS if s[0] == scenario)
        if kind is not None:
            rule = plan.add(kind, method="sendMessage", chat_id=user, times=times, seconds=seconds)
            if name == KILL:
                kill_rules.add(id(rule))
        if name == DISK_FULL:
            _blocked_temp(data_dir, user).mkdir()
    full = frozenset(u for u, name in scenarios.items() if name == DISK_FULL)
    tg.pop_updates()
    try:
        await _tick_with_kills(settings, plan, kill_rules, full, out)
        for user in full:  # the disk has room again
            _blocked_temp(data_dir, user).rmdir()
        for _ in range(2):  # restart after the disk is freed, then once more: nothing goes out twice
            session = await Session.open(settings)
            await session.scheduler.tick()
            out.ticks += 1
            await session.close()
    finally:
        await runner.cleanup()
    return out


def _count(runs: list[Outcome]) -> tuple[Counter[str], Counter[str], Counter[str], int]:
    """(duplicates by scenario, lost by policy by status, lost unexplained by scenario, users)."""
    duplicates: Counter[str] = Counter()
    policy: Counter[str] = Counter()
    unexplained: Counter[str] = Counter()
    users = 0
    for run in runs:
        for user, scenario in run.users.items():
            users += 1
            copies = _delivered(run.tg, user)
            if copies > 1:
                duplicates[scenario] += copies - 1
            elif copies == 0:
                status = _recorded(run.data_dir, user).get(run.keys[user])
                if status is not None and status != "sent":
                    policy[status] += 1
                else:
                    unexplained[scenario] += 1
    return duplicates, policy, unexplained, users


async def _next_fault(plan: FaultPlan, within: float) -> bool:
    seen = len(plan.injected)
    return await wait_until(lambda: len(plan.injected) > seen, within, step=0.05)


async def _real_kills(root: Path, now: datetime, users: list[int]) -> Outcome:
    """The acknowledge window with a real ``funnelbot run`` and a real SIGKILL (full run only).

    Each user's first send is answered 4 s late; 1 s into that the process is killed and started
    again, once per user. Then a clean restart, waiting through its first tick.
    """
    tg = FakeTelegram(token=TOKEN, bot_username="funnelbot_bench_bot")
    plan = FaultPlan()
    runner, base_url, _ = await serve(tg, faults=plan)
    data_dir = root / "data"
    out = Outcome(tg, data_dir, dict.fromkeys(users, f"{KILL} (kill -9)"), _seed(data_dir, users, now))
    for user in users:
        tg.send_text(user, "hi")
        plan.add(FaultKind.DELAY, method="sendMessage", chat_id=user, times=1, seconds=4.0)
    tg.pop_updates()
    bot = BotProcess(tg, base_url, data_dir, root / "logs")
    first_tick = TICK_EVERY + 30  # funnelbot run's first tick may come a full interval after start

    def recorded() -> bool:
        return all(out.keys[u] in _recorded(data_dir, u) for u in users)

    try:
        out.failed_starts += not await bot.start()
        while out.kills < len(users) and await _next_fault(plan, first_tick):
            await asyncio.sleep(1.0)
            await bot.kill()
            out.kills += 1
            out.failed_starts += not await bot.start()
        await wait_until(recorded, first_tick, step=0.2)
        await bot.stop()
        out.failed_starts += not await bot.start()  # a clean restart must not send any of them again
        await wait_until(lambda: any(_delivered(tg, u) > 1 for u in users), first_tick, step=0.2)
        await bot.stop()
    finally:
        await bot.kill()
        await runner.cleanup()
    return out


async def run(scale: Scale) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="rbench-nudges-") as tmp:
        out = await _run(scale, Path(tmp) / "in-process", datetime.now(UTC))
        runs = [out]
        if not scale.quick:
            runs.append(await _real_kills(Path(tmp) / "process", datetime.now(UTC), list(range(620_001, 620_004))))
        duplicates, policy, unexplained, users = _count(runs)

    def top(counter: Counter[str]) -> str:
        return ", ".join(f"{k} ×{v}" for k, v in counter.most_common(4))

    lost_note = f"lost by policy: {sum(policy.values())}" + (f" ({top(policy)})" if policy else "")
    if failed := sum(r.failed_starts for r in runs):
        lost_note += f"; {failed} restarts did not reach polling"
    return [
        Row(
            "nudges: duplicates",
            users,
            sum(duplicates.values()),
            top(duplicates) or f"{sum(r.kills for r in runs)} kills in the ack window, {out.ticks} ticks",
            [f"{v} extra cop{'y' if v == 1 else 'ies'} after: {k}" for k, v in duplicates.most_common()],
        ),
        Row(
            "nudges: lost unexplained",
            users,
            sum(unexplained.values()),
            "; ".join(x for x in (top(unexplained), lost_note) if x),
            [f"{v} lost after: {k}" for k, v in unexplained.most_common()],
        ),
    ]
