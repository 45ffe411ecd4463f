"""``funnelbot demo``: try Funnelbot in the terminal, without a Telegram account.

The real bot runs in this process against the offline Telegram (``bot.faketelegram``). You type as
the user; the bot's messages are printed readably, inline buttons are numbered (type the number to
press one), and photos and documents are saved to files whose paths are shown.
"""

from __future__ import annotations

import asyncio
import shlex
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.context import BotApp
from bot.faketelegram import FakeMessage, FakeTelegram, FloodLimits
from storage import Repository

DEMO_USER = 1
TOKEN = "123456:DEMO"
BOLD, RESET = "\033[1m", "\033[0m"

HELP = """Type messages and commands as you would in Telegram (try /start, then /help).
A number alone presses that button on the latest message that has buttons.
:upload FILE sends a file (e.g. a CSV for /import).  :quit (or Ctrl-D) ends the demo."""


@dataclass
class Transcript:
    """Prints what changed in the chat since the last look."""

    out: TextIO
    files_dir: Path
    colour: bool
    seen: dict[int, int] = field(default_factory=dict)  # message_id -> edit count shown
    answers_seen: int = 0

    def render(self, message: FakeMessage) -> str:
        text = _styled(message) if self.colour else (message.text or "")
        lines = text.splitlines() or [""]
        if message.photo is not None:
            path = self._save(f"photo-{message.message_id}.png", message.photo)
            lines = [f"[photo saved to {path}]", *(message.caption or "").splitlines()]
        if message.document is not None:
            name, content = message.document
            path = self._save(f"{message.message_id}-{name}", content)
            lines = [f"[document {name} saved to {path}]", *(message.caption or "").splitlines()]
        return "\n".join(lines)

    def _save(self, name: str, content: bytes) -> Path:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / Path(name).name
        path.write_bytes(content)
        return path

    def show_new(self, tg: FakeTelegram) -> list[FakeMessage]:
        """Print new and edited bot messages, and callback toasts; return the chat's messages."""
        messages = tg.messages(DEMO_USER)
        for answer in tg.callback_answers[self.answers_seen :]:
            if answer.get("text"):
                print(f"  (toast) {answer['text']}", file=self.out)
        self.answers_seen = len(tg.callback_answers)
        for message in messages:
            if not message.from_bot or message.deleted:
                continue
            edits = message.edit_count
            if self.seen.get(message.message_id) == edits:
                continue
            label = "bot" if message.message_id not in self.seen else "bot (edited)"
            self.seen[message.message_id] = edits
            body = self.render(message).splitlines()
            print(f"{label}: {body[0] if body else ''}", file=self.out)
            for line in body[1:]:
                print(f"     {line}", file=self.out)
            for line in _button_lines(message):
                print(f"     {line}", file=self.out)
        self.out.flush()
        return messages


def _button_lines(message: FakeMessage) -> list[str]:
    number, lines = 1, []
    for row in message.buttons:
        cells = []
        for text, _data in row:
            cells.append(f"[{number}] {text}")
            number += 1
        lines.append("  ".join(cells))
    return lines


def _styled(message: FakeMessage) -> str:
    """Bold entities in ANSI bold (offsets are UTF-16 code units, as in Telegram)."""
    encoded = (message.text or "").encode("utf-16-le")
    marks: list[tuple[int, str]] = []
    for entity in message.entities:
        if entity.get("type") == "bold":
            marks.append((entity["offset"], BOLD))
            marks.append((entity["offset"] + entity["length"], RESET))
    pieces, last = [], 0
    for offset, mark in sorted(marks, key=lambda m: m[0]):
        pieces.append(encoded[last * 2 : offset * 2].decode("utf-16-le"))
        pieces.append(mark)
        last = offset
    pieces.append(encoded[last * 2 :].decode("utf-16-le"))
    return "".join(pieces)


def _latest_buttons(messages: list[FakeMessage]) -> tuple[FakeMessage, list[str]] | None:
    for message in reversed(messages):
        if message.from_bot and not message.deleted and message.buttons:
            return message, [data or "" for row in message.buttons for _text, data in row]
    return None


async def _pump(app: BotApp, tg: FakeTelegram) -> None:
    while updates := tg.pop_updates():
        for data in updates:
            await app.process_update(Update.de_json(data, app.bot))


async def play(lines: list[str] | None, out: TextIO, data_dir: Path, files_dir: Path, *, colour: bool) -> int:
    """Run the demo: ``lines`` is a script (printed as it plays), or None for interactive input."""
    tg = FakeTelegram(token=TOKEN, bot_username="funnelbot_demo_bot", flood=FloodLimits(enabled=False))
    repo = Repository.open(data_dir)
    settings = Settings(token=TOKEN, data_dir=data_dir)
    app = build_application(settings, repo, request=tg.request(), rate_limiter=False)
    transcript = Transcript(out=out, files_dir=files_dir, colour=colour)
    async with app:
        if app.job_queue is not None:
            await app.job_queue.start()  # conversation timeouts and reminders, as in `funnelbot run`
        if app.post_init is not None:
            await app.post_init(app)
        try:
            messages: list[FakeMessage] = []
            index = 0
            while True:
                if lines is None:
                    try:
                        line = await asyncio.to_thread(input, "you> ")
                    except EOFError:
                        break
                else:
                    if index >= len(lines):
                        break
                    line = lines[index]
                    index += 1
                    if not line.strip() or line.lstrip().startswith("# "):
                        continue
                    print(f"you> {line}", file=out)
                line = line.strip()
                if line in (":quit", ":q"):
                    break
                problem = _act(tg, line, messages)
                if problem:
                    print(f"  ({problem})", file=out)
                    continue
                await _pump(app, tg)
                messages = transcript.show_new(tg)
        finally:
            if app.job_queue is not None:
                await app.job_queue.stop()
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
    return 0


def _act(tg: FakeTelegram, line: str, messages: list[FakeMessage]) -> str | None:
    """Turn one typed line into a user action; return a problem description instead if any."""
    if not line:
        return None
    if line.isascii() and line.isdigit() and (latest := _latest_buttons(messages)) is not None:
        message, datas = latest
        number = int(line)
        if not 1 <= number <= len(datas):
            return f"there is no button {number}; the latest message has {len(datas)}"
        if not datas[number - 1]:
            return "that button opens a link in Telegram; nothing to press here"
        tg.press(DEMO_USER, message.message_id, datas[number - 1])
        return None
    if line.startswith(":upload"):
        parts = shlex.split(line)
        if len(parts) != 2:
            return "usage: :upload path/to/file.csv"
        path = Path(parts[1]).expanduser()
        if not path.is_file():
            return f"no such file: {path}"
        tg.send_document(DEMO_USER, path.name, path.read_bytes(), mime_type="text/csv")
        return None
    tg.send_text(DEMO_USER, line, first_name="You")
    return None


def main(script: str | None, data_dir: str | None, files_dir: str | None) -> int:
    """Entry point for ``funnelbot demo [--script FILE] [--data DIR] [--files DIR]``."""
    temp = tempfile.mkdtemp(prefix="funnelbot-demo-")
    data = Path(data_dir) if data_dir else Path(temp) / "data"
    files = Path(files_dir) if files_dir else Path(temp) / "files"
    if script is None:
        print(
            f"Funnelbot demo: a private chat with your bot, offline.\n{HELP}\n"
            f"(Data: {data}; files the bot sends go to {files})\n"
        )
        return asyncio.run(play(None, sys.stdout, data, files, colour=sys.stdout.isatty()))
    try:
        lines = Path(script).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        print(f"funnelbot demo: cannot read {script}: {error.strerror}", file=sys.stderr)
        return 2
    return asyncio.run(play(lines, sys.stdout, data, files, colour=False))
