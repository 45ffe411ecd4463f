"""Data rights: the bot's description, /privacy, and the /forget confirmation."""

from __future__ import annotations

from bot.views.markup import Rendered, button, keyboard

DESCRIPTION = (
    "Funnelbot keeps your job search moving: save jobs in one message, advance them with a tap, "
    "get nudged to hit a weekly target, and see your funnel. Your data stays on the server that runs "
    "this bot: nothing is shared, /forget deletes it."
)
SHORT_DESCRIPTION = "Your job search as a funnel, with weekly nudges. Your data stays on this bot's server."


def privacy_text(retention_days: int, shared: str = "") -> str:
    """``shared``: what partners and groups see (bot/handlers/people.py), when the user chooses."""
    shared = f"{shared}\n\n" if shared else ""
    return (
        "🔒 <b>Your data</b>\n\n"
        "<b>What I keep:</b> your name and settings (timezone, targets, reminder times), the jobs you "
        "save with their notes, interviews, stage history and lessons, which reminders I sent, and "
        "the last 20 changes for /undo. A file you send to /import is read and not kept.\n\n"
        "<b>Where:</b> in a file for you on the server that runs this bot (and, while I'm waiting "
        "for an answer from you, a small second file with it). I send it nowhere else; Telegram "
        "carries our messages.\n\n"
        "<b>Who sees it:</b> you, in this chat. Whoever runs the server can read its files. No other "
        "user, partner or group sees anything unless you choose it.\n\n"
        f"{shared}"
        "<b>How long:</b> until you delete it. /forget deletes everything at once (you can /export "
        f"a copy first). If you block me, it is deleted after {retention_days} days."
    )


def forget_question(count: int, token: str) -> Rendered:
    """/forget: what would be deleted, with Export first, Delete and Cancel."""
    what = f"{count} application{'s' if count != 1 else ''}" if count else "your settings"
    return (
        f"This deletes <b>everything</b> I keep about you: {what}, with their notes, interviews and "
        "history, your settings, reminder history and undo history. It can't be undone.\n\n"
        "Want a copy first? Tap Export, then decide.",
        keyboard(
            [button("📤 Export first (CSV)", "fgt", "exp", token)],
            [button("🗑 Delete everything", "fgt", "yes", token)],
            [button("Cancel", "fgt", "no", token)],
        ),
    )


def forgotten(count: int) -> str:
    return (
        f"Deleted: {count} application{'s' if count != 1 else ''}, your settings, reminder and undo "
        "history. I keep nothing about you now. Send /start if you ever want to begin again."
    )
