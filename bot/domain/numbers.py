"""Whole numbers as people type them: ASCII digits only.

``str.isdigit`` is true for characters such as "²" that ``int`` refuses (and for other scripts'
digits), so every number typed by a user or read from a file goes through :func:`parse_int`.
"""

from __future__ import annotations

import re

_INT = re.compile(r"[0-9]{1,9}")
_SIGNED = re.compile(r"-?[0-9]{1,18}")


def parse_int(text: str) -> int | None:
    """A non-negative whole number of up to nine ASCII digits, or None."""
    text = text.strip()
    return int(text) if _INT.fullmatch(text) else None


def parse_signed(text: str) -> int | None:
    """A whole number with an optional minus sign (ids in callback data), or None."""
    return int(text) if _SIGNED.fullmatch(text) else None
