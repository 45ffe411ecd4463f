"""The data files' schema: its version, the forward migrations, and a complete check of a file.

:func:`check` is what makes "the file opened" mean "every command can use it": it parses every
document through the domain's own ``from_dict`` and then checks the parsed values' types, because
``from_dict`` trusts its input (a timezone stored as a number would otherwise load fine and break
every later command).
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.domain.models import JobApplication, Profile, from_iso

SCHEMA_VERSION = 1

# MIGRATIONS[n] turns a version-n user document set (TinyDB's {table: {id: doc}}) into version n+1.
# Add one here, and bump SCHEMA_VERSION, whenever the stored shape changes.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

TABLES = ("meta", "profile", "applications", "undo", "reminders")

T = TypeVar("T")

# Anything a parser may raise on a document of the wrong shape.
_PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError)


class SchemaError(RuntimeError):
    """A data file's content is not something this Funnelbot can use; the message says why."""


def schema_version(tables: dict[str, Any]) -> int:
    """The version a file says it was written with (a file without a meta table is version 1)."""
    meta = tables.get("meta", {})
    if not isinstance(meta, dict):
        raise SchemaError(f"has a meta table that is {_kind(meta)}, not an object")
    doc = meta.get("1", {})
    if not isinstance(doc, dict):
        raise SchemaError("has a meta record that is not an object")
    found = doc.get("schema", SCHEMA_VERSION)
    if type(found) is not int:
        raise SchemaError(f"has a schema version that is not a whole number ({found!r:.40})")
    if found < 1:
        raise SchemaError(f"has an impossible schema version {found}")
    if found > SCHEMA_VERSION:
        raise SchemaError(f"was written by a newer Funnelbot (schema {found}, this one knows {SCHEMA_VERSION})")
    return found


def migrate(tables: dict[str, Any], found: int) -> dict[str, Any]:
    """Bring a file's tables from version ``found`` up to :data:`SCHEMA_VERSION`."""
    if found > SCHEMA_VERSION:
        raise SchemaError(f"was written by a newer Funnelbot (schema {found}, this one knows {SCHEMA_VERSION})")
    for version in range(found, SCHEMA_VERSION):
        tables = MIGRATIONS[version](tables)
    return tables


def check(tables: dict[str, Any], user_id: int) -> None:
    """Raise SchemaError unless every table and document of a current-version file is usable."""
    for name, table in tables.items():
        if name not in TABLES:
            raise SchemaError(f"has an unknown table {name!r:.40}")
        if not isinstance(table, dict):
            raise SchemaError(f"has a {name} table that is {_kind(table)}, not an object")
        for doc_id, doc in table.items():
            if not doc_id.isdigit() or int(doc_id) < 1:
                raise SchemaError(f"has a {name} record with the id {doc_id!r:.40}")
            if not isinstance(doc, dict):
                raise SchemaError(f"has a {name} record {doc_id} that is {_kind(doc)}, not an object")
    _check_meta(tables.get("meta", {}))
    profile = _check_profile(tables.get("profile", {}), user_id)
    numbers = _check_applications(tables.get("applications", {}))
    if numbers and profile is None:
        raise SchemaError("has applications but no profile")
    if profile is not None and numbers and profile.next_number <= max(numbers):
        raise SchemaError(f"numbers its next application #{profile.next_number}, which already exists")
    _check_undo(tables.get("undo", {}))
    _check_reminders(tables.get("reminders", {}))


def _check_meta(meta: dict[str, Any]) -> None:
    if set(meta) - {"1"}:
        raise SchemaError("has more than one meta record")
    for key in ("last_update_id", "last_update_at", "undo_seq"):
        value = meta.get("1", {}).get(key)
        if value is not None and type(value) is not int:
            raise SchemaError(f"has a meta {key} that is not a whole number")


def _check_profile(table: dict[str, Any], user_id: int) -> Profile | None:
    if set(table) - {"1"}:
        raise SchemaError("has more than one profile record")
    if "1" not in table:
        return None
    profile = _parse(Profile.from_dict, table["1"], "the profile")
    _check_types(profile, "the profile")
    if profile.user_id != user_id:
        raise SchemaError(f"holds the profile of user {profile.user_id}, not {user_id}")
    if profile.next_number < 1:
        raise SchemaError(f"has an impossible next application number {profile.next_number}")
    if profile.timezone:
        try:
            ZoneInfo(profile.timezone)
        except (ValueError, OSError, KeyError) as error:  # ZoneInfoNotFoundError is a KeyError
            raise SchemaError(f"has an unknown timezone {profile.timezone!r:.40}") from error
    for name in ("plan", "check", "review"):
        slot = getattr(profile, name)
        if slot is not None and not 0 <= slot.weekday <= 6:
            raise SchemaError(f"has a {name} weekday {slot.weekday}, not 0-6")
    return profile


def _check_applications(table: dict[str, Any]) -> list[int]:
    numbers = []
    for doc_id, doc in table.items():
        app = _check_application(doc, f"application record {doc_id}")
        if app.number != int(doc_id):
            raise SchemaError(f"has application record {doc_id} numbered #{app.number}")
        numbers.append(app.number)
    return numbers


def _check_application(doc: dict[str, Any], what: str) -> JobApplication:
    app = _parse(JobApplication.from_dict, doc, what)
    _check_types(app, what)
    if app.number < 1:
        raise SchemaError(f"has {what} with the impossible number #{app.number}")
    return app


def _check_undo(table: dict[str, Any]) -> None:
    for doc_id, doc in table.items():
        what = f"undo record {doc_id}"
        shape = {"label": str, "number": int, "deleted": bool, "added": list}
        for key, kind in shape.items():
            if key in doc and (type(doc[key]) is not kind):
                raise SchemaError(f"has {what} whose {key} is not a {kind.__name__}")
        if not isinstance(doc.get("label"), str) or type(doc.get("number")) is not int:
            raise SchemaError(f"has {what} without a label and number")
        if any(type(n) is not int for n in doc.get("added", [])):
            raise SchemaError(f"has {what} whose added numbers are not whole numbers")
        before = doc.get("before")
        if before is not None:
            if not isinstance(before, dict):
                raise SchemaError(f"has {what} whose saved application is not an object")
            _check_application(before, f"{what}'s saved application")


def _check_reminders(table: dict[str, Any]) -> None:
    for doc_id, doc in table.items():
        what = f"reminder record {doc_id}"
        if not all(isinstance(doc.get(key), str) for key in ("key", "at", "status")):
            raise SchemaError(f"has {what} without a key, time and status")
        _parse(from_iso, doc["at"], what)


def _parse(parser: Callable[[Any], T], value: Any, what: str) -> T:
    try:
        return parser(value)
    except _PARSE_ERRORS as error:
        raise SchemaError(f"has {what} that cannot be read ({type(error).__name__}: {error!s:.80})") from error
    except RecursionError as error:
        raise SchemaError(f"has {what} nested too deeply") from error


def _check_types(obj: object, what: str) -> None:
    """Check a parsed dataclass's fields against its annotations (recursing into dataclasses)."""
    for name, hint, matches, nested in _fields(type(obj)):
        value = getattr(obj, name)
        if not matches(value):
            raise SchemaError(f"has {what} whose {name} is {_kind(value)}, not {_name(hint)}")
        if nested:
            for inner in value if isinstance(value, list) else [value]:
                if inner is not None:
                    _check_types(inner, what)


Check = Callable[[object], bool]
_FIELDS: dict[type, list[tuple[str, Any, Check, bool]]] = {}


def _fields(cls: type) -> list[tuple[str, Any, Check, bool]]:
    """(name, annotation, checker, holds dataclasses) per field; built once per class (start-up reads many)."""
    if cls not in _FIELDS:
        hints = typing.get_type_hints(cls)
        _FIELDS[cls] = [
            (item.name, hints[item.name], _checker(hints[item.name]), _holds_dataclass(hints[item.name]))
            for item in dataclasses.fields(cls)
        ]
    return _FIELDS[cls]


def _holds_dataclass(hint: Any) -> bool:
    args = typing.get_args(hint)
    return any(_holds_dataclass(arg) for arg in args) if args else dataclasses.is_dataclass(hint)


def _checker(hint: Any) -> Check:
    """A fast isinstance-style test for one annotation."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [_checker(arg) for arg in typing.get_args(hint)]
        return lambda value: any(option(value) for option in options)
    if origin is list:
        (arg,) = typing.get_args(hint)
        item_ok = _checker(arg)
        return lambda value: isinstance(value, list) and all(item_ok(item) for item in value)
    if hint is type(None):
        return lambda value: value is None
    if hint is int:  # bool is an int to Python, not to us; an IntEnum (a Stage) is fine
        return lambda value: type(value) is int or isinstance(value, enum.IntEnum)
    if hint is float:
        return lambda value: type(value) in (int, float)
    if hint is datetime:
        return lambda value: isinstance(value, datetime) and value.tzinfo is not None
    if hint is date:
        return lambda value: type(value) is date
    if isinstance(hint, type):
        return lambda value: isinstance(value, hint)
    return lambda value: True  # an annotation this checker does not understand is no reason to refuse a file


def _name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("datetime.", "")


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    names = {list: "an array", dict: "an object", str: "a string", int: "a number", float: "a number"}
    return names.get(type(value), f"a {type(value).__name__}")
