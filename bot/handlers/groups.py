"""A group board: members /join in the group and confirm privately; at the day and time the group
chose (/groupreview sun 19:00, in the group's timezone) the bot posts each member's week, kindly
ordered, and the group's total. /leave stops sharing at once.

Only /join, /leave, /groupreview and the bot's own membership changes get past ``track_user`` in a
group; everything else there stays unanswered. Posts to a group keep under Telegram's limit of 20
messages a minute per group: acknowledgements are skipped when a group is that busy.
"""

from __future__ import annotations

import logging
import secrets
from collections import deque
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import Update
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler, ChatMemberHandler, CommandHandler
from telegram.helpers import create_deep_linked_url

from bot.callback_data import decode
from bot.context import BotApp, BotContext
from bot.domain import people as dom
from bot.domain.dates import WEEKDAYS, week_start
from bot.domain.weekly import streak_including_this_week, week_status
from bot.handlers.common import Registered, answer, edit, reply
from bot.handlers.partner import shared_of
from bot.handlers.people_stores import stores
from bot.views import people as views
from bot.views.markup import button, esc, keyboard

logger = logging.getLogger(__name__)

GROUP_COMMANDS = ("join", "leave", "groupreview")
GROUP_LIMIT = 20  # messages a minute per group (Telegram)
JOB_EVERY = timedelta(minutes=10)
SEND_WITHIN = timedelta(days=1)
JOIN_KEY = "group_join"


def lets_through(update: Update) -> bool:
    """For ``track_user``: in a group, our three commands and the bot's own membership changes."""
    chat = update.effective_chat
    if chat is None or chat.type not in ("group", "supergroup"):
        return False
    if update.my_chat_member is not None:
        return True
    message = update.message
    if message is None or not message.text or not message.text.startswith("/"):
        return False
    command = message.text.split(maxsplit=1)[0][1:].split("@")[0].lower()
    return command in GROUP_COMMANDS


# -- posting to a group, within its limit --------------------------------------------------------


def _recent_posts(context: BotContext, group_id: int) -> deque[datetime]:
    return stores(context).group_posts.setdefault(group_id, deque())


async def post(context: BotContext, group_id: int, text: str, *, essential: bool = False) -> bool:
    """Post in a group; a busy group (20 in the last minute) skips what isn't ``essential``.
    A group that removed the bot is forgotten."""
    now = context.now()
    recent = _recent_posts(context, group_id)
    while recent and recent[0] <= now - timedelta(minutes=1):
        recent.popleft()
    if len(recent) >= GROUP_LIMIT and not essential:
        logger.info("group.post_skipped group=%s reason=limit", group_id)
        return False
    recent.append(now)
    try:
        try:
            await context.bot.send_message(group_id, text)
        except ChatMigrated as migrated:  # it became a supergroup: the board follows it
            new_id = int(migrated.new_chat_id)
            shared_of(context).move_group(group_id, new_id)
            logger.info("group.migrated group=%s to=%s", group_id, new_id)
            group_id = new_id
            await context.bot.send_message(group_id, text)
    except (Forbidden, BadRequest) as error:
        if isinstance(error, BadRequest) and "chat not found" not in error.message.lower():
            raise
        logger.info("group.unreachable group=%s", group_id)
        shared_of(context).remove_group(group_id)
        return False
    except TelegramError as error:
        logger.warning("group.post_failed group=%s error=%s", group_id, type(error).__name__)
        return False
    return True


# -- the bot joins or leaves a group ------------------------------------------------------------


async def bot_membership_changed(update: Update, context: BotContext) -> None:
    """The bot was added to a group (a short welcome) or removed from it (its board is deleted)."""
    member, chat = update.my_chat_member, update.effective_chat
    if member is None or chat is None or chat.type not in ("group", "supergroup"):
        return
    status = member.new_chat_member.status
    if status in ("member", "administrator"):
        shared_of(context).ensure_group(chat.id, chat.title or "this group")
        logger.info("group.added group=%s", chat.id)
        await post(
            context,
            chat.id,
            "👋 Hi! I'm Funnelbot. Send /join here to share your weekly job-search progress with this "
            "group (you confirm in a private chat). /groupreview sun 19:00 sets when the board is posted.",
        )
    elif status in ("left", "kicked"):
        shared_of(context).remove_group(chat.id)
        logger.info("group.removed group=%s", chat.id)


# -- /join, /leave, /groupreview ------------------------------------------------------------------


async def join(update: Update, context: BotContext) -> None:
    """/join in a group: asks the member to confirm in a private chat."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    if chat.type == "private":
        await reply(update, "Add me to your group, then send /join there; you'll confirm here.")
        return
    title = chat.title or "this group"
    shared_of(context).ensure_group(chat.id, title)
    group = shared_of(context).group(chat.id) or {}
    if str(user.id) in group.get("members", {}):
        await post(context, chat.id, f"{esc(user.first_name)}, you're already on this group's board.")
        return
    token = secrets.token_hex(4)
    context.scratch[JOIN_KEY] = (token, chat.id, title)
    profile = context.repo.get_profile(user.id)
    sent = False
    if profile is not None and profile.active:
        try:
            await context.bot.send_message(
                user.id,
                f"Share your weekly progress with <b>{esc(title)}</b>? Each week the group sees: target met "
                "or not, applications that week and streak. Never companies or notes. /leave stops it.",
                reply_markup=keyboard([button("✅ Share", "grp", "yes", token), button("No", "grp", "no", token)]),
            )
            sent = True
        except Forbidden:
            sent = False
    if sent:
        await post(context, chat.id, f"{esc(user.first_name)}, I've sent you a private message to confirm.")
    else:
        link = create_deep_linked_url(context.bot.username)
        await post(
            context,
            chat.id,
            f"{esc(user.first_name)}, start a private chat with me first ({esc(link)}), then send /join here again.",
        )


async def join_tapped(update: Update, context: BotContext) -> None:
    """``grp:yes|no:<token>``: the private confirmation of /join."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    _, action, args = decode(query.data)
    pending = context.scratch.get(JOIN_KEY)
    if not args or pending is None or pending[0] != args[0] or action not in ("yes", "no"):
        await answer(query, "This button has expired. Send /join in the group again.")
        return
    del context.scratch[JOIN_KEY]
    _, group_id, title = pending
    if action == "no":
        await answer(query, "Not shared")
        await edit(update, f"OK, nothing is shared with {esc(title)}.")
        return
    if not shared_of(context).join_group(group_id, update.effective_user.id, context.now()):
        await answer(query, "I'm no longer in that group")
        await edit(update, "I'm no longer in that group, so nothing is shared.")
        return
    logger.info("group.joined group=%s user=%s", group_id, update.effective_user.id)
    await answer(query, "Shared")
    await edit(update, f"✅ You're on the board of <b>{esc(title)}</b>. /leave (here or there) stops it.")
    await post(context, group_id, f"🎉 {esc(update.effective_user.first_name)} joined the board.")


async def leave(update: Update, context: BotContext) -> None:
    """/leave: in a group, leaves its board; in private, leaves every board."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    shared = shared_of(context)
    if chat.type == "private":
        left = shared.leave_all_groups(user.id)
        await reply(
            update,
            f"Done: you left {len(left)} group board{'s' if len(left) != 1 else ''}."
            if left
            else "You're on no group board.",
        )
        return
    if shared.leave_group(chat.id, user.id):
        logger.info("group.left group=%s user=%s", chat.id, user.id)
        await post(context, chat.id, f"{esc(user.first_name)} left the board. Nothing more is shared here.")
    else:
        await post(context, chat.id, f"{esc(user.first_name)}, you're not on this group's board.")


async def group_review(update: Update, context: BotContext) -> None:
    """/groupreview sun 19:00 [zone]: when this group's board is posted (a member sets it)."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    if chat.type == "private":
        await reply(update, "Send /groupreview in the group, e.g. <code>/groupreview sun 19:00</code>.")
        return
    group = shared_of(context).group(chat.id)
    if group is None or str(user.id) not in group["members"]:
        await post(context, chat.id, "Only members on the board can set its time: /join first.")
        return
    try:
        weekday, at, zone = dom.parse_group_review(context.args or [])
        if not zone:
            profile = context.repo.get_profile(user.id)
            zone = (profile.timezone if profile else "") or context.settings.default_tz
        ZoneInfo(zone)
    except dom.PeopleError as error:
        await post(context, chat.id, f"{error} Nothing was changed.")
        return
    except (ZoneInfoNotFoundError, ValueError):
        await post(context, chat.id, "I don't know that timezone; try one like Europe/Berlin. Nothing was changed.")
        return
    shared_of(context).set_group_review(chat.id, weekday, at.strftime("%H:%M"), zone)
    await post(
        context, chat.id, f"📋 The board comes every {WEEKDAYS[weekday].capitalize()} at {at:%H:%M} ({esc(zone)})."
    )


# -- the board ----------------------------------------------------------------------------------


def _rows(context: BotContext, members: dict[str, Any], now: datetime) -> list[dom.BoardRow]:
    rows = []
    for user_id in members:
        profile = context.repo.get_profile(int(user_id))
        if profile is None or not profile.active:
            continue
        tz = context.user_tz(profile.timezone)
        apps = context.repo.applications_view(profile.user_id)
        status = week_status(apps, tz, profile.target_per_week, now, since=profile.created_at.astimezone(tz).date())
        name = profile.first_name or "A member"
        rows.append(dom.BoardRow(name, status.met, status.applied, streak_including_this_week(status)))
    return rows


async def group_board_job(context: BotContext) -> None:
    """Job: each group's board at its chosen moment, once a week (recorded before posting)."""
    now = context.now()
    for group_id, group in shared_of(context).groups():
        review = group.get("review")
        if not review or not group["members"]:
            continue
        tz = ZoneInfo(review["tz"])
        monday = week_start(now.astimezone(tz).date())
        due = datetime.combine(monday + timedelta(days=review["weekday"]), time.fromisoformat(review["at"]), tzinfo=tz)
        if not due <= now < due + SEND_WITHIN:
            continue
        for member in group["members"]:
            await context.repo.prefetch(int(member))  # their files, read off the event loop
        current = shared_of(context).group(group_id)  # members as they are now: a /leave counts
        if current is None:
            continue
        rows = _rows(context, current["members"], now)
        if not rows or not shared_of(context).record_board(group_id, monday.isoformat()):
            continue
        sent = await post(context, group_id, views.board_text(current.get("title", "Your group"), rows), essential=True)
        logger.info("group.board group=%s members=%s sent=%s", group_id, len(rows), sent)


async def post_init(app: BotApp) -> None:
    if app.job_queue is not None:
        app.job_queue.run_repeating(group_board_job, interval=JOB_EVERY, first=7.0, name="people:groups")


def forget_user(context: BotContext | Any, user_id: int) -> None:
    shared_of(context).leave_all_groups(user_id)


def handlers() -> list[Registered]:
    return [
        ChatMemberHandler(bot_membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
        CommandHandler("join", join),
        CommandHandler("leave", leave),
        CommandHandler("groupreview", group_review),
        CallbackQueryHandler(join_tapped, pattern=r"^grp:"),
    ]
