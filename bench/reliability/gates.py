"""The access gate and the group pointer under every Telegram error.

The real ``Application`` runs in-process with PTB's own HTTP transport (HTTPXRequest, production
timeouts, AIORateLimiter) against the fake served over HTTP with a fault plan, and
``ALLOWED_USER_IDS`` set. Each case hits the one reply that refuses or points away with one fault:
502 before and after delivery, 403 blocked, 429 four times in a row (more than the rate limiter's
three retries), a dropped connection before and after delivery, and a reply slower than PTB's
read timeout. The cases: a stranger's /start, /add and button tap (the refusal), and /list in a
group from the owner and from a stranger (the pointer). Plus one case per update without a fault.

Counted: strangers with a data file afterwards, and sends into a group other than the pointer
(its text is learnt from the fault-free case).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Update

from bench.reliability.common import TOKEN, Row, Scale, join_groups
from bot.app import build_application
from bot.config import Settings
from bot.context import BotApp
from bot.faketelegram import FakeTelegram
from bot.faketelegram.faults import FaultKind, FaultPlan
from bot.faketelegram.server import serve
from storage import Repository

OWNER = 9001
READ_TIMEOUT = 5.0  # PTB's default HTTPXRequest read timeout
FAULTS: list[tuple[str, FaultKind | None, int, float]] = [  # (label, kind, times, seconds)
    ("none", None, 0, 0.0),
    ("502 before", FaultKind.FAIL_BEFORE, 1, 0.0),
    ("502 after", FaultKind.FAIL_AFTER, 1, 0.0),
    ("403 blocked", FaultKind.FORBIDDEN, 1, 0.0),
    ("429 x4", FaultKind.RETRY_AFTER, 4, 1.0),
    ("drop before", FaultKind.DROP_BEFORE, 1, 0.0),
    ("drop after", FaultKind.DROP_AFTER, 1, 0.0),
    ("timeout", FaultKind.DELAY, 1, READ_TIMEOUT + 1.0),
]


@dataclass
class Case:
    update: str
    fault: str
    stranger: int
    group: int | None = None
    stored: bool = False
    group_sends: list[str] | None = None


class Gates:
    def __init__(self, app: BotApp, tg: FakeTelegram, plan: FaultPlan, data_dir: Path) -> None:
        self.app, self.tg, self.plan, self.data_dir = app, tg, plan, data_dir
        self.update_id = 700_000_000
        self.message_id = 1

    async def process(self, data: dict[str, Any]) -> None:
        update = Update.de_json(data, self.app.bot)
        # As polling hands it over: through the app's update processor.
        await self.app.update_processor.process_update(update, self.app.process_update(update))

    def group_update(self, user: int, group: int) -> dict[str, Any]:
        self.update_id += 1
        self.message_id += 1
        return {
            "update_id": self.update_id,
            "message": {
                "message_id": self.message_id,
                "date": 0,
                "chat": {"id": group, "type": "supergroup", "title": "Job hunters"},
                "from": {"id": user, "is_bot": False, "first_name": "Eve"},
                "text": "/list",
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            },
        }

    def fault(self, label: str, method: str, chat: int | None) -> None:
        _, kind, times, seconds = next(f for f in FAULTS if f[0] == label)
        if kind is not None:
            self.plan.add(kind, method=method, chat_id=chat, times=times, seconds=seconds)

    async def message_case(self, case: Case) -> None:
        if case.group is not None:
            self.fault(case.fault, "sendMessage", case.group)
            mark = len(self.tg.calls)  # what the bot said when it joined the group is not an answer
            await self.process(
                self.group_update(OWNER if case.update.startswith("owner") else case.stranger, case.group)
            )
            case.group_sends = [str(p.get("text")) for _, p in self.tg.calls[mark:] if p.get("chat_id") == case.group]
        else:
            self.fault(case.fault, "sendMessage", case.stranger)
            self.tg.send_text(case.stranger, "/start" if case.update == "stranger /start" else "/add Acme - SRE")
            for data in self.tg.pop_updates():
                await self.process(data)
        case.stored = (self.data_dir / "users" / f"{case.stranger}.json").exists()

    async def tap_case(self, case: Case) -> None:
        sent = self.tg.send_text(case.stranger, "hello")
        self.tg.pop_updates()  # the bot never saw it; only the tap reaches it
        self.plan.clear()
        self.fault(case.fault, "answerCallbackQuery", None)
        self.tg.press(case.stranger, sent["message"]["message_id"], "app:mv:1:1", force=True)
        for data in self.tg.pop_updates():
            await self.process(data)
        self.plan.clear()
        case.stored = (self.data_dir / "users" / f"{case.stranger}.json").exists()


async def _gather(cases: list[Case], run: Callable[[Case], Awaitable[None]]) -> None:
    await asyncio.gather(*(run(case) for case in cases))


async def run(scale: Scale) -> list[Row]:
    tg = FakeTelegram(token=TOKEN, bot_username="funnelbot_bench_bot")
    plan = FaultPlan(seed=scale.seed)
    runner, base_url, base_file_url = await serve(tg, faults=plan)
    cases: list[Case] = []
    modelled = False
    try:
        with tempfile.TemporaryDirectory(prefix="rbench-gates-") as tmp:
            data_dir = Path(tmp) / "data"
            settings = Settings(
                token=TOKEN,
                data_dir=data_dir,
                api_base_url=base_url,
                api_base_file_url=base_file_url,
                allowed_user_ids=frozenset({OWNER}),
            )
            repo = Repository.open(data_dir)
            app = build_application(settings, repo)
            async with app:
                await app.post_init(app)  # type: ignore[misc]
                gates = Gates(app, tg, plan, data_dir)
                tg.send_text(OWNER, "/start")
                for data in tg.pop_updates():
                    await gates.process(data)
                stranger = 66_000
                for update in ("stranger /start", "stranger /add", "owner group /list", "stranger group /list"):
                    for label, *_ in FAULTS:
                        stranger += 1
                        group = -100_500_000 - stranger if "group" in update else None
                        cases.append(Case(update, label, stranger, group))
                groups = [{"id": c.group, "title": "Job hunters"} for c in cases if c.group is not None]
                modelled = join_groups(tg, groups, OWNER)
                if modelled:
                    for data in tg.pop_updates():  # the bot learns it was added to each group
                        await gates.process(data)
                await _gather(cases, gates.message_case)
                plan.clear()
                for label, *_ in FAULTS:
                    stranger += 1
                    case = Case("stranger tap", label, stranger)
                    cases.append(case)
                    await gates.tap_case(case)
            repo.close()
    finally:
        await runner.cleanup()
    strangers = [c for c in cases if c.stored and (c.group is None or not c.update.startswith("owner"))]
    pointer = next(
        (c.group_sends[0] for c in cases if c.group_sends and c.fault == "none" and c.update.startswith("owner")), ""
    )
    leaks = [c for c in cases if c.group_sends and any(text != pointer for text in c.group_sends)]
    leak_count = sum(sum(1 for t in c.group_sends or [] if t != pointer) for c in leaks)

    def where(found: list[Case]) -> str:
        return "; ".join(f"{c.update} @ {c.fault}" for c in found[:3])

    # An older fake has no group chats: every send to a group is refused, the fault-free one too.
    leaks_note = where(leaks) if modelled else "this fake has no group chats: every pointer gets 400 chat not found"

    return [
        Row(
            "gates: strangers stored",
            len(cases),
            len(strangers),
            where(strangers),
            [f"{c.update} @ {c.fault}" for c in strangers],
        ),
        Row(
            "gates: private replies in groups",
            sum(1 for c in cases if c.group),
            leak_count,
            leaks_note,
            [f"{c.update} @ {c.fault}: {[t[:40] for t in c.group_sends or [] if t != pointer]}" for c in leaks],
        ),
    ]
