"""Accountability: targets, nudge schedule, pause, interviews and what the reminders say.

The scheduler (``bot.scheduling``) decides *when*; this module decides *what*: ``render_reminder``
turns a due reminder into a message with buttons, and the commands and buttons here change the
settings the schedule is computed from (each change calls ``changed()``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.callback_data import decode, int_args
from bot.context import BotContext
from bot.domain import moves
from bot.domain.dates import WEEKDAYS, parse_day, parse_moment
from bot.domain.models import Event, JobApplication, Profile, Slot
from bot.domain.moves import InvalidMove
from bot.domain.reminders import (
    CATCH_UP,
    NUDGE_DEFAULTS,
    NUDGE_NAMES,
    TARGET_MAX,
    Kind,
    Reminder,
    SettingError,
    Standing,
    interviews_ahead,
    is_paused,
    parse_list,
    parse_nudge,
    parse_target,
    standing,
)
from bot.domain.stages import Outcome, Stage
from bot.handlers.common import changed, edit, find_app, profile_of, reply, today_for
from bot.handlers.onboarding import unknown_text
from bot.rendering import app_title, button, clip, closing_phrase, esc, keyboard, local_moment, short_day
from bot.scheduling import Rendered, Scheduler

logger = logging.getLogger(__name__)

LESSON_TTL = timedelta(hours=12)  # an unanswered "one lesson learned?" question expires
PAST_GRACE = timedelta(minutes=5)  # an interview moment this recent still counts as "now"
PAUSE_MAX = timedelta(days=366)  # the longest pause with an end date; /pause alone has none
SLOT_TITLES = {"plan": "Weekly plan", "check": "Mid-week check", "review": "Weekly review"}
Keyboard = InlineKeyboardMarkup | None


# -- what the reminders say ------------------------------------------------------------------


def applied_buttons(apps: Sequence[JobApplication]) -> list[list[Any]]:
    """✅ buttons that mark prospects applied (the core's ``app:adv:<n>:0``)."""
    return [[button(f"✅ Applied to #{a.number}", "app", "adv", a.number, 0)] for a in apps]


def _prospect_line(app: JobApplication, today: date) -> str:
    fit = f"fit {app.fit}" if app.fit is not None else "unrated"
    closes = f" · closes {closing_phrase(app.closes_on, today)}" if app.closes_on else ""
    return f"#{app.number} <b>{esc(app.company)}</b> — {esc(app.role)} · {fit}{closes}"


def plural(count: int, noun: str, nouns: str | None = None, *, bold: bool = False) -> str:
    """``1 application``, ``2 applications`` (``bold`` wraps the number in <b>)."""
    shown = f"<b>{count}</b>" if bold else str(count)
    return f"{shown} {noun if count == 1 else nouns or noun + 's'}"


def _weeks(count: int) -> str:
    return plural(count, "week")


def render_plan(seen: Standing, today: date) -> Rendered:
    week = seen.week
    lines = [
        f"🗓 <b>Your week</b> (from {short_day(week.monday)})",
        f"Target: {plural(week.target, 'application', bold=True)}.",
    ]
    if week.buffer:
        lines.append(f"Buffer: {week.buffer} carried over from strong weeks, so <b>{week.needed}</b> to go.")
    met = "✅ met" if week.last_week >= week.target else "not met"
    lines.append(f"Last week: {week.last_week} sent (target {met}). Streak: {_weeks(week.streak)}.")
    flight = "on target" if seen.in_flight >= seen.in_flight_target else "below target"
    lines.append(f"In flight: {seen.in_flight} of {seen.in_flight_target} ({flight}).")
    if seen.top:
        lines.append("\n<b>Best prospects</b>")
        lines.extend(f"{i}. {_prospect_line(a, today)}" for i, a in enumerate(seen.top, start=1))
        lines.append("\nTap ✅ once you've applied.")
    else:
        lines.append("\nNo prospects saved: add a few with /add so there's something to apply to.")
    return clip("\n".join(lines)), keyboard(*applied_buttons(seen.top)) if seen.top else None


def render_check(seen: Standing, today: date) -> Rendered:
    week = seen.week
    lines = [
        f"⏰ <b>Mid-week check</b>: {week.applied} sent, <b>{week.needed} to go</b> to reach {week.target} this week."
    ]
    best = seen.top[:1]
    if best:
        lines.append(f"Best prospect: {_prospect_line(best[0], today)}")
    else:
        lines.append("No prospects saved: find one and /add it.")
    return clip("\n".join(lines)), keyboard(*applied_buttons(best)) if best else None


def render_review(seen: Standing) -> Rendered:
    week, moved = seen.week, seen.moves
    end = week.monday + timedelta(days=6)
    lines = [f"📊 <b>Week in review</b> ({week.monday.day} {week.monday:%b} – {end.day} {end:%b})"]
    if moved.anything:
        lines.append(
            f"Applied {moved.applied} · responses {moved.responses} · interviews "
            f"{moved.interviews} · offers {moved.offers} · rejections {moved.rejections}"
        )
    else:
        lines.append("Nothing moved this week.")
    if week.met:
        carried = f" (with {week.buffer} from your buffer)" if week.buffer and week.applied < week.target else ""
        lines.append(f"Target of {week.target}: ✅ met{carried}. Streak: {_weeks(week.streak + 1)}.")
    else:
        lines.append(f"Target of {week.target}: missed by {week.needed}. New week, fresh start.")
    f = seen.funnel
    lines.append(
        f"Funnel so far: {f['saved']} saved → {f['applied']} applied → {f['responded']} replied "
        f"→ {f['interview']} interviewed → {plural(f['offer'], 'offer')}"
    )
    return clip("\n".join(lines)), None


def render_closing(app: JobApplication, reminder: Reminder, today: date) -> Rendered:
    when = "<b>today</b>"
    if reminder.kind == Kind.CLOSE_SOON:
        when = f"<b>in 2 days</b> ({short_day(app.closes_on or today)})"
    text = f"⏳ {app_title(app)} closes {when}. Apply, or let it go?"
    return text, keyboard(
        [button("✅ Applied", "app", "adv", app.number, 0), button("✖ Not interested", "app", "wd", app.number)]
    )


def render_silent(app: JobApplication, reminder: Reminder, today: date) -> Rendered:
    days = (today - reminder.day).days if reminder.day else 0
    if reminder.kind == Kind.FOLLOW_UP:
        text = (
            f"📮 {app_title(app)}: no news for {plural(days, 'day')}. A short, friendly follow-up often "
            "helps: ask about their timeline and restate one thing you'd bring."
        )
        return text, keyboard(
            [
                button("📬 They replied", "app", "adv", app.number, int(app.stage)),
                button("👻 Ghosted", "app", "gh", app.number),
            ]
        )
    text = f"👻 {app_title(app)}: {plural(days, 'day')} without news. Still waiting, or ghosted?"
    return text, keyboard(
        [button("⏳ Still waiting", "acc", "wait", app.number), button("👻 Ghosted", "app", "gh", app.number)]
    )


def render_prep(app: JobApplication, reminder: Reminder, profile: Profile, tz: ZoneInfo) -> Rendered:
    moment = reminder.moment or reminder.at
    local = moment.astimezone(tz)
    when = f"tomorrow at {local:%H:%M}" if reminder.kind == Kind.PREP_EVENING else f"at {local:%H:%M} today"
    lines = [f"🎯 <b>Interview {when}</b>: {app_title(app)}"]
    if app.link:
        lines.append(f'<a href="{esc(app.link)}">Job link</a>')
    notes = [n for n in app.notes if n.kind != "lesson"][-5:]
    if notes:
        lines.append("\n<b>Your notes</b>")
        lines.extend(f"• {esc(n.text)}" for n in notes)
    lines.append("\n<b>Your pitch</b>")
    lines.append(esc(profile.pitch) if profile.pitch else "(none yet: set it with /pitch)")
    for title, items, command in (
        ("Values to probe", profile.values, "/values"),
        ("Questions to ask", profile.questions, "/questions"),
    ):
        lines.append(f"\n<b>{title}</b>")
        lines.extend([f"• {esc(item)}" for item in items] or [f"(none yet: add them with {command})"])
    lessons = [n for n in app.notes if n.kind == "lesson"][-2:]
    if lessons:
        lines.append("\n<b>Lessons so far</b>")
        lines.extend(f"• {esc(n.text)}" for n in lessons)
    lines.append("\nGood luck! 🍀")
    return clip("\n".join(lines)), None


def check_in_keyboard(number: int) -> InlineKeyboardMarkup:
    return keyboard(
        [button("➡ Next round", "acc", "ci", number, "next"), button("🎉 Offer", "acc", "ci", number, "offer")],
        [button("✖ Rejected", "acc", "ci", number, "rej"), button("⏳ No news yet", "acc", "ci", number, "wait")],
    )


def render_check_in(app: JobApplication) -> Rendered:
    return f"🤝 How did the interview go? {app_title(app)}", check_in_keyboard(app.number)


def render_reminder(
    reminder: Reminder, profile: Profile, apps: Sequence[JobApplication], now: datetime, tz: ZoneInfo
) -> Rendered | None:
    """The message for one due reminder; None when there is nothing left to say."""
    today = now.astimezone(tz).date()
    if reminder.kind in (Kind.PLAN, Kind.CHECK, Kind.REVIEW):
        seen = standing(profile, apps, reminder.at, tz)
        if reminder.kind == Kind.PLAN:
            return render_plan(seen, today)
        return render_check(seen, today) if reminder.kind == Kind.CHECK else render_review(seen)
    app = next((a for a in apps if a.number == reminder.number), None)
    if app is None:
        return None
    if reminder.kind in (Kind.CLOSE_SOON, Kind.CLOSE_TODAY):
        return render_closing(app, reminder, today)
    if reminder.kind in (Kind.FOLLOW_UP, Kind.GHOST):
        return render_silent(app, reminder, today)
    if reminder.kind in (Kind.PREP_EVENING, Kind.PREP_SOON):
        return render_prep(app, reminder, profile, tz)
    return render_check_in(app)


# -- settings views ----------------------------------------------------------------------------


def slot_text(slot: Slot | None) -> str:
    return f"{WEEKDAYS[slot.weekday][:3].capitalize()} {slot.at:%H:%M}" if slot else "off"


def pause_text(profile: Profile, now: datetime, tz: ZoneInfo) -> str:
    if not is_paused(profile, now, tz):
        return "on"
    if profile.paused_until:
        return f"paused until {short_day(profile.paused_until)}"
    return "paused (until you /resume)"


def nudges_view(profile: Profile) -> Rendered:
    lines = ["⏰ <b>Your nudges</b> (local time)"]
    rows = []
    for name in NUDGE_NAMES:
        slot = getattr(profile, name)
        lines.append(f"{SLOT_TITLES[name]}: <b>{slot_text(slot)}</b>")
        if slot is None:
            rows.append([button(f"{SLOT_TITLES[name]}: turn on", "nud", "on", name)])
        else:
            label = name.capitalize()
            rows.append(
                [
                    button(f"{label}: next day", "nud", "day", name),
                    button(f"{label} −1h", "nud", "hr", name, -1),
                    button(f"{label} +1h", "nud", "hr", name, 1),
                    button(f"{label} off", "nud", "off", name),
                ]
            )
    lines.append(
        "\nExact times: <code>/nudges plan mon 09:00</code>, <code>/nudges check off</code>, "
        "<code>/nudges review sun 18:30</code>."
    )
    return "\n".join(lines), keyboard(*rows)


def settings_view(profile: Profile, zone: str, now: datetime, tz: ZoneInfo) -> Rendered:
    lines = [
        "⚙️ <b>Your settings</b>",
        f"Timezone: <b>{esc(zone)}</b> (/timezone)",
        f"Weekly target: {plural(profile.target_per_week, 'application', bold=True)}; in flight: "
        f"<b>{profile.target_in_flight}</b> (/target)",
        f"Nudges: {pause_text(profile, now, tz)} · plan {slot_text(profile.plan)} · check "
        f"{slot_text(profile.check)} · review {slot_text(profile.review)} (/nudges)",
        f"Silent applications: follow-up after {plural(profile.follow_up_days, 'day', bold=True)}, "
        f"“ghosted?” after <b>{profile.ghost_days}</b> (/followup)",
        f"Pitch: {'set' if profile.pitch else 'not set'} (/pitch) · values: {len(profile.values)} "
        f"(/values) · questions: {len(profile.questions)} (/questions)",
    ]
    pause = (
        button("▶ Resume nudges", "cfg", "resume")
        if is_paused(profile, now, tz)
        else button("⏸ Pause 1 week", "cfg", "pause", 7)
    )
    rows = [
        [button("Target −1", "cfg", "tgt", -1), button("Target +1", "cfg", "tgt", 1)],
        [button("In flight −1", "cfg", "fly", -1), button("In flight +1", "cfg", "fly", 1)],
        [button("Follow-up −1d", "cfg", "fu", -1), button("Follow-up +1d", "cfg", "fu", 1)],
        [button("⏰ Nudge times", "cfg", "nudges"), pause],
        [button("🌍 Timezone", "cfg", "tz")],
    ]
    return "\n".join(lines), keyboard(*rows)


# -- helpers -----------------------------------------------------------------------------------


def _tz(profile: Profile, context: BotContext) -> ZoneInfo:
    return context.user_tz(profile.timezone)


def _zone(profile: Profile, context: BotContext) -> str:
    return profile.timezone or context.settings.default_tz


def _scheduler(context: BotContext) -> Scheduler | None:
    scheduler: Scheduler | None = context.bot_data.get("scheduler")
    return scheduler


def _save(context: BotContext, profile: Profile) -> None:
    context.repo.save_profile(profile)
    changed(context, profile.user_id)


async def _show(update: Update, view: Rendered) -> None:
    if update.callback_query is not None:
        await edit(update, *view)
    else:
        await reply(update, *view)


# -- targets and streak --------------------------------------------------------------------------


async def set_target(update: Update, context: BotContext) -> None:
    """/target 3 or /target 3 2: applications a week, and in flight beyond "Applied"."""
    profile = profile_of(update, context)
    args = context.args or []
    if not args:
        await reply(
            update,
            f"Your target: {plural(profile.target_per_week, 'application', bold=True)} a week, "
            f"<b>{profile.target_in_flight}</b> in flight. Change it: "
            "<code>/target 3</code> or <code>/target 3 2</code>.",
        )
        return
    try:
        per_week, flight = parse_target(args)
    except SettingError as error:
        await reply(update, f"{esc(error)} Nothing was changed.")
        return
    profile.target_per_week = per_week
    if flight is not None:
        profile.target_in_flight = flight
    _save(context, profile)
    await reply(update, f"Target set: <b>{per_week}</b> a week, <b>{profile.target_in_flight}</b> in flight.")


async def show_streak(update: Update, context: BotContext) -> None:
    """/streak: weeks in a row on target, this week so far and the buffer."""
    profile = profile_of(update, context)
    apps = context.repo.list_applications(profile.user_id)
    week = standing(profile, apps, context.now(), _tz(profile, context)).week
    fire = "🔥 " if week.streak else ""
    await reply(
        update,
        f"{fire}Streak: <b>{_weeks(week.streak)}</b> in a row on target "
        f"({week.target} a week).\nThis week: {week.applied} sent, {week.needed} to go. "
        f"Buffer: {week.buffer}.",
    )


# -- nudges, pause, settings -----------------------------------------------------------------------


async def set_nudges(update: Update, context: BotContext) -> None:
    """/nudges shows the schedule with buttons; /nudges plan mon 09:00 or /nudges check off changes it."""
    profile = profile_of(update, context)
    args = context.args or []
    if not args:
        await reply(update, *nudges_view(profile))
        return
    try:
        name, slot = parse_nudge(args)
    except SettingError as error:
        await reply(update, f"{esc(error)} Nothing was changed.")
        return
    setattr(profile, name, slot)
    _save(context, profile)
    text, markup = nudges_view(profile)
    await reply(update, f"Set: {SLOT_TITLES[name].lower()} {slot_text(slot)}.\n\n{text}", markup)


WEEK_MINUTES = 7 * 24 * 60


def shift_slot(slot: Slot, minutes: int) -> Slot:
    """Move a weekly slot by ``minutes``, across midnight into the next or previous day (Sun -> Mon)."""
    total = (slot.weekday * 24 * 60 + slot.at.hour * 60 + slot.at.minute + minutes) % WEEK_MINUTES
    day, rest = divmod(total, 24 * 60)
    return Slot(day, time(rest // 60, rest % 60))


def _nudge_change(profile: Profile, action: str, name: str, args: list[str]) -> None:
    slot: Slot | None = getattr(profile, name)
    if action == "on":
        slot = slot or NUDGE_DEFAULTS[name]
    elif action == "off":
        slot = None
    elif slot is not None and action == "day":
        slot = shift_slot(slot, 24 * 60)
    elif slot is not None and action == "hr":
        step = int_args(args, 1) or [0]
        slot = shift_slot(slot, 60 * max(-1, min(1, step[0])))
    setattr(profile, name, slot)


async def nudge_button(update: Update, context: BotContext) -> None:
    """``nud:<action>:<plan|check|review>[:step]`` changes one nudge and redraws the view."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, action, args = decode(query.data)
    if not args or args[0] not in NUDGE_NAMES or action not in ("on", "off", "day", "hr"):
        await query.answer("That button is out of date; send /nudges.", show_alert=True)
        return
    profile = profile_of(update, context)
    before = getattr(profile, args[0])
    _nudge_change(profile, action, args[0], args[1:])
    after = getattr(profile, args[0])
    if after == before:  # a stale button: nothing to change, and the message must stay as it is
        await query.answer(f"{SLOT_TITLES[args[0]]} is already {slot_text(after)}.")
        return
    _save(context, profile)
    await query.answer(f"{SLOT_TITLES[args[0]]}: {slot_text(after)}")
    await edit(update, *nudges_view(profile))


def _pause_day(text: str, today: date) -> date | None:
    words = text.strip().lower().split()
    if words and words[0] in ("until", "till", "til"):
        words = words[1:]
    elif words and words[0] == "for":
        words = ["in", *words[1:]]
    elif words and words[0].isdigit():
        words = ["in", *words]  # "/pause 2 weeks"
    return parse_day(" ".join(words), today) if words else None


async def pause_nudges(update: Update, context: BotContext) -> None:
    """/pause, /pause until 2026-12-01, /pause for 2 weeks: no nudges or reminders meanwhile."""
    profile = profile_of(update, context)
    text = " ".join(context.args or [])
    until = None
    if text:
        today = today_for(profile, context)
        until = _pause_day(text, today)
        problem = None
        if until is None:
            problem = "I couldn't read a date there."
        elif until <= today:
            problem = "That date isn't in the future: a pause needs an end after today."
        elif until > today + PAUSE_MAX:
            problem = (
                "That's more than a year away. Pause for up to a year, or use <code>/pause</code> "
                "alone to pause until you /resume."
            )
        if problem:
            await reply(
                update,
                f"{problem} Try <code>/pause</code>, <code>/pause until monday</code> or "
                "<code>/pause for 2 weeks</code>. Nothing was changed.",
            )
            return
    profile.paused, profile.paused_until = True, until
    _save(context, profile)
    await reply(update, _paused_message(until))


def _paused_message(until: date | None) -> str:
    if until is None:
        return "⏸ Paused: no nudges or reminders until you /resume."
    return f"⏸ Paused until {short_day(until)}: no nudges or reminders before then. /resume any time."


def _resume(context: BotContext, profile: Profile) -> None:
    profile.paused, profile.paused_until = False, None
    context.repo.save_profile(profile)
    scheduler = _scheduler(context)
    if scheduler is not None:
        scheduler.skip_due(profile.user_id)  # what fell due while paused stays unsent
    changed(context, profile.user_id)


async def resume_nudges(update: Update, context: BotContext) -> None:
    """/resume: nudges and reminders flow again (nothing saved up from the pause)."""
    profile = profile_of(update, context)
    if not is_paused(profile, context.now(), _tz(profile, context)):
        await reply(update, "Your nudges are on already. /pause stops them for a while.")
        return
    _resume(context, profile)
    await reply(update, "▶ Welcome back! Nudges and reminders are on again. /settings shows them.")


async def show_settings(update: Update, context: BotContext) -> None:
    """/settings: everything, with buttons to change it."""
    profile = profile_of(update, context)
    await reply(update, *settings_view(profile, _zone(profile, context), context.now(), _tz(profile, context)))


def _bounded(value: int, step: int, low: int, high: int) -> int:
    return max(low, min(high, value + max(-1, min(1, step))))


def _at_bound(title: str, value: int, low: int, high: int, step: int, days: bool) -> str:
    """The toast for a -1/+1 settings button that can't move any further."""
    shown = plural(value, "day") if days else str(value)
    if step < 0 or value <= low:
        return f"{title}: already at the minimum ({shown})."
    if days:
        return (
            f"Follow-up: already at {shown}, one day before the “ghosted?” question ({high + 1}). "
            "Move both with /followup, e.g. /followup 14 45."
        )
    return f"{title}: already at the maximum ({shown})."


async def settings_button(update: Update, context: BotContext) -> None:
    """``cfg:<action>[:arg]``: the buttons under /settings."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, action, args = decode(query.data)
    profile = profile_of(update, context)
    step = (int_args(args, 1) or [0])[0]
    if action == "tz":
        await query.answer("Type /timezone and your city, e.g. /timezone Lisbon", show_alert=True)
        return
    if action == "nudges":
        await query.answer()
        await edit(update, *nudges_view(profile))
        return
    bounds = {
        "tgt": ("target_per_week", 1, TARGET_MAX, "Target"),
        "fly": ("target_in_flight", 0, TARGET_MAX, "In flight"),
        "fu": ("follow_up_days", 1, profile.ghost_days - 1, "Follow-up"),
    }
    if action in bounds:
        field, low, high, title = bounds[action]
        old = getattr(profile, field)
        new = _bounded(old, step, low, high)
        if new == old:  # answer, but leave the message as it is: an identical edit is an error
            await query.answer(_at_bound(title, old, low, high, step, action == "fu"), show_alert=action == "fu")
            return
        setattr(profile, field, new)
    elif action == "pause":
        profile.paused, profile.paused_until = True, today_for(profile, context) + timedelta(days=max(1, step))
    elif action == "resume":
        _resume(context, profile)
    else:
        await query.answer("That button is out of date; send /settings.", show_alert=True)
        return
    _save(context, profile)
    await query.answer("Saved")
    await edit(update, *settings_view(profile, _zone(profile, context), context.now(), _tz(profile, context)))


async def set_follow_up(update: Update, context: BotContext) -> None:
    """/followup 10 30: days of silence before a follow-up hint, and before "ghosted?"."""
    profile = profile_of(update, context)
    args = context.args or []
    numbers = int_args(args, len(args)) if 1 <= len(args) <= 2 else None
    follow = numbers[0] if numbers else 0
    ghost = numbers[1] if numbers and len(numbers) == 2 else profile.ghost_days
    if numbers is None or not 1 <= follow < ghost <= 180:
        await reply(
            update,
            f"Now: follow-up after {plural(profile.follow_up_days, 'day', bold=True)} of silence, "
            f"“ghosted?” after <b>{profile.ghost_days}</b>. Change with e.g. "
            "<code>/followup 7 21</code> (the second number bigger, at most 180)."
            + (" Nothing was changed." if args else ""),
        )
        return
    profile.follow_up_days, profile.ghost_days = follow, ghost
    _save(context, profile)
    await reply(update, f"Follow-up hint after {plural(follow, 'day', bold=True)}, “ghosted?” after <b>{ghost}</b>.")


# -- pitch, values, questions ------------------------------------------------------------------


async def set_pitch(update: Update, context: BotContext) -> None:
    """/pitch <text> stores your elevator pitch; /pitch alone shows it."""
    profile = profile_of(update, context)
    assert update.effective_message is not None
    text = (update.effective_message.text or "").partition(" ")[2].strip()
    if not text:
        shown = esc(profile.pitch) if profile.pitch else "none yet"
        await reply(
            update,
            f"<b>Your pitch</b>: {shown}\nSet it: <code>/pitch I help teams ship "
            "reliable systems…</code> (<code>/pitch clear</code> removes it).",
        )
        return
    profile.pitch = "" if text.lower() == "clear" else text[:1000]
    _save(context, profile)
    await reply(update, "Pitch saved. It comes with every interview prep." if profile.pitch else "Pitch cleared.")


async def _set_items(update: Update, context: BotContext, field: str, title: str, example: str) -> None:
    """Store, show or clear one of the lists that come with interview prep (values, questions)."""
    profile = profile_of(update, context)
    assert update.effective_message is not None
    text = (update.effective_message.text or "").partition(" ")[2].strip()
    items: list[str] = getattr(profile, field)
    if not text:
        shown = "\n".join(f"• {esc(i)}" for i in items) or "none yet"
        await reply(
            update,
            f"<b>{title}</b>\n{shown}\nSet them: <code>/{field} {esc(example)}</code> "
            f"(<code>/{field} clear</code> removes them).",
        )
        return
    try:
        new = [] if text.lower() == "clear" else parse_list(text)
    except SettingError as error:
        await reply(update, f"{esc(error)} Nothing was changed.")
        return
    setattr(profile, field, new)
    _save(context, profile)
    if not new:
        await reply(update, f"{field.capitalize()} cleared.")
        return
    they = "It comes" if len(new) == 1 else "They come"
    await reply(update, f"{title}: {len(new)} saved. {they} with every interview prep.")


async def set_values(update: Update, context: BotContext) -> None:
    """/values a; b; c: what to probe in interviews; /values alone shows them."""
    await _set_items(update, context, "values", "Values to probe", "remote-first; mentoring; calm on-call")


async def set_questions(update: Update, context: BotContext) -> None:
    """/questions a; b: what to ask in interviews; /questions alone shows them."""
    await _set_items(
        update,
        context,
        "questions",
        "Questions to ask",
        "How is on-call shared?; What does success look like in 6 months?",
    )


# -- interviews ------------------------------------------------------------------------------------


def _interview_list(apps: Sequence[JobApplication], now: datetime, tz: ZoneInfo) -> str:
    ahead = interviews_ahead(apps, now - CATCH_UP)
    if not ahead:
        return (
            "No interviews coming up. Record one: <code>/interview 3 tomorrow 14:00</code> and I'll help you prepare."
        )
    lines = ["<b>Interviews coming up</b>"]
    lines.extend(f"• {local_moment(m, tz)}: {app_title(a)}" for m, a in ahead[:20])
    return "\n".join(lines)


async def record_interview(update: Update, context: BotContext) -> None:
    """/interview N <when>: record (or move) an interview; prep and check-in follow. /interview N cancel."""
    args = context.args or []
    profile = profile_of(update, context)
    tz, now = _tz(profile, context), context.now()
    if not args:
        await reply(update, _interview_list(context.repo.list_applications(profile.user_id), now, tz))
        return
    app = await find_app(update, context, args, "/interview 3 tomorrow 14:00")
    if app is None:
        return
    text = " ".join(args[1:]).strip()
    if text.lower() in ("cancel", "off", "none"):
        await _cancel_interviews(update, context, app, now)
        return
    moment = parse_moment(text, now.astimezone(tz)) if text else None
    problem = _interview_problem(app, text, moment, now)
    if problem:
        await reply(update, problem)
        return
    assert moment is not None
    await _save_interview(update, context, profile, app, moment.astimezone(UTC), now)


def _interview_problem(app: JobApplication, text: str, moment: datetime | None, now: datetime) -> str | None:
    if moment is None:
        unread = f"I couldn't read “{esc(text)}” as a day and time. " if text else ""
        return (
            f"{unread}When is it? E.g. <code>/interview {app.number} tomorrow 14:00</code>, "
            f"<code>/interview {app.number} fri 10am</code>, <code>/interview {app.number} 2026-12-01 "
            f"09:30</code> or <code>/interview {app.number} in 2 hours</code> (your local time). "
            "Nothing was changed."
        )
    if app.is_closed:
        return f"#{app.number} is closed ({esc(app.status_label().lower())}). /reopen {app.number} first."
    if moment < now - PAST_GRACE:
        return (
            "That's in the past. I record interviews ahead so I can help you prepare; for one "
            f"that happened, use <code>/move {app.number} interview</code> and /note. Nothing was changed."
        )
    if any(abs((m - moment).total_seconds()) < 60 for m in app.interviews):
        return f"That interview is already recorded for #{app.number}. Nothing was changed."
    return None


def _upcoming(app: JobApplication, now: datetime) -> list[datetime]:
    return sorted(m for m in app.interviews if m >= now)


async def _save_interview(
    update: Update, context: BotContext, profile: Profile, app: JobApplication, moment: datetime, now: datetime
) -> None:
    """Record a new interview, or move the next upcoming one (its prep and check-in follow the new time)."""
    tz = _tz(profile, context)
    when = local_moment(moment, tz)
    upcoming = _upcoming(app, now)
    if app.stage < Stage.INTERVIEW:
        moves.move(app, Stage.INTERVIEW, now)
    if upcoming:
        # Reminder keys carry the moment: the old time's prep and check-in simply stop existing.
        old = upcoming[0]
        app.interviews.remove(old)
        was = local_moment(old, tz)
        detail = f"{when} (moved from {was})"
        headline = f"📅 Moved the interview for #{app.number} from {was} to <b>{when}</b>: {app_title(app)}"
    else:
        detail = when
        headline = f"📅 Interview recorded: {app_title(app)} on <b>{when}</b>"
    app.interviews.append(moment)
    app.interviews.sort()
    app.history.append(Event(at=now, kind="interview", detail=detail))
    context.repo.save_application(profile.user_id, app, f"interview for #{app.number}")
    changed(context, profile.user_id)
    tip = (
        ""
        if profile.pitch and profile.values and profile.questions
        else ("\nTip: set your /pitch, /values and /questions so the prep notes have them.")
    )
    await reply(
        update,
        f"{headline} ({esc(_zone(profile, context))}).\n"
        "I'll send prep notes the evening before and two hours before, and ask how it "
        f"went afterwards.{tip}",
    )


async def _cancel_interviews(update: Update, context: BotContext, app: JobApplication, now: datetime) -> None:
    """``/interview N cancel``: drop every upcoming interview of N, with its prep and check-in."""
    profile = profile_of(update, context)
    upcoming = _upcoming(app, now)
    if not upcoming:
        await reply(update, f"#{app.number} has no upcoming interview. Nothing was changed.")
        return
    tz = _tz(profile, context)
    app.interviews = [m for m in app.interviews if m < now]
    for moment in upcoming:
        # describe_event renders kind "interview" as "interview scheduled <detail>".
        app.history.append(Event(at=now, kind="interview", detail=f"{local_moment(moment, tz)} — cancelled"))
    context.repo.save_application(profile.user_id, app, f"cancelled interview for #{app.number}")
    changed(context, profile.user_id)
    times = ", ".join(local_moment(m, tz) for m in upcoming)
    await reply(
        update,
        f"Cancelled {plural(len(upcoming), 'upcoming interview')} for {app_title(app)} "
        f"({times}); no prep reminders for {'it' if len(upcoming) == 1 else 'them'}.",
    )


# -- buttons on reminders ------------------------------------------------------------------------


class LessonFlow:
    """ "How did it go?" -> a button -> "one lesson learned?" -> the next text is stored as a note.

    The core's /cancel handler answers in group 0; ``forget`` (group 1) drops our question too.
    Which users we are waiting for is a ``filters.User`` so other text keeps its usual handlers.
    """

    def __init__(self) -> None:
        self.waiting = filters.User(allow_empty=False)

    def ask(self, context: BotContext, user_id: int, number: int) -> None:
        if context.user_data is not None:
            context.user_data["lesson_for"] = (number, context.now())
        self.waiting.add_user_ids(user_id)

    def _stop(self, context: BotContext, user_id: int) -> tuple[int, datetime] | None:
        self.waiting.remove_user_ids(user_id)
        if context.user_data is None:
            return None
        found: tuple[int, datetime] | None = context.user_data.pop("lesson_for", None)
        return found

    async def check_in(self, update: Update, context: BotContext) -> None:
        """``acc:ci:<n>:<next|offer|rej|wait>``: record the outcome, then ask for a lesson."""
        query = update.callback_query
        assert query is not None and query.data is not None
        _, _, args = decode(query.data)
        profile = profile_of(update, context)
        numbers = int_args(args, 1)
        app = context.repo.get_application(profile.user_id, numbers[0]) if numbers else None
        choice = args[1] if len(args) > 1 else ""
        if app is None or choice not in CHECK_IN_CHOICES:
            await query.answer("That application no longer exists.", show_alert=True)
            return
        before = len(app.history)
        try:
            headline = _check_in_outcome(app, choice, context.now())
        except InvalidMove as error:
            await query.answer(str(error)[:200], show_alert=True)
            return
        if len(app.history) != before:
            context.repo.save_application(profile.user_id, app, f"interview check-in for #{app.number}")
            changed(context, profile.user_id)
        await query.answer()
        self.ask(context, profile.user_id, app.number)
        await edit(update, f"{app_title(app)}\n{headline}")
        await reply(
            update,
            "What's <b>one lesson</b> you take from this interview? Reply with a "
            "sentence and I'll keep it with the application (/cancel to skip).",
        )

    async def save(self, update: Update, context: BotContext) -> None:
        """The text after the lesson question becomes a "lesson" note."""
        assert update.effective_message is not None and update.effective_user is not None
        waiting = self._stop(context, update.effective_user.id)
        if waiting is None or context.now() - waiting[1] > LESSON_TTL:
            await unknown_text(update, context)
            return
        profile = profile_of(update, context)
        app = context.repo.get_application(profile.user_id, waiting[0])
        if app is None:
            await reply(update, "That application no longer exists.")
            return
        moves.add_note(app, (update.effective_message.text or "")[:2000], context.now(), kind="lesson")
        context.repo.save_application(profile.user_id, app, f"lesson on #{app.number}")
        changed(context, profile.user_id)
        await reply(update, f"📝 Lesson kept with {app_title(app)}. It'll be in your next prep notes.")

    async def forget(self, update: Update, context: BotContext) -> None:
        """/cancel while we wait for a lesson: stop waiting (the core already replied)."""
        if update.effective_user is not None:
            self._stop(context, update.effective_user.id)


CHECK_IN_CHOICES = ("next", "offer", "rej", "wait")


def _check_in_outcome(app: JobApplication, choice: str, now: datetime) -> str:
    """Apply a check-in answer to the application; returns what changed, for the message."""
    if choice == "next":
        if app.stage < Stage.SECOND:
            moves.move(app, Stage.SECOND, now)
            return "➡ On to the next round: moved to <b>Second interview</b>. Well done!"
        return "➡ Another round. Well done! Record it with /interview when you know the date."
    if choice == "offer":
        if app.stage < Stage.OFFER:
            moves.move(app, Stage.OFFER, now)
        return "🎉 An offer! Moved to <b>Offer</b>."
    if choice == "rej":
        moves.close(app, Outcome.REJECTED, now, "after interview")
        return "✖ Rejected. That stings; every interview is practice for the one that works."
    return "⏳ No news yet. I'll keep it in your in-flight count."


async def still_waiting(update: Update, context: BotContext) -> None:
    """``acc:wait:<n>``: the answer to "still waiting or ghosted?"."""
    query = update.callback_query
    assert query is not None
    await query.answer("OK, still waiting")
    await edit(
        update,
        "⏳ Still waiting: fingers crossed. I won't ask about this one again; /ghosted N when you give up on it.",
    )


async def pause_button(update: Update, context: BotContext) -> None:
    """``acc:pause`` (offered with the congratulations on an accepted offer) and ``acc:resume``."""
    query = update.callback_query
    assert query is not None and query.data is not None
    profile = profile_of(update, context)
    _, action, _ = decode(query.data)
    await query.answer()
    if action == "resume":
        _resume(context, profile)
        await edit(update, "▶ Nudges and reminders are on again.")
        return
    profile.paused, profile.paused_until = True, None
    _save(context, profile)
    await edit(update, _paused_message(None) + " Enjoy the new job! 🎉")


def pause_offer() -> InlineKeyboardMarkup:
    """For the core's congratulations on "Accepted"."""
    return keyboard([button("⏸ Pause all nudges", "acc", "pause")])


# -- wiring ------------------------------------------------------------------------------------


def handlers() -> dict[int, list[BaseHandler[Any, Any, Any]]]:
    lessons = LessonFlow()
    return {
        0: [
            CommandHandler("target", set_target),
            CommandHandler("nudges", set_nudges),
            CommandHandler("pause", pause_nudges),
            CommandHandler("resume", resume_nudges),
            CommandHandler("settings", show_settings),
            CommandHandler("streak", show_streak),
            CommandHandler("followup", set_follow_up),
            CommandHandler("interview", record_interview),
            CommandHandler("pitch", set_pitch),
            CommandHandler("values", set_values),
            CommandHandler("questions", set_questions),
            CallbackQueryHandler(lessons.check_in, pattern=r"^acc:ci:"),
            CallbackQueryHandler(still_waiting, pattern=r"^acc:wait:"),
            CallbackQueryHandler(pause_button, pattern=r"^acc:(pause|resume)$"),
            CallbackQueryHandler(nudge_button, pattern=r"^nud:"),
            CallbackQueryHandler(settings_button, pattern=r"^cfg:"),
            MessageHandler(filters.TEXT & ~filters.COMMAND & lessons.waiting, lessons.save),
        ],
        # Group 1 runs after group 0 answered: /cancel also ends a pending lesson question.
        1: [CommandHandler("cancel", lessons.forget, filters=lessons.waiting)],
    }


async def post_init(app: Any) -> None:
    """Create the scheduler, rebuild the index from storage and start the repeating tick."""
    scheduler = Scheduler(app, render_reminder)
    app.bot_data["scheduler"] = scheduler
    scheduler.start()
