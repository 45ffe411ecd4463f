"""Insights handlers (being written)."""

from __future__ import annotations

from typing import Any


def handlers() -> list[Any]:
    return []
