"""The data files' schema version and the forward migrations between versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SCHEMA_VERSION = 1

# MIGRATIONS[n] turns a version-n user document set (TinyDB's {table: {id: doc}}) into version n+1.
# Add one here, and bump SCHEMA_VERSION, whenever the stored shape changes.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


class SchemaError(RuntimeError):
    pass


def migrate(tables: dict[str, Any], found: int) -> dict[str, Any]:
    """Bring a file's tables from version ``found`` up to :data:`SCHEMA_VERSION`."""
    if found > SCHEMA_VERSION:
        raise SchemaError(f"written by a newer Funnelbot (schema {found}, this one knows {SCHEMA_VERSION})")
    for version in range(found, SCHEMA_VERSION):
        tables = MIGRATIONS[version](tables)
    return tables
