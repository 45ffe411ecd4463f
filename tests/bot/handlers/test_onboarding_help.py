"""/help fits one phone screen per page, and its buttons reach every command."""

from __future__ import annotations

from bot.commands import COMMANDS, ESSENTIALS, HELP_SECTIONS
from tests.conftest import ADA
from tests.harness import Harness, text_of


async def test_help_pages_fit_a_phone_screen_and_reach_every_command(bot: Harness) -> None:
    """/help shows the essentials; each section button edits it in place, every page under 1,500 characters."""
    first = (await bot.send(ADA, "/help"))[0]
    assert len(text_of(first)) <= 1500
    assert "/add Acme - Senior SRE" in text_of(first) and "Stages: 0 prospect" in text_of(first)
    seen = text_of(first)
    for title, _ in HELP_SECTIONS:
        await bot.tap(ADA, title)
        page = bot.last(ADA)
        assert page.message_id == first.message_id and text_of(page).startswith(title)
        assert len(text_of(page)) <= 1500
        seen += text_of(page)
    await bot.tap(ADA, "« Essentials")
    assert bot.last(ADA).text == first.text
    for command in COMMANDS:
        assert command.example.split()[0] in seen, command.name


def test_help_sections_cover_every_command_once() -> None:
    """Each menu command is in the essentials or in exactly one /help section."""
    placed = list(ESSENTIALS) + [name for _, names in HELP_SECTIONS for name in names]
    assert sorted(placed) == sorted(command.name for command in COMMANDS)
