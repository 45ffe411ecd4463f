"""End to end: ``funnelbot run --webhook`` as a real process, updates POSTed to it as Telegram would.

The offline Telegram records setWebhook; the test plays Telegram's side of a webhook (and the
reverse proxy's: WEBHOOK_URL is the public address, the process listens on 127.0.0.1:<port>) by
POSTing Update JSON with the secret header, and reads the bot's replies back from the fake.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.faketelegram import FakeTelegram

pytest.importorskip("aiohttp")

import aiohttp

from bot.faketelegram.server import serve
from tests.harness import text_of

TOKEN = "424242:E2E-WEBHOOK-TOKEN"
SECRET = "e2e_Webhook-secret_0123456789"
ADA, BOB = 601, 602
PUBLIC_URL = "https://funnelbot.example.org/telegram/updates"
TIMEOUT = 90.0
REPO_ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Process:
    """A `funnelbot` subprocess whose output is read as it comes (DEBUG logs would fill a pipe)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.output = bytearray()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while chunk := await self.process.stdout.read(65536):
            self.output.extend(chunk)

    def text(self) -> str:
        return self.output.decode(errors="replace")

    async def until(self, condition: Callable[[], bool], what: str) -> None:
        deadline = asyncio.get_running_loop().time() + TIMEOUT
        while not condition():
            if self.process.returncode is not None:
                await self._reader
                raise AssertionError(f"funnelbot exited while waiting for {what}:\n{self.text()}")
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out waiting for {what}:\n{self.text()}")
            await asyncio.sleep(0.02)

    async def stop(self) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.process.wait(), timeout=30)
        except TimeoutError:
            self.process.kill()
            code = await self.process.wait()
        await self._reader
        return code


def _env(base_url: str, data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "FUNNELBOT_", "WEBHOOK_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=base_url,
        FUNNELBOT_DATA_DIR=str(data_dir),
        WEBHOOK_URL=PUBLIC_URL,
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        WEBHOOK_SECRET=SECRET,
        # DEBUG: PTB logs every request's parameters, setWebhook's secret_token among them.
        LOG_LEVEL="DEBUG",
        PYTHONPATH=str(REPO_ROOT),
    )
    return env


async def _spawn(*args: str, env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=str(cwd),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def test_webhook_mode_end_to_end(tmp_path: Path) -> None:
    """setWebhook carries the secret; a POSTed /start is answered; a wrong secret gets 403 and
    changes nothing; /healthz and `funnelbot check` report the live server; files are owner-only."""
    tg = FakeTelegram(token=TOKEN, bot_username="funnelbot_webhook_bot")
    runner, base_url, _ = await serve(tg)
    port = _free_port()
    data_dir = tmp_path / "data"
    env = _env(base_url, data_dir, port)
    bot = Process(await _spawn("run", "--webhook", env=env, cwd=tmp_path))
    hook = f"http://127.0.0.1:{port}/telegram/updates"
    try:
        await bot.until(lambda: any(m == "setWebhook" for m, _ in tg.calls), "setWebhook")
        params = next(p for m, p in tg.calls if m == "setWebhook")
        assert params["url"] == PUBLIC_URL
        assert params["secret_token"] == SECRET
        await bot.until(lambda: "webhook.listening" in bot.text(), "the webhook server to listen")

        async with aiohttp.ClientSession() as http:
            start = tg.send_text(ADA, "/start", first_name="Ada")
            async with http.post(hook, json=start, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as answer:
                assert answer.status == 200
            await bot.until(lambda: bool(tg.bot_messages(ADA)), "a reply to /start")
            assert "I'm Funnelbot" in text_of(tg.bot_messages(ADA)[0])

            forged = tg.send_text(BOB, "/add Evil - Corp", first_name="Bob")
            for headers in ({"X-Telegram-Bot-Api-Secret-Token": "not-the-secret"}, {}):
                async with http.post(hook, json=forged, headers=headers) as answer:
                    assert answer.status == 403

            async with http.get(f"http://127.0.0.1:{port}/healthz") as health:
                assert health.status == 200
                assert (await health.text()).strip() == "ok"

            # A later real update is handled, and still nothing for the forged one.
            count = len(tg.bot_messages(ADA))
            skip = tg.send_text(ADA, "/skip", first_name="Ada")
            async with http.post(hook, json=skip, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as answer:
                assert answer.status == 200
            await bot.until(lambda: len(tg.bot_messages(ADA)) > count, "a reply to /skip")
        assert tg.bot_messages(BOB) == []
        assert not (data_dir / "users" / f"{BOB}.json").exists()
        assert (data_dir / "users" / f"{ADA}.json").exists()

        check = await _spawn("check", env={**env, "LOG_LEVEL": "WARNING"}, cwd=tmp_path)
        out, _ = await asyncio.wait_for(check.communicate(), timeout=60)
        lines = out.decode().strip().splitlines()
        assert check.returncode == 0, lines
        assert [line.split()[0] for line in lines] == ["ok", "ok", "ok"]
        assert "@funnelbot_webhook_bot" in lines[1]
        assert lines[2].startswith(f"ok   webhook server http://127.0.0.1:{port}/healthz answers: ok")

        for path, mode in [
            (data_dir, 0o700),
            (data_dir / "users", 0o700),
            (data_dir / "users" / f"{ADA}.json", 0o600),
            (data_dir / ".lock", 0o600),
        ]:
            assert stat.S_IMODE(path.stat().st_mode) == mode, path
    finally:
        code = await bot.stop()
        await runner.cleanup()
    output = bot.text()
    assert code == 0, output
    assert "Traceback" not in output, output
    assert "webhook.secret_set source=WEBHOOK_SECRET" in output
    assert SECRET not in output  # redacted even from PTB's DEBUG request logs
    assert "<WEBHOOK_SECRET>" in output
    assert TOKEN.split(":")[1] not in output
    assert "webhook.refused reason=secret" in output


async def test_webhook_without_secret_generates_one_and_never_logs_it(tmp_path: Path) -> None:
    """With WEBHOOK_SECRET unset a fresh secret is generated, given to setWebhook, and not logged."""
    tg = FakeTelegram(token=TOKEN, bot_username="funnelbot_webhook_bot")
    runner, base_url, _ = await serve(tg)
    env = _env(base_url, tmp_path / "data", _free_port())
    del env["WEBHOOK_SECRET"]
    bot = Process(await _spawn("run", env=env, cwd=tmp_path))  # WEBHOOK_URL alone selects webhook mode
    try:
        await bot.until(lambda: any(m == "setWebhook" for m, _ in tg.calls), "setWebhook")
        secret = next(p for m, p in tg.calls if m == "setWebhook")["secret_token"]
        await bot.until(lambda: "webhook.listening" in bot.text(), "the webhook server to listen")
    finally:
        await bot.stop()
        await runner.cleanup()
    assert len(secret) >= 32 and secret.replace("_", "").replace("-", "").isalnum()
    assert "webhook.secret_set source=generated" in bot.text()
    assert secret not in bot.text()


async def test_webhook_mode_waits_for_a_late_bot_api_and_stops_on_sigterm_meanwhile(tmp_path: Path) -> None:
    """Before the Bot API answers, the bot retries; SIGTERM while it waits ends it at once, cleanly."""
    env = _env(f"http://127.0.0.1:{_free_port()}/bot", tmp_path / "data", _free_port())
    bot = Process(await _spawn("run", "--webhook", env=env, cwd=tmp_path))
    await bot.until(lambda: "bot.api_unreachable" in bot.text(), "a failed first getMe")
    started = asyncio.get_running_loop().time()
    assert await bot.stop() == 0, bot.text()
    assert asyncio.get_running_loop().time() - started < 10
    assert "Traceback" not in bot.text()
