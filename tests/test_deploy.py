"""deploy/: the systemd unit and the Dockerfile carry the hardening the README promises.

Docker cannot run here, so the Dockerfile is checked by reading; the unit is also checked by
``systemd-analyze verify`` where systemd is installed.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
UNIT = REPO_ROOT / "deploy" / "funnelbot.service"
DOCKERFILE = REPO_ROOT / "deploy" / "Dockerfile"


def unit_settings() -> dict[str, list[str]]:
    """[Service] keys -> values (systemd allows a key several times)."""
    settings: dict[str, list[str]] = defaultdict(list)
    section = ""
    for raw in UNIT.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
        elif section == "[Service]":
            key, _, value = line.partition("=")
            settings[key].append(value)
    return settings


def test_unit_is_hardened_and_writes_only_the_data_directory() -> None:
    """A dedicated user, ProtectSystem=strict, the data directory the only writable path, restarts."""
    service = unit_settings()
    assert service["User"] == ["funnelbot"] and service["Group"] == ["funnelbot"]
    assert service["ProtectSystem"] == ["strict"]
    data_dir = next(v.split("=", 1)[1] for v in service["Environment"] if v.startswith("FUNNELBOT_DATA_DIR="))
    assert data_dir in service["ReadWritePaths"]
    assert service["StateDirectory"] == ["funnelbot"] and service["StateDirectoryMode"] == ["0700"]
    assert service["Restart"] == ["on-failure"]
    assert service["RestartPreventExitStatus"] == ["2"]  # a bad token or config won't fix itself
    assert service["ExecStart"][0].endswith("/funnelbot run")
    for key, value in {
        "NoNewPrivileges": "true",
        "ProtectHome": "true",
        "PrivateTmp": "true",
        "UMask": "0077",
        "CapabilityBoundingSet": "",
    }.items():
        assert service[key] == [value], key


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    """systemd itself accepts the unit (ExecStart pointed at /bin/true: the venv isn't installed here)."""
    unit = tmp_path / "funnelbot.service"
    text = UNIT.read_text().replace("ExecStart=/opt/funnelbot/venv/bin/funnelbot", "ExecStart=/bin/true")
    unit.write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.strip() == ""


def dockerfile_final_stage() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the last stage, continuation lines joined."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    instructions = []
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            instructions.append((word.upper(), rest.strip()))
    last_from = max(i for i, (word, _) in enumerate(instructions) if word == "FROM")
    return instructions[last_from:]


def test_dockerfile_runs_non_root_with_a_data_volume_and_a_health_check() -> None:
    """USER is not root, the data directory is a VOLUME, HEALTHCHECK runs `funnelbot check`."""
    stage = dockerfile_final_stage()
    found = dict(stage)  # last wins, as in Docker
    assert found["USER"] not in ("root", "0")
    env = dict(pair.split("=", 1) for pair in shlex.split(found["ENV"]))
    assert found["VOLUME"] == f'["{env["FUNNELBOT_DATA_DIR"]}"]'
    assert found["HEALTHCHECK"].endswith('CMD ["funnelbot", "check"]')
    assert found["CMD"] == '["funnelbot", "run"]'
    assert [w for w, _ in stage].index("USER") < [w for w, _ in stage].index("CMD")


def test_dockerfile_copies_only_paths_that_exist() -> None:
    """Every COPY source of the build stage exists in the repository (the build context)."""
    for raw in DOCKERFILE.read_text().splitlines():
        if raw.startswith("COPY ") and "--from=" not in raw:
            *sources, _target = raw.split()[1:]
            for source in sources:
                assert (REPO_ROOT / source).exists(), source
