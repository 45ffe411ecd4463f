"""The ``funnelbot`` command: configuration errors are one clear line, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, normalise_base_url


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "FUNNELBOT_", "WEBHOOK_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, **env, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_missing_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """No TELEGRAM_BOT_TOKEN: exit code 2 and a sentence saying what to do."""
    result = run_cli("run", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "funnelbot: TELEGRAM_BOT_TOKEN is not set. Put the token from @BotFather in the environment "
        "or in a .env file (see .env.example)."
    ]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        '{"meta": {"1": {"schema": "abc"}}}',
        '{"meta": [1]}',
        '{"meta": ' + "[" * 100_000 + "]" * 100_000 + "}",
    ],
    ids=["truncated", "schema abc", "meta a list", "deeply nested"],
)
def test_corrupt_data_file_stops_start_up_naming_it(tmp_path: Path, content: str) -> None:
    """A broken user file stops `funnelbot run` with exit code 2 and its path; the file is untouched."""
    users = tmp_path / "data" / "users"
    users.mkdir(parents=True)
    broken = users / "42.json"
    broken.write_text(content)
    result = run_cli(
        "run", env={"TELEGRAM_BOT_TOKEN": "1:x", "FUNNELBOT_DATA_DIR": str(tmp_path / "data")}, cwd=tmp_path
    )
    assert result.returncode == 2
    first, *rest = result.stderr.strip().splitlines()
    assert first.startswith(f"funnelbot: cannot start: the data file {broken} ")
    assert len(rest) == 1 and "has not been changed" in rest[0]
    assert broken.read_text() == content


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    """Settings come from .env when the environment doesn't have them."""
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=1:x\nDEFAULT_TZ=Mars/Olympus\n")
    result = run_cli("run", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "DEFAULT_TZ='Mars/Olympus'" in result.stderr


@pytest.mark.parametrize(
    ("given", "base", "files"),
    [
        ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot"),
        ("http://127.0.0.1:8081", "http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot"),
        ("http://host/tg/bot/", "http://host/tg/bot", "http://host/tg/file/bot"),
    ],
)
def test_base_url_forms(given: str, base: str, files: str) -> None:
    """The API base URL works with or without /bot; the file URL follows it."""
    assert normalise_base_url(given) == (base, files)


def test_settings_from_env() -> None:
    """Every variable is read, with defaults; bad ones raise ConfigError."""
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x", "ALLOWED_USER_IDS": "1, 2", "ADMIN_CHAT_ID": "9"})
    assert settings.allowed_user_ids == frozenset({1, 2})
    assert settings.admin_chat_id == 9
    assert settings.data_dir == Path("data")
    assert settings.api_base_url is None
    with pytest.raises(ConfigError, match="ALLOWED_USER_IDS"):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x", "ALLOWED_USER_IDS": "ada"})
    with pytest.raises(ConfigError, match="http"):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_API_BASE_URL": "ftp://x"})


def test_webhook_settings_from_env() -> None:
    """WEBHOOK_URL turns webhook mode on; listen and port default to 127.0.0.1:8443."""
    assert Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x"}).webhook is None
    hook = Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x", "WEBHOOK_URL": "https://bot.example.org/tg/"}).webhook
    assert hook is not None
    assert (hook.url, hook.listen, hook.port, hook.secret, hook.path) == (
        "https://bot.example.org/tg/",
        "127.0.0.1",
        8443,
        None,
        "/tg",
    )
    env = {"TELEGRAM_BOT_TOKEN": "1:x", "WEBHOOK_URL": "https://h", "WEBHOOK_SECRET": "a" * 256}
    assert Settings.from_env({**env, "WEBHOOK_PORT": "88"}).webhook.port == 88  # type: ignore[union-attr]
    with pytest.raises(ConfigError, match="https"):
        Settings.from_env({**env, "WEBHOOK_URL": "http://bot.example.org/tg"})
    with pytest.raises(ConfigError, match="WEBHOOK_PORT"):
        Settings.from_env({**env, "WEBHOOK_PORT": "70000"})


@pytest.mark.parametrize("secret", ["a" * 257, "has space", "dots.are.not.allowed", "ünïcode"])
def test_webhook_secret_outside_telegrams_alphabet_is_refused_without_echoing_it(secret: str) -> None:
    """A WEBHOOK_SECRET Telegram would refuse is a config error that never repeats the value."""
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET") as error:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x", "WEBHOOK_URL": "https://h", "WEBHOOK_SECRET": secret})
    assert secret not in str(error.value)


def test_run_webhook_without_url_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """`funnelbot run --webhook` without WEBHOOK_URL says what to set, before touching anything."""
    result = run_cli("run", "--webhook", env={"TELEGRAM_BOT_TOKEN": "1:x"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "funnelbot: --webhook needs WEBHOOK_URL: the public https:// address Telegram posts updates to "
        "(your reverse proxy forwards it to WEBHOOK_LISTEN:WEBHOOK_PORT)."
    ]
    assert not (tmp_path / "data").exists()


def test_blocked_retention_days_is_read_and_checked() -> None:
    """BLOCKED_RETENTION_DAYS sets the retention; nonsense is refused with the setting's name."""
    import pytest

    from bot.config import ConfigError, Settings

    base = {"TELEGRAM_BOT_TOKEN": "1:abcdefgh"}
    assert Settings.from_env(base).blocked_retention_days == 180
    assert Settings.from_env({**base, "BLOCKED_RETENTION_DAYS": "30"}).blocked_retention_days == 30
    for bad in ("0", "-5", "²", "ten", "99999"):
        with pytest.raises(ConfigError, match="BLOCKED_RETENTION_DAYS"):
            Settings.from_env({**base, "BLOCKED_RETENTION_DAYS": bad})
