"""The open-questions store: one atomically written file per user, gone when nothing is open."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.conversations import ConversationStore


def test_a_record_round_trips_and_an_empty_one_deletes_the_file(tmp_path: Path) -> None:
    """What is saved is read back by a new store; saving an empty record removes the file."""
    store = ConversationStore(tmp_path)
    store.load()
    record = {"states": {"question": {"key": [7, 7], "state": 2}}, "data": {"question": {"kind": "add"}}}
    store.save(7, record)
    assert ConversationStore(tmp_path).load() == {7: record}
    store.save(7, {"states": {}, "data": {}})
    assert not (tmp_path / "conversations" / "7.json").exists()


def test_an_unchanged_record_is_not_written_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Saving the same record twice touches the disk once (every update is flushed, most change nothing)."""
    store = ConversationStore(tmp_path)
    store.load()
    writes: list[object] = []
    real = ConversationStore._path

    def counting(self: ConversationStore, user_id: int) -> Path:
        writes.append(user_id)
        return real(self, user_id)

    monkeypatch.setattr(ConversationStore, "_path", counting)
    store.save(7, {"states": {}, "data": {"import_settled": {1: "go"}}})
    store.save(7, {"states": {}, "data": {"import_settled": {1: "go"}}})
    assert writes == [7]


def test_a_damaged_file_is_left_aside_and_the_others_load(tmp_path: Path) -> None:
    """One unreadable file forgets that user's question only; stray temp files are removed."""
    folder = tmp_path / "conversations"
    folder.mkdir()
    (folder / "1.json").write_text("{not json", encoding="utf-8")
    (folder / "2.json").write_text('{"states": {}, "data": {"x": 1}}', encoding="utf-8")
    (folder / ".2.json.99.tmp").write_text("half", encoding="utf-8")
    assert ConversationStore(tmp_path).load() == {2: {"states": {}, "data": {"x": 1}}}
    assert not (folder / ".2.json.99.tmp").exists()
