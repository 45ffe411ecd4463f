"""The ``funnelbot`` console command.

``run`` starts the bot (long polling, or a webhook with ``--webhook``/``WEBHOOK_URL``); ``check``,
``backup`` and ``restore`` are for operators (see ``bot.ops``); ``demo`` is the offline terminal demo.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings

if TYPE_CHECKING:
    from bot.context import BotApp
    from bot.ops import DataLock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="funnelbot", description="Keep your job search moving.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the bot (long polling; a webhook with --webhook or WEBHOOK_URL)")
    run.add_argument("--webhook", action="store_true", help="receive updates by webhook (needs WEBHOOK_URL)")
    sub.add_parser("check", help="check the data directory and the Bot API (exit 0 when both are fine)")
    backup = sub.add_parser("backup", help="copy the data into DIR (safe while the bot runs)")
    backup.add_argument("dir", metavar="DIR", type=Path, help="a new or empty directory")
    restore = sub.add_parser("restore", help="put a backup from DIR in place (the bot must be stopped)")
    restore.add_argument("dir", metavar="DIR", type=Path, help="a directory written by funnelbot backup")
    restore.add_argument("--force", action="store_true", help="replace existing data (it is kept aside)")
    demo = sub.add_parser("demo", help="try the bot in this terminal, offline (no Telegram account)")
    play = demo.add_mutually_exclusive_group()
    play.add_argument("--script", metavar="FILE", help="play these lines instead of reading the keyboard")
    play.add_argument("--tour", action="store_true", help="play the built-in tour (docs/demo-script.txt)")
    demo.add_argument("--data", metavar="DIR", help="data directory (default: a fresh temporary one)")
    demo.add_argument("--files", metavar="DIR", help="where photos and documents are saved")
    args = parser.parse_args(argv)
    # Opt in to PTB's coming behaviour: durations such as RetryAfter.retry_after are timedeltas.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    if args.command == "demo":
        _configure_logging("WARNING", secret="")
        from bot.demo import main as demo_main

        script = str(_tour_script()) if args.tour else args.script
        return demo_main(script, args.data, args.files)

    from dotenv import load_dotenv

    load_dotenv(".env")
    try:
        settings = Settings.from_env(need_token=args.command in ("run", "check"))
        if args.command == "run" and args.webhook:
            settings = settings.with_webhook_required()
    except ConfigError as error:
        print(f"funnelbot: {error}", file=sys.stderr)
        return 2
    _configure_logging(settings.log_level, secret=settings.token)
    if args.command in ("run", "backup", "restore"):
        from bot.ops import private_files

        private_files()  # files 0600, directories 0700 from here on
    if args.command == "run":
        return _run(settings)
    if args.command == "check":
        return _check(settings)
    if args.command == "backup":
        return _backup(settings, args.dir)
    if args.command == "restore":
        return _restore(settings, args.dir, force=args.force)
    return 2


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then hides the bot token wherever it appears (messages, tracebacks).

    PTB itself logs the token when a server rejects it ("The token `…` was rejected").
    """

    def __init__(self, fmt: str, secret: str) -> None:
        super().__init__(fmt)
        self.secrets = [(s, "<TELEGRAM_BOT_TOKEN>") for s in (secret, secret.partition(":")[2]) if len(s) >= 8]

    def hide(self, secret: str, label: str) -> None:
        """Also hide ``secret`` (PTB logs request parameters, setWebhook's secret_token among them, at DEBUG)."""
        self.secrets.append((secret, label))

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret, label in self.secrets:
            text = text.replace(secret, label)
        return text


def _configure_logging(level: str, secret: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secret))
    logging.basicConfig(level=getattr(logging, level, logging.INFO), handlers=[handler])
    # httpx logs every request URL at INFO, and that URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _run(settings: Settings) -> int:
    from bot import offload
    from bot.app import build_application
    from storage import CorruptDataError, Repository

    offload.favour_the_event_loop()

    lock = _lock_data_dir(settings.data_dir)
    if isinstance(lock, int):
        return lock

    try:
        repo = Repository.open(settings.data_dir)
    except CorruptDataError as error:
        print(
            f"funnelbot: cannot start: the data file {error.path} {error.problem}.\n"
            "It has not been changed. Restore it from a backup or move it aside, then start again.",
            file=sys.stderr,
        )
        _tell_operator(settings, f"Funnelbot cannot start: the data file {error.path.name} {error.problem}.")
        return 2
    except OSError as error:
        print(f"funnelbot: cannot use data directory {settings.data_dir}: {error}", file=sys.stderr)
        return 1
    from telegram.error import InvalidToken, NetworkError, TelegramError

    app = build_application(settings, repo)
    where = settings.api_base_url or "https://api.telegram.org/bot"
    logging.getLogger(__name__).info("bot.connecting api=%s data=%s", where, settings.data_dir)
    mode = "polling" if settings.webhook is None else "the webhook"
    try:
        if settings.webhook is None:
            app.run_polling(
                allowed_updates=["message", "callback_query", "my_chat_member"],
                drop_pending_updates=False,
                # Wait (with backoff, about two minutes) for a Bot API server that is starting or
                # briefly unreachable, then give up loudly so a supervisor can restart us.
                bootstrap_retries=10,
            )
        else:
            _run_webhook(app, settings)
    except InvalidToken:
        print(f"funnelbot: the Bot API at {where} rejected TELEGRAM_BOT_TOKEN. Check the token.", file=sys.stderr)
        return 2
    except NetworkError as error:
        print(f"funnelbot: cannot reach the Bot API at {where} ({error}).", file=sys.stderr)
        return 1
    except TelegramError as error:
        print(f"funnelbot: the Bot API at {where} refused to start {mode}: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # only the webhook server binds a port
        print(f"funnelbot: cannot serve the webhook on {_listen_address(settings)}: {error}", file=sys.stderr)
        return 1
    finally:
        repo.close()
        lock.release()
    return 0


def _lock_data_dir(data_dir: Path) -> DataLock | int:
    """Hold the data directory for this process (0700), or say why not and return the exit code."""
    from bot.ops import DataDirBusy, DataLock

    try:
        return DataLock.acquire(data_dir)
    except DataDirBusy as busy:
        print(
            f"funnelbot: another funnelbot (pid {busy.pid or 'unknown'}) is running on {data_dir}; "
            "stop it first (two bots on one data directory would overwrite each other).",
            file=sys.stderr,
        )
        return 2
    except OSError as error:
        print(f"funnelbot: cannot use data directory {data_dir}: {error}", file=sys.stderr)
        return 1


def _run_webhook(app: BotApp, settings: Settings) -> None:
    import asyncio

    from bot.webhook import new_secret, serve

    assert settings.webhook is not None
    secret = settings.webhook.secret or new_secret()
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, RedactingFormatter):
            handler.formatter.hide(secret, "<WEBHOOK_SECRET>")
    source = "WEBHOOK_SECRET" if settings.webhook.secret else "generated (WEBHOOK_SECRET is not set)"
    logging.getLogger(__name__).info("webhook.secret_set source=%s", source)
    asyncio.run(serve(app, settings.webhook, secret))


def _listen_address(settings: Settings) -> str:
    return f"{settings.webhook.listen}:{settings.webhook.port}" if settings.webhook else "(no webhook)"


def _check(settings: Settings) -> int:
    """One line per check; exit 0 only when every check passes. Never prints the token."""
    import asyncio

    from bot.ops import check_bot_api, check_data_dir, check_healthz

    checks = [
        check_data_dir(settings.data_dir),
        asyncio.run(check_bot_api(settings.token, settings.api_base_url, settings.api_base_file_url)),
    ]
    if settings.webhook is not None:
        checks.append(check_healthz(settings.webhook.listen, settings.webhook.port))
    for check in checks:
        print(f"{'ok  ' if check.ok else 'FAIL'} {check.line}")
    return 0 if all(check.ok for check in checks) else 1


def _backup(settings: Settings, target: Path) -> int:
    from bot.ops import OpsError, backup
    from storage import CorruptDataError

    try:
        copies = backup(settings.data_dir, target)
    except (OpsError, CorruptDataError, OSError) as error:
        print(f"funnelbot: backup failed: {error}", file=sys.stderr)
        return 1
    users = sum(1 for copy in copies if copy.parent.name == "users")
    others = f" and {len(copies) - users} contact, invite and group files" if len(copies) > users else ""
    print(f"funnelbot: backed up {users} user files{others} from {settings.data_dir} to {target}")
    return 0


def _restore(settings: Settings, source: Path, *, force: bool) -> int:
    from bot.ops import DataDirBusy, OpsError, restore
    from storage import CorruptDataError

    try:
        done = restore(source, settings.data_dir, force=force)
    except DataDirBusy as busy:
        print(
            f"funnelbot: a running funnelbot (pid {busy.pid or 'unknown'}) holds {settings.data_dir}; "
            "stop it, then restore (it would write its own data back over the backup).",
            file=sys.stderr,
        )
        return 2
    except OpsError as error:
        print(f"funnelbot: {error}", file=sys.stderr)
        return 2
    except (CorruptDataError, OSError) as error:
        print(f"funnelbot: restore failed, nothing was changed: {error}", file=sys.stderr)
        return 1
    kept = f"; the data that was there is in {done.kept}" if done.kept else ""
    print(f"funnelbot: restored {done.count} user files from {source} into {settings.data_dir}{kept}")
    return 0


def _tour_script() -> Path:
    """The built-in demo script: shipped inside the package, or docs/ in a source checkout."""
    from importlib.resources import files

    shipped = Path(str(files("bot") / "demo-script.txt"))
    return shipped if shipped.is_file() else Path(__file__).resolve().parents[1] / "docs" / "demo-script.txt"


def _tell_operator(settings: Settings, text: str) -> None:
    """Best effort: a start-up that fails is also told to ADMIN_CHAT_ID (a few seconds at most)."""
    if settings.admin_chat_id is None:
        return
    import asyncio

    from bot.health import tell_admin_before_exit

    asyncio.run(tell_admin_before_exit(settings, text))


if __name__ == "__main__":
    sys.exit(main())
