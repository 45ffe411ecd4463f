"""The reliability report end to end: ``python -m bench.reliability --quick`` exits 0 with every row.

SLOW (about 90 s on 2 cores) and, until the fixes for the defects it measures have landed,
EXPECTED TO FAIL: the report is honest about the code as it is. Skip it locally with
``-k "not reliability_report"``; CI runs it like any other test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
ROWS = [
    "kill -9: corrupt files",
    "kill -9: failed restarts",
    "kill -9: lost acknowledged writes",
    "kill -9: duplicated changes",
    "kill -9: skipped numbers",
    "fuzz: unhandled exceptions",
    "fuzz: replies Telegram would reject",
    "fuzz: callbacks never answered",
    "fuzz: cross-user effects",
    "nudges: duplicates",
    "nudges: lost unexplained",
    "gates: strangers stored",
    "gates: private replies in groups",
    "flood: another user's p95 reply < 1 s",
    "damaged files: rewritten",
    "damaged files: unclear messages",
]


def test_reliability_report_quick_run_is_all_zero() -> None:
    """Every check of the quick report runs, prints its row, and every must-be-zero figure is 0."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "bench.reliability", "--quick", "--seed", "1"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = result.stdout
    missing = [row for row in ROWS if not any(line.startswith(row) for line in report.splitlines())]
    assert not missing, f"rows missing from the report: {missing}\n{report}\n{result.stderr[-2000:]}"
    assert "the check itself" not in report, report
    assert result.returncode == 0, f"non-zero figures:\n{report}"
