"""The domain is plain Python: importing it must not drag in Telegram or TinyDB."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import bot.domain

ROOT = Path(__file__).resolve().parents[2]


def test_domain_imports_neither_telegram_nor_tinydb() -> None:
    """Every bot.domain module imports in a fresh interpreter without telegram or tinydb."""
    modules = [f"bot.domain.{m.name}" for m in pkgutil.iter_modules(bot.domain.__path__)]
    assert len(modules) >= 8
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in ('telegram', 'tinydb') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
