"""A damaged user file stops start-up with CorruptDataError naming it, and is never rewritten."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.domain.models import Event, JobApplication, Profile
from bot.domain.stages import Stage
from storage import CorruptDataError, Repository, schema

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
USER = 42


def valid_tables() -> dict[str, Any]:
    """A realistic file: profile, two applications, an undo entry for an edit, a reminder."""
    app = JobApplication(1, "Acme", "SRE", NOW, history=[Event(NOW, "created", Stage.PROSPECT)])
    other = JobApplication(2, "Beta", "SRE", NOW, history=[Event(NOW, "created", Stage.APPLIED)])
    profile = Profile(user_id=USER, chat_id=USER, created_at=NOW, timezone="Europe/Berlin", next_number=3)
    edited = app.to_dict() | {"role": "Staff SRE"}
    return {
        "meta": {"1": {"schema": 1, "undo_seq": 3, "last_update_id": 10}},
        "profile": {"1": profile.to_dict()},
        "applications": {"1": edited, "2": other.to_dict()},
        "undo": {"3": {"label": "edited #1", "number": 1, "before": app.to_dict(), "deleted": False, "added": []}},
        "reminders": {"1": {"key": "plan:2026-11-23", "at": "2026-11-23T09:00:00+00:00", "status": "sent"}},
    }


def changed(edit: Callable[[dict[str, Any]], object]) -> bytes:
    tables = valid_tables()
    edit(tables)
    return json.dumps(tables).encode()


def nested(depth: int) -> bytes:
    return b'{"meta": ' + b"[" * depth + b"]" * depth + b"}"


# name -> (file name, bytes written there, a phrase the problem must contain)
DAMAGE: dict[str, tuple[str, bytes, str]] = {
    "empty file": ("42.json", b"", "empty"),
    "only whitespace": ("42.json", b"  \n", "empty"),
    "truncated JSON": ("42.json", json.dumps(valid_tables()).encode()[:200], "not valid JSON"),
    "not UTF-8": ("42.json", b'{"profile": "\xff\xfe"}', "not UTF-8"),
    "JSON array": ("42.json", b"[]", "array"),
    "JSON null": ("42.json", b"null", "null"),
    "JSON string": ("42.json", b'"hello"', "string"),
    "schema abc": ("42.json", changed(lambda t: t["meta"]["1"].update(schema="abc")), "schema version"),
    "schema 0": ("42.json", changed(lambda t: t["meta"]["1"].update(schema=0)), "impossible schema"),
    "negative schema": ("42.json", changed(lambda t: t["meta"]["1"].update(schema=-3)), "impossible schema"),
    "schema true": ("42.json", changed(lambda t: t["meta"]["1"].update(schema=True)), "schema version"),
    "newer schema": ("42.json", changed(lambda t: t["meta"]["1"].update(schema=99)), "newer Funnelbot"),
    "meta as a list": ("42.json", changed(lambda t: t.update(meta=[1])), "meta table"),
    "meta record a string": ("42.json", changed(lambda t: t.update(meta={"1": "v1"})), "meta record"),
    "applications table a list": ("42.json", changed(lambda t: t.update(applications=[])), "applications table"),
    "unknown table": ("42.json", changed(lambda t: t.update(_default={})), "unknown table"),
    "record id not a number": (
        "42.json",
        changed(lambda t: t["applications"].update(x=t["applications"]["1"])),
        "with the id",
    ),
    "record a number": ("42.json", changed(lambda t: t["reminders"].update({"2": 5})), "reminders record 2"),
    "profile without created_at": ("42.json", changed(lambda t: t["profile"]["1"].pop("created_at")), "profile"),
    "profile without user_id": ("42.json", changed(lambda t: t["profile"]["1"].pop("user_id")), "profile"),
    "timezone a number": ("42.json", changed(lambda t: t["profile"]["1"].update(timezone=5)), "timezone"),
    "unknown timezone": ("42.json", changed(lambda t: t["profile"]["1"].update(timezone="Mars/Olympus")), "timezone"),
    "next_number a string": ("42.json", changed(lambda t: t["profile"]["1"].update(next_number="3")), "next_number"),
    "next_number behind": ("42.json", changed(lambda t: t["profile"]["1"].update(next_number=2)), "already exists"),
    "active a string": ("42.json", changed(lambda t: t["profile"]["1"].update(active="yes")), "active"),
    "plan weekday 9": (
        "42.json",
        changed(lambda t: t["profile"]["1"].update(plan={"weekday": 9, "at": "09:00"})),
        "weekday",
    ),
    "plan time garbage": (
        "42.json",
        changed(lambda t: t["profile"]["1"].update(plan={"weekday": 1, "at": "soon"})),
        "profile",
    ),
    "someone else's profile": ("42.json", changed(lambda t: t["profile"]["1"].update(user_id=7)), "user 7"),
    "two profiles": ("42.json", changed(lambda t: t["profile"].update({"2": t["profile"]["1"]})), "more than one"),
    "applications without profile": ("42.json", changed(lambda t: t.pop("profile")), "no profile"),
    "application with a bad stage": (
        "42.json",
        changed(lambda t: t["applications"]["2"].update(stage=42)),
        "application record 2",
    ),
    "application with a bad date": (
        "42.json",
        changed(lambda t: t["applications"]["2"].update(created_at="yesterday")),
        "application record 2",
    ),
    "application company a number": (
        "42.json",
        changed(lambda t: t["applications"]["2"].update(company=12)),
        "company",
    ),
    "application history garbage": (
        "42.json",
        changed(lambda t: t["applications"]["2"].update(history=[{"kind": "x"}])),
        "application record 2",
    ),
    "application under the wrong id": (
        "42.json",
        changed(lambda t: t["applications"]["2"].update(number=1)),
        "numbered #1",
    ),
    "undo without a label": ("42.json", changed(lambda t: t["undo"]["3"].pop("label")), "undo record 3"),
    "undo added garbage": ("42.json", changed(lambda t: t["undo"]["3"].update(added="1,2")), "undo record 3"),
    "undo before garbage": ("42.json", changed(lambda t: t["undo"]["3"].update(before={"x": 1})), "undo record 3"),
    "undo table a string": ("42.json", changed(lambda t: t.update(undo="none")), "undo table"),
    "reminder without a key": ("42.json", changed(lambda t: t["reminders"]["1"].pop("key")), "reminder record 1"),
    "reminder time garbage": (
        "42.json",
        changed(lambda t: t["reminders"]["1"].update(at="later")),
        "reminder record 1",
    ),
    "last_update_id a string": (
        "42.json",
        changed(lambda t: t["meta"]["1"].update(last_update_id="10")),
        "last_update_id",
    ),
    "deeply nested JSON": ("42.json", nested(100_000), "nested too deeply"),
    "name not a user id": ("ada.json", json.dumps(valid_tables()).encode(), "not named after a user id"),
    "user id with a leading zero": ("042.json", json.dumps(valid_tables()).encode(), "not named after a user id"),
}


@pytest.mark.parametrize(("name", "content", "problem"), DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_file_is_refused_by_name_and_left_untouched(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    """Repository.open raises CorruptDataError with the file's path and the problem; the bytes stay."""
    users = tmp_path / "users"
    users.mkdir()
    damaged = users / name
    damaged.write_bytes(content)
    with pytest.raises(CorruptDataError) as caught:
        Repository.open(tmp_path, fsync=False)
    assert caught.value.path == damaged
    assert problem in caught.value.problem
    assert "\n" not in caught.value.problem
    assert damaged.read_bytes() == content
    assert sorted(p.name for p in users.iterdir()) == [name]


def test_a_directory_where_a_file_should_be_is_refused(tmp_path: Path) -> None:
    """A folder named like a user file is reported, not crashed on."""
    (tmp_path / "users" / "42.json").mkdir(parents=True)
    with pytest.raises(CorruptDataError, match="is a directory") as caught:
        Repository.open(tmp_path, fsync=False)
    assert caught.value.path == tmp_path / "users" / "42.json"


def test_the_valid_file_used_above_opens_without_being_written(tmp_path: Path) -> None:
    """The undamaged original opens, every command's reads work, and open writes nothing."""
    users = tmp_path / "users"
    users.mkdir()
    content = json.dumps(valid_tables()).encode()
    (users / "42.json").write_bytes(content)
    (users / "42.json.bak").write_bytes(b"garbage the operator moved aside")
    repo = Repository.open(tmp_path, fsync=False)
    assert (users / "42.json").read_bytes() == content
    assert repo.get_profile(USER).timezone == "Europe/Berlin"  # type: ignore[union-attr]
    assert [a.role for a in repo.list_applications(USER)] == ["Staff SRE", "SRE"]
    assert repo.undo(USER).label == "edited #1"  # type: ignore[union-attr]
    assert repo.last_update_id(USER) == 10
    assert repo.sent_reminders(USER) == {"plan:2026-11-23": "2026-11-23T09:00:00+00:00"}


def test_an_older_file_is_migrated_only_when_it_passes_the_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A valid older file is migrated and written once; a damaged older file is left as it was."""
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 2)
    monkeypatch.setattr("storage.repository.SCHEMA_VERSION", 2)
    monkeypatch.setitem(schema.MIGRATIONS, 1, lambda tables: {**tables, "meta": {"1": {"schema": 2}}})
    users = tmp_path / "users"
    users.mkdir()
    valid = json.dumps(valid_tables()).encode()
    (users / "42.json").write_bytes(valid)
    damaged = valid_tables()
    damaged["profile"]["1"]["user_id"] = 8
    (users / "43.json").write_text(json.dumps(damaged))
    damaged_bytes = (users / "43.json").read_bytes()
    with pytest.raises(CorruptDataError, match="user 8"):
        Repository.open(tmp_path, fsync=False)
    assert (users / "43.json").read_bytes() == damaged_bytes
    assert (users / "42.json").read_bytes() == valid  # nothing is migrated until every file passed
    os.remove(users / "43.json")
    repo = Repository.open(tmp_path, fsync=False)
    assert json.loads((users / "42.json").read_text())["meta"] == {"1": {"schema": 2}}
    assert repo.get_profile(USER) is not None
