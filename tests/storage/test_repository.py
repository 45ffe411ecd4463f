"""Durable, per-user storage: atomic writes, corrupt files refused, undo, isolation."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.models import Event, JobApplication, Profile
from bot.domain.stages import Stage
from storage import AtomicJSONStorage, CorruptDataError, Repository, StorageWriteError

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def new_profile(repo: Repository, user_id: int) -> Profile:
    profile = Profile(user_id=user_id, chat_id=user_id, created_at=NOW)
    repo.save_profile(profile)
    return profile


def new_app(company: str = "Acme") -> JobApplication:
    return JobApplication(0, company, "SRE", NOW, history=[Event(NOW, "created", Stage.PROSPECT)])


def test_numbers_are_per_user_and_never_reused(tmp_path: Path) -> None:
    """Each user counts from #1; a deleted number is not handed out again."""
    repo = Repository.open(tmp_path)
    ada, bob = new_profile(repo, 1), new_profile(repo, 2)
    assert repo.add_application(ada, new_app(), "added #{n}").number == 1
    assert repo.add_application(ada, new_app("Beta"), "added #{n}").number == 2
    assert repo.add_application(bob, new_app(), "added #{n}").number == 1
    repo.delete_application(1, 2, "deleted #2")
    assert repo.add_application(ada, new_app("Gamma"), "added #{n}").number == 3
    assert [a.company for a in repo.list_applications(1)] == ["Acme", "Gamma"]
    assert [a.company for a in repo.list_applications(2)] == ["Acme"]


def test_restart_keeps_everything(tmp_path: Path) -> None:
    """Closing and reopening the data dir gives back profiles, applications and undo."""
    repo = Repository.open(tmp_path)
    ada = new_profile(repo, 1)
    ada.timezone = "Europe/Berlin"
    repo.save_profile(ada)
    app = repo.add_application(ada, new_app("<Ben & Jerry's>"), "added #{n}")
    repo.close()
    again = Repository.open(tmp_path)
    assert again.get_profile(1).timezone == "Europe/Berlin"  # type: ignore[union-attr]
    assert again.get_application(1, app.number) == app
    assert again.last_undo(1) is not None


def test_each_user_has_their_own_file(tmp_path: Path) -> None:
    """A write touches only that user's file, whatever the number of users."""
    repo = Repository.open(tmp_path)
    ada, bob = new_profile(repo, 1), new_profile(repo, 2)
    repo.add_application(ada, new_app(), "added #{n}")
    bob_file = tmp_path / "users" / "2.json"
    before = bob_file.stat().st_mtime_ns
    repo.add_application(ada, new_app("Beta"), "added #{n}")
    assert bob_file.stat().st_mtime_ns == before
    assert sorted(p.name for p in (tmp_path / "users").iterdir()) == ["1.json", "2.json"]
    assert bob.user_id == 2


def test_undo_reverts_add_change_and_delete(tmp_path: Path) -> None:
    """Undo walks back an edit, a delete and an add, most recent first."""
    repo = Repository.open(tmp_path)
    ada = new_profile(repo, 1)
    app = repo.add_application(ada, new_app(), "added #{n}")
    app.role = "Staff SRE"
    repo.save_application(1, app, "edited #1")
    repo.delete_application(1, 1, "deleted #1")
    assert repo.get_application(1, 1) is None
    assert repo.undo(1).label == "deleted #1"  # type: ignore[union-attr]
    assert repo.get_application(1, 1).role == "Staff SRE"  # type: ignore[union-attr]
    assert repo.undo(1).label == "edited #1"  # type: ignore[union-attr]
    assert repo.get_application(1, 1).role == "SRE"  # type: ignore[union-attr]
    assert repo.undo(1).label == "added #1"  # type: ignore[union-attr]
    assert repo.get_application(1, 1) is None
    assert repo.undo(1) is None


def test_undo_of_a_stale_entry_is_refused(tmp_path: Path) -> None:
    """An Undo button for an older change does nothing once something newer happened."""
    repo = Repository.open(tmp_path)
    ada = new_profile(repo, 1)
    repo.add_application(ada, new_app(), "added #{n}")
    first = repo.last_undo(1)
    repo.add_application(ada, new_app("Beta"), "added #{n}")
    assert repo.undo(1, first.id) is None  # type: ignore[union-attr]
    assert len(repo.list_applications(1)) == 2


def test_corrupt_file_stops_start_up_and_is_left_alone(tmp_path: Path) -> None:
    """A truncated user file raises CorruptDataError naming it, and is not rewritten."""
    users = tmp_path / "users"
    users.mkdir()
    broken = users / "7.json"
    broken.write_text('{"applications": {"1": {"comp')
    with pytest.raises(CorruptDataError) as caught:
        Repository.open(tmp_path)
    assert caught.value.path == broken
    assert broken.read_text() == '{"applications": {"1": {"comp'


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    """A file written by a newer Funnelbot is not downgraded."""
    users = tmp_path / "users"
    users.mkdir()
    (users / "7.json").write_text(json.dumps({"meta": {"1": {"schema": 99}}}))
    with pytest.raises(CorruptDataError, match="newer Funnelbot"):
        Repository.open(tmp_path)


def test_stray_temp_files_are_cleaned_at_start_up(tmp_path: Path) -> None:
    """Temp files left by a crash mid-write are removed; the real file is intact."""
    repo = Repository.open(tmp_path)
    new_profile(repo, 1)
    repo.close()
    stray = tmp_path / "users" / ".1.json.999.tmp"
    stray.write_text("{half")
    again = Repository.open(tmp_path)
    assert not stray.exists()
    assert again.get_profile(1) is not None


def test_failed_serialisation_leaves_the_file_untouched(tmp_path: Path) -> None:
    """Data that can't be serialised raises before the file is opened."""
    path = tmp_path / "db.json"
    storage = AtomicJSONStorage(path)
    storage.write({"t": {"1": {"a": 1}}})
    with pytest.raises(TypeError):
        storage.write({"t": {"1": {"a": object()}}})
    assert json.loads(path.read_text()) == {"t": {"1": {"a": 1}}}
    assert [p.name for p in tmp_path.iterdir()] == ["db.json"]


def test_failed_write_keeps_the_old_file_and_forgets_the_memory_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the rename fails (disk full, say), the old file stays and reads come from disk again."""
    path = tmp_path / "db.json"
    storage = AtomicJSONStorage(path)
    storage.write({"t": {"1": {"a": 1}}})

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(StorageWriteError, match="No space") as caught:
        storage.write({"t": {"1": {"a": 2}}})
    monkeypatch.undo()
    assert caught.value.errno == 28 and caught.value.path == path
    assert storage.read() == {"t": {"1": {"a": 1}}}
    assert [p.name for p in tmp_path.iterdir()] == ["db.json"]


def test_reads_do_not_reparse_the_file(tmp_path: Path) -> None:
    """After the first read, data comes from memory (the file is only the durable copy)."""
    path = tmp_path / "db.json"
    storage = AtomicJSONStorage(path)
    storage.write({"t": {}})
    path.write_text("garbage")  # nobody else writes our files; this proves no re-read happens
    assert storage.read() == {"t": {}}


def test_undo_of_a_bulk_import_removes_exactly_what_it_added(tmp_path: Path) -> None:
    """One undo takes back a whole import and nothing older."""
    repo = Repository.open(tmp_path)
    ada = new_profile(repo, 1)
    repo.add_application(ada, new_app("Older"), "added #{n}")
    batch = [new_app("Imp A"), new_app("Imp B")]
    for app in batch:
        app.number = ada.next_number
        ada.next_number += 1
    repo.save_profile(ada)
    repo.save_applications(1, batch, "imported 2 applications")
    entry = repo.undo(1)
    assert entry is not None and entry.label == "imported 2 applications" and entry.added == (2, 3)
    assert [a.company for a in repo.list_applications(1)] == ["Older"]
