"""Packaging: a non-editable install works away from the checkout, and every import is declared."""

from __future__ import annotations

import ast
import os
import re
import site
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
# Top-level module -> the distribution that provides it (only for names that differ or matter).
DISTRIBUTIONS = {
    "telegram": "python-telegram-bot",
    "dotenv": "python-dotenv",
    "PIL": "pillow",
    "tinydb": "tinydb",
    "dateparser": "dateparser",
    "matplotlib": "matplotlib",
    "aiolimiter": "aiolimiter",
    "httpx": "httpx",
    "tornado": "tornado",
    "tzfpy": "tzfpy",
    "orjson": "orjson",
    "aiohttp": "aiohttp",
}
# The fake served over HTTP, and its fault injection: test and bench tools, on aiohttp.
TEST_ONLY_MODULES = {"bot/faketelegram/server.py", "bot/faketelegram/faults.py"}


def _requirements(specs: list[str]) -> dict[str, str]:
    """name -> floor ('>=X' or '~=X' or '==X') for each requirement string."""
    found = {}
    for spec in specs:
        match = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*(?:>=|~=|==)\s*([0-9][^,;\s]*)", spec)
        assert match, f"{spec!r} has no lower bound"
        found[match.group(1).lower()] = match.group(2)
    return found


def _imported_distributions(paths: list[Path]) -> set[str]:
    names: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    third_party = names - set(sys.stdlib_module_names) - {"bot", "storage", "__future__"}
    unknown = third_party - set(DISTRIBUTIONS)
    assert not unknown, f"imported but not mapped to a distribution here: {unknown}"
    return {DISTRIBUTIONS[name] for name in third_party}


def test_every_imported_package_is_declared() -> None:
    """Each third-party package the shipped code imports is a declared dependency, not a lucky extra."""
    runtime = _requirements(PYPROJECT["project"]["dependencies"])
    test = _requirements(PYPROJECT["project"]["optional-dependencies"]["test"])
    sources = [p for d in ("bot", "storage") for p in (REPO_ROOT / d).rglob("*.py")]
    shipped = [p for p in sources if p.relative_to(REPO_ROOT).as_posix() not in TEST_ONLY_MODULES]
    assert _imported_distributions(shipped) <= set(runtime)
    assert _imported_distributions([REPO_ROOT / m for m in TEST_ONLY_MODULES]) <= set(runtime) | set(test)


def test_min_constraints_pin_exactly_the_floors() -> None:
    """tests/constraints-min.txt (used by .ci/min-versions) pins every floor in pyproject.toml."""
    declared = {
        **_requirements(PYPROJECT["project"]["dependencies"]),
        **_requirements(PYPROJECT["project"]["optional-dependencies"]["test"]),
    }
    lines = (REPO_ROOT / "tests" / "constraints-min.txt").read_text().splitlines()
    pins = dict(line.lower().split("==") for line in lines if line and not line.startswith("#"))
    assert pins == declared


@pytest.mark.packaging
def test_non_editable_install_plays_the_tour_from_anywhere(tmp_path: Path) -> None:
    """`pip install .` (a built wheel, not the checkout) ships the demo script: `funnelbot demo --tour`
    works from an unrelated directory. Offline: dependencies come from this test environment and the
    build backend (hatchling) is a test dependency, so pip needs no index."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    purelib = subprocess.run(
        [venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Plain path lines (not processed as site dirs), after the venv's own: an editable funnelbot
    # in the test environment stays invisible, the installed wheel wins.
    (Path(purelib) / "test-environment.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_INDEX_URL", "PIP_FIND_LINKS")}
    subprocess.run(
        [venv / "bin" / "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index", str(REPO_ROOT)],
        check=True,
        timeout=300,
        env=env,
        cwd=tmp_path,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [venv / "bin" / "python", "-c", "import bot; print(bot.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=elsewhere,
    ).stdout.strip()
    assert where.startswith(str(venv)), where
    result = subprocess.run(
        [venv / "bin" / "funnelbot", "demo", "--tour", "--data", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=elsewhere,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "you> /start" in result.stdout
    assert "bot: Saved as prospect #1." in result.stdout
