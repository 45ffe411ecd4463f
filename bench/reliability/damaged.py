"""Damaged data files: 17 ways a user file can be broken, each put before a real ``funnelbot run``.

A good file is written through ``storage.Repository``; each case damages a copy (bytes or JSON
shape) and starts the bot on a data directory holding it and a healthy user. Expected: the bot
refuses to start with one clear line naming the file, and leaves the file exactly as it was.

Counted: files whose bytes changed, were moved or were removed (rewritten), and runs that did not
end with a line naming the file, printed a traceback, or started serving anyway (unclear).
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.reliability.common import TOKEN, BotProcess, Row, Scale, wait_until
from bot.domain.capture import parse_quick_add
from bot.domain.models import Profile
from bot.domain.moves import new_application
from bot.faketelegram import FakeTelegram
from bot.faketelegram.server import serve
from storage import Repository

VICTIM, HEALTHY = 3101, 3102
EXIT_TIMEOUT = 45.0


def _write_good(data_dir: Path, user: int) -> None:
    repo = Repository.open(data_dir)
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    profile = Profile(user_id=user, chat_id=user, created_at=now, first_name="Ada", timezone="Europe/Berlin")
    repo.save_profile(profile)
    for text in ("Acme - SRE #sre", "Globex - Platform Engineer applied"):
        repo.add_application(profile, new_application(parse_quick_add(text, now.date()), now), "added #{n}")
    repo.mark_reminder(user, "plan:2026-11-23", now)
    repo.close()


def _json_edit(change: Callable[[dict[str, Any]], None]) -> Callable[[bytes], bytes]:
    def damage(good: bytes) -> bytes:
        data = json.loads(good)
        change(data)
        return json.dumps(data).encode()

    return damage


def _set(path: tuple[str, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


_PROFILE, _APP = ("profile", "1"), ("applications", "1")
CASES: list[tuple[str, Callable[[bytes], bytes] | None]] = [
    ("empty file", lambda good: b""),
    ("truncated mid-write", lambda good: good[: len(good) // 2]),
    ("random bytes", lambda good: random.Random(len(good)).randbytes(len(good))),
    ("invalid UTF-8", lambda good: good.replace(b'"Acme"', b'"Ac\xffme"')),
    ("zero-filled (power loss)", lambda good: bytes(len(good))),
    ("trailing garbage", lambda good: good + b"}garbage"),
    ("top level is a list", lambda good: b"[]"),
    ("top level is null", lambda good: b"null"),
    ("a table is a list", _json_edit(_set(("applications",), []))),
    ("profile document empty", _json_edit(_set(_PROFILE, {}))),
    ("profile field of the wrong type", _json_edit(_set((*_PROFILE, "next_number"), "seven"))),
    ("application at stage 99", _json_edit(_set((*_APP, "stage"), 99))),
    ("application date unreadable", _json_edit(_set((*_APP, "created_at"), "yesterday"))),
    ("written by a newer version", _json_edit(_set(("meta", "1", "schema"), 99))),
    ("schema version not a number", _json_edit(_set(("meta", "1", "schema"), "x"))),
    ("nested 100,000 deep", lambda good: b"[" * 100_000 + b"]" * 100_000),
    ("a directory in its place", None),
]


@dataclass
class Outcome:
    name: str
    code: int | None
    rewritten: bool
    unclear: str  # why it was unclear; "" when clear


async def _case(name: str, damage: Callable[[bytes], bytes] | None, root: Path, good: bytes) -> Outcome:
    data_dir = root / name.replace(" ", "-").replace(",", "") / "data"
    users = data_dir / "users"
    users.mkdir(parents=True)
    (users / f"{HEALTHY}.json").write_bytes(good)
    victim = users / f"{VICTIM}.json"
    if damage is None:
        victim.mkdir()
        (victim / "keep").write_bytes(b"x")
        before = b"<dir>"
    else:
        before = damage(good)
        victim.write_bytes(before)
    # Its own fake: "started" means this bot polled, whatever the other cases do.
    tg = FakeTelegram(token=TOKEN, bot_username="funnelbot_bench_bot")
    runner, base_url, _ = await serve(tg)
    try:
        bot = BotProcess(tg, base_url, data_dir, data_dir.parent / "logs")
        await bot.spawn()
        await wait_until(lambda: not bot.alive() or bot.polls() > 0, EXIT_TIMEOUT, step=0.05)
        started = bot.alive()
        code = await bot.stop() if started else await bot.exited()
    finally:
        await runner.cleanup()
    output = bot.output()
    after = (
        b"<dir>"
        if victim.is_dir() and (victim / "keep").exists()
        else (victim.read_bytes() if victim.is_file() else b"<missing>")
    )
    lines = [line for line in output.splitlines() if line.strip()]
    if started or code == 0:
        unclear = "started anyway"
    elif "Traceback" in output:
        unclear = "traceback"
    elif not any(victim.name in line for line in lines[-3:]):
        unclear = f"no line names the file: {lines[-1][:60] if lines else '(no output)'}"
    else:
        unclear = ""
    return Outcome(name, code, after != before, unclear)


async def run(scale: Scale) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="rbench-damaged-") as tmp:
        root = Path(tmp)
        _write_good(root / "seed", VICTIM)
        good = (root / "seed" / "users" / f"{VICTIM}.json").read_bytes()
        shutil.rmtree(root / "seed")
        limit = asyncio.Semaphore(2)

        async def one(name: str, damage: Callable[[bytes], bytes] | None) -> Outcome:
            async with limit:
                return await _case(name, damage, root, good)

        outcomes = list(await asyncio.gather(*(one(name, damage) for name, damage in CASES)))
    rewritten = [o for o in outcomes if o.rewritten]
    unclear = [o for o in outcomes if o.unclear]
    codes = sorted({str(o.code) for o in outcomes})
    reasons = Counter(o.unclear.split(":")[0] for o in unclear)
    names = ", ".join(o.name for o in unclear)
    return [
        Row(
            "damaged files: rewritten",
            len(outcomes),
            len(rewritten),
            "; ".join(o.name for o in rewritten)[:90],
            [o.name for o in rewritten],
        ),
        Row(
            "damaged files: unclear messages",
            len(outcomes),
            len(unclear),
            (", ".join(f"{k} ×{v}" for k, v in reasons.items()) + f" ({names})")[:110]
            if unclear
            else f"exit codes {', '.join(codes)}",
            [f"{o.name}: {o.unclear} (exit {o.code})" for o in unclear],
        ),
    ]
