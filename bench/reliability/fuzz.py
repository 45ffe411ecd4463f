"""Fuzz the real ``Application`` in-process through the strict fake Telegram.

A seeded generator plays three users: texts, commands with hostile arguments, files, real taps,
forged taps (data no button carries), stale taps (a button pressed again after things changed),
blocks and unblocks, edits, channel posts, group messages and update types the bot never asked
for. Two bystanders have data and never act. Flood limits are off (the flood check covers them);
the fake's validation of every call is on.

Per input it counts: the error handler being called (or ``process_update`` raising), calls the
fake refused (a bot reply Telegram would reject; sends into a group or channel are "chat not
found" only because the fake models private chats, and are not counted), callback queries left
unanswered, and anything sent to or changed for another user (cross-user effects).
"""

from __future__ import annotations

import random
import string
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Update

from bench.reliability.common import TOKEN, Row, Scale, join_groups
from bot.app import build_application
from bot.commands import COMMANDS
from bot.config import Settings
from bot.context import BotApp, BotContext
from bot.faketelegram import FakeTelegram, FakeUsageError, FloodLimits
from storage import Repository

USERS = (8001, 8002, 8003)
BYSTANDERS = (8101, 8102)
# Many groups: PTB's AIORateLimiter allows 20 messages a minute per group, and one group would
# make the fuzz wait on it rather than test anything.
GROUPS = [{"id": -100200300 - i, "type": "supergroup", "title": f"Job hunters {i}"} for i in range(60)]
CHANNEL = {"id": -100900900, "type": "channel", "title": "Openings"}
# The bot's edit helper ignores this refusal on purpose (a tap that changes nothing).
_NOT_MODIFIED = "message is not modified"

HOSTILE = [
    "",
    "0",
    "-1",
    "#0",
    "#-3",
    "99999999999999999999",
    "１２",
    "٣",
    "3.5",
    "1e9",
    "<b>",
    "</i>",
    "&amp;",
    "&#0;",
    "<a href='javascript:x'>x</a>",
    "\u202eevil",
    "\u200b",
    "💥🚀",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "a" * 300,
    "%s%n",
    "{0}",
    "${x}",
    "'; DROP TABLE users; --",
    "../../etc/passwd",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "yesterday",
    "in 500 years",
    "25:99",
    "tue 14:00",
    "fri 10am",
    "interview",
    "offer",
    "7",
    "8",
    "-8",
    "applied",
    "closes friday",
    "fit 9/9",
    "via carrier pigeon",
    "camp safe",
    "company",
    "closes",
    "link",
    "https://acme.example/jobs/1",
    "ftp://x.example",
    "http://",
    "@funnelbot_bench_bot",
    "until 2026-12-01",
    "for 2 weeks",
    "for -2 weeks",
    "plan mon 09:00",
    "check off",
    "review sun 6pm",
    "Europe/Berlin",
    "Mars/Olympus",
    "UTC+14",
    "UTC+99",
    "all",
    "weeks 500",
    "ics",
    "nov 1 to nov 30",
    "clear",
    "move fri 10:00",
    "cancel",
    "1 2 3 4 5 6 7 8 9",
    "\n\n",
    "\t",
]
VALID = [
    "/add Acme - Senior SRE https://acme.example/jobs/42 #sre closes friday fit 4/5",
    "/add Globex - Platform Engineer applied via LinkedIn",
    "/add Data Engineer at Initech camp growth",
    "/move 1 interview",
    "/move 2 3",
    "/note 1 Ask about on-call",
    "/reject 2 salary",
    "/reopen 2",
    "/interview 1 tomorrow 14:00",
    "/list all",
    "/show 1",
    "/undo",
    "/start",
    "/timezone Lisbon",
    "/target 3 2",
    "/settings",
    "/funnel",
    "/week",
    "/export",
    "/import",
    "/prospects",
    "/delete 3",
    "/cancel",
]
TEXTS = [
    "hello",
    "https://jobs.example.com/123",
    "Lisbon",
    "yes",
    "Acme",
    "SRE",
    "<b>bold?</b>",
    "& < >",
    "🙂" * 50,
    "x" * 4096,
    "مرحبا",
    "第一份工作",
    "\u0000nul",
    "  padded  ",
]
FILES: list[tuple[str, bytes, str]] = [
    ("jobs.csv", b"company,role,stage\nGlobex,SRE,applied\nAcme,Dev,interview\n", "text/csv"),
    ("bad.csv", b"company,role,stage\nAcme,,intervew\n,,\n", "text/csv"),
    ("semi.csv", b"Company;Position;Status\nUmbrella & Co;Data <Engineer>;2\n", "text/csv"),
    ("latin1.csv", "company,role,stage\nCafé,Dev,1\n".encode("latin-1"), "text/csv"),
    ("noheader.csv", b"a,b,c\n1,2,3\n", "text/csv"),
    ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(40), "image/png"),
    ("blob.bin", bytes(range(256)) * 8, "application/octet-stream"),
    ("formula.csv", b"company,role,stage\n=cmd|' /C calc'!A0,+SUM(1),1\n", "text/csv"),
    ("big.csv", b"company,role,stage\n" + b"".join(b"C%d,R%d,1\n" % (i, i) for i in range(6000)), "text/csv"),
    ("quotes.csv", b'company,role,stage\n"unterminated,SRE,1\n', "text/csv"),
]


@dataclass
class Tally:
    inputs: Counter[str] = field(default_factory=Counter)
    exceptions: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    unanswered: Counter[str] = field(default_factory=Counter)
    cross: Counter[str] = field(default_factory=Counter)
    not_modified: int = 0
    unmodelled: int = 0  # sends to a group a fake without groups could not take
    unanswered_data: list[str] = field(default_factory=list)


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class Fuzzer:
    def __init__(
        self, app: BotApp, tg: FakeTelegram, clock: _Clock, rng: random.Random, errors: list[str], groups: bool
    ) -> None:
        self.app, self.tg, self.clock, self.rng = app, tg, clock, rng
        self.errors = errors  # what the error handler saw, in order
        self.groups = groups  # whether the fake models group chats (else group sends are "chat not found")
        self.update_id = 900_000_000
        self.message_id = 5_000_000
        self.old_buttons: list[tuple[int, int, str]] = []  # (user, message id, data) seen earlier

    # -- building inputs --------------------------------------------------------------------

    def _hostile(self) -> str:
        words = [self.rng.choice(HOSTILE) for _ in range(self.rng.randint(0, 4))]
        if self.rng.random() < 0.2:
            words.append("".join(self.rng.choice(string.printable) for _ in range(self.rng.randint(1, 40))))
        return " ".join(words)

    def _command(self) -> str:
        if self.rng.random() < 0.3:
            return self.rng.choice(VALID)
        name = self.rng.choice(
            [c.name for c in COMMANDS] + ["nosuch", "ADD", "add@otherbot", "start@funnelbot_bench_bot"]
        )
        return f"/{name} {self._hostile()}".strip()

    def _text(self) -> str:
        if self.rng.random() < 0.5:
            return self.rng.choice(TEXTS)
        return self._hostile() or "?"

    def _buttons(self, user: int) -> list[tuple[int, str]]:
        found = []
        for message in self.tg.bot_messages(user)[-6:]:
            for row in message.buttons:
                for _, data in row:
                    if data and not data.startswith("http"):
                        found.append((message.message_id, data))
        return found

    def _forged(self, real: str | None) -> str:
        if real and self.rng.random() < 0.6:
            parts = real.split(":")
            index = self.rng.randrange(len(parts))
            parts[index] = self.rng.choice(["", "-1", "0", "999999", "x", "9" * 20, "💥", "%", parts[index] * 2])
            forged = ":".join(parts)
        else:
            area = self.rng.choice(["app", "add", "fit", "undo", "list", "imp", "tz", "acc", "nud", "cfg", "zzz"])
            forged = f"{area}:{self._hostile()[:40]}"
        while len(forged.encode()) > 64:
            forged = forged[:-1]
        return forged or "x"

    def _message(self, chat: dict[str, Any], user: int, **extra: Any) -> dict[str, Any]:
        self.message_id += 1
        sender = {"id": user, "is_bot": False, "first_name": "Fuzz"}
        return {
            "message_id": self.message_id,
            "date": int(self.clock.now.timestamp()),
            "chat": chat,
            "from": sender,
            **extra,
        }

    def _raw(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        self.update_id += 1
        return {"update_id": self.update_id, kind: payload}

    def _private(self, user: int) -> dict[str, Any]:
        return {"id": user, "type": "private", "first_name": "Fuzz"}

    def _odd_update(self, user: int) -> tuple[str, dict[str, Any]]:
        """An update built by hand: another update type, a group or channel, an edit, media."""
        command = self._command()
        group = self.rng.choice(GROUPS)
        entities = [{"type": "bot_command", "offset": 0, "length": len(command.split()[0])}]
        choices: list[tuple[str, Callable[[], dict[str, Any]]]] = [
            (
                "group command",
                lambda: self._raw("message", self._message(group, user, text=command, entities=entities)),
            ),
            ("group text", lambda: self._raw("message", self._message(group, user, text=self._text()))),
            (
                "channel post",
                lambda: self._raw(
                    "channel_post", {**self._message(CHANNEL, user, text=command), "sender_chat": CHANNEL}
                ),
            ),
            (
                "edited message",
                lambda: self._raw(
                    "edited_message",
                    {**self._message(self._private(user), user, text=command, entities=entities), "edit_date": 1},
                ),
            ),
            (
                "sticker",
                lambda: self._raw(
                    "message",
                    self._message(
                        self._private(user),
                        user,
                        sticker={
                            "file_id": "st1",
                            "file_unique_id": "st1u",
                            "type": "regular",
                            "width": 512,
                            "height": 512,
                            "is_animated": False,
                            "is_video": False,
                        },
                    ),
                ),
            ),
            (
                "location",
                lambda: self._raw(
                    "message", self._message(self._private(user), user, location={"latitude": 1.0, "longitude": 2.0})
                ),
            ),
            (
                "contact",
                lambda: self._raw(
                    "message",
                    self._message(self._private(user), user, contact={"phone_number": "+100", "first_name": "X"}),
                ),
            ),
            (
                "photo",
                lambda: self._raw(
                    "message",
                    self._message(
                        self._private(user),
                        user,
                        photo=[{"file_id": "ph1", "file_unique_id": "ph1u", "width": 1, "height": 1}],
                        caption=self._text(),
                    ),
                ),
            ),
            (
                "poll answer",
                lambda: self._raw(
                    "poll_answer",
                    {
                        "poll_id": "1",
                        "option_ids": [0],
                        "option_persistent_ids": ["a"],
                        "user": {"id": user, "is_bot": False, "first_name": "F"},
                    },
                ),
            ),
            (
                "inline query",
                lambda: self._raw(
                    "inline_query",
                    {
                        "id": "77",
                        "query": self._text()[:200],
                        "offset": "",
                        "from": {"id": user, "is_bot": False, "first_name": "F"},
                    },
                ),
            ),
            (
                "group join",
                lambda: self._raw(
                    "message",
                    self._message(
                        group,
                        user,
                        new_chat_members=[{"id": self.tg.bot_id, "is_bot": True, "first_name": "Funnelbot"}],
                    ),
                ),
            ),
        ]
        name, build = self.rng.choice(choices)
        return name, build()

    # -- one input ----------------------------------------------------------------------------

    async def step(self, tally: Tally) -> None:
        user = self.rng.choice(USERS)
        roll = self.rng.random()
        tg = self.tg
        query_id: str | None = None
        kind = ""
        raw: dict[str, Any] | None = None
        try:
            if roll < 0.30:
                kind, _ = "command", tg.send_text(user, self._command())
            elif roll < 0.45:
                kind, _ = "text", tg.send_text(user, self._text()[:4096])
            elif roll < 0.50:
                name, content, mime = self.rng.choice(FILES)
                kind, _ = "file", tg.send_document(user, name, content, mime_type=mime)
            elif roll < 0.78:
                if tg.is_blocked(user):
                    tg.unblock(user)
                buttons = self._buttons(user)
                sub = self.rng.random()
                if buttons and sub < 0.55:
                    message_id, data = self.rng.choice(buttons)
                    self.old_buttons.append((user, message_id, data))
                    kind, update = "real tap", tg.press(user, message_id, data)
                elif self.old_buttons and sub < 0.8:
                    owner, message_id, data = self.rng.choice(self.old_buttons[-200:])
                    if owner != user:
                        return
                    kind, update = "stale tap", tg.press(user, message_id, data, force=True)
                else:
                    messages = tg.bot_messages(user)
                    if not messages:
                        return
                    target = self.rng.choice(messages[-5:])
                    real = self.rng.choice(buttons)[1] if buttons else None
                    kind, update = "forged tap", tg.press(user, target.message_id, self._forged(real), force=True)
                query_id = update["callback_query"]["id"]
            elif roll < 0.82:
                kind = "block/unblock"
                if tg.is_blocked(user):
                    tg.unblock(user)
                elif user in tg._users:
                    tg.block(user)
                else:
                    return
            else:
                if tg.is_blocked(user):  # writing to the bot unblocks it, as in Telegram
                    tg.unblock(user)
                kind, raw = self._odd_update(user)
        except FakeUsageError:
            return
        tally.inputs[kind] += 1
        self.clock.now += timedelta(minutes=self.rng.randint(0, 90))
        calls, errors, handled = len(tg.calls), len(tg.errors), len(self.errors)
        updates = tg.pop_updates() + ([raw] if raw is not None else [])
        for payload in updates:
            try:
                parsed = Update.de_json(payload, self.app.bot)
                # As polling hands it over: through the app's update processor.
                await self.app.update_processor.process_update(parsed, self.app.process_update(parsed))
            except Exception as error:
                tally.exceptions[f"{kind}: {type(error).__name__}"] += 1
        chat = (raw.get("message") or raw.get("channel_post") or {}).get("chat", {}) if raw is not None else {}
        unmodelled = not self.groups and chat.get("type", "private") != "private"
        for reported in self.errors[handled:]:
            if not (unmodelled and "chat not found" in reported.lower()):
                tally.exceptions[reported] += 1
        for method, description in tg.errors[errors:]:
            if _NOT_MODIFIED in description:
                tally.not_modified += 1
            elif unmodelled and description == "Bad Request: chat not found":
                tally.unmodelled += 1
            else:
                tally.rejected[f"{kind}: {method}: {description[:50]}"] += 1
        allowed = {user, chat.get("id", user)}
        for method, params in tg.calls[calls:]:
            chat = params.get("chat_id")
            if chat is not None and chat not in allowed and method.lower() not in ("getupdates", "getfile"):
                tally.cross[f"{kind}: {method} to {chat}"] += 1
        if query_id is not None and query_id not in {a["callback_query_id"] for a in tg.callback_answers[-50:]}:
            tally.unanswered[f"{kind}"] += 1
            tally.unanswered_data.append(str(update["callback_query"]["data"]))


def _files(data_dir: Path, users: tuple[int, ...]) -> dict[int, bytes]:
    return {u: (data_dir / "users" / f"{u}.json").read_bytes() for u in users}


async def run(scale: Scale) -> list[Row]:
    inputs = scale.pick(10_000, 3_000)
    rng = random.Random(scale.seed)
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="rbench-fuzz-") as tmp:
        data_dir = Path(tmp) / "data"
        settings = Settings(token=TOKEN, data_dir=data_dir, default_tz="Europe/London")
        repo = Repository.open(data_dir)  # fsync on, as in production
        tg = FakeTelegram(token=TOKEN, bot_username="funnelbot_bench_bot", flood=FloodLimits(enabled=False))
        groups = join_groups(tg, [*GROUPS, CHANNEL], USERS[0])
        clock = _Clock()
        # PTB's AIORateLimiter paces at 30 sends a second; the fuzz is about what is sent, the
        # flood check about pacing, so it is off here.
        app = build_application(settings, repo, request=tg.request(), clock=clock, rate_limiter=False)
        errors: list[str] = []

        async def count_error(update: object, context: BotContext) -> None:
            errors.append(f"{type(context.error).__name__}: {str(context.error)[:70]}")

        app.add_error_handler(count_error)
        async with app:
            await app.post_init(app)  # type: ignore[misc]
            for user in BYSTANDERS:
                for text in ("/start", "/add Bystander Co - SRE", "/note 1 mine", "/target 4"):
                    tg.send_text(user, text)
            for user in USERS:
                tg.send_text(user, "/start")
            for data in tg.pop_updates():
                update = Update.de_json(data, app.bot)
                await app.update_processor.process_update(update, app.process_update(update))
            before = _files(data_dir, BYSTANDERS)
            fuzzer = Fuzzer(app, tg, clock, rng, errors, groups)
            while sum(tally.inputs.values()) < inputs:
                await fuzzer.step(tally)
            after = _files(data_dir, BYSTANDERS)
        repo.close()
    tally.cross.update(f"bystander {u} data changed" for u in BYSTANDERS if before[u] != after[u])
    total = sum(tally.inputs.values())
    handled = sum(tally.exceptions.values())

    def top(counter: Counter[str]) -> str:
        return "; ".join(f"{k} ×{v}" for k, v in counter.most_common(2))[:90]

    def lines(counter: Counter[str]) -> list[str]:
        return [f"{v} × {k}" for k, v in counter.most_common(10)]

    kinds = ", ".join(f"{k} {v}" for k, v in sorted(tally.inputs.items()))
    taps = sum(v for k, v in tally.inputs.items() if "tap" in k)
    return [
        Row(
            "fuzz: unhandled exceptions",
            total,
            handled,
            top(tally.exceptions) or kinds[:90],
            lines(tally.exceptions),
        ),
        Row(
            "fuzz: replies Telegram would reject",
            total,
            sum(tally.rejected.values()),
            top(tally.rejected)
            or f"{tally.not_modified} 'message is not modified' (ignored by design) not counted"
            + (f"; {tally.unmodelled} group sends this fake can't take" if tally.unmodelled else ""),
            lines(tally.rejected),
        ),
        Row(
            "fuzz: callbacks never answered",
            taps,
            sum(tally.unanswered.values()),
            top(tally.unanswered),
            lines(tally.unanswered) + [f"example forged data: {d!r}" for d in tally.unanswered_data[:6]],
        ),
        Row("fuzz: cross-user effects", total, sum(tally.cross.values()), top(tally.cross), lines(tally.cross)),
    ]
