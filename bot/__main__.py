"""The ``funnelbot`` console command: ``funnelbot run`` starts the bot with long polling."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from bot.config import ConfigError, Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="funnelbot", description="Keep your job search moving.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start the bot (long polling)")
    demo = sub.add_parser("demo", help="try the bot in this terminal, offline (no Telegram account)")
    demo.add_argument("--script", metavar="FILE", help="play these lines instead of reading the keyboard")
    demo.add_argument("--data", metavar="DIR", help="data directory (default: a fresh temporary one)")
    demo.add_argument("--files", metavar="DIR", help="where photos and documents are saved")
    args = parser.parse_args(argv)
    # Opt in to PTB's coming behaviour: durations such as RetryAfter.retry_after are timedeltas.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    if args.command == "demo":
        _configure_logging("WARNING", secret="")
        from bot.demo import main as demo_main

        return demo_main(args.script, args.data, args.files)

    from dotenv import load_dotenv

    load_dotenv(".env")
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"funnelbot: {error}", file=sys.stderr)
        return 2
    _configure_logging(settings.log_level, secret=settings.token)
    if args.command == "run":
        return _run(settings)
    return 2


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then hides the bot token wherever it appears (messages, tracebacks).

    PTB itself logs the token when a server rejects it ("The token `…` was rejected").
    """

    def __init__(self, fmt: str, secret: str) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in (secret, secret.partition(":")[2]) if len(s) >= 8]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "<TELEGRAM_BOT_TOKEN>")
        return text


def _configure_logging(level: str, secret: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secret))
    logging.basicConfig(level=getattr(logging, level, logging.INFO), handlers=[handler])
    # httpx logs every request URL at INFO, and that URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _run(settings: Settings) -> int:
    from bot.app import build_application
    from storage import CorruptDataError, Repository

    try:
        repo = Repository.open(settings.data_dir)
    except CorruptDataError as error:
        print(
            f"funnelbot: cannot start: the data file {error.path} {error.problem}.\n"
            "It has not been changed. Restore it from a backup or move it aside, then start again.",
            file=sys.stderr,
        )
        return 2
    except OSError as error:
        print(f"funnelbot: cannot use data directory {settings.data_dir}: {error}", file=sys.stderr)
        return 1
    from telegram.error import InvalidToken, NetworkError, TelegramError

    app = build_application(settings, repo)
    where = settings.api_base_url or "https://api.telegram.org/bot"
    logging.getLogger(__name__).info("bot.connecting api=%s data=%s", where, settings.data_dir)
    try:
        app.run_polling(
            allowed_updates=["message", "callback_query", "my_chat_member"],
            drop_pending_updates=False,
            # Wait (with backoff, about two minutes) for a Bot API server that is starting or
            # briefly unreachable, then give up loudly so a supervisor can restart us.
            bootstrap_retries=10,
        )
    except InvalidToken:
        print(f"funnelbot: the Bot API at {where} rejected TELEGRAM_BOT_TOKEN. Check the token.", file=sys.stderr)
        return 2
    except NetworkError as error:
        print(f"funnelbot: cannot reach the Bot API at {where} ({error}).", file=sys.stderr)
        return 1
    except TelegramError as error:
        print(f"funnelbot: the Bot API at {where} refused to start polling: {error}", file=sys.stderr)
        return 1
    finally:
        repo.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
