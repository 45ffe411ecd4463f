"""Your network: /contact, /contacts, contact cards, /talked, follow-ups, referrers, /stats network.

Contacts live in their own file per user (storage/people.py). Follow-ups that are due, and contacts
due a check-in, are listed at the top of /contacts (there is no separate reminder message).
"""

from __future__ import annotations

import logging
import secrets
from datetime import date, timedelta
from typing import Any

from telegram import Update
from telegram.error import Forbidden
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.callback_data import decode, int_args
from bot.context import BotApp, BotContext
from bot.domain import people as dom
from bot.domain.dates import week_start
from bot.domain.numbers import parse_int
from bot.domain.reminders import is_paused
from bot.handlers import applications, groups, partner
from bot.handlers.common import Registered, answer, edit, profile_of, reply, today_for
from bot.handlers.onboarding import order_for
from bot.handlers.people_stores import stores
from bot.handlers.questions import END, Ask, close, open_question
from bot.views import people as views
from bot.views.cards import app_title
from bot.views.markup import button, esc, keyboard
from storage.people import PeopleStore

logger = logging.getLogger(__name__)


def store_of(context: BotContext) -> PeopleStore:
    """The contacts store (see ``people_stores``)."""
    return stores(context).contacts


def _app_undo(context: BotContext, user_id: int) -> int | None:
    entry = context.repo.last_undo(user_id)
    return entry.id if entry else None


def _save(context: BotContext, user_id: int, contact: dom.Contact, label: str) -> int:
    contact.touched_at = context.now()
    return store_of(context).save_contacts(user_id, [contact], label, _app_undo(context, user_id))


def _titles(context: BotContext, user_id: int) -> dict[int, str]:
    return {a.number: views.plain_title(a) for a in context.repo.applications_view(user_id)}


# -- /contact, /contacts -----------------------------------------------------------------------


async def add_contact(update: Update, context: BotContext) -> None:
    """/contact Jane Doe - Staff SRE at Acme: saves a contact and shows its card."""
    profile = profile_of(update, context)
    text = " ".join(context.args or [])
    if not text.strip():
        await reply(update, dom.CONTACT_USAGE)
        return
    store = store_of(context)
    if len(store.contacts(profile.user_id)) >= dom.MAX_CONTACTS:
        await reply(update, f"You have {dom.MAX_CONTACTS} contacts, the most I keep. Nothing was saved.")
        return
    try:
        draft = dom.parse_contact(text, today_for(profile, context), order_for(profile, context))
    except dom.PeopleError as error:
        await reply(update, f"{error}\nNothing was saved.")
        return
    now = context.now()
    contact = dom.Contact(id=store.next_id(profile.user_id), name=draft.name, created_at=now, touched_at=now)
    contact.title, contact.link, contact.tags = draft.title, draft.link, draft.tags
    contact.met_on, contact.via = draft.met_on, draft.via
    same = dom.match_name(draft.name, store.contacts(profile.user_id))
    entry = _save(context, profile.user_id, contact, f"added contact {draft.name}")
    logger.info("contact.added user=%s contact=%s", profile.user_id, contact.id)
    heads_up = ""
    if same and dom.fold(same[0].name) == dom.fold(draft.name):
        heads_up = f"\nHeads-up: you already had a contact named {esc(same[0].name)}. Tap Undo if it's a duplicate."
    today = today_for(profile, context)
    await reply(
        update,
        f"Saved contact.{heads_up}\n\n{views.card_text(contact, {}, today)}",
        views.card_keyboard(contact, entry),
    )


async def list_contacts(update: Update, context: BotContext) -> None:
    """/contacts [export | checkin N]: the list (due follow-ups first), a CSV, or the check-in interval."""
    profile = profile_of(update, context)
    args = [a.lower() for a in context.args or []]
    if args and args[0] == "export":
        await export_contacts(update, context)
        return
    if args and args[0] in ("checkin", "check-in"):
        await set_check_in(update, context, args[1:])
        return
    if args and args[0] == "import":
        await reply(
            update, "Send the CSV file (like the one <code>/contacts export</code> makes) with the caption /contacts."
        )
        return
    if args:
        await reply(
            update,
            "Try <code>/contacts</code>, <code>/contacts export</code> or <code>/contacts checkin 6</code>.",
        )
        return
    await _show_list(update, context, profile.user_id, 0, send=True)


async def _show_list(update: Update, context: BotContext, user_id: int, page: int, *, send: bool) -> None:
    contacts = store_of(context).contacts(user_id)
    if not contacts:
        await reply(update, "No contacts yet. Add one: <code>/contact Jane Doe - Staff SRE at Acme</code>")
        return
    profile = profile_of(update, context)
    weeks = int(store_of(context).setting(user_id, "checkin_weeks", 8))
    due = dom.due_follow_ups(contacts, today_for(profile, context))
    quiet = dom.check_in_suggestions(contacts, context.now(), weeks)
    text, markup = views.list_view(contacts, page, due, quiet)
    await (reply(update, text, markup) if send else edit(update, text, markup))


async def set_check_in(update: Update, context: BotContext, args: list[str]) -> None:
    profile = profile_of(update, context)
    weeks = parse_int(args[0]) if args else None
    if weeks is None or not 0 <= weeks <= 52:
        await reply(
            update,
            "How many weeks without a conversation before I suggest a check-in? "
            "<code>/contacts checkin 6</code> (0 turns suggestions off). Nothing was changed.",
        )
        return
    store_of(context).set_setting(profile.user_id, "checkin_weeks", weeks)
    said = "off" if weeks == 0 else f"after {weeks} week{'s' if weeks != 1 else ''} without a conversation"
    await reply(update, f"Check-in suggestions: {said}. They show at the top of /contacts, a few at a time.")


async def export_contacts(update: Update, context: BotContext) -> None:
    profile = profile_of(update, context)
    contacts = store_of(context).contacts(profile.user_id)
    if not contacts:
        await reply(update, "No contacts to export yet.")
        return
    assert update.effective_chat is not None
    await update.effective_chat.send_document(
        dom.contacts_csv(contacts),
        filename="funnelbot-contacts.csv",
        caption=f"{len(contacts)} contact{'s' if len(contacts) != 1 else ''}. "
        "Send a file like this with the caption /contacts to import.",
    )


async def import_contacts(update: Update, context: BotContext) -> None:
    """A CSV sent with the caption /contacts (or named like contacts*.csv): adds its contacts."""
    message = update.effective_message
    assert message is not None and message.document is not None
    profile = profile_of(update, context)
    doc = message.document
    if doc.file_size and doc.file_size > dom.MAX_IMPORT_BYTES:
        await reply(update, "That file is too big for contacts (up to 256 KB). Nothing was imported.")
        return
    file = await context.bot.get_file(doc.file_id)
    raw = bytes(await file.download_as_bytearray())
    try:
        drafts = dom.read_contacts_csv(raw)
    except dom.PeopleError as error:
        await reply(update, f"{error}")
        return
    store = store_of(context)
    existing = {dom.fold(c.name) for c in store.contacts(profile.user_id)}
    if len(existing) + len(drafts) > dom.MAX_CONTACTS:
        await reply(update, f"That would make more than {dom.MAX_CONTACTS} contacts. Nothing was imported.")
        return
    now, next_id = context.now(), store.next_id(profile.user_id)
    new: list[dom.Contact] = []
    for draft in drafts:
        if dom.fold(draft.name) in existing:
            continue
        existing.add(dom.fold(draft.name))
        new.append(
            dom.Contact(
                id=next_id + len(new),
                name=draft.name,
                created_at=now,
                touched_at=now,
                title=draft.title,
                link=draft.link,
                tags=draft.tags,
                met_on=draft.met_on,
                via=draft.via,
                notes=[dom.Entry(now, text) for text in draft.notes],
            )
        )
    skipped = len(drafts) - len(new)
    if not new:
        await reply(update, "Every contact in that file is already in your list. Nothing was imported.")
        return
    entry = store.save_contacts(
        profile.user_id, new, f"imported {len(new)} contacts", _app_undo(context, profile.user_id)
    )
    more = f" ({skipped} already in your list were skipped)" if skipped else ""
    await reply(
        update,
        f"Imported {len(new)} contact{'s' if len(new) != 1 else ''}{more}. See /contacts.",
        keyboard(views.undo_row(entry)),
    )


class _ContactsFile(filters.MessageFilter):
    """A document captioned /contacts, or a CSV whose name says contacts."""

    def filter(self, message: Any) -> bool:
        doc = message.document
        if doc is None:
            return False
        caption = (message.caption or "").strip().lower()
        return caption.startswith("/contacts") or "contacts" in (doc.file_name or "").lower()


# -- the card and its buttons ------------------------------------------------------------------


async def _contact_from_query(
    update: Update, context: BotContext, index: int = 0
) -> tuple[dom.Contact, list[str]] | None:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    _, _, args = decode(query.data)
    numbers = int_args(args[index:], 1)
    contact = store_of(context).contact(update.effective_user.id, numbers[0]) if numbers else None
    if contact is None:
        await answer(query, "That contact no longer exists. See /contacts.")
        return None
    return contact, args[index + 1 :]


async def contact_button(update: Update, context: BotContext) -> None:
    """``ppl:card|fu|fuw|lk|lka|pg|undo|pick…``: every tap on a contact list, card or question."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    _, action, args = decode(query.data)
    user_id = update.effective_user.id
    if action == "pg":
        page = int_args(args, 1)
        await answer(query)
        await _show_list(update, context, user_id, page[0] if page else 0, send=False)
        return
    if action == "undo":
        await _undo_button(update, context, args)
        return
    if action == "pick":
        await _talk_picked(update, context, args)
        return
    found = await _contact_from_query(update, context)
    if found is None:
        return
    contact, rest = found
    profile = profile_of(update, context)
    today = today_for(profile, context)
    if action == "card":
        await answer(query)
        await reply(update, views.card_text(contact, _titles(context, user_id), today), views.card_keyboard(contact))
    elif action == "fu":
        await answer(query)
        await reply(update, f"Remind you to follow up with {esc(contact.name)} in…", views.follow_up_keyboard(contact))
    elif action == "fuw":
        await _follow_up_chosen(update, context, contact, rest, today)
    elif action == "lk":
        await _offer_links(update, context, contact)
    elif action == "lka":
        await _link_chosen(update, context, contact, rest)
    else:
        await answer(query, "This button has expired. Send /contacts.")


async def _follow_up_chosen(
    update: Update, context: BotContext, contact: dom.Contact, rest: list[str], today: date
) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    weeks = int_args(rest, 1)
    if weeks is None or weeks[0] not in (0, *dom.FOLLOW_UP_WEEKS):
        await answer(query, "This button has expired. Send /contacts.")
        return
    if weeks[0] == 0:
        await answer(query, "No reminder")
        await edit(update, f"OK, no follow-up set for {esc(contact.name)}.")
        return
    contact.follow_up_on = dom.follow_up_day(today, weeks[0])
    entry = _save(context, update.effective_user.id, contact, f"follow-up with {contact.name}")
    await answer(query, "Follow-up set")
    await edit(
        update,
        f"⏰ Follow up with {esc(contact.name)} on {contact.follow_up_on:%a %-d %b}. "
        "It shows at the top of /contacts once it's due.",
        keyboard(views.undo_row(entry)),
    )


async def _offer_links(update: Update, context: BotContext, contact: dom.Contact) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    apps = [a for a in context.repo.applications_view(update.effective_user.id) if a.is_open]
    apps.sort(key=lambda a: a.number, reverse=True)
    await answer(query)
    if not apps:
        await reply(update, "You have no open applications to link. Add one with /add (… via their name).")
        return
    rows = [
        [
            button(
                f"{'✓ ' if a.number in contact.apps else ''}#{a.number} {views.plain_title(a)}"[:60],
                "ppl",
                "lka",
                contact.id,
                a.number,
            )
        ]
        for a in apps[:8]
    ]
    await reply(
        update, f"Which application did {esc(contact.name)} refer you to? (Tap a ✓ one to unlink.)", keyboard(*rows)
    )


async def _link_chosen(update: Update, context: BotContext, contact: dom.Contact, rest: list[str]) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    number = int_args(rest, 1)
    app = context.repo.get_application(update.effective_user.id, number[0]) if number else None
    if app is None:
        await answer(query, "That application no longer exists. See /list.")
        return
    if app.number in contact.apps:
        contact.apps.remove(app.number)
        label, said = f"unlinked {contact.name} from #{app.number}", "is no longer linked to"
    else:
        contact.apps.append(app.number)
        label, said = f"linked {contact.name} to #{app.number}", "is now the referrer for"
    entry = _save(context, update.effective_user.id, contact, label)
    await answer(query, "Linked" if "now" in said else "Unlinked")
    await edit(update, f"🔗 {esc(contact.name)} {said} {app_title(app)}.", keyboard(views.undo_row(entry)))


# -- notes and conversations by button --------------------------------------------------------


async def ask_text(update: Update, context: BotContext) -> int:
    """``ppl:ask:note|talk:<id>``: asks for the note or what the conversation was about."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, _, args = decode(query.data)
    kind = args[0] if args else ""
    found = await _contact_from_query(update, context, index=1)
    if found is None or kind not in ("note", "talk"):
        if found is not None:
            await answer(query, "This button has expired. Send /contacts.")
        return END
    contact, _ = found
    await answer(query)
    open_question(context, "people", what=kind, contact=contact.id)
    what = "your note on" if kind == "note" else "what you talked about with"
    await reply(update, f"Send {what} {esc(contact.name)} (/cancel to stop).")
    return Ask.PEOPLE_TEXT


async def save_text(update: Update, context: BotContext) -> int:
    """The answer to ``ask_text``: saved as a note or a conversation."""
    message = update.effective_message
    assert message is not None
    asked = close(context) or {}
    profile = profile_of(update, context)
    contact = store_of(context).contact(profile.user_id, int(asked.get("contact", 0)))
    if contact is None:
        await reply(update, "That contact no longer exists. See /contacts.")
        return END
    try:
        text = dom.clean_text(message.text or "")
    except dom.PeopleError as error:
        await reply(update, f"{error} Nothing was saved.")
        return END
    if asked.get("what") == "note":
        contact.notes.append(dom.Entry(context.now(), text))
        entry = _save(context, profile.user_id, contact, f"note on {contact.name}")
        await reply(update, f"Note added to {esc(contact.name)}.", keyboard(views.undo_row(entry)))
    else:
        await _record_talk(update, context, contact, text)
    return END


# -- /talked -----------------------------------------------------------------------------------


async def talked(update: Update, context: BotContext) -> None:
    """/talked Jane coffee, she'll refer me: logs a conversation (asks which one when ambiguous)."""
    profile = profile_of(update, context)
    text = " ".join(context.args or [])
    contacts = store_of(context).contacts(profile.user_id)
    if not text.strip():
        await reply(update, "Who did you talk to? <code>/talked Jane coffee, she'll refer me</code>")
        return
    name, found, rest = dom.split_talk(text, contacts)
    try:
        summary = dom.clean_text(rest)
    except dom.PeopleError as error:
        await reply(update, f"{error} Nothing was saved.")
        return
    if not found:
        await reply(
            update,
            f"I don't know anyone called “{esc(name)}”. Add them first: "
            f"<code>/contact {esc(name)} - what they do</code>. Nothing was saved.",
        )
        return
    if len(found) == 1:
        await _record_talk(update, context, found[0], summary)
        return
    token = secrets.token_hex(4)
    context.scratch["people_talk"] = (token, summary)
    rows = [[button(c.name[:40], "ppl", "pick", token, c.id)] for c in found[:6]]
    await reply(update, f"Which “{esc(name)}” did you talk to?", keyboard(*rows))


async def _talk_picked(update: Update, context: BotContext, args: list[str]) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    pending = context.scratch.get("people_talk")
    if not args or pending is None or pending[0] != args[0]:
        await answer(query, "This button has expired. Send /talked again.")
        return
    contact = store_of(context).contact(update.effective_user.id, parse_int(args[1]) or 0) if len(args) > 1 else None
    if contact is None:
        await answer(query, "That contact no longer exists. See /contacts.")
        return
    del context.scratch["people_talk"]
    await answer(query, contact.name[:60])
    await _record_talk(update, context, contact, pending[1])


async def _record_talk(update: Update, context: BotContext, contact: dom.Contact, summary: str) -> None:
    assert update.effective_user is not None
    contact.talks.append(dom.Entry(context.now(), summary))
    contact.follow_up_on = None  # you got back to them; the buttons below set the next one
    entry = _save(context, update.effective_user.id, contact, f"conversation with {contact.name}")
    logger.info("contact.talked user=%s contact=%s", update.effective_user.id, contact.id)
    markup = views.follow_up_keyboard(contact)
    rows = [list(row) for row in markup.inline_keyboard] + [views.undo_row(entry)]
    await reply(
        update,
        f"💬 Logged your conversation with {esc(contact.name)}.\nRemind you to follow up in…",
        keyboard(*rows),
    )


# -- undo, referrers, stats --------------------------------------------------------------------


async def undo(update: Update, context: BotContext) -> None:
    """/undo: the newest change, whether to a contact or an application."""
    profile = profile_of(update, context)
    store = store_of(context)
    last = store.last_undo(profile.user_id)
    if last is None or last.get("app_undo") != _app_undo(context, profile.user_id):
        await applications.undo_last(update, context)
        return
    label = store.undo(profile.user_id)
    await reply(update, f"Undone: {esc(label)}.")


async def _undo_button(update: Update, context: BotContext, args: list[str]) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    entry = int_args(args, 1)
    label = store_of(context).undo(update.effective_user.id, entry[0]) if entry else None
    if label is None:
        await answer(query, "Only the newest contact change can be undone here; /undo undoes the newest change.")
        return
    await answer(query, "Undone")
    await edit(update, f"Undone: {esc(label)}.")


async def people_plan_job(context: BotContext) -> None:
    """Job: at each user's weekly plan time, one line with the follow-ups due and a few check-in
    suggestions (only when there are any; recorded before sending, so never twice)."""
    now = context.now()
    store = store_of(context)
    for user_id in store.user_ids():
        await context.repo.prefetch(user_id)  # off the event loop: most users aren't in memory
        profile = context.repo.get_profile(user_id)
        if profile is None or not profile.active or profile.plan is None:
            continue
        tz = context.user_tz(profile.timezone)
        if is_paused(profile, now, tz):
            continue
        monday = week_start(now.astimezone(tz).date())
        due_at = dom.review_moment(monday, profile.plan.weekday, profile.plan.at, tz)
        if not due_at <= now < due_at + timedelta(days=1):
            continue
        contacts = store.contacts(user_id)
        due = dom.due_follow_ups(contacts, now.astimezone(tz).date())
        quiet = dom.check_in_suggestions(contacts, now, int(store.setting(user_id, "checkin_weeks", 8)))
        if not (due or quiet) or not store.record_sent(user_id, f"plan:{monday.isoformat()}"):
            continue
        try:
            await context.bot.send_message(profile.chat_id, views.people_line(due, quiet))
        except Forbidden:
            logger.info("people.plan_unreachable user=%s", user_id)


async def post_init(app: BotApp) -> None:
    if app.job_queue is not None:
        app.job_queue.run_repeating(people_plan_job, interval=timedelta(minutes=10), first=6.0, name="people:plan")


def link_referrer(context: BotContext, user_id: int, number: int, name: str) -> str | None:
    """Called when /add names a source we don't know (``via Jane Doe``): if it is exactly one
    contact, that contact becomes the application's referrer. Returns their name, or None."""
    found = dom.match_name(name, store_of(context).contacts(user_id)) if name else []
    if len(found) != 1:
        return None
    contact = found[0]
    if number not in contact.apps:
        contact.apps.append(number)
    _save(context, user_id, contact, f"linked {contact.name} to #{number}")
    return contact.name


def referrer_note(referrer: str | None, saved_text: str) -> str:
    """The /add confirmation, with a line saying which contact became the referrer."""
    if referrer is None:
        return saved_text
    first, _, rest = saved_text.partition("\n")
    return f"{first}\nLinked to your contact {esc(referrer)} as the referrer.\n{rest}"


async def network_stats(update: Update, context: BotContext) -> None:
    """/stats network: conversion of applications through people vs cold ones."""
    profile = profile_of(update, context)
    apps = context.repo.applications_view(profile.user_id)
    if not apps:
        await reply(update, "No applications yet. Save one with /add.")
        return
    network, cold = dom.network_vs_cold(apps, store_of(context).contacts(profile.user_id))
    await reply(update, views.network_text(network, cold))


def forget_user(context: BotContext, user_id: int) -> None:
    """/forget and retention: the user's contacts and people settings go too."""
    store_of(context).delete_user(user_id)
    partner.forget_user(context, user_id)
    groups.forget_user(context, user_id)


def user_blocked(context: BotContext, user_id: int) -> None:
    """They blocked the bot: partnerships and group memberships end (their contacts stay, like
    their applications, until /forget or the retention period)."""
    partner.forget_user(context, user_id)
    groups.forget_user(context, user_id)


# -- wiring ------------------------------------------------------------------------------------

TEXT = filters.TEXT & ~filters.COMMAND


def question_entries() -> list[Registered]:
    """The card's Note and Talked buttons open a question (see ``bot.handlers.questions``)."""
    return [CallbackQueryHandler(ask_text, pattern=r"^ppl:ask:"), *partner.question_entries()]


def question_states() -> dict[Ask, tuple[str, list[Registered]]]:
    return {Ask.PEOPLE_TEXT: ("people", [MessageHandler(TEXT, save_text)]), **partner.question_states()}


def early_handlers() -> list[Registered]:
    """Registered before the core: /undo covers contacts, and /stats network is ours."""
    return [
        CommandHandler("undo", undo),
        CommandHandler("stats", network_stats, filters=filters.Regex(r"(?i)^/stats(@\w+)?\s+(network|referrers?)\s*$")),
    ]


def handlers() -> list[Registered]:
    return [
        CommandHandler("contact", add_contact),
        CommandHandler("contacts", list_contacts),
        CommandHandler("talked", talked),
        CallbackQueryHandler(contact_button, pattern=r"^ppl:"),
        MessageHandler(filters.Document.ALL & _ContactsFile(), import_contacts),
    ]
