"""An accountability partner: /partner invite, accepting by deep link, the weekly short review the
partner receives, encouragement back, and /partner remove from either side.

Invites are one-time deep links (``https://t.me/<bot>?start=<code>``) with 192 random bits, stored
only as their SHA-256, expiring after 7 days. A partner sees the numbers of the inviter's week
(target met or not, applications, interviews, offers, streak), company names only after
``/partner share names``.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters
from telegram.helpers import create_deep_linked_url

from bot.callback_data import decode, int_args
from bot.context import BotApp, BotContext
from bot.domain import people as dom
from bot.domain.dates import week_start
from bot.domain.models import DEFAULT_REVIEW, Profile
from bot.domain.reminders import week_moves
from bot.domain.weekly import streak_including_this_week, week_status
from bot.handlers.common import Registered, answer, edit, profile_of, reply
from bot.handlers.people_stores import stores
from bot.handlers.questions import END, Ask, close, open_question
from bot.views import people as views
from bot.views.markup import button, esc, keyboard
from storage.people import SharedStore

logger = logging.getLogger(__name__)

INVITE_KEY = "partner_invite"
JOB_EVERY = timedelta(minutes=10)
SEND_WITHIN = timedelta(days=1)  # a summary whose moment passed longer ago (bot down) is skipped

USAGE = (
    "<code>/partner invite</code> makes a one-time link for your partner; "
    "<code>/partner share names</code> (or <code>hide names</code>) chooses whether they see companies; "
    "<code>/partner tell on</code> lets them know when you miss your target two weeks running; "
    "<code>/partner remove</code> ends it."
)


def shared_of(where: BotContext | Application[Any, Any, Any, Any, Any, Any]) -> SharedStore:
    """Invites, partners and group boards (see ``people_stores``)."""
    return stores(where).shared


def _name(context: BotContext, user_id: int) -> str:
    profile = context.repo.get_profile(user_id)
    return profile.first_name if profile and profile.first_name else "Your contact"


# -- /partner ----------------------------------------------------------------------------------


async def partner_command(update: Update, context: BotContext) -> None:
    """/partner [invite | remove | share names | hide names]: the partnership and its options."""
    profile = profile_of(update, context)
    args = [a.lower() for a in context.args or []]
    if not args:
        await reply(update, _status(context, profile.user_id))
    elif args[0] == "invite":
        await _invite(update, context, profile)
    elif args[0] == "remove":
        await _remove(update, context, profile)
    elif args[:1] == ["tell"] and args[1:2] in (["on"], ["off"]):
        on = args[1] == "on"
        if not shared_of(context).set_partner_option(profile.user_id, "tell", on):
            await reply(update, "You have no partner yet. " + USAGE)
            return
        said = "will" if on else "won't"
        await reply(
            update, f"OK: if you miss your target two weeks running, your summary {said} ask your partner for a nudge."
        )
    elif args[:2] in (["share", "names"], ["hide", "names"], ["share", "nonames"]):
        share = args[:2] == ["share", "names"]
        if not shared_of(context).set_partner_option(profile.user_id, "names", share):
            await reply(update, "You have no partner yet. " + USAGE)
            return
        said = "will see the companies" if share else "won't see company names"
        await reply(update, f"OK: your partner {said} in your weekly summary.")
    else:
        await reply(update, "I didn't get that. " + USAGE)


def _status(context: BotContext, user_id: int) -> str:
    shared = shared_of(context)
    mine = shared.partner(user_id)
    lines = ["🤝 <b>Accountability partner</b>"]
    if mine:
        names = "with company names" if mine.get("names") else "without company names"
        lines.append(f"{esc(_name(context, mine['partner']))} gets your weekly summary ({names}).")
    else:
        lines.append("Nobody sees your progress. A partner gets a short weekly summary and can cheer you on.")
    theirs = shared.partnering(user_id)
    if theirs:
        lines.append("You are partner for " + ", ".join(esc(_name(context, u)) for u in theirs) + ".")
    lines.append("\n" + USAGE)
    return "\n".join(lines)


async def _invite(update: Update, context: BotContext, profile: Profile) -> None:
    code = secrets.token_urlsafe(dom.INVITE_BYTES)
    now = context.now()
    expires = now + timedelta(days=dom.INVITE_DAYS)
    shared_of(context).create_invite(profile.user_id, dom.hash_code(code), now, expires)
    logger.info("partner.invited user=%s", profile.user_id)
    link = create_deep_linked_url(context.bot.username, code)
    await reply(
        update,
        "Send this link to the person you'd like as your accountability partner. It works once and "
        f"expires in {dom.INVITE_DAYS} days (a new invite replaces it):\n\n{esc(link)}\n\n"
        "They'll see a short weekly summary: target met or not, applications, interviews, offers and "
        "streak; no company names unless you send <code>/partner share names</code>.",
    )


async def _remove(update: Update, context: BotContext, profile: Profile) -> None:
    shared = shared_of(context)
    rows = []
    mine = shared.partner(profile.user_id)
    if mine:
        rows.append([button(f"Stop sharing with {_name(context, mine['partner'])}"[:60], "prt", "rm", "me")])
    for user_id in shared.partnering(profile.user_id):
        rows.append([button(f"Stop getting {_name(context, user_id)}'s summary"[:60], "prt", "rm", user_id)])
    if not rows:
        await reply(update, "You have no partnership to end. " + USAGE)
        return
    await reply(update, "Which partnership should end? The other side is told.", keyboard(*rows))


async def remove_tapped(update: Update, context: BotContext, args: list[str]) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    me = update.effective_user.id
    shared = shared_of(context)
    if args == ["me"]:
        sharer, partner = me, shared.end_partnership(me)
    else:
        other = int_args(args, 1)
        sharer = other[0] if other else 0
        partner = shared.end_partnership(sharer, me) if other else None
    if partner is None:
        await answer(query, "That partnership has already ended.")
        return
    logger.info("partner.removed user=%s partner=%s by=%s", sharer, partner, me)
    await answer(query, "Ended")
    if sharer == me:
        await edit(update, f"Done: {esc(_name(context, partner))} no longer gets your weekly summary.")
        await _tell(
            context,
            partner,
            f"{esc(_name(context, me))} has ended your accountability partnership. Thank you for cheering them on!",
        )
    else:
        await edit(update, f"Done: you no longer get {esc(_name(context, sharer))}'s weekly summary.")
        await _tell(
            context,
            sharer,
            f"{esc(_name(context, me))} has stepped back as your partner; they no longer see your week.",
        )


async def _tell(context: BotContext, user_id: int, text: str, markup: InlineKeyboardMarkup | None = None) -> bool:
    """A message to another user; a user who blocked the bot is not an error (their partnerships end)."""
    try:
        await context.bot.send_message(user_id, text, reply_markup=markup)
    except Forbidden:
        logger.info("partner.unreachable user=%s", user_id)
        shared_of(context).forget_partners(user_id)
        return False
    except TelegramError as error:
        logger.warning("partner.send_failed user=%s error=%s", user_id, type(error).__name__)
        return False
    return True


# -- accepting an invite -----------------------------------------------------------------------


async def start_with_payload(update: Update, context: BotContext) -> bool:
    """/start <code>: an invite link was opened. Returns False when the payload is no invite of ours."""
    code = (context.args or [""])[0]
    if not dom.looks_like_invite(code):  # another deep link (or none): the usual greeting
        return False
    code_hash = dom.hash_code(code)
    invite = shared_of(context).invite(code_hash)
    problem = _invite_problem(invite, update, context)
    if problem:
        await reply(update, problem)
        return True
    assert invite is not None
    token = secrets.token_hex(4)
    context.scratch[INVITE_KEY] = (token, code_hash)
    who = esc(_name(context, int(invite["from"])))
    await reply(
        update,
        f"🤝 {who} invites you to be their accountability partner.\n\nEach week you'd get a short "
        f"summary of their job search (target met or not, applications, interviews, offers, streak) "
        f"and could send them encouragement. Either of you can stop at any time.",
        keyboard([button("✅ Accept", "prt", "acc", token), button("No, thanks", "prt", "dec", token)]),
    )
    return True


def _invite_problem(invite: dict[str, Any] | None, update: Update, context: BotContext) -> str | None:
    assert update.effective_user is not None
    if invite is None:
        return "That invite link isn't valid: it may be mistyped or cut short. Ask for a new one (/partner invite)."
    if invite["used"]:
        return "That invite link has already been used: each works once. Ask for a new one."
    if context.now().isoformat() >= invite["expires"]:
        return f"That invite link has expired (they last {dom.INVITE_DAYS} days). Ask for a new one."
    if int(invite["from"]) == update.effective_user.id:
        return "That's your own invite: send the link to the person you'd like as your partner."
    return None


async def accept_tapped(update: Update, context: BotContext, action: str, args: list[str]) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    pending = context.scratch.get(INVITE_KEY)
    if not args or pending is None or pending[0] != args[0]:
        await answer(query, "This button has expired. Open the invite link again.")
        return
    del context.scratch[INVITE_KEY]
    if action == "dec":
        await answer(query, "Declined")
        await edit(update, "OK, declined. Nothing was shared.")
        return
    result, inviter, replaced = shared_of(context).accept_invite(pending[1], update.effective_user.id, context.now())
    if result != "ok" or inviter is None:
        words = {"used": "has already been used", "expired": "has expired", "own": "is your own"}
        await answer(query, "Not accepted")
        await edit(update, f"That invite {words.get(result, 'is no longer valid')}. Ask for a new one.")
        return
    logger.info("partner.accepted user=%s partner=%s", inviter, update.effective_user.id)
    await answer(query, "Accepted")
    await edit(
        update,
        f"🤝 You're now {esc(_name(context, inviter))}'s accountability partner. Their weekly summary "
        "will come here. /partner remove stops it at any time.",
    )
    me = esc(update.effective_user.first_name or "Your partner")
    await _tell(context, inviter, f"🤝 {me} accepted: they'll get your weekly summary. /partner for options.")
    if replaced is not None:
        text = f"{esc(_name(context, inviter))} has a new accountability partner, so you no longer get their summary."
        await _tell(context, replaced, text)


# -- encouragement -----------------------------------------------------------------------------


def _partner_check(context: BotContext, partner_id: int, user_id: int) -> bool:
    found = shared_of(context).partner(user_id)
    return found is not None and found["partner"] == partner_id


async def encourage_tapped(update: Update, context: BotContext, action: str, args: list[str]) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    numbers = int_args(args, 1)
    if numbers is None or not _partner_check(context, update.effective_user.id, numbers[0]):
        await answer(query, "You're no longer their partner, so nothing was sent.")
        return
    user_id = numbers[0]
    if action == "enc":
        await answer(query)
        rows = [[button(text, "prt", "encp", user_id, i)] for i, text in enumerate(dom.ENCOURAGEMENTS)]
        rows.append([button("✍ My own words", "prt", "own", user_id)])
        await reply(update, f"Send {esc(_name(context, user_id))}…", keyboard(*rows))
        return
    index = int_args(args[1:], 1)
    if index is None or not 0 <= index[0] < len(dom.ENCOURAGEMENTS):
        await answer(query, "This button has expired.")
        return
    await _deliver(update, context, user_id, dom.ENCOURAGEMENTS[index[0]])


async def _deliver(update: Update, context: BotContext, user_id: int, words: str) -> None:
    assert update.effective_user is not None
    me = update.effective_user.first_name or "Your partner"
    sent = await _tell(context, user_id, f"💌 {esc(me)} sends encouragement:\n“{esc(words)}”")
    if update.callback_query is not None:
        await answer(update.callback_query, "Sent" if sent else "Not delivered")
    said = "Sent" if sent else "I couldn't deliver it (they may have stopped the bot)"
    await reply(update, f"{said}: “{esc(words)}”")


async def ask_own_words(update: Update, context: BotContext) -> int:
    """``prt:own:<user>``: asks for the partner's own words."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    numbers = int_args(decode(query.data)[2], 1)
    if numbers is None or not _partner_check(context, update.effective_user.id, numbers[0]):
        await answer(query, "You're no longer their partner, so nothing was sent.")
        return END
    await answer(query)
    open_question(context, "encourage", user=numbers[0])
    await reply(update, f"Send your words for {esc(_name(context, numbers[0]))} (/cancel to stop).")
    return Ask.ENCOURAGE


async def own_words(update: Update, context: BotContext) -> int:
    """The answer to ``ask_own_words``: delivered if they are still partners."""
    assert update.effective_message is not None and update.effective_user is not None
    user_id = int((close(context) or {}).get("user", 0))
    if not _partner_check(context, update.effective_user.id, user_id):
        await reply(update, "You're no longer their partner, so nothing was sent.")
        return END
    try:
        words = dom.clean_encouragement(update.effective_message.text or "")
    except dom.PeopleError as error:
        await reply(update, f"{error} Nothing was sent.")
        return END
    await _deliver(update, context, user_id, words)
    return END


# -- the weekly summary ------------------------------------------------------------------------


def compose_week(context: BotContext, profile: Profile, names: bool, tell: bool = False) -> dom.PartnerWeek:
    tz = context.user_tz(profile.timezone)
    apps = context.repo.applications_view(profile.user_id)
    now = context.now()
    status = week_status(apps, tz, profile.target_per_week, now, since=profile.created_at.astimezone(tz).date())
    moves = week_moves(apps, tz, status.monday)
    moved = dom.companies_moved(apps, status.monday, tz) if names else []
    return dom.partner_week(
        status.monday,
        status.target,
        status.met,
        status.applied,
        moves.interviews,
        moves.offers,
        streak_including_this_week(status),
        moved,
        asks_help=tell and not status.met and status.last_week_met is False,
    )


async def partner_week_job(context: BotContext) -> None:
    """Job: at each user's weekly review moment, their partner gets the short summary (once: the
    week is recorded before sending, so a restart never repeats it)."""
    now = context.now()
    for user_id, found in shared_of(context).partnerships():
        await context.repo.prefetch(user_id)  # off the event loop: most users aren't in memory
        profile = context.repo.get_profile(user_id)
        if profile is None or not profile.active:
            continue
        tz = context.user_tz(profile.timezone)
        slot = profile.review or DEFAULT_REVIEW
        monday = week_start(now.astimezone(tz).date())
        due = dom.review_moment(monday, slot.weekday, slot.at, tz)
        if not due <= now < due + SEND_WITHIN:
            continue
        # Composed from the data as it is now, then checked again: a partner removed since the list
        # was read (or while an earlier summary was being sent) gets nothing.
        current = shared_of(context).partner(user_id)
        if current is None or current["partner"] != found["partner"]:
            continue
        week = compose_week(context, profile, bool(current.get("names")), bool(current.get("tell")))
        if not shared_of(context).record_partner_week(user_id, monday.isoformat()):
            continue
        markup = keyboard([button("💌 Send encouragement", "prt", "enc", user_id)])
        sent = await _tell(context, current["partner"], views.summary_text(_name(context, user_id), week), markup)
        logger.info("partner.summary user=%s sent=%s", user_id, sent)


async def post_init(app: BotApp) -> None:
    if app.job_queue is not None:
        app.job_queue.run_repeating(partner_week_job, interval=JOB_EVERY, first=5.0, name="people:partner")


# -- wiring ------------------------------------------------------------------------------------


async def partner_button(update: Update, context: BotContext) -> None:
    """``prt:acc|dec|rm|enc|encp:…``: accept or decline, end a partnership, encourage."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, action, args = decode(query.data)
    if action in ("acc", "dec"):
        await accept_tapped(update, context, action, args)
    elif action == "rm":
        await remove_tapped(update, context, args)
    elif action in ("enc", "encp"):
        await encourage_tapped(update, context, action, args)
    else:
        await answer(query, "This button has expired. Send /partner.")


def forget_user(context: BotContext, user_id: int) -> None:
    shared_of(context).forget_partners(user_id)


def question_entries() -> list[Registered]:
    return [CallbackQueryHandler(ask_own_words, pattern=r"^prt:own:")]


def question_states() -> dict[Ask, tuple[str, list[Registered]]]:
    return {Ask.ENCOURAGE: ("encourage", [MessageHandler(filters.TEXT & ~filters.COMMAND, own_words)])}


def handlers() -> list[Registered]:
    return [
        CommandHandler("partner", partner_command),
        CallbackQueryHandler(partner_button, pattern=r"^prt:"),
    ]
