"""Lazy users: the persisted index, first-use opening, the bounded cache, parsed applications kept."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.domain.models import Event, JobApplication, Profile
from bot.domain.stages import Stage
from storage import CorruptDataError, Repository
from storage.index import INDEX_NAME, UNKNOWN

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def new_app(company: str) -> JobApplication:
    return JobApplication(0, company, "SRE", NOW, history=[Event(NOW, "created", Stage.PROSPECT)])


def populate(folder: Path, users: int, apps: int = 3) -> None:
    repo = Repository.open(folder, fsync=False)
    for user_id in range(1, users + 1):
        profile = Profile(user_id=user_id, chat_id=user_id, created_at=NOW)
        repo.save_profile(profile)
        for i in range(apps):
            repo.add_application(profile, new_app(f"Company {i}"), "added #{n}")
    repo.close()


def damage(path: Path) -> None:
    """Rewrite a file with a broken document; its size changes, so the index no longer vouches for it."""
    tables = json.loads(path.read_text())
    tables["applications"]["1"]["stage"] = "sideways"
    path.write_text(json.dumps(tables) + "   ")


def test_start_up_trusts_the_index_and_reads_no_file(tmp_path: Path) -> None:
    """A clean shutdown saves the index; the next start-up opens no user file until one is used."""
    populate(tmp_path, 5)
    repo = Repository.open(tmp_path, fsync=False)
    assert repo.opened_files == 0 and sorted(repo.user_ids()) == [1, 2, 3, 4, 5]
    assert [a.company for a in repo.list_applications(3)] == ["Company 0", "Company 1", "Company 2"]
    assert repo.opened_files == 1


def test_a_file_changed_behind_our_back_is_checked_at_start_up(tmp_path: Path) -> None:
    """The index no longer matches a damaged file, so start-up reads it and refuses, naming it."""
    populate(tmp_path, 3)
    damage(tmp_path / "users" / "2.json")
    with pytest.raises(CorruptDataError) as caught:
        Repository.open(tmp_path, fsync=False)
    assert caught.value.path.name == "2.json" and "Stage" in caught.value.problem


def test_without_an_index_every_file_is_checked(tmp_path: Path) -> None:
    """A missing (or unreadable) index is derived data: every file is read and checked again."""
    populate(tmp_path, 3)
    (tmp_path / INDEX_NAME).write_text("{not json")
    repo = Repository.open(tmp_path, fsync=False)
    assert repo.opened_files == 3 and sorted(repo.user_ids()) == [1, 2, 3]


def test_a_file_damaged_while_running_is_refused_on_first_use_naming_it(tmp_path: Path) -> None:
    """Lazily opened and damaged meanwhile: CorruptDataError names the file; other users carry on."""
    populate(tmp_path, 3)
    repo = Repository.open(tmp_path, fsync=False)
    damage(tmp_path / "users" / "2.json")
    with pytest.raises(CorruptDataError) as caught:
        repo.list_applications(2)
    assert caught.value.path.name == "2.json"
    assert len(repo.list_applications(1)) == 3
    assert json.loads((tmp_path / "users" / "2.json").read_text())["applications"]["1"]["stage"] == "sideways"


def test_the_cache_is_bounded_and_loses_nothing(tmp_path: Path) -> None:
    """With room for two users, using six keeps at most two open, and every change is kept."""
    populate(tmp_path, 6)
    repo = Repository.open(tmp_path, fsync=False, cache_users=2)
    for user_id in range(1, 7):
        app = repo.get_application(user_id, 1)
        assert app is not None
        app.role = f"Role of {user_id}"
        repo.save_application(user_id, app, "edited #1")
        assert len(repo._stores) <= 2
    assert [repo.get_application(u, 1).role for u in range(1, 7)] == [f"Role of {u}" for u in range(1, 7)]  # type: ignore[union-attr]


def test_an_open_transaction_is_never_evicted(tmp_path: Path) -> None:
    """A user whose changes are still in memory stays in the cache however many others are used."""
    populate(tmp_path, 4)
    repo = Repository.open(tmp_path, fsync=False, cache_users=1)
    with repo.transaction(1):
        app = repo.get_application(1, 1)
        assert app is not None
        app.role = "Changed inside"
        repo.save_application(1, app, "edited #1")
        for other in (2, 3, 4):
            repo.list_applications(other)
    assert repo.get_application(1, 1).role == "Changed inside"  # type: ignore[union-attr]


def test_applications_are_parsed_once_and_handed_out_as_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write re-parses only what it changed; a caller changing its copy changes nothing stored."""
    populate(tmp_path, 1, apps=40)
    repo = Repository.open(tmp_path, fsync=False)
    repo.list_applications(1)
    parsed: list[int] = []
    real = JobApplication.from_dict.__func__  # type: ignore[attr-defined]

    def counting(cls: type[JobApplication], data: dict[str, Any]) -> JobApplication:
        parsed.append(data["number"])
        return real(cls, data)  # type: ignore[no-any-return]

    monkeypatch.setattr(JobApplication, "from_dict", classmethod(counting))
    app = repo.get_application(1, 7)
    assert app is not None
    app.role, app.history = "Staff SRE", [*app.history, Event(NOW, "edited")]
    assert repo.get_application(1, 7).role == "SRE"  # type: ignore[union-attr]
    repo.save_application(1, app, "edited #7")
    apps = repo.list_applications(1)
    assert parsed == [7] and apps[6].role == "Staff SRE" and len(apps[6].history) == 2
    apps[0].history.append(Event(NOW, "edited"))
    assert len(repo.list_applications(1)[0].history) == 1


def test_a_failed_transaction_drops_the_parsed_copies(tmp_path: Path) -> None:
    """After a rollback, reads come from the file again, not from what the failed change parsed."""
    populate(tmp_path, 1)
    repo = Repository.open(tmp_path, fsync=False)

    def change_then_fail() -> None:
        with repo.transaction(1):
            app = repo.get_application(1, 2)
            assert app is not None
            app.company = "Never saved"
            repo.save_application(1, app, "edited #2")
            assert repo.get_application(1, 2).company == "Never saved"  # type: ignore[union-attr]
            raise RuntimeError("discard")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert repo.get_application(1, 2).company == "Company 1"  # type: ignore[union-attr]


def test_wake_times_are_kept_until_the_file_changes(tmp_path: Path) -> None:
    """A remembered next-due time survives a restart; any write to the user makes it unknown again."""
    populate(tmp_path, 2)
    repo = Repository.open(tmp_path, fsync=False)
    repo.remember_wake(1, NOW + timedelta(days=1))
    repo.remember_wake(2, None)
    repo.close()
    repo = Repository.open(tmp_path, fsync=False)
    assert repo.wakes() == {1: "2026-11-24T09:00:00+00:00", 2: None}
    repo.mark_reminder(2, "plan:x", NOW)
    assert repo.wakes()[2] == UNKNOWN


def test_an_index_snapshot_is_saved_as_it_was_when_taken(tmp_path: Path) -> None:
    """The scheduler takes the snapshot on the loop and writes it from a thread: changes made in
    between (a new wake time, a write, a new user) must not leak into it half-way."""
    populate(tmp_path, 2)
    repo = Repository.open(tmp_path, fsync=False)
    repo.remember_wake(1, NOW + timedelta(days=1))
    stat_of_2 = os.stat(tmp_path / "users" / "2.json")
    snapshot = repo.index_snapshot()
    repo.remember_wake(1, NOW + timedelta(days=3))
    repo.mark_reminder(2, "plan:x", NOW)  # user 2's file changes: its entry is replaced
    repo.save_profile(Profile(user_id=9, chat_id=9, created_at=NOW))
    repo.save_index(snapshot)
    index = json.loads((tmp_path / INDEX_NAME).read_text())
    assert sorted(index["users"]) == ["1", "2"]
    assert index["users"]["1"][2] == "2026-11-24T09:00:00+00:00"
    assert index["users"]["2"][0] == [stat_of_2.st_mtime_ns, stat_of_2.st_size]
    assert repo.wakes()[1] == "2026-11-26T09:00:00+00:00"  # memory moved on regardless


def test_blocked_users_are_found_without_opening_every_file(tmp_path: Path) -> None:
    """The retention job asks for blocked users' profiles: only their files are opened."""
    populate(tmp_path, 4)
    repo = Repository.open(tmp_path, fsync=False)
    profile = repo.get_profile(3)
    assert profile is not None
    profile.active, profile.inactive_since = False, NOW
    repo.save_profile(profile)
    repo.close()
    repo = Repository.open(tmp_path, fsync=False)
    assert [p.user_id for p in repo.inactive_profiles()] == [3] and repo.opened_files == 1


def test_a_new_users_first_change_appears_in_the_index(tmp_path: Path) -> None:
    """A user created after start-up is in the next start-up's index, with their file's stat."""
    populate(tmp_path, 1)
    repo = Repository.open(tmp_path, fsync=False)
    repo.save_profile(Profile(user_id=9, chat_id=9, created_at=NOW))
    repo.close()
    index = json.loads((tmp_path / INDEX_NAME).read_text())
    stat = os.stat(tmp_path / "users" / "9.json")
    assert index["users"]["9"][0] == [stat.st_mtime_ns, stat.st_size]


def test_an_import_with_its_documents_keeps_the_applications_as_parsed(tmp_path: Path) -> None:
    """save_applications(documents=...) stores those documents and keeps the given objects, parsed once."""
    repo = Repository.open(tmp_path, fsync=False)
    profile = Profile(user_id=1, chat_id=1, created_at=NOW)
    repo.save_profile(profile)
    documents = [new_app(f"Firm {i}").to_dict() for i in range(3)]
    apps = [JobApplication.from_dict(doc) for doc in documents]
    for number, (app, doc) in enumerate(zip(apps, documents, strict=True), start=1):
        app.number = doc["number"] = number
    repo.save_applications(1, apps, "imported 3", documents=documents)
    view = repo.applications_view(1)
    assert all(a is b for a, b in zip(view, apps, strict=True))
    repo.close()
    again = Repository.open(tmp_path, fsync=False)
    assert again.applications_view(1) == apps
    with pytest.raises(ValueError, match="one document per application"):
        again.save_applications(1, apps[:1], "x", documents=documents)


def test_a_users_revision_moves_with_every_committed_change_and_every_reopening(tmp_path: Path) -> None:
    """What the scheduler's worker-thread work is checked against: equal only while nothing changed."""
    populate(tmp_path, users=2)
    repo = Repository.open(tmp_path, fsync=False, cache_users=1)
    assert repo.revision(1) is None  # not in memory: nothing to vouch for
    assert repo.get_profile(1) is not None
    first = repo.revision(1)
    assert first is not None and repo.revision(1) == first  # reading changes nothing
    repo.list_applications(1)
    assert repo.revision(1) == first
    repo.mark_reminder(1, "plan:2026-11-23", datetime(2026, 11, 23, 9, tzinfo=UTC))
    second = repo.revision(1)
    assert second is not None and second != first
    with repo.transaction(1):
        repo.unmark_reminder(1, "plan:2026-11-23")
        assert repo.revision(1) is None  # mid-change
    assert repo.revision(1) not in (None, first, second)
    assert repo.get_profile(2) is not None  # user 1 leaves the one-user cache
    assert repo.revision(1) is None
    assert repo.get_profile(1) is not None  # read again: a revision of its own, never an old one
    assert repo.revision(1) not in (None, first, second)
