"""Does a big batch of nudges hold up commands? (prints figures; not a test)

    python bench/bench_command_latency.py [users]

Builds the real application against the offline Telegram (in-process, PTB's AIORateLimiter on),
makes ``users`` people due for their Monday plan, starts one scheduler tick (paced at 20
messages/s) and, while it sends, has another user send /list every 0.2 s. Prints the reply
latency of those commands with and without the tick running, and how long the tick took.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.context import BotApp, services
from bot.domain.models import Profile
from bot.faketelegram import FakeTelegram, FloodLimits
from storage import Repository

TOKEN = "123456:BENCH"
JOINED = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
PLAN_AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 09:00 UTC: everyone's plan is due
ASKER = 999_999


async def ask(app: BotApp, tg: FakeTelegram) -> float:
    """Send /list as ASKER and return seconds until the reply exists."""
    before = len(tg.bot_messages(ASKER))
    start = time.perf_counter()
    tg.send_text(ASKER, "/list")
    for data in tg.pop_updates():
        await app.process_update(Update.de_json(data, app.bot))
    assert len(tg.bot_messages(ASKER)) > before
    return time.perf_counter() - start


async def sample(app: BotApp, tg: FakeTelegram, until: asyncio.Task[object] | None, count: int) -> list[float]:
    latencies: list[float] = []
    while len(latencies) < count and (until is None or not until.done()):
        latencies.append(await ask(app, tg))
        await asyncio.sleep(0.2)
    return latencies


def describe(label: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (
        f"{label:<22} n={len(values):>3}  median {statistics.median(values) * 1000:7.1f} ms  "
        f"p95 {p95 * 1000:7.1f} ms  max {max(values) * 1000:7.1f} ms"
    )


async def main(users: int) -> None:
    clock = {"now": JOINED}
    with tempfile.TemporaryDirectory() as folder:
        repo = Repository.open(folder, fsync=False)
        for user_id in range(1, users + 1):
            repo.save_profile(Profile(user_id=user_id, chat_id=user_id, created_at=JOINED, timezone="UTC"))
        tg = FakeTelegram(token=TOKEN, flood=FloodLimits(enabled=False))
        for user_id in range(1, users + 1):
            tg.send_text(user_id, "/help")  # each user has started a chat with the bot
        tg.pop_updates()
        settings = Settings(token=TOKEN, data_dir=Path(folder))
        app = build_application(settings, repo, request=tg.request(), clock=lambda: clock["now"])
        async with app:
            scheduler = services(app).scheduler
            assert scheduler is not None
            scheduler.start()
            assert scheduler.job is not None
            scheduler.job.enabled = False  # only the tick we start below
            await ask(app, tg)  # the asker joins
            idle = await sample(app, tg, None, 20)
            clock["now"] = PLAN_AT
            scheduler.rebuild()
            started = time.perf_counter()
            tick = asyncio.create_task(scheduler.tick())
            busy = await sample(app, tg, tick, 10_000)
            report = await tick
            took = time.perf_counter() - started
        repo.close()
    print(f"users due: {users}; tick sent {report.sent} plans in {took:.1f} s ({report.sent / took:.1f}/s)")
    print(describe("/list, no tick", idle))
    print(describe("/list, during the tick", busy))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
