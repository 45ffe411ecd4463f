"""``funnelbot demo --script`` plays a whole session offline and prints a readable transcript."""

from __future__ import annotations

import io
from pathlib import Path

from bot.demo import play

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "demo-script.txt"


async def test_demo_script_transcript(tmp_path: Path) -> None:
    """The README's demo script runs end to end: replies, numbered buttons, edits, toasts."""
    out = io.StringIO()
    lines = SCRIPT.read_text(encoding="utf-8").splitlines()
    assert await play(lines, out, tmp_path / "data", tmp_path / "files", colour=False) == 0
    text = out.getvalue()
    assert "you> /start" in text
    assert "bot: Hi, You! I'm Funnelbot" in text
    assert "[2] Berlin" in text
    assert "Timezone set to Europe/Berlin (Berlin, Germany)." in text
    assert "bot: Saved as prospect #1." in text
    assert "(toast) #2 → Responded" in text
    assert "bot (edited): Moved #2 to Phone screen." in text
    assert "bot: #2 marked as rejected." in text
    assert "Undone: rejected #2." in text
    assert "<code>" not in text  # HTML is rendered, not shown


async def test_demo_saves_documents_and_reports_bad_button_numbers(tmp_path: Path) -> None:
    """Files the bot sends are saved and their paths printed; a wrong number is explained."""
    out = io.StringIO()
    lines = ["/add Acme - SRE", "9", "/export"]
    await play(lines, out, tmp_path / "data", tmp_path / "files", colour=False)
    text = out.getvalue()
    assert "(there is no button 9; the latest message has 5)" in text
    saved = list((tmp_path / "files").glob("*.csv"))
    assert len(saved) == 1
    assert f"saved to {saved[0]}" in text
    assert "Acme" in saved[0].read_text(encoding="utf-8-sig")
