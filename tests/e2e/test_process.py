"""End to end: the real ``funnelbot run`` process, talking HTTP to the offline Telegram on 127.0.0.1.

These tests start the bot exactly as a user would (console entry point, environment variables) and
play whole conversations from two users, including a restart of the process in the middle.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.faketelegram import FakeMessage, FakeTelegram, FloodLimits

pytest.importorskip("aiohttp")

from bot.faketelegram.server import serve
from tests.harness import text_of

TOKEN = "424242:E2E-TOKEN"
ADA, BOB = 501, 502
# Generous: waits end as soon as their condition holds, so a slow, busy machine only costs time.
REPLY_TIMEOUT = 90.0
REPO_ROOT = Path(__file__).resolve().parents[2]


async def spawn_bot(base_url: str, data_dir: Path, token: str = TOKEN, **extra: str) -> asyncio.subprocess.Process:
    """Start `funnelbot run` as a user would: environment variables only, output captured."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "FUNNELBOT_", "ADMIN_"))}
    env.update(extra)
    env.update(
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=base_url,
        FUNNELBOT_DATA_DIR=str(data_dir),
        LOG_LEVEL="INFO",  # the default: what a user would see (and the token must not appear)
        PYTHONPATH=str(REPO_ROOT),
    )
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=str(data_dir.parent),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


@dataclass
class LiveBot:
    tg: FakeTelegram
    base_url: str
    data_dir: Path
    process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        polls = self._polls()
        self.process = await spawn_bot(self.base_url, self.data_dir)
        await self._until(lambda: self._polls() > polls, "the bot to start polling")

    def errors(self) -> list[tuple[str, str]]:
        """Telegram errors the bot caused; the long poll of a stopped process that the next
        process supersedes gets Telegram's 409 Conflict, which nobody is left to read."""
        return [(m, d) for m, d in self.tg.errors if not (m == "getUpdates" and d.startswith("Conflict"))]

    def _polls(self) -> int:
        return sum(1 for method, _ in self.tg.calls if method == "getUpdates")

    async def stop(self) -> str:
        """SIGTERM, as systemd would; returns what the process printed."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            output, _ = await asyncio.wait_for(self.process.communicate(), timeout=30)
        except TimeoutError:
            self.process.kill()
            output, _ = await self.process.communicate()
        self.process = None
        return output.decode(errors="replace")

    async def _until(self, condition, what: str) -> None:  # type: ignore[no-untyped-def]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + REPLY_TIMEOUT
        while not condition():
            if self.process is not None and self.process.returncode is not None:
                output = (await self.process.stdout.read()).decode(errors="replace")  # type: ignore[union-attr]
                raise AssertionError(f"the bot exited while waiting for {what}:\n{output}")
            if loop.time() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            await asyncio.sleep(0.02)

    def _state(self, user: int) -> tuple[int, int]:
        messages = self.tg.bot_messages(user)
        return len(messages), sum(m.edit_count for m in messages)

    async def send(self, user: int, text: str, replies: int = 1) -> list[FakeMessage]:
        """The user sends ``text``; wait for ``replies`` new bot messages (or an edit) and return them."""
        count, _ = self._state(user)
        self.tg.send_text(user, text, first_name="Ada" if user == ADA else "Bob")
        await self._until(lambda: self._state(user)[0] >= count + replies, f"a reply to {text!r}")
        return self.tg.bot_messages(user)[count:]

    def _offers(self, user: int, label: str) -> bool:
        """Whether a bot message in the chat carries a button whose label contains ``label``."""
        return any(label in text for m in self.tg.bot_messages(user) for row in m.buttons for text, _ in row)

    async def tap(self, user: int, label: str) -> FakeMessage:
        """Tap a button once it is on offer; wait until the bot has answered *this* tap and edited
        the tapped message or sent a new one, and return that message. (A reply can arrive in
        parts, e.g. an edit and then a new question: the next tap waits for its own button.)"""
        await self._until(lambda: self._offers(user, label), f"a button {label!r} to be on offer")
        count = len(self.tg.bot_messages(user))
        pressed = self.tg.press_button(user, label)["callback_query"]
        tapped = next(m for m in self.tg.bot_messages(user) if m.message_id == pressed["message"]["message_id"])
        edits = tapped.edit_count

        def handled() -> bool:
            answered = any(a["callback_query_id"] == pressed["id"] for a in self.tg.callback_answers)
            return answered and (tapped.edit_count > edits or len(self.tg.bot_messages(user)) > count)

        await self._until(handled, f"the bot to handle {label!r}")
        return tapped if tapped.edit_count > edits else self.tg.bot_messages(user)[-1]

    async def upload(self, user: int, name: str, content: bytes, replies: int = 1) -> list[FakeMessage]:
        count, _ = self._state(user)
        self.tg.send_document(user, name, content, mime_type="text/csv")
        await self._until(lambda: self._state(user)[0] >= count + replies, f"a reply to {name}")
        return self.tg.bot_messages(user)[count:]


@pytest.fixture
async def live(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[LiveBot]:
    marker = request.node.get_closest_marker("flood")
    flood = FloodLimits(**marker.kwargs) if marker else FloodLimits()
    tg = FakeTelegram(token=TOKEN, bot_username="funnelbot_e2e_bot", flood=flood)
    runner, base_url, _ = await serve(tg)
    bot = LiveBot(tg=tg, base_url=base_url, data_dir=tmp_path / "data")
    try:
        await bot.start()
        yield bot
    finally:
        if bot.process is not None:
            await bot.stop()
        await runner.cleanup()


async def test_two_users_full_session_with_a_restart(live: LiveBot) -> None:
    """Onboarding, quick and guided add, a tap, a rejection, then a restart that loses nothing."""
    first = await live.send(ADA, "/start")
    assert "I'm Funnelbot" in text_of(first[0])
    assert {c["command"] for c in live.tg.scoped_commands("all_private_chats")} >= {"add", "list", "undo"}
    await live.tap(ADA, "Berlin")
    await live.send(BOB, "/start")
    await live.send(BOB, "new york", replies=1)

    saved = await live.send(ADA, "/add <Ben & Jerry's> - SRE https://bj.example/1 #SRE closes friday applied")
    assert "Saved as applied #1" in text_of(saved[0])
    assert "<Ben & Jerry's> — SRE" in text_of(saved[0])
    card = await live.tap(ADA, "➡ Responded")
    assert "Moved #1 to Responded" in text_of(card)

    await live.send(ADA, "/add")
    await live.send(ADA, "Globex")
    await live.send(ADA, "Platform Engineer")
    await live.tap(ADA, "SRE")
    await live.tap(ADA, "Yes, applied")
    await live.send(ADA, "/show 2")
    await live.tap(ADA, "Rejected")
    rejected = await live.tap(ADA, "Skills fit")
    assert "#2 marked as rejected" in text_of(rejected)

    await live.send(BOB, "/add Initech - Developer")
    exported = await live.send(BOB, "/export")
    assert exported[0].document is not None
    name, csv_bytes = exported[0].document
    assert name.endswith(".csv") and "Initech" in csv_bytes.decode("utf-8-sig")
    sheet = b"Company;Position;Status\nUmbrella & Co;Data <Engineer>;interview\nHooli;SRE;2\n"
    imported = await live.upload(BOB, "my-sheet.csv", sheet)
    assert text_of(imported[0]).startswith("Imported 2 applications (#2–#3).")
    output = await live.stop()
    assert "Traceback" not in output, output
    assert TOKEN.split(":")[1] not in output  # the token never reaches the logs
    await live.start()

    shown = await live.send(ADA, "/list all")
    assert "<Ben & Jerry's>" in text_of(shown[0]) and "Globex" in text_of(shown[0])
    bob_list = await live.send(BOB, "/list")
    assert "Initech" in text_of(bob_list[0]) and "Umbrella & Co" in text_of(bob_list[0])
    assert "Globex" not in text_of(bob_list[0])
    undone = await live.send(ADA, "/undo")
    assert "Undone: rejected #2" in text_of(undone[0])
    assert live.errors() == []


# Nobody types 60 commands in three seconds; Telegram's per-chat flood limit is exercised below.
@pytest.mark.flood(per_chat_burst=200, global_per_second=100)
async def test_sixty_applications_list_pages_within_limits(live: LiveBot) -> None:
    """/list over 60 applications pages under 4096 characters, paging by button."""
    for i in range(60):
        await live.send(ADA, f"/add Company {i} & Sons - Engineer <{i}>")
    page = (await live.send(ADA, "/list"))[0]
    assert "page 1/3" in text_of(page) and len(text_of(page)) <= 4096
    page = await live.tap(ADA, "Next")
    assert "page 2/3" in text_of(page)
    assert live.errors() == []


async def test_a_burst_hits_flood_control_and_nothing_is_lost(live: LiveBot) -> None:
    """Replies beyond Telegram's per-chat burst are paced by the bot's limiter: no 429, every one delivered."""
    for i in range(24):
        live.tg.send_text(ADA, f"/add Burst {i} - Role", first_name="Ada")
    await live._until(lambda: len(live.tg.bot_messages(ADA)) >= 24, "24 confirmations")
    texts = [m.text or "" for m in live.tg.bot_messages(ADA)]
    assert sorted(int(t.split("#")[1].split(".")[0]) for t in texts if t.startswith("Saved")) == list(range(1, 25))
    assert not any(d.startswith("Too Many Requests") for _, d in live.tg.errors)


async def test_rejected_token_is_one_clear_line(tmp_path: Path) -> None:
    """A token the Bot API refuses ends `funnelbot run` with exit code 2 and a sentence."""
    tg = FakeTelegram(token=TOKEN, bot_username="funnelbot_e2e_bot")
    runner, base_url, _ = await serve(tg)
    try:
        process = await spawn_bot(base_url, tmp_path / "data", token="1:not-the-token")
        output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        await runner.cleanup()
    assert process.returncode == 2
    assert "not-the-token" not in output.decode()  # PTB logs the rejected token; we redact it
    assert output.decode().strip().splitlines()[-1] == (
        f"funnelbot: the Bot API at {base_url} rejected TELEGRAM_BOT_TOKEN. Check the token."
    )


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_bot_started_before_the_bot_api_waits_for_it(tmp_path: Path) -> None:
    """`funnelbot run` started before its Bot API server comes up connects once it does."""
    port = _free_port()
    tg = FakeTelegram(token=TOKEN, bot_username="funnelbot_e2e_bot")
    bot = LiveBot(tg=tg, base_url=f"http://127.0.0.1:{port}/bot", data_dir=tmp_path / "data")
    bot.process = await spawn_bot(bot.base_url, bot.data_dir)
    runner = None
    try:
        await asyncio.sleep(2)  # the bot is up and failing to connect meanwhile
        assert bot.process.returncode is None
        runner, _, _ = await serve(tg, port=port)
        replies = await bot.send(ADA, "/add Acme - SRE")
        assert text_of(replies[0]).startswith("Saved as prospect #1")
    finally:
        await bot.stop()
        if runner is not None:
            await runner.cleanup()


async def test_a_start_that_fails_tells_the_operator(tmp_path: Path) -> None:
    """A damaged data file stops start-up (exit 2) and ADMIN_CHAT_ID hears which file."""
    tg = FakeTelegram(token=TOKEN, bot_username="funnelbot_e2e_bot")
    admin = 777
    tg.send_text(admin, "/start")  # the operator has talked to the bot
    tg.pop_updates()
    users = tmp_path / "data" / "users"
    users.mkdir(parents=True)
    (users / "42.json").write_text("{not json")
    runner, base_url, _ = await serve(tg)
    try:
        process = await spawn_bot(base_url, tmp_path / "data", ADMIN_CHAT_ID=str(admin))
        output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        await runner.cleanup()
    assert process.returncode == 2, output.decode()
    told = [m.text or "" for m in tg.bot_messages(admin)]
    assert told and "cannot start" in told[-1] and "42.json" in told[-1]
    assert (users / "42.json").read_text() == "{not json"


async def test_a_guided_add_survives_a_kill_at_the_role_step(live: LiveBot) -> None:
    """/add, "Acme", kill -9 (no shutdown), start again: "SRE" is still the role and the add finishes."""

    async def said(part: str) -> None:
        await live._until(lambda: any(part in (m.text or "") for m in live.tg.bot_messages(ADA)), repr(part))

    await live.send(ADA, "/start")
    await live.tap(ADA, "Berlin")
    await said("Now save your first job")
    await live.send(ADA, "/add")
    await said("Which company?")
    await live.send(ADA, "Acme")
    await said("Which role?")
    polls = live._polls()  # kill once Telegram was asked for more, so "Acme" was acknowledged
    await live._until(lambda: live._polls() > polls, "the next long poll")
    # ... and once the question is on disk. It is written just after "Which role?" is sent (see
    # bot/persistence.py), and under load the next long poll can go out before that write:
    # waiting for the poll alone made this test flaky. The question's state and its draft
    # ("Acme") are written together, so seeing "Acme" means the state is there too (when they
    # were two writes, a kill between them failed this test in CI: "SRE" became the company).
    question = live.data_dir / "conversations" / f"{ADA}.json"
    await live._until(lambda: question.exists() and "Acme" in question.read_text(), "the question on disk")
    assert live.process is not None
    live.process.kill()
    await live.process.wait()
    live.process = None
    await live.start()
    await live.send(ADA, "SRE")
    await said("Which track")
    await live.tap(ADA, "Skip")
    await live.tap(ADA, "Not yet: prospect")
    await said("Saved as prospect #1")
    assert "Acme — SRE" in text_of((await live.send(ADA, "/list"))[0])
    assert live.errors() == []
