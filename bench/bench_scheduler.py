"""How long the reminder scheduler takes for 10,000 users (prints figures; not a test).

    python bench/bench_scheduler.py [users]

1. next-due for every user, pure domain, data already in memory;
2. ``Scheduler.rebuild()`` at start-up (reads every user's profile, applications and keys);
3. one tick over the whole index with about 1% of users due, sending to a no-op bot without
   pacing (compute + recording cost); the paced send time at 20 messages/s is printed beside it.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import Settings
from bot.context import SERVICES, Services
from bot.domain import moves
from bot.domain.models import Event, JobApplication, Profile, Slot
from bot.domain.reminders import next_due
from bot.domain.stages import Stage
from bot.scheduling import Scheduler
from bot.views.reminders import render_reminder
from storage import Repository

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # Monday noon UTC
CREATED = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata")


class _Bot:
    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> None:
        return None


class _App:
    def __init__(self, repo: Repository) -> None:
        self.bot = _Bot()
        self.job_queue = None
        self.bot_data: dict[str, Any] = {
            SERVICES: Services(repo=repo, settings=Settings(token="1:x"), clock=lambda: NOW)
        }


def _apps(user: int) -> list[JobApplication]:
    apps = []
    for number in range(1, 6):
        app = JobApplication(
            number,
            f"Co{number}",
            "SRE",
            CREATED,
            history=[Event(CREATED, "created", Stage.PROSPECT)],
            fit_contribute=number % 5 + 1,
            fit_learn=3,
            closes_on=date(2026, 12, 1 + number),
        )
        if number <= 2:
            moves.move(app, Stage.APPLIED, CREATED)
        apps.append(app)
    return apps


def populate(repo: Repository, users: int) -> None:
    for user in range(1, users + 1):
        zone = ZONES[user % len(ZONES)]
        due = user % 100 == 0  # about 1% have their plan at exactly NOW (local noon in UTC only)
        plan = Slot(0, clock_time(12, 0)) if due else Slot(1, clock_time(9, 0))
        profile = Profile(
            user_id=user, chat_id=user, created_at=CREATED, timezone="UTC" if due else zone, plan=plan, next_number=6
        )
        repo.save_profile(profile)
        repo.save_applications(user, _apps(user))


def main() -> None:
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        repo = Repository.open(Path(tmp), fsync=False)
        populate(repo, users)
        print(f"setup: {users} users written in {time.perf_counter() - started:.1f} s")

        loaded = [(p, repo.list_applications(p.user_id), repo.sent_reminders(p.user_id)) for p in repo.profiles()]
        started = time.perf_counter()
        for profile, apps, sent in loaded:
            next_due(profile, apps, sent, NOW, ZoneInfo(profile.timezone))
        pure = time.perf_counter() - started
        print(f"next-due, pure domain: {pure * 1000:.0f} ms for {users} users ({pure / users * 1e6:.0f} µs each)")

        scheduler = Scheduler(_App(repo), render_reminder, per_second=None, chat_gap=0)  # type: ignore[arg-type]
        started = time.perf_counter()
        indexed = scheduler.rebuild()
        print(
            f"rebuild at start-up (storage reads included): {time.perf_counter() - started:.2f} s, "
            f"{indexed} users indexed"
        )

        started = time.perf_counter()
        report = asyncio.run(scheduler.tick())
        took = time.perf_counter() - started
        print(
            f"tick: {report.users} users due of {users}, {report.sent} sent, {report.skipped} skipped, "
            f"{took * 1000:.0f} ms without pacing; paced at 20/s the sends take ~{report.sent / 20:.0f} s"
        )
        started = time.perf_counter()
        idle = asyncio.run(scheduler.tick())
        print(f"idle tick (nobody due): {(time.perf_counter() - started) * 1000:.1f} ms, {idle.users} users")
        repo.close()


if __name__ == "__main__":
    main()
