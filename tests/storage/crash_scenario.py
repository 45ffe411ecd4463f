"""A fixed run of storage changes, used by test_crash_points both in-process and in a child process.

``python -m tests.storage.crash_scenario DIR N before|after`` runs it against DIR and calls
``os._exit`` just before or just after the N-th ``os.replace``; exit code 3 means the run finished
without reaching it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.domain.models import Event, JobApplication, Profile
from bot.domain.stages import Stage
from storage import Repository

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
USER = 7
FINISHED = 3


def _app(company: str, track: str = "") -> JobApplication:
    return JobApplication(0, company, "SRE", NOW, track=track, history=[Event(NOW, "created", Stage.PROSPECT)])


def _import(repo: Repository, companies: list[str]) -> None:
    profile = repo.get_profile(USER)
    assert profile is not None
    apps = [_app(company) for company in companies]
    with repo.transaction(USER):
        for app in apps:
            app.number = profile.next_number
            profile.next_number += 1
        repo.save_profile(profile)
        repo.save_applications(USER, apps, f"imported {len(apps)} applications")


def _add(company: str, track: str = "") -> Callable[[Repository], None]:
    def run(repo: Repository) -> None:
        profile = repo.get_profile(USER)
        assert profile is not None
        repo.add_application(profile, _app(company, track), "added #{n}")

    return run


def _edit(number: int, role: str) -> Callable[[Repository], None]:
    def run(repo: Repository) -> None:
        app = repo.get_application(USER, number)
        assert app is not None
        app.role = role
        repo.save_application(USER, app, f"edited #{number}")

    return run


# Each step is exactly one file write, so a crash after write N must leave the state after step N.
STEPS: list[Callable[[Repository], object]] = [
    lambda repo: repo.save_profile(Profile(user_id=USER, chat_id=USER, created_at=NOW)),
    _add("Acme"),
    _add("Beta", track="Platform"),
    lambda repo: _import(repo, ["Gamma", "Delta"]),
    _edit(2, "Staff SRE"),
    lambda repo: repo.delete_application(USER, 1, "deleted #1"),
    lambda repo: repo.undo(USER),
    lambda repo: repo.undo(USER),
    _add("Epsilon"),
    lambda repo: repo.mark_reminder(USER, "plan:2026-11-23", NOW),
    lambda repo: repo.undo(USER),
    _add("Zeta"),
    lambda repo: repo.undo(USER),  # undoes the add of Zeta
    lambda repo: repo.undo(USER),  # undoes the import
    _add("Eta"),
]


def run_steps(repo: Repository, after_each: Callable[[], None] = lambda: None) -> None:
    for index, step in enumerate(STEPS):
        with repo.handling_update(USER, 1000 + index):
            step(repo)
        after_each()


def state(repo: Repository) -> dict[str, Any]:
    """What a user can see: numbers, contents, the undo stack, reminders, the last update id."""
    profile = repo.get_profile(USER)
    undo = repo.last_undo(USER)
    return {
        "next_number": profile.next_number if profile else None,
        "tracks": profile.tracks if profile else None,
        "apps": {app.number: (app.company, app.role) for app in repo.list_applications(USER)},
        "last_undo": undo.label if undo else None,
        "reminders": repo.reminder_statuses(USER),
        "last_update_id": repo.last_update_id(USER),
    }


def main(data_dir: str, crash_at: int, when: str) -> None:
    real_replace = os.replace
    count = 0

    def replace(src: Any, dst: Any) -> None:
        nonlocal count
        count += 1
        if count == crash_at and when == "before":
            os._exit(0)
        real_replace(src, dst)
        if count == crash_at:
            os._exit(0)

    os.replace = replace  # type: ignore[assignment]
    run_steps(Repository.open(Path(data_dir), fsync=False))
    os._exit(FINISHED)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
