"""Counting words in plain text, for the domain's sentences and the views alike."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """ "1 application", "2 applications" (``many`` for irregular plurals)."""
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"
