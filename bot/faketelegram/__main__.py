"""``python -m bot.faketelegram --port 8081``: serve a fake Telegram and play one user.

Point the bot at the printed URLs (PTB ``base_url`` / ``base_file_url``) with the printed token.
Type a line to send it as the user; ``!help`` lists the other commands. Needs aiohttp.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import threading
from pathlib import Path

from bot.faketelegram.core import FakeMessage, FakeTelegram
from bot.faketelegram.errors import FakeUsageError
from bot.faketelegram.server import serve

_HELP = """\
  <text>             send <text> as the user (e.g. /start)
  !press <label>     press the newest button whose label contains <label>
  !doc <path>        send the file at <path> as a document
  !show              print the whole chat
  !block / !unblock  block or unblock the bot
  !calls / !errors   list the API calls the bot made / the ones the fake refused
  !quit              stop
"""


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.faketelegram", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST")
    parser.add_argument("--bot-username", default="funnelbot_test")
    parser.add_argument("--user", type=int, default=1001, help="the simulated user's id")
    parser.add_argument("--no-input", action="store_true", help="serve only; ignore stdin")
    return parser.parse_args(argv)


def _stdin_lines(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
    """Read stdin in a daemon thread, so Ctrl-C never waits for a pending readline."""

    def reader() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\n"))
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=reader, name="faketelegram-stdin", daemon=True).start()


def _command(fake: FakeTelegram, user: int, line: str) -> bool:
    """Act on one input line; False means quit."""
    word, _, rest = line.partition(" ")
    if not line.startswith("!"):
        fake.send_text(user, line)
    elif word == "!quit":
        return False
    elif word == "!press":
        fake.press_button(user, rest)
    elif word == "!doc":
        path = Path(rest).expanduser()
        fake.send_document(user, path.name, path.read_bytes())
    elif word == "!show":
        for message in fake.messages(user):
            _out(message.render())
    elif word == "!block":
        fake.block(user)
    elif word == "!unblock":
        fake.unblock(user)
    elif word == "!calls":
        for method, params in fake.calls:
            _out(f"  {method} {params}")
    elif word == "!errors":
        for method, description in fake.errors:
            _out(f"  {method}: {description}")
    else:
        _out(_HELP)
    return True


async def _run(args: argparse.Namespace) -> None:
    fake = FakeTelegram(token=args.token, bot_username=args.bot_username)
    runner, base_url, base_file_url = await serve(fake, args.host, args.port)

    def show(message: FakeMessage, event: str) -> None:
        _out(f"--- {event}\n{message.render()}")

    fake.subscribe(show)
    _out(
        f"fake Telegram serving\n  token:         {fake.token}\n  base_url:      {base_url}\n"
        f"  base_file_url: {base_file_url}\n  user id:       {args.user}"
    )
    try:
        if args.no_input:
            await asyncio.Event().wait()
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        _stdin_lines(asyncio.get_running_loop(), queue)
        _out("type a message, or !help")
        while (line := await queue.get()) is not None:
            if not line.strip():
                continue
            try:
                if not _command(fake, args.user, line):
                    break
            except (FakeUsageError, OSError) as exc:
                _out(f"!! {exc}")
        else:
            await asyncio.Event().wait()  # stdin closed: keep serving until interrupted
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
