"""The two ways the fake says no: to the bot (an API error) and to a test (misuse)."""

from __future__ import annotations

from typing import Any

__all__ = ["FakeApiError", "FakeUsageError"]


class FakeApiError(Exception):
    """An error reply of the Bot API: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, error_code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        self.error_code = error_code
        self.description = description
        self.parameters = parameters
        super().__init__(f"{error_code}: {description}")

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = dict(self.parameters)
        return body


class FakeUsageError(AssertionError):
    """A test asked a simulated user to do something a real user could not do."""
