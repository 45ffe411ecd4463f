"""Persistence for the people features: one small JSON file per user under ``data_dir/people``.

Each file holds the user's contacts, their undo entries and their people settings. Files are written
through :class:`storage.atomic_json.AtomicJSONStorage` (temp file, fsync, replace) in a directory only
the bot's user can open. Every read-modify-write is one synchronous method, so it never spans an
``await``.
"""

from __future__ import annotations

import contextlib
import copy
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from bot.domain.people import MAX_UNDO, Contact, contact_from_dict, contact_to_dict
from storage.atomic_json import AtomicJSONStorage, remove_stray_temp_files

logger = logging.getLogger(__name__)

T = TypeVar("T")


class PeopleStore:
    """Contacts and people settings per user (``people/<user_id>.json``)."""

    def __init__(self, data_dir: Path, *, fsync: bool = True) -> None:
        self.dir = Path(data_dir) / "people"
        self.fsync = fsync
        self._files: dict[int, AtomicJSONStorage] = {}
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for temp in remove_stray_temp_files(self.dir):
            logger.warning("people.temp_removed %s", temp.name)

    def _file(self, user_id: int) -> AtomicJSONStorage:
        storage = self._files.get(user_id)
        if storage is None:
            storage = self._files[user_id] = AtomicJSONStorage(self.dir / f"{int(user_id)}.json", fsync=self.fsync)
        return storage

    def _read(self, user_id: int) -> dict[str, Any]:
        return self._file(user_id).read() or {"contacts": [], "next_id": 1, "undo": [], "settings": {}}

    def _change(self, user_id: int, change: Callable[[dict[str, Any]], T]) -> T:
        """The one read-modify-write: ``change`` edits a copy, which is written whole or not at all."""
        data = copy.deepcopy(self._read(user_id))
        result = change(data)
        self._file(user_id).write(data)
        return result

    # -- reading ---------------------------------------------------------------------------

    def contacts(self, user_id: int) -> list[Contact]:
        return [contact_from_dict(c) for c in self._read(user_id)["contacts"]]

    def contact(self, user_id: int, contact_id: int) -> Contact | None:
        return next((c for c in self.contacts(user_id) if c.id == contact_id), None)

    def setting(self, user_id: int, key: str, default: T) -> T:
        value = self._read(user_id).get("settings", {}).get(key, default)
        return value  # type: ignore[no-any-return]

    def last_undo(self, user_id: int) -> dict[str, Any] | None:
        undo = self._read(user_id).get("undo", [])
        return undo[-1] if undo else None

    def user_ids(self) -> list[int]:
        return sorted(int(p.stem) for p in self.dir.glob("*.json") if p.stem.isdigit())

    # -- writing ---------------------------------------------------------------------------

    def save_contacts(self, user_id: int, contacts: list[Contact], label: str, app_undo: int | None) -> int:
        """Replace the given contacts (matched by id; new ids are added), remembering the previous
        list for undo. ``app_undo`` is the newest application undo id at the time, so /undo knows
        which change came last. Returns the undo entry id."""

        def change(data: dict[str, Any]) -> int:
            before = {"contacts": data["contacts"], "next_id": data["next_id"]}
            by_id = {c["id"]: c for c in data["contacts"]}
            for contact in contacts:
                by_id[contact.id] = contact_to_dict(contact)
                data["next_id"] = max(data["next_id"], contact.id + 1)
            data["contacts"] = list(by_id.values())
            return _push_undo(data, label, before, app_undo)

        return self._change(user_id, change)

    def delete_contact(self, user_id: int, contact_id: int, label: str, app_undo: int | None) -> int:
        def change(data: dict[str, Any]) -> int:
            before = {"contacts": data["contacts"], "next_id": data["next_id"]}
            data["contacts"] = [c for c in data["contacts"] if c["id"] != contact_id]
            return _push_undo(data, label, before, app_undo)

        return self._change(user_id, change)

    def next_id(self, user_id: int) -> int:
        return int(self._read(user_id)["next_id"])

    def undo(self, user_id: int, entry_id: int | None = None) -> str | None:
        """Restore the contacts as they were before the newest change (or ``entry_id`` if it is the
        newest); returns its label, or None when there is nothing (or not that) to undo."""

        def change(data: dict[str, Any]) -> str | None:
            undo = data.get("undo", [])
            if not undo or (entry_id is not None and undo[-1]["id"] != entry_id):
                return None
            entry = undo.pop()
            data["contacts"], data["next_id"] = entry["before"]["contacts"], entry["before"]["next_id"]
            return str(entry["label"])

        return self._change(user_id, change)

    def set_setting(self, user_id: int, key: str, value: Any) -> None:
        def change(data: dict[str, Any]) -> None:
            data.setdefault("settings", {})[key] = value

        self._change(user_id, change)

    def record_sent(self, user_id: int, key: str) -> bool:
        """Record (before sending) that the message ``key`` goes out; False if it already did."""

        def change(data: dict[str, Any]) -> bool:
            sent = data.setdefault("sent", [])
            if key in sent:
                return False
            sent.append(key)
            del sent[:-12]
            return True

        return self._change(user_id, change)

    def delete_user(self, user_id: int) -> bool:
        """/forget: the user's people file goes."""
        storage = self._files.pop(user_id, None)
        if storage is not None:
            storage.close()
        path = self.dir / f"{int(user_id)}.json"
        existed = path.exists()
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return existed


def _push_undo(data: dict[str, Any], label: str, before: dict[str, Any], app_undo: int | None) -> int:
    undo = data.setdefault("undo", [])
    entry_id = int(data.get("undo_seq", 0)) + 1  # never reused, so a stale button can't undo another change
    data["undo_seq"] = entry_id
    undo.append({"id": entry_id, "label": label, "before": before, "app_undo": app_undo})
    del undo[:-MAX_UNDO]
    return entry_id


class SharedStore:
    """What users share with each other, under ``data_dir/shared``:

    * ``invites.json``: partner invites (by the SHA-256 of their code, never the code) and the
      partnerships accepted invites made (``partners``: user id -> who sees their week);
    * ``groups.json``: group boards and their members.
    """

    def __init__(self, data_dir: Path, *, fsync: bool = True) -> None:
        self.dir = Path(data_dir) / "shared"
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for temp in remove_stray_temp_files(self.dir):
            logger.warning("shared.temp_removed %s", temp.name)
        self._invites = AtomicJSONStorage(self.dir / "invites.json", fsync=fsync)
        self._groups = AtomicJSONStorage(self.dir / "groups.json", fsync=fsync)

    # -- one read-modify-write per file -------------------------------------------------------

    def _read_invites(self) -> dict[str, Any]:
        return self._invites.read() or {"invites": {}, "partners": {}}

    def _change_invites(self, change: Callable[[dict[str, Any]], T]) -> T:
        data = copy.deepcopy(self._read_invites())
        result = change(data)
        self._invites.write(data)
        return result

    def _read_groups(self) -> dict[str, Any]:
        return self._groups.read() or {"groups": {}}

    def _change_groups(self, change: Callable[[dict[str, Any]], T]) -> T:
        data = copy.deepcopy(self._read_groups())
        result = change(data)
        self._groups.write(data)
        return result

    # -- invites and partners ---------------------------------------------------------------

    def create_invite(self, user_id: int, code_hash: str, now: datetime, expires: datetime) -> None:
        """A new invite replaces the user's open one; expired and used invites are dropped."""

        def change(data: dict[str, Any]) -> None:
            data["invites"] = {
                h: i
                for h, i in data["invites"].items()
                if i["from"] != user_id and not i["used"] and datetime.fromisoformat(i["expires"]) > now
            }
            data["invites"][code_hash] = {"from": user_id, "expires": expires.isoformat(), "used": False}

        self._change_invites(change)

    def invite(self, code_hash: str) -> dict[str, Any] | None:
        found = self._read_invites()["invites"].get(code_hash)
        return dict(found) if found else None

    def accept_invite(self, code_hash: str, partner_id: int, now: datetime) -> tuple[str, int | None, int | None]:
        """Use an invite: ("ok", inviter, the partner it replaced or None), or ("missing" | "used" |
        "expired" | "own", inviter, None)."""

        def change(data: dict[str, Any]) -> tuple[str, int | None, int | None]:
            invite = data["invites"].get(code_hash)
            if invite is None:
                return "missing", None, None
            inviter = int(invite["from"])
            if invite["used"]:
                return "used", inviter, None
            if datetime.fromisoformat(invite["expires"]) <= now:
                return "expired", inviter, None
            if inviter == partner_id:
                return "own", inviter, None
            invite["used"] = True
            previous = data["partners"].get(str(inviter))
            data["partners"][str(inviter)] = {"partner": partner_id, "since": now.isoformat(), "names": False}
            replaced = int(previous["partner"]) if previous and previous["partner"] != partner_id else None
            return "ok", inviter, replaced

        return self._change_invites(change)

    def partner(self, user_id: int) -> dict[str, Any] | None:
        """Who sees ``user_id``'s week, with their options; None without a partner."""
        found = self._read_invites()["partners"].get(str(user_id))
        return dict(found) if found else None

    def partnering(self, partner_id: int) -> list[int]:
        """The users whose week ``partner_id`` sees."""
        return sorted(int(u) for u, p in self._read_invites()["partners"].items() if p["partner"] == partner_id)

    def partnerships(self) -> list[tuple[int, dict[str, Any]]]:
        return [(int(u), dict(p)) for u, p in self._read_invites()["partners"].items()]

    def end_partnership(self, user_id: int, partner_id: int | None = None) -> int | None:
        """Stop ``user_id`` sharing with their partner (only if it is ``partner_id``, when given);
        returns the partner's id, or None if there was nothing to end."""

        def change(data: dict[str, Any]) -> int | None:
            found = data["partners"].get(str(user_id))
            if found is None or (partner_id is not None and found["partner"] != partner_id):
                return None
            del data["partners"][str(user_id)]
            return int(found["partner"])

        return self._change_invites(change)

    def set_partner_option(self, user_id: int, key: str, value: Any) -> bool:
        def change(data: dict[str, Any]) -> bool:
            found = data["partners"].get(str(user_id))
            if found is None:
                return False
            found[key] = value
            return True

        return self._change_invites(change)

    def record_partner_week(self, user_id: int, week: str) -> bool:
        """Record (before sending) that ``week``'s summary goes out; False if it already did, or
        the partnership has ended meanwhile."""

        def change(data: dict[str, Any]) -> bool:
            found = data["partners"].get(str(user_id))
            if found is None or week in found.get("sent", []):
                return False
            found["sent"] = [*found.get("sent", []), week][-8:]
            return True

        return self._change_invites(change)

    def forget_partners(self, user_id: int) -> list[tuple[int, int]]:
        """/forget or a blocked bot: every partnership and invite involving ``user_id`` goes.
        Returns the (user, partner) pairs ended."""

        def change(data: dict[str, Any]) -> list[tuple[int, int]]:
            ended = [
                (int(u), int(p["partner"]))
                for u, p in data["partners"].items()
                if int(u) == user_id or p["partner"] == user_id
            ]
            for u, _ in ended:
                del data["partners"][str(u)]
            data["invites"] = {h: i for h, i in data["invites"].items() if i["from"] != user_id}
            return ended

        return self._change_invites(change)

    # -- group boards -------------------------------------------------------------------------

    def group(self, group_id: int) -> dict[str, Any] | None:
        found = self._read_groups()["groups"].get(str(group_id))
        return copy.deepcopy(found) if found else None

    def groups(self) -> list[tuple[int, dict[str, Any]]]:
        return [(int(g), copy.deepcopy(v)) for g, v in self._read_groups()["groups"].items()]

    def ensure_group(self, group_id: int, title: str) -> None:
        def change(data: dict[str, Any]) -> None:
            found = data["groups"].setdefault(str(group_id), {"members": {}, "review": None, "sent": []})
            found["title"] = title[:128]

        self._change_groups(change)

    def remove_group(self, group_id: int) -> bool:
        """The bot left (or was removed from) the group: its board and memberships go."""

        def change(data: dict[str, Any]) -> bool:
            return data["groups"].pop(str(group_id), None) is not None

        return self._change_groups(change)

    def move_group(self, group_id: int, new_id: int) -> bool:
        """The group became a supergroup with a new id: its board and members move with it."""

        def change(data: dict[str, Any]) -> bool:
            found = data["groups"].pop(str(group_id), None)
            if found is None:
                return False
            data["groups"][str(new_id)] = found
            return True

        return self._change_groups(change)

    def join_group(self, group_id: int, user_id: int, now: datetime) -> bool:
        """False when the group is unknown (the bot has left it meanwhile)."""

        def change(data: dict[str, Any]) -> bool:
            found = data["groups"].get(str(group_id))
            if found is None:
                return False
            found["members"][str(user_id)] = {"since": now.isoformat()}
            return True

        return self._change_groups(change)

    def leave_group(self, group_id: int, user_id: int) -> bool:
        def change(data: dict[str, Any]) -> bool:
            found = data["groups"].get(str(group_id))
            return found is not None and found["members"].pop(str(user_id), None) is not None

        return self._change_groups(change)

    def leave_all_groups(self, user_id: int) -> list[int]:
        def change(data: dict[str, Any]) -> list[int]:
            left = [int(g) for g, v in data["groups"].items() if v["members"].pop(str(user_id), None) is not None]
            return left

        return self._change_groups(change)

    def set_group_review(self, group_id: int, weekday: int, at: str, zone: str) -> bool:
        def change(data: dict[str, Any]) -> bool:
            found = data["groups"].get(str(group_id))
            if found is None:
                return False
            found["review"] = {"weekday": weekday, "at": at, "tz": zone}
            return True

        return self._change_groups(change)

    def record_board(self, group_id: int, week: str) -> bool:
        """Record (before posting) that ``week``'s board goes out; False if it already did."""

        def change(data: dict[str, Any]) -> bool:
            found = data["groups"].get(str(group_id))
            if found is None or week in found.get("sent", []):
                return False
            found["sent"] = [*found.get("sent", []), week][-8:]
            return True

        return self._change_groups(change)
