"""Every command the bot knows: the menu set with ``set_my_commands`` and the /help text."""

from __future__ import annotations

import difflib
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
    Command("withdraw", "You stepped out, with a reason", "/withdraw 3 accepted another offer"),
    Command("ghosted", "No answer for weeks", "/ghosted 3"),
    Command("decline", "You declined their offer", "/decline 3"),
    Command("reopen", "Reopen a closed application", "/reopen 3"),
    Command("note", "Add a note", "/note 3 Ask about on-call"),
    Command("notes", "Read an application's notes whole", "/notes 3"),
    Command("lesson", "Keep a lesson or interview feedback", "/lesson 3 Practise a system design story"),
    Command("lessons", "Every lesson, newest first, and the gaps", "/lessons"),
    Command("fit", "Rate fit: contribute, learn (1-5)", "/fit 3 4 5"),
    Command("edit", "Change a field", "/edit 3 closes 2026-12-05"),
    Command("delete", "Delete an application", "/delete 3"),
    Command("undo", "Undo the last change", "/undo"),
    # -- accountability (bot/handlers/accountability.py) --
    Command("target", "Weekly target and in-flight target", "/target 3 2"),
    Command("nudges", "When the weekly plan, check and review come", "/nudges plan mon 09:00"),
    Command("pause", "Pause nudges and reminders", "/pause until 2026-12-01"),
    Command("resume", "Turn nudges back on", "/resume"),
    Command("settings", "All your settings, with buttons", "/settings"),
    Command("streak", "Weeks in a row on target", "/streak"),
    Command("interview", "Record an interview: prep and check-in follow", "/interview 3 tomorrow 14:00"),
    Command("takehome", "A take-home or tech test's deadline, reminded", "/takehome 3 fri 18:00"),
    Command("pitch", "Your elevator pitch, for interview prep", "/pitch I help teams ship reliable systems"),
    Command("values", "Values to probe in interviews", "/values remote-first; mentoring; calm on-call"),
    Command("questions", "Questions to ask in interviews", "/questions How is on-call shared?; Team size?"),
    Command("ask", "A question for one application's interviews", "/ask 3 Who owns the pager?"),
    Command("followup", "Days before follow-up and 'ghosted?' hints", "/followup 10 30"),
    # -- insights (bot/handlers/insights.py) --
    Command("funnel", "Your funnel: rates, waits, outcomes", "/funnel"),
    Command("stats", "Rates by track, camp or source; rejection reasons", "/stats camp  (or /stats reasons)"),
    Command("week", "Applications per week vs target", "/week 12"),
    Command("report", "Dated list of applications + CSV", "/report 2026-11-01 2026-11-30"),
    Command("chart", "Funnel picture (by camp, or weekly bars)", "/chart  (or /chart camp, /chart weeks)"),
    Command("export", "Everything as CSV (or interviews .ics)", "/export  (or /export ics)"),
    Command("import", "Load applications from a CSV file", "/import"),
    # -- people (bot/handlers/people.py) --
    Command(
        "contact", "Save a contact: name - what they do", "/contact Jane Doe - Staff SRE at Acme #sre met 2026-10-01"
    ),
    Command("contacts", "Your contacts; due follow-ups first", "/contacts  (or /contacts export, /contacts checkin 6)"),
    Command("talked", "Log a conversation with a contact", "/talked Jane coffee, she'll refer me"),
    Command("partner", "An accountability partner sees your week", "/partner invite  (or share names, remove)"),
    Command("join", "In a group: share your week on its board", "/join  (in the group)"),
    Command("leave", "Stop sharing with a group board", "/leave"),
    Command("groupreview", "In a group: when the board is posted", "/groupreview sun 19:00"),
    Command("timezone", "Set your timezone", "/timezone Europe/Berlin"),
    Command("dates", "Read 3/12 day first (dmy) or month first (mdy)", "/dates dmy"),
    Command("privacy", "What I keep about you, and where", "/privacy"),
    Command("forget", "Delete everything I keep about you", "/forget"),
    Command("help", "Every command with an example", "/help"),
    Command("cancel", "Stop what we're doing", "/cancel"),
]

# /help: the essentials first, then sections opened with buttons, so each page fits one phone screen.
ESSENTIALS = ("add", "list", "show", "move", "undo")
HELP_SECTIONS: list[tuple[str, tuple[str, ...]]] = [
    ("Save and edit", ("prospects", "note", "notes", "fit", "edit", "delete")),
    (
        "Move and close",
        ("reject", "withdraw", "ghosted", "decline", "reopen", "interview", "takehome", "lesson", "lessons"),
    ),
    (
        "Stay on track",
        ("target", "nudges", "pause", "resume", "streak", "followup", "pitch", "values", "questions", "ask"),
    ),
    ("Your numbers", ("funnel", "stats", "week", "report", "chart", "export", "import")),
    ("People", ("contact", "contacts", "talked", "partner", "join", "leave", "groupreview")),
    ("Settings", ("settings", "timezone", "dates", "privacy", "forget", "start", "cancel", "help")),
]
BY_NAME = {command.name: command for command in COMMANDS}

# Commands that work but stay out of the menu.
HIDDEN = ("skip",)


def closest_command(name: str) -> str | None:
    """The command a typo most likely meant ("lsit" -> "list", "ad" -> "add"), or None."""
    names = [command.name for command in COMMANDS] + list(HIDDEN)
    found = difflib.get_close_matches(name.lower(), names, n=1, cutoff=0.6)
    return found[0] if found else None
