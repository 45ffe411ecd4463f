"""Settings from the environment (or a ``.env`` file, loaded by ``__main__``)."""

from __future__ import annotations

import os
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names it and says what to do."""


# Telegram's rule for setWebhook's secret_token: 1-256 characters from A-Z, a-z, 0-9, _ and -.
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class WebhookSettings:
    """Webhook mode: Telegram POSTs updates to ``url``; a reverse proxy forwards them to listen:port."""

    url: str
    listen: str = "127.0.0.1"
    port: int = 8443
    secret: str | None = None  # None: `funnelbot run` generates one at start-up

    @property
    def path(self) -> str:
        """The path the proxy forwards unchanged, e.g. ``/telegram`` for ``https://host/telegram``."""
        return urlsplit(self.url).path.rstrip("/") or "/"


@dataclass(frozen=True)
class Settings:
    token: str
    data_dir: Path = Path("data")
    api_base_url: str | None = None
    api_base_file_url: str | None = None
    default_tz: str = "UTC"
    allowed_user_ids: frozenset[int] | None = None
    admin_chat_id: int | None = None
    log_level: str = "INFO"
    blocked_retention_days: int = 180
    webhook: WebhookSettings | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, need_token: bool = True) -> Settings:
        env = os.environ if env is None else env
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if need_token and not token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set. Put the token from @BotFather in the environment "
                "or in a .env file (see .env.example)."
            )
        base_url = env.get("TELEGRAM_API_BASE_URL", "").strip() or None
        file_url = env.get("TELEGRAM_API_BASE_FILE_URL", "").strip() or None
        if base_url:
            base_url, derived_file_url = normalise_base_url(base_url)
            file_url = file_url or derived_file_url
        default_tz = env.get("DEFAULT_TZ", "").strip() or "UTC"
        try:
            zoneinfo.ZoneInfo(default_tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise ConfigError(f"DEFAULT_TZ={default_tz!r} is not an IANA timezone name.") from error
        return cls(
            token=token,
            data_dir=Path(env.get("FUNNELBOT_DATA_DIR", "").strip() or "data"),
            api_base_url=base_url,
            api_base_file_url=file_url,
            default_tz=default_tz,
            allowed_user_ids=_ids(env.get("ALLOWED_USER_IDS", ""), "ALLOWED_USER_IDS"),
            admin_chat_id=_one_id(env.get("ADMIN_CHAT_ID", ""), "ADMIN_CHAT_ID"),
            log_level=(env.get("LOG_LEVEL", "").strip() or "INFO").upper(),
            blocked_retention_days=_days(env.get("BLOCKED_RETENTION_DAYS", ""), "BLOCKED_RETENTION_DAYS", 180),
            webhook=_webhook(env),
        )

    def with_webhook_required(self) -> Settings:
        """``funnelbot run --webhook``: the same settings, but WEBHOOK_URL must be set."""
        if self.webhook is None:
            raise ConfigError(
                "--webhook needs WEBHOOK_URL: the public https:// address Telegram posts updates to "
                "(your reverse proxy forwards it to WEBHOOK_LISTEN:WEBHOOK_PORT)."
            )
        return self


def _webhook(env: Mapping[str, str]) -> WebhookSettings | None:
    url = env.get("WEBHOOK_URL", "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        raise ConfigError(f"WEBHOOK_URL={url!r} must be an https:// URL (Telegram only posts to HTTPS).")
    raw_port = env.get("WEBHOOK_PORT", "").strip() or "8443"
    if not raw_port.isdigit() or not 1 <= int(raw_port) <= 65535:
        raise ConfigError(f"WEBHOOK_PORT={raw_port!r} must be a port number (1-65535).")
    secret = env.get("WEBHOOK_SECRET", "").strip() or None
    if secret is not None and not _SECRET_RE.fullmatch(secret):
        # Never echo the value: it is a credential.
        raise ConfigError("WEBHOOK_SECRET must be 1-256 characters from A-Z, a-z, 0-9, _ and - (Telegram's rule).")
    return WebhookSettings(
        url=url,
        listen=env.get("WEBHOOK_LISTEN", "").strip() or "127.0.0.1",
        port=int(raw_port),
        secret=secret,
    )


def normalise_base_url(url: str) -> tuple[str, str]:
    """Return (base_url, base_file_url) in the form PTB wants (it appends the token).

    ``http://host:8081`` and ``http://host:8081/bot`` both mean the Bot API at that server; the
    file URL is the same server's ``/file/bot`` path.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"TELEGRAM_API_BASE_URL={url!r} must be an http(s) URL.")
    path = parts.path.rstrip("/")
    if "{token}" not in path and not path.endswith("/bot"):
        path += "/bot"
    base = f"{parts.scheme}://{parts.netloc}{path}"
    file_path = path[: -len("/bot")] + "/file/bot" if path.endswith("/bot") else "/file/bot"
    return base, f"{parts.scheme}://{parts.netloc}{file_path}"


def _ids(raw: str, name: str) -> frozenset[int] | None:
    items = [item.strip() for item in raw.replace(";", ",").split(",") if item.strip()]
    if not items:
        return None
    try:
        return frozenset(int(item) for item in items)
    except ValueError as error:
        raise ConfigError(f"{name} must be a comma-separated list of numeric user ids.") from error


def _one_id(raw: str, name: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as error:
        raise ConfigError(f"{name} must be a numeric chat id.") from error


def _days(raw: str, name: str, default: int) -> int:
    raw = raw.strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= 3650:
        raise ConfigError(f"{name} must be a number of days from 1 to 3650.")
    return int(raw)
