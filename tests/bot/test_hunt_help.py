"""/help fits one phone screen per page, and its buttons reach every command."""

from __future__ import annotations

from bot.commands import COMMANDS, ESSENTIALS, HELP_SECTIONS
from tests.conftest import ADA
from tests.harness import Harness


async def test_help_pages_fit_a_phone_screen_and_reach_every_command(bot: Harness) -> None:
    """/help shows the essentials; each section button edits it in place, every page under 1,500 characters."""
    first = (await bot.send(ADA, "/help"))[0]
    assert len(first.text) <= 1500
    assert "/add Acme - Senior SRE" in first.text and "Stages: 0 prospect" in first.text
    seen = first.text
    for title, _ in HELP_SECTIONS:
        await bot.tap(ADA, title)
        page = bot.last(ADA)
        assert page.message_id == first.message_id and page.text.startswith(title)
        assert len(page.text) <= 1500
        seen += page.text
    await bot.tap(ADA, "« Essentials")
    assert bot.last(ADA).text == first.text
    for command in COMMANDS:
        assert command.example.split()[0] in seen, command.name


def test_help_sections_cover_every_command_once() -> None:
    """Each menu command is in the essentials or in exactly one /help section."""
    placed = list(ESSENTIALS) + [name for _, names in HELP_SECTIONS for name in names]
    assert sorted(placed) == sorted(command.name for command in COMMANDS)
