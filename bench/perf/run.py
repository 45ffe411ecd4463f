"""``python -m bench``: Funnelbot at 10,000 users, through the real process, against an echo-bot floor.

Everything runs on this machine in one go:

1. The data: 10,000 users x 20 applications plus one user with 500 (:mod:`bench.perf.seed`,
   cached), copied to a fresh directory for this run.
2. ``funnelbot run`` as a subprocess, over HTTP against the fake Bot API server with Telegram's
   flood limits on, fsync on, and the loop probe (:mod:`bot.probe`) on.
3. A bare PTB echo bot against its own fake server: the floor every latency is compared with.
4. Users paced as people are (under Telegram's limits): write commands, reads for the big user,
   1,000 weekly plans falling due the same minute with other users talking meanwhile, /chart and a
   5,000-row /import with other users talking meanwhile, then many button taps from many users for
   the memory check.
5. The same write with only 10 users (a second process), and once against TinyDB's default
   single-file storage holding every application.

Latency is from the moment the user's message is queued at the fake server until the bot's reply
(or edit) reaches it. The table is printed at the end; the exit code is 1 if a goal is missed.
``--quick`` runs a reduced version (about a minute) that checks the harness, not the goals.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from bench.perf import naive, seed
from bot.faketelegram import FakeMessage, FakeTelegram, FloodLimits
from bot.faketelegram.server import serve

TOKEN = "424242:BENCH-TOKEN"
ECHO_TOKEN = "434343:ECHO-TOKEN"
REPO_ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60.0


@dataclass(frozen=True)
class Sizes:
    users: int
    big_apps: int
    fanout: int
    write_users: int  # users taking part in the write rows
    rounds: int  # write sequences per user
    big_rounds: int  # rounds of the big user's six commands
    samples: int  # echo-floor and idle samples
    taps: int  # button taps for the memory check
    taps_seconds: float  # ... or this long, whichever ends first
    import_rows: int
    naive_writes: int


FULL = Sizes(10_000, 500, 1_000, 120, 2, 12, 120, 100_000, 600.0, 5_000, 3)
QUICK = Sizes(300, 100, 40, 12, 1, 2, 20, 600, 15.0, 500, 1)


# -- measuring replies ------------------------------------------------------------------------------


class Replies:
    """Wakes whoever waits for a bot message (or edit) in a chat; records when each arrived."""

    def __init__(self, tg: FakeTelegram) -> None:
        self.waiting: dict[int, asyncio.Future[FakeMessage]] = {}
        self.sent_at: dict[int, list[float]] = {}
        tg.subscribe(self._seen)

    def _seen(self, message: FakeMessage, event: str) -> None:
        if event == "deleted":
            return
        self.sent_at.setdefault(message.chat_id, []).append(time.perf_counter())
        future = self.waiting.pop(message.chat_id, None)
        if future is not None and not future.done():
            future.set_result(message)

    def expect(self, chat_id: int) -> asyncio.Future[FakeMessage]:
        future: asyncio.Future[FakeMessage] = asyncio.get_running_loop().create_future()
        self.waiting[chat_id] = future
        return future


async def timed(replies: Replies, chat_id: int, act: Callable[[], object]) -> tuple[float, FakeMessage]:
    """Seconds from ``act`` (queue the user's update) until the bot's first answer in the chat."""
    future = replies.expect(chat_id)
    start = time.perf_counter()
    act()
    message = await asyncio.wait_for(future, TIMEOUT)
    return time.perf_counter() - start, message


def pct(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


@dataclass
class Row:
    name: str
    samples: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.samples.append(seconds)


# -- processes --------------------------------------------------------------------------------------


def _env(token: str, base_url: str, data_dir: Path | None, probe: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "FUNNELBOT_"))}
    env.update(TELEGRAM_BOT_TOKEN=token, TELEGRAM_API_BASE_URL=base_url, LOG_LEVEL="WARNING")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    if data_dir is not None:
        env["FUNNELBOT_DATA_DIR"] = str(data_dir)
    if probe is not None:
        env["FUNNELBOT_PROBE"] = str(probe)
    return env


async def spawn(args: list[str], env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    handle = open(log, "wb")  # noqa: SIM115, ASYNC230 - the child owns it until it exits
    return await asyncio.create_subprocess_exec(
        sys.executable, *args, env=env, cwd=str(log.parent), stdout=handle, stderr=asyncio.subprocess.STDOUT
    )


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), 60)
    except TimeoutError:
        process.kill()
        await process.wait()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def polls(tg: FakeTelegram) -> int:
    return sum(1 for method, _ in tg.calls if method == "getUpdates")


async def until(condition: Callable[[], bool], what: str, process: asyncio.subprocess.Process | None = None) -> None:
    deadline = time.monotonic() + 600
    while not condition():
        if process is not None and process.returncode is not None:
            raise RuntimeError(f"the bot exited while waiting for {what}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.002)


def read_probe(path: Path) -> dict[str, object]:
    for _ in range(50):
        with contextlib.suppress(OSError, ValueError):
            figures: dict[str, object] = json.loads(path.read_text())
            return figures
        time.sleep(0.02)
    return {}


def worst_lag(path: Path, since: float, until_: float) -> float:
    figures = read_probe(path)
    worst = figures.get("worst_ms_by_second", {})
    assert isinstance(worst, dict)
    return max((v for k, v in worst.items() if since - 1 <= int(k) <= until_ + 1), default=0.0)


# -- the run ----------------------------------------------------------------------------------------


class Bench:
    def __init__(self, sizes: Sizes, work: Path, out: Callable[[str], None]) -> None:
        self.sizes = sizes
        self.work = work
        self.out = out
        self.rows: dict[str, Row] = {}
        self.figures: dict[str, object] = {}
        self.rng = random.Random(7)

    def row(self, name: str) -> Row:
        return self.rows.setdefault(name, Row(name))

    async def start_bot(
        self, tg: FakeTelegram, base_url: str, data: Path, probe: Path | None, name: str
    ) -> tuple[asyncio.subprocess.Process, float]:
        before = polls(tg)
        started = time.perf_counter()
        process = await spawn(["-m", "bot", "run"], _env(TOKEN, base_url, data, probe), self.work / f"{name}.log")
        await until(lambda: polls(tg) > before, "the first getUpdates", process)
        return process, time.perf_counter() - started

    async def echo_floor(self) -> None:
        tg = FakeTelegram(token=ECHO_TOKEN)
        runner, base_url, _ = await serve(tg)
        replies = Replies(tg)
        process = await spawn(["-m", "bench.perf.echo"], _env(ECHO_TOKEN, base_url, None, None), self.work / "echo.log")
        try:
            await until(lambda: polls(tg) > 0, "the echo bot", process)
            await asyncio.sleep(0.5)
            row = self.row("echo")
            users = seed.user_ids(self.sizes.samples)
            for i, user in enumerate(users):
                seconds, _ = await timed(replies, user, partial(tg.send_text, user, f"hello {i}"))
                row.add(seconds)
                await asyncio.sleep(0.1)
        finally:
            await stop(process)
            await runner.cleanup()

    async def paced(self, tasks: Sequence[Callable[[], Coroutine[Any, Any, None]]], every: float) -> None:
        """Start one task every ``every`` seconds (users arriving), then wait for all."""
        running: list[asyncio.Task[None]] = []
        for task in tasks:
            running.append(asyncio.create_task(task()))
            await asyncio.sleep(every)
        await asyncio.gather(*running)

    async def run(self) -> int:
        s = self.sizes
        cache = Path(os.environ.get("FUNNELBOT_BENCH_CACHE", Path.home() / ".cache" / "funnelbot-bench"))
        seeded = seed.cached(cache, s.users, s.big_apps, s.fanout, self.out)
        data = self.work / "data"
        started = time.perf_counter()
        seed.copy_data(seeded, data)
        self.out(f"copied the data set in {time.perf_counter() - started:.1f} s; echo floor ...")

        await self.echo_floor()

        # The fan-out users' plan falls due at a whole minute after the write rows should be done.
        # (--quick: already due, so they go out at the first tick, right after start-up.)
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        fan_at = now + timedelta(minutes=4) if s is FULL else now - timedelta(minutes=1)
        fan_users = seed.fanout_ids(s.users, s.fanout)
        seed.due_soon(data, fan_users, fan_at)

        tg = FakeTelegram(token=TOKEN, flood=FloodLimits())
        known(tg, [seed.BIG_USER, *seed.user_ids(s.users)])
        runner, base_url, _ = await serve(tg)
        replies = Replies(tg)
        probe = self.work / "probe.json"
        self.out("starting funnelbot run ...")
        process, startup = await self.start_bot(tg, base_url, data, probe, "bot")
        self.figures["startup"] = startup
        await asyncio.sleep(1.0)
        self.figures["rss_start"] = rss_mb(process.pid)
        try:
            await self.phases(tg, replies, process, probe, fan_users, fan_at)
        finally:
            await stop(process)
            await runner.cleanup()
        self.figures["errors_429"] = sum(1 for _, d in tg.errors if "Too Many Requests" in d)
        self.figures["other_errors"] = [e for e in tg.errors if "Too Many Requests" not in e[1]][:5]

        self.out("the same write with 10 users ...")
        await self.small_instance(seeded)
        self.out("the naive comparison (TinyDB's default storage, every application in one file) ...")
        self.figures["naive"] = naive.measure(seeded, s.naive_writes)
        return 0

    async def phases(
        self,
        tg: FakeTelegram,
        replies: Replies,
        process: asyncio.subprocess.Process,
        probe: Path,
        fan_users: list[int],
        fan_at: datetime,
    ) -> None:
        s = self.sizes
        ordinary = [u for u in seed.user_ids(s.users) if u not in set(fan_users)]
        self.rng.shuffle(ordinary)
        writers, talkers, idle_users = ordinary[: s.write_users], ordinary[-60:-30], ordinary[-30:]

        if s is not FULL:
            self.out(f"{s.fanout} weekly plans due at start-up ...")
            await self.fanout(tg, replies, talkers, fan_users, fan_at, probe)

        self.out("idle replies ...")
        await self.idle(tg, replies, idle_users, "idle")

        self.out("write rows (20 applications and 500) ...")
        before = read_probe(probe)
        phase_start = time.time()
        writes = [0]
        seq = [partial(self.write_sequence, tg, replies, user, writes) for user in writers]
        big = asyncio.create_task(self.big_user(tg, replies, writes))
        await self.paced(seq, 1.0 / 3)
        await big
        after = read_probe(probe)
        self.figures["writes"] = writes[0]
        self.figures["fsyncs"] = (int(after["fsyncs"]) - int(before["fsyncs"])) / max(1, writes[0])  # type: ignore[call-overload]
        self.figures["replaces"] = (int(after["replaces"]) - int(before["replaces"])) / max(1, writes[0])  # type: ignore[call-overload]
        self.figures["lag_writes"] = worst_lag(probe, phase_start, time.time())
        self.rss_mark(process, "writes")

        self.out(f"write cost at {s.users:,} users (idle) ...")
        await self.moves(tg, replies, idle_users, "move_many")

        if s is FULL:
            self.out(f"waiting for {s.fanout:,} weekly plans due at {fan_at:%H:%M} UTC ...")
            # The idle row's users, who have been talking (the moves just now): the fan-out row then
            # differs from the idle one by the fan-out only. (Users new to the bot each time made it
            # mostly a row of first reads, against an idle row of users already in memory.)
            await self.fanout(tg, replies, idle_users, fan_users, fan_at, probe)
            self.rss_mark(process, "fan-out")

        self.out("/chart (500 applications) and /import (5,000 rows) with other users talking ...")
        await self.heavy(tg, replies, talkers, probe)
        self.rss_mark(process, "chart/import")

        self.out("button taps from many users (memory) ...")
        await self.taps(tg, process, fan_users + writers)
        self.figures["lag_all"] = worst_lag(probe, 0, time.time())
        figures = read_probe(probe)
        pauses = figures.get("gen2_pauses_ms") or [0.0]
        assert isinstance(pauses, list)
        self.figures["gen2"] = max(float(p) for p in pauses)
        self.figures["stalls"] = figures.get("stalls") or []

    def rss_mark(self, process: asyncio.subprocess.Process, phase: str) -> None:
        """The bot's RSS after a phase: where the memory between start-up and the taps comes from."""
        marks = self.figures.setdefault("rss_phases", [])
        assert isinstance(marks, list)
        marks.append([phase, rss_mb(process.pid)])

    async def idle(self, tg: FakeTelegram, replies: Replies, users: list[int], name: str) -> None:
        row = self.row(name)
        for i in range(self.sizes.samples):
            user = users[i % len(users)]
            seconds, _ = await timed(replies, user, partial(tg.send_text, user, "/show 1"))
            row.add(seconds)
            await asyncio.sleep(max(0.05, 1.2 / len(users)))

    async def write_sequence(self, tg: FakeTelegram, replies: Replies, user: int, writes: list[int]) -> None:
        """One person's burst: add a job, tap its advance button, move another, undo."""
        for r in range(self.sizes.rounds):
            seconds, card = await timed(replies, user, partial(tg.send_text, user, f"/add Acme {r} - Senior SRE"))
            self.row("add").add(seconds)
            await asyncio.sleep(1.2)
            data = next(d for row in card.buttons for label, d in row if label.startswith("➡") and d)
            seconds, _ = await timed(replies, user, partial(tg.press, user, card.message_id, data))
            self.row("advance").add(seconds)
            await asyncio.sleep(1.2)
            seconds, reply = await timed(replies, user, partial(tg.send_text, user, f"/move {number(card)} interview"))
            self.row("move").add(_written(reply, seconds))
            await asyncio.sleep(1.2)
            seconds, _ = await timed(replies, user, partial(tg.send_text, user, "/undo"))
            self.row("undo").add(seconds)
            await asyncio.sleep(1.2)
            writes[0] += 4

    async def big_user(self, tg: FakeTelegram, replies: Replies, writes: list[int]) -> None:
        user = seed.BIG_USER
        for r in range(self.sizes.big_rounds):
            seconds, card = await timed(replies, user, partial(tg.send_text, user, f"/add Big {r} - Staff SRE"))
            self.row("big_add").add(seconds)
            await asyncio.sleep(1.2)
            data = next(d for row in card.buttons for label, d in row if label.startswith("➡") and d)
            seconds, _ = await timed(replies, user, partial(tg.press, user, card.message_id, data))
            self.row("big_advance").add(seconds)
            await asyncio.sleep(1.2)
            seconds, reply = await timed(replies, user, partial(tg.send_text, user, f"/move {number(card)} interview"))
            self.row("big_move").add(_written(reply, seconds))
            await asyncio.sleep(1.2)
            seconds, _ = await timed(replies, user, partial(tg.send_text, user, "/undo"))
            self.row("big_undo").add(seconds)
            await asyncio.sleep(1.2)
            writes[0] += 4
            seconds, _ = await timed(replies, user, partial(tg.send_text, user, "/list"))
            self.row("big_list").add(seconds)
            await asyncio.sleep(1.2)
            seconds, _ = await timed(replies, user, partial(tg.send_text, user, "/funnel"))
            self.row("big_funnel").add(seconds)
            await asyncio.sleep(1.2)

    async def moves(self, tg: FakeTelegram, replies: Replies, users: list[int], name: str) -> None:
        """The same write for every sample: each user's own new job, moved to interview and back.

        (A seeded application may be closed, and a closed one's /move is a refusal that writes
        nothing; comparing instances on such a mix compared their data, not their write cost.)
        """
        row = self.row(name)
        jobs = {}
        for user in users:
            _, card = await timed(replies, user, partial(tg.send_text, user, "/add Bench Co - Platform Engineer"))
            jobs[user] = number(card)
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.2)
        stages = ["interview", "applied"]
        for i in range(self.sizes.samples):
            user = users[i % len(users)]
            stage = stages[(i // len(users)) % 2]
            seconds, reply = await timed(replies, user, partial(tg.send_text, user, f"/move {jobs[user]} {stage}"))
            row.add(_written(reply, seconds))
            await asyncio.sleep(max(0.05, 1.2 / len(users)))

    async def fanout(
        self,
        tg: FakeTelegram,
        replies: Replies,
        talkers: list[int],
        fan_users: list[int],
        fan_at: datetime,
        probe: Path,
    ) -> None:
        fan = set(fan_users)

        def delivered() -> int:
            return sum(1 for chat in fan if replies.sent_at.get(chat))

        wait = (fan_at - datetime.now(UTC)).total_seconds()
        if wait > 0:
            await asyncio.sleep(wait)
        await until(lambda: delivered() > 0, "the first weekly plan")
        phase_start = time.time()
        row = self.row("during_fanout")
        i = 0
        while delivered() < len(fan):
            user = talkers[i % len(talkers)]
            seconds, _ = await timed(replies, user, partial(tg.send_text, user, "/show 1"))
            row.add(seconds)
            i += 1
            await asyncio.sleep(1.0)  # another user now and then (a person, not a second batch)
            if time.time() - phase_start > 600:
                break
        times = sorted(replies.sent_at[chat][0] for chat in fan if replies.sent_at.get(chat))
        span = times[-1] - times[0] if len(times) > 1 else math.nan
        self.figures["fanout_sent"] = len(times)
        self.figures["fanout_rate"] = (len(times) - 1) / span if span else math.nan
        self.figures["lag_fanout"] = worst_lag(probe, phase_start, time.time())

    async def heavy(self, tg: FakeTelegram, replies: Replies, talkers: list[int], probe: Path) -> None:
        phase_start = time.time()
        row = self.row("during_heavy")
        done = asyncio.Event()

        async def others() -> None:
            i = 0
            while not done.is_set():
                user = talkers[i % len(talkers)]
                seconds, _ = await timed(replies, user, partial(tg.send_text, user, "/show 2"))
                row.add(seconds)
                i += 1
                await asyncio.sleep(0.1)

        talking = asyncio.create_task(others())
        big = seed.BIG_USER
        importer = talkers[0] + 0  # an ordinary user importing their spreadsheet
        for _ in range(2):
            seconds, _ = await timed(replies, big, partial(tg.send_text, big, "/chart"))
            self.row("chart").add(seconds)
            await asyncio.sleep(1.5)
        csv = spreadsheet(self.sizes.import_rows)
        before = len(replies.sent_at.get(importer, []))
        start = time.perf_counter()
        tg.send_document(importer, "applications.csv", csv)
        await until(lambda: _import_done(tg, importer, before), "the import's report")
        self.row("import").add(time.perf_counter() - start)
        await asyncio.sleep(1.0)
        done.set()
        await talking
        self.figures["lag_heavy"] = worst_lag(probe, phase_start, time.time())

    async def taps(self, tg: FakeTelegram, process: asyncio.subprocess.Process, users: list[int]) -> None:
        """Many users tap an old button (answered 'expired', no message sent): memory over many updates."""
        targets = [(u, m.message_id) for u in users if (m := _last_bot_message(tg, u)) is not None]

        def answered() -> int:
            return len(tg.callback_answers)

        base = answered()
        start = time.perf_counter()
        sent = 0
        # Where the memory goes: a working set filling once, or a leak that grows with every update.
        marks = [rss_mb(process.pid)]
        while sent < self.sizes.taps and time.perf_counter() - start < self.sizes.taps_seconds:
            if sent == self.sizes.taps // 5:
                marks.append(rss_mb(process.pid))
            while sent - (answered() - base) > 200:  # noqa: ASYNC110 - polling the fake, a harness
                await asyncio.sleep(0.005)
            user, message_id = targets[sent % len(targets)]
            tg.press(user, message_id, f"x:{sent}", force=True)
            sent += 1
            if sent % 50 == 0:
                await asyncio.sleep(0)
        await until(lambda: answered() - base >= sent, "the taps' answers", process)
        self.figures["taps"] = sent
        self.figures["taps_rate"] = sent / (time.perf_counter() - start)
        self.figures["rss_after"] = rss_mb(process.pid)
        self.figures["rss_taps"] = [*marks, self.figures["rss_after"]]

    async def small_instance(self, seeded: Path) -> None:
        """The same write with only 10 users in the data directory (another process)."""
        data = self.work / "small"
        (data / "users").mkdir(parents=True)
        users = seed.user_ids(self.sizes.users)[:10]
        for user in users:
            source = seeded / "users" / f"{user}.json"
            (data / "users" / source.name).write_bytes(source.read_bytes())
        tg = FakeTelegram(token=TOKEN, flood=FloodLimits())
        known(tg, users)
        runner, base_url, _ = await serve(tg)
        replies = Replies(tg)
        process, _ = await self.start_bot(tg, base_url, data, None, "small")
        try:
            await asyncio.sleep(1.0)
            await self.moves(tg, replies, users, "move_few")
        finally:
            await stop(process)
            await runner.cleanup()


def number(card: FakeMessage) -> int:
    """The application number in an /add reply ("Saved as prospect #21. ...")."""
    found = re.search(r"#(\d+)", card.text or "")
    if found is None:
        raise RuntimeError(f"no application number in the reply: {card.text!r}")
    return int(found.group(1))


def _written(reply: FakeMessage, seconds: float) -> float:
    """``seconds``, for a /move the bot carried out; a refusal would time a different path."""
    if not (reply.text or "").startswith(("Moved", "Corrected")):
        raise RuntimeError(f"a /move the bench times was not carried out: {(reply.text or '')[:120]!r}")
    return seconds


def known(tg: FakeTelegram, users: list[int]) -> None:
    """Every seeded user has talked to the bot before (Telegram knows their chat)."""
    for user in users:
        tg._user(user, "User")  # the fake has no public call for "this user exists" without a message


def _last_bot_message(tg: FakeTelegram, user: int) -> FakeMessage | None:
    messages = tg.bot_messages(user)
    return messages[-1] if messages else None


def _import_done(tg: FakeTelegram, user: int, before: int) -> bool:
    messages = tg.bot_messages(user)
    return any(m.text and ("Imported" in m.text or "imported" in m.text) for m in messages[-3:])


def spreadsheet(rows: int) -> bytes:
    """A user's own spreadsheet of ``rows`` applications (company, role, status, date applied)."""
    lines = ["Company,Position,Status,Date applied"]
    today = datetime.now(UTC).date()
    for i in range(rows):
        day = today - timedelta(days=10 + i % 300)
        lines.append(f"Firm {i},Engineer {i % 7},{['Applied', 'Interviewing', 'Rejected'][i % 3]},{day.isoformat()}")
    return ("\n".join(lines) + "\n").encode()


def main(argv: list[str] | None = None) -> int:
    from bench.perf.report import report

    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a reduced run (about a minute): checks the harness")
    parser.add_argument("--keep", action="store_true", help="keep the run's directory (logs, data) and print it")
    args = parser.parse_args(argv)
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    sizes = QUICK if args.quick else FULL

    def out(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    work = Path(tempfile.mkdtemp(prefix="funnelbot-bench-"))
    bench = Bench(sizes, work, out)
    started = time.perf_counter()
    try:
        asyncio.run(bench.run())
    finally:
        if args.keep:
            out(f"run directory: {work}")
        else:
            import shutil

            shutil.rmtree(work, ignore_errors=True)
    missed = report(bench, sizes, quick=args.quick, wall=time.perf_counter() - started)
    return 1 if missed and not args.quick else 0
