"""A flood from one heavy user must not stall another user's replies.

The heavy user has 5,000 applications (created through ``storage.Repository``) and sends 300
``/add`` within about 3 s to a real ``funnelbot run`` over HTTP, with the fake's real flood limits
(FloodLimits defaults: 30 a second overall, bursts of 20 then one a second per chat). Meanwhile a
second user sends ``/help`` every 1.5 s (slower than one a second, so their own chat's limit never
delays their replies). Reported: that user's reply times (p50, p95, max; an
unanswered /help counts as the whole wait); the target is p95 under 1 s. The failures column
counts /help replies slower than 1 s.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.reliability.common import TOKEN, BotProcess, Row, Scale, wait_until
from bot.domain.capture import parse_quick_add
from bot.domain.models import Profile
from bot.domain.moves import new_application
from bot.faketelegram import FakeMessage, FakeTelegram
from bot.faketelegram.server import serve
from storage import Repository

HEAVY, LIGHT = 4001, 4002
TARGET = 1.0
HELP_EVERY = 1.5  # seconds: a steady pace under Telegram's one message a second per chat


def _seed(data_dir: Path, applications: int) -> None:
    repo = Repository.open(data_dir)
    now = datetime.now(UTC)
    profile = Profile(user_id=HEAVY, chat_id=HEAVY, created_at=now - timedelta(days=400), timezone="UTC")
    apps = []
    for number in range(1, applications + 1):
        created = now - timedelta(days=400) + timedelta(hours=number)
        text = f"Company {number} - Engineer {number} #t{number % 7}" + (" applied" if number % 3 else "")
        app = new_application(parse_quick_add(text, created.date()), created)
        app.number = number
        apps.append(app)
    profile.next_number = applications + 1
    repo.save_profile(profile)
    repo.save_applications(HEAVY, apps)
    repo.save_profile(Profile(user_id=LIGHT, chat_id=LIGHT, created_at=now, timezone="UTC"))
    repo.close()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


async def run(scale: Scale) -> list[Row]:
    applications, adds, spread = scale.pick(5_000, 1_000), scale.pick(300, 100), scale.pick(3, 1)
    window = scale.pick(30, 12)  # seconds of /help under the flood
    drain = scale.pick(120, 15)  # how long the last /help are waited for afterwards
    tg = FakeTelegram(token=TOKEN, bot_username="funnelbot_bench_bot")  # FloodLimits() defaults
    replies: dict[int, list[float]] = {HEAVY: [], LIGHT: []}

    def listen(message: FakeMessage, event: str) -> None:
        if event == "sent" and message.chat_id in replies:
            replies[message.chat_id].append(time.monotonic())

    tg.subscribe(listen)
    runner, base_url, _ = await serve(tg)
    sent: list[float] = []
    try:
        with tempfile.TemporaryDirectory(prefix="rbench-flood-") as tmp:
            data_dir = Path(tmp) / "data"
            _seed(data_dir, applications)
            bot = BotProcess(tg, base_url, data_dir, Path(tmp) / "logs")
            try:
                if not await bot.start():
                    return [Row("flood: another user's p95 reply", 0, 1, "the bot did not start")]
                tg.send_text(LIGHT, "/help")  # warm-up, not measured
                await wait_until(lambda: len(replies[LIGHT]) >= 1, 60)
                replies[LIGHT].clear()

                async def heavy() -> None:
                    for i in range(adds):
                        tg.send_text(HEAVY, f"/add Flood {i} - Engineer applied")
                        await asyncio.sleep(spread / adds)

                flood = asyncio.create_task(heavy())
                started = time.monotonic()
                while time.monotonic() - started < window:
                    sent.append(time.monotonic())
                    tg.send_text(LIGHT, "/help")
                    await asyncio.sleep(HELP_EVERY)
                await flood
                await wait_until(lambda: len(replies[LIGHT]) >= len(sent), drain, step=0.05)
                end = time.monotonic()
            finally:  # measured; a graceful stop would only wait for the backlog
                await bot.kill()
    finally:
        await runner.cleanup()
    got = replies[LIGHT]
    latencies = [(got[i] if i < len(got) else end) - at for i, at in enumerate(sent)]
    slow = sum(1 for value in latencies if value > TARGET)
    p50, p95, worst = _percentile(latencies, 0.5), _percentile(latencies, 0.95), max(latencies)
    at_least = "≥ " if len(got) < len(sent) else ""  # an unanswered /help counts as the whole wait
    note = (
        f"p50 {at_least}{p50:.2f} s, p95 {at_least}{p95:.2f} s, max {at_least}{worst:.1f} s; "
        f"{len(got)}/{len(sent)} answered; "
        f"heavy: {applications} apps, {adds} /add in {spread} s, {len(replies[HEAVY])} answered"
    )
    return [Row(f"flood: another user's p95 reply < {TARGET:.0f} s", len(sent), slow, note, passed=p95 < TARGET)]
