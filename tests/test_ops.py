"""Operator commands through the real ``funnelbot`` process: check, backup, restore, the data lock."""

from __future__ import annotations

import fcntl
import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.models import Profile
from storage import Repository

REPO_ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def funnelbot(*args: str, data_dir: Path, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "FUNNELBOT_", "WEBHOOK_"))}
    env.update(FUNNELBOT_DATA_DIR=str(data_dir), PYTHONPATH=str(REPO_ROOT), **(extra or {}))
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=data_dir.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def make_data(data_dir: Path, users: range) -> None:
    repo = Repository.open(data_dir, fsync=False)
    for user_id in users:
        repo.save_profile(Profile(user_id=user_id, chat_id=user_id, created_at=NOW, first_name=f"U{user_id}"))
    repo.close()


@pytest.fixture
def held_lock(tmp_path: Path) -> Iterator[Path]:
    """The data directory's lock, held by this test process as a running bot would hold it."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with open(data_dir / ".lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        handle.write("4242\n")
        handle.flush()
        yield data_dir


def test_run_refuses_a_data_directory_another_bot_holds(held_lock: Path) -> None:
    """A second `funnelbot run` on the same data directory stops with one line and exit 2."""
    result = funnelbot("run", data_dir=held_lock, extra={"TELEGRAM_BOT_TOKEN": "1:x"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"funnelbot: another funnelbot (pid 4242) is running on {held_lock}; stop it first "
        "(two bots on one data directory would overwrite each other)."
    ]


def test_backup_while_writes_go_on_copies_complete_files(tmp_path: Path) -> None:
    """`funnelbot backup` during a stream of real writes: every copy parses, files are owner-only."""
    data_dir = tmp_path / "data"
    make_data(data_dir, range(1, 6))
    stop = threading.Event()

    def keep_writing() -> None:
        repo = Repository.open(data_dir)  # fsync on: the bot's own write path
        profile = repo.get_profile(3)
        assert profile is not None
        n = 0
        while not stop.is_set():
            n += 1
            repo.save_profile(replace(profile, first_name="x" * (n % 5000)))
        repo.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = funnelbot("backup", str(tmp_path / "backup"), data_dir=data_dir)
    finally:
        stop.set()
        writer.join()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"funnelbot: backed up 5 user files from {data_dir} to {tmp_path / 'backup'}"
    copies = sorted((tmp_path / "backup" / "users").glob("*.json"))
    assert [p.name for p in copies] == [f"{i}.json" for i in range(1, 6)]
    for copy in copies:
        assert isinstance(json.loads(copy.read_text()), dict)
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "backup").stat().st_mode) == 0o700
    manifest = json.loads((tmp_path / "backup" / "backup.json").read_text())
    assert sorted(manifest["files"]) == [f"users/{p.name}" for p in copies]


def test_backup_and_restore_keep_contacts_invites_and_groups(tmp_path: Path) -> None:
    """people/ and shared/ go into the backup beside users/, and come back on restore."""
    data_dir = tmp_path / "data"
    make_data(data_dir, range(1, 3))
    (data_dir / "people").mkdir()
    (data_dir / "people" / "1.json").write_text('{"contacts": {"1": {"name": "Jane Doe"}}}')
    (data_dir / "shared").mkdir()
    (data_dir / "shared" / "groups.json").write_text('{"groups": {}}')
    result = funnelbot("backup", str(tmp_path / "backup"), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "2 user files and 2 contact, invite and group files" in result.stdout
    manifest = json.loads((tmp_path / "backup" / "backup.json").read_text())
    assert sorted(manifest["files"]) == ["people/1.json", "shared/groups.json", "users/1.json", "users/2.json"]
    fresh = tmp_path / "fresh"
    assert funnelbot("restore", str(tmp_path / "backup"), data_dir=fresh).returncode == 0
    assert "Jane Doe" in (fresh / "people" / "1.json").read_text()
    assert (fresh / "shared" / "groups.json").exists()
    (tmp_path / "backup" / "people" / "1.json").write_text('{"contacts": {}}')  # tampered after the backup
    damaged = funnelbot("restore", str(tmp_path / "backup"), data_dir=tmp_path / "other")
    assert damaged.returncode == 2 and "people/1.json changed since it was made" in damaged.stderr


def test_backup_refuses_a_non_empty_target(tmp_path: Path) -> None:
    """A backup never mixes with other files: a non-empty target is refused."""
    make_data(tmp_path / "data", range(1, 2))
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "notes.txt").write_text("mine")
    result = funnelbot("backup", str(tmp_path / "backup"), data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert "is not empty" in result.stderr


def test_restore_round_trip_and_its_refusals(tmp_path: Path) -> None:
    """Restore refuses existing data without --force; with it, the old data is kept aside."""
    data_dir = tmp_path / "data"
    make_data(data_dir, range(1, 4))
    assert funnelbot("backup", str(tmp_path / "backup"), data_dir=data_dir).returncode == 0
    make_data(data_dir, range(4, 6))  # life goes on after the backup

    refused = funnelbot("restore", str(tmp_path / "backup"), data_dir=data_dir)
    assert refused.returncode == 2
    assert "already holds data (5 users)" in refused.stderr and "--force" in refused.stderr
    assert len(list((data_dir / "users").glob("*.json"))) == 5

    forced = funnelbot("restore", str(tmp_path / "backup"), "--force", data_dir=data_dir)
    assert forced.returncode == 0, forced.stderr
    assert sorted(p.name for p in (data_dir / "users").glob("*.json")) == ["1.json", "2.json", "3.json"]
    kept = [p for p in data_dir.iterdir() if p.name.startswith("users.before-restore-")]
    assert len(kept) == 1 and len(list(kept[0].glob("*.json"))) == 5
    assert f"the data that was there is in {kept[0]}" in forced.stdout
    repo = Repository.open(data_dir)
    assert sorted(repo.user_ids()) == [1, 2, 3]
    repo.close()

    fresh = tmp_path / "fresh"
    assert funnelbot("restore", str(tmp_path / "backup"), data_dir=fresh).returncode == 0  # empty: no --force
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700


def test_restore_refuses_while_a_bot_holds_the_directory(tmp_path: Path, held_lock: Path) -> None:
    """Even with --force, restore waits for the bot to stop: it would write its data back."""
    make_data(tmp_path / "src", range(1, 2))
    assert funnelbot("backup", str(tmp_path / "backup"), data_dir=tmp_path / "src").returncode == 0
    result = funnelbot("restore", str(tmp_path / "backup"), "--force", data_dir=held_lock)
    assert result.returncode == 2
    assert "a running funnelbot (pid 4242) holds" in result.stderr
    assert not (held_lock / "users").exists()


def test_restore_refuses_a_damaged_backup_and_changes_nothing(tmp_path: Path) -> None:
    """A copy that no longer matches the manifest is named, and the data directory is untouched."""
    make_data(tmp_path / "data", range(1, 3))
    assert funnelbot("backup", str(tmp_path / "backup"), data_dir=tmp_path / "data").returncode == 0
    (tmp_path / "backup" / "users" / "2.json").write_text('{"tampered": {}}')
    result = funnelbot("restore", str(tmp_path / "backup"), data_dir=tmp_path / "empty")
    assert result.returncode == 2
    assert "2.json changed since it was made" in result.stderr
    assert not (tmp_path / "empty" / "users").exists()

    (tmp_path / "backup" / "backup.json").write_text("{half a manif")
    result = funnelbot("restore", str(tmp_path / "backup"), data_dir=tmp_path / "empty")
    assert result.returncode == 2
    assert "backup.json is damaged" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "empty" / "users").exists()


def test_check_names_a_corrupt_file_and_an_unreachable_api_without_the_token(tmp_path: Path) -> None:
    """`funnelbot check`: one line per check, FAIL lines say what is wrong, exit 1, no token."""
    data_dir = tmp_path / "data"
    make_data(data_dir, range(1, 2))
    (data_dir / "users" / "7.json").write_text("{broken")
    token = "123456:SECRET-TOKEN-never-printed"
    result = funnelbot(
        "check",
        data_dir=data_dir,
        extra={"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot"},
    )
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"FAIL data file {data_dir / 'users' / '7.json'} is not valid JSON")
    assert lines[1].startswith("FAIL Bot API at http://127.0.0.1:9/bot cannot be reached")
    assert "SECRET-TOKEN" not in result.stdout + result.stderr


async def test_check_passes_against_a_bot_api_that_answers(tmp_path: Path) -> None:
    """With readable data and a Bot API that answers getMe, `funnelbot check` exits 0."""
    pytest.importorskip("aiohttp")
    import asyncio

    from bot.faketelegram import FakeTelegram
    from bot.faketelegram.server import serve

    token = "777:CHECK-TOKEN-secret"
    runner, base_url, _ = await serve(FakeTelegram(token=token, bot_username="checked_bot"))
    make_data(tmp_path / "data", range(1, 3))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "FUNNELBOT_", "WEBHOOK_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=base_url,
        FUNNELBOT_DATA_DIR=str(tmp_path / "data"),
        PYTHONPATH=str(REPO_ROOT),
    )
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "check", env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE
        )
        out, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        await runner.cleanup()
    assert process.returncode == 0
    assert out.decode().splitlines() == [
        f"ok   data directory {tmp_path / 'data'}: 2 user files, all readable",
        f"ok   Bot API at {base_url} answers getMe: @checked_bot",
    ]


def test_run_on_a_data_directory_it_cannot_use_is_one_line_and_exit_1(tmp_path: Path) -> None:
    """FUNNELBOT_DATA_DIR naming a file (or anything unusable) stops `funnelbot run` with one line."""
    not_a_dir = tmp_path / "data"
    not_a_dir.write_text("oops")
    result = funnelbot("run", data_dir=not_a_dir, extra={"TELEGRAM_BOT_TOKEN": "1:x"})
    assert result.returncode == 1
    assert result.stderr.startswith(f"funnelbot: cannot use data directory {not_a_dir}:")
    assert len(result.stderr.strip().splitlines()) == 1
