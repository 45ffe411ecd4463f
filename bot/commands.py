"""Every command the bot knows: the menu set with ``set_my_commands`` and the /help text."""

from __future__ import annotations

from typing import NamedTuple


class Command(NamedTuple):
    name: str
    description: str  # shown in Telegram's command menu (max 256 chars)
    example: str  # shown in /help, HTML


COMMANDS: list[Command] = [
    Command("start", "Set up Funnelbot", "/start"),
    Command("add", "Save a job", "/add Acme - Senior SRE https://acme.jobs/42 #sre closes friday"),
    Command("list", "Open applications by stage", "/list  (or /list all)"),
    Command("prospects", "Prospects ranked by fit", "/prospects"),
    Command("show", "One application with its history", "/show 3"),
    Command("move", "Move an application to a stage", "/move 3 interview"),
    Command("reject", "Mark as rejected, with a reason", "/reject 3 salary"),
    Command("withdraw", "You stepped out", "/withdraw 3"),
    Command("ghosted", "No answer for weeks", "/ghosted 3"),
    Command("decline", "You declined their offer", "/decline 3"),
    Command("reopen", "Reopen a closed application", "/reopen 3"),
    Command("note", "Add a note", "/note 3 Ask about on-call"),
    Command("fit", "Rate fit: contribute, learn (1-5)", "/fit 3 4 5"),
    Command("edit", "Change a field", "/edit 3 closes 2026-12-05"),
    Command("delete", "Delete an application", "/delete 3"),
    Command("undo", "Undo the last change", "/undo"),
    # -- accountability (bot/handlers/accountability.py) --
    # -- insights (bot/handlers/insights.py) --
    Command("timezone", "Set your timezone", "/timezone Europe/Berlin"),
    Command("help", "Every command with an example", "/help"),
    Command("cancel", "Stop what we're doing", "/cancel"),
]
