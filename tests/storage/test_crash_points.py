"""A kill at any point of any change leaves a file that opens and holds whole changes only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from storage import Repository
from tests.storage import crash_scenario
from tests.storage.crash_scenario import FINISHED, USER, run_steps, state

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The state after 0, 1, 2, ... steps of an uninterrupted run."""
    repo = Repository.open(tmp_path_factory.mktemp("reference"), fsync=False)
    states = [state(repo)]
    run_steps(repo, lambda: states.append(state(repo)))
    return states


def crash(data_dir: Path, at: int, when: str) -> int:
    result = subprocess.run(
        [sys.executable, "-m", crash_scenario.__name__, str(data_dir), str(at), when],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode in (0, FINISHED), result.stderr
    return result.returncode


def test_every_step_is_exactly_one_write(expected: list[dict[str, Any]], tmp_path: Path) -> None:
    """The scenario finishes only after as many os.replace calls as it has steps."""
    steps = len(crash_scenario.STEPS)
    assert len(expected) == steps + 1
    assert crash(tmp_path / "a", steps, "after") == 0
    assert crash(tmp_path / "b", steps + 1, "after") == FINISHED


@pytest.mark.parametrize("when", ["after", "before"])
def test_a_kill_at_any_replace_leaves_whole_changes(expected: list[dict[str, Any]], tmp_path: Path, when: str) -> None:
    """Killed right before or after the N-th replace, the data reopens as exactly N or N-1 steps done."""
    for at in range(1, len(crash_scenario.STEPS) + 1):
        data_dir = tmp_path / f"{when}-{at}"
        crash(data_dir, at, when)
        left_behind = [p.name for p in (data_dir / "users").iterdir() if p.name.startswith(".")]
        assert bool(left_behind) == (when == "before")  # a kill before the replace strands its temp file
        repo = Repository.open(data_dir, fsync=False)
        assert [p.name for p in (data_dir / "users").iterdir() if p.name.startswith(".")] == []
        done = at if when == "after" else at - 1
        got = state(repo)
        assert got == expected[done], f"killed {when} write {at}"
        if got["next_number"] is not None:
            # No holes: the next number follows the highest one in use, and is never past the
            # highest any step handed out (an undone add frees its number again).
            handed_out = max((n for s in expected[: done + 1] for n in s["apps"]), default=0)
            assert max(got["apps"], default=0) + 1 <= got["next_number"] <= handed_out + 1
        undo = repo.last_undo(USER)
        if undo is not None and undo.label.startswith("added #"):
            assert int(undo.label.removeprefix("added #")) in got["apps"]
        repo.close()
