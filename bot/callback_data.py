"""Callback data for inline buttons: ``<area>:<action>:<args>``, ASCII, never user text."""

from __future__ import annotations

from typing import cast

from telegram.constants import InlineKeyboardButtonLimit

from bot.domain.numbers import parse_signed

MAX_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA


def encode(area: str, action: str, *args: object) -> str:
    data = ":".join([area, action, *(str(arg) for arg in args)])
    if len(data.encode("ascii")) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def decode(data: str) -> tuple[str, str, list[str]]:
    area, _, rest = data.partition(":")
    action, _, args = rest.partition(":")
    return area, action, args.split(":") if args else []


def int_args(args: list[str], count: int) -> list[int] | None:
    """The first ``count`` args as ints, or None if they are missing or not numbers."""
    if len(args) < count:
        return None
    numbers = [parse_signed(arg) for arg in args[:count]]
    return None if None in numbers else cast(list[int], numbers)
