"""Accountability: targets, nudge schedule, pause, interviews and what the reminders say.

The scheduler (``bot.scheduling``) decides *when*; this module decides *what*: ``render_reminder``
turns a due reminder into a message with buttons, and the commands and buttons here change the
settings the schedule is computed from (each change calls ``changed()``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.callback_data import decode, int_args
from bot.context import BotContext
from bot.domain import interviews, moves, settings_rules
from bot.domain.dates import ORDER_NAMES, WEEKDAYS, ambiguous_far, date_order_for, parse_moment
from bot.domain.funnel import plural
from bot.domain.interviews import CHECK_IN_CHOICES, CheckIn, Problem
from bot.domain.lessons import GAP_CHARS, Lesson, all_lessons, gaps
from bot.domain.models import Event, JobApplication, Profile, Slot
from bot.domain.moves import InvalidMove
from bot.domain.notes import brief, text_after
from bot.domain.reminders import (
    CATCH_UP,
    NUDGE_NAMES,
    Kind,
    Reminder,
    SettingError,
    Standing,
    interview_prep,
    interviews_ahead,
    is_paused,
    parse_list,
    parse_nudge,
    parse_target,
    planned_week,
    prep_promise,
    standing,
)
from bot.domain.weekly import WeekStatus, streak_including_this_week
from bot.handlers import onboarding
from bot.handlers.common import answer, changed, edit, find_app, profile_of, reply, today_for
from bot.handlers.onboarding import unknown_text
from bot.rendering import (
    app_title,
    button,
    clip,
    closing_phrase,
    days_until,
    esc,
    keyboard,
    local_moment,
    short_day,
)
from bot.scheduling import Rendered, Scheduler

logger = logging.getLogger(__name__)

LESSON_TTL = timedelta(hours=12)  # an unanswered "one lesson learned?" question expires
SLOT_TITLES = {"plan": "Weekly plan", "check": "Mid-week check", "review": "Weekly review"}
INTERVIEW_LIST_MAX = 20
UTC_ZONE = ZoneInfo("UTC")


# -- what the reminders say ------------------------------------------------------------------


def applied_buttons(apps: Sequence[JobApplication]) -> list[list[Any]]:
    """✅ buttons that mark prospects applied in place (the core's ``app:did:<n>``)."""
    return [[button(f"✅ Applied to #{a.number}", "app", "did", a.number)] for a in apps]


def _prospect_line(app: JobApplication, today: date) -> str:
    fit = f"fit {app.fit}" if app.fit is not None else "unrated"
    closes = f" · closes {closing_phrase(app.closes_on, today)}" if app.closes_on else ""
    return f"#{app.number} <b>{esc(app.company)}</b> — {esc(app.role)} · {fit}{closes}"


def _bold(count: int, noun: str) -> str:
    """``<b>2</b> applications``: ``funnel.plural`` with the number in bold."""
    number, _, words = plural(count, noun).partition(" ")
    return f"<b>{number}</b> {words}"


def _weeks(count: int) -> str:
    return plural(count, "week")


def _last_week_verdict(week: WeekStatus) -> str:
    """ "(target ✅ met)", "(target ✅ met with your buffer)" or "(target not met)"; none before the user started."""
    if week.last_week_met is None:
        return ""
    if not week.last_week_met:
        return " (target not met)"
    return " (target ✅ met)" if week.last_week >= week.target else " (target ✅ met with your buffer)"


def render_plan(seen: Standing, today: date) -> Rendered:
    week = seen.week
    lines = [
        f"🗓 <b>Your week</b> (from {short_day(week.monday)})",
        f"Target: {_bold(week.target, 'application')}.",
    ]
    if week.buffer:
        lines.append(f"Buffer: {week.buffer} carried over from strong weeks, so <b>{week.needed}</b> to go.")
    streak = _weeks(streak_including_this_week(week))
    lines.append(f"Last week: {week.last_week} sent{_last_week_verdict(week)}. Streak: {streak}.")
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
        lines.append(f"Target of {week.target}: ✅ met{carried}. Streak: {_weeks(streak_including_this_week(week))}.")
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


def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    """``moment`` in ``tz``; in UTC when that would leave the calendar (an imported 9999-12-31T23:00Z)."""
    try:
        return moment.astimezone(tz)
    except OverflowError:
        return moment.astimezone(UTC_ZONE)


def _moment_text(moment: datetime, tz: ZoneInfo) -> str:
    """``local_moment``, in UTC for a stored moment at the calendar's edge."""
    try:
        return local_moment(moment, tz)
    except OverflowError:
        return local_moment(moment, UTC_ZONE)


def _prep_when(moment: datetime, today: date, tz: ZoneInfo) -> str:
    """ "at 14:00 today", "tomorrow at 00:30" or "on Wed 2 Dec 2026 at 10:00", by local dates."""
    local = _local(moment, tz)
    day = days_until(local.date(), today)
    if day == "today":
        return f"at {local:%H:%M} today"
    if day == "tomorrow":
        return f"tomorrow at {local:%H:%M}"
    return f"on {short_day(local.date())} at {local:%H:%M}"


PREP_SCREEN = 1500  # a prep note fits one phone screen; notes are quoted briefly, /notes N has them whole
PREP_ITEMS, PREP_ITEM_CHARS, PREP_NOTE_CHARS, PREP_PITCH_CHARS = 5, 70, 100, 250


def _quotes(texts: Sequence[str], limit: int) -> tuple[list[str], bool]:
    """Brief bullet lines for ``texts`` and whether any was shortened."""
    quoted = [brief(text, limit) for text in texts]
    return [f"• {esc(text)}" for text, _ in quoted], any(cut for _, cut in quoted)


def render_prep(
    app: JobApplication,
    reminder: Reminder,
    profile: Profile,
    tz: ZoneInfo,
    today: date,
    apps: Sequence[JobApplication] = (),
) -> Rendered:
    when = _prep_when(reminder.moment or reminder.at, today, tz)
    lines = [f"🎯 <b>Interview {when}</b>: {app_title(app)}"]
    if app.link:
        lines.append(f'<a href="{esc(app.link)}">Job link</a>')
    own = [n for n in app.notes if n.kind not in ("lesson", "question")]
    shown, cut = _quotes([n.text for n in own[-3:]], PREP_NOTE_CHARS)
    if shown:
        lines.append("\n<b>Your notes</b>")
        lines.extend(shown)
    # Lessons from the whole search (``apps``, this one included), most recent first.
    latest = all_lessons([*[a for a in apps if a.number != app.number], app])[:PREP_LESSONS]
    lessons, lessons_cut = _quotes([_lesson_text(item, app) for item in latest], PREP_NOTE_CHARS)
    if lessons:
        lines.append("\n<b>Lessons so far</b> (newest first, all: /lessons)")
        lines.extend(lessons)
    if named := gaps(apps)[:PREP_LESSONS]:
        gaps_named = ", ".join(f"{esc(brief(reason, GAP_CHARS)[0])} ×{count}" for reason, count in named)
        lines.append(f"Gaps rejections named: {gaps_named}")
    more_notes = cut or lessons_cut or len(own) > 3
    if more_notes:
        lines.append(f"All your notes, whole: /notes {app.number}")
    lines.append("\n<b>Your pitch</b>")
    lines.append(esc(brief(profile.pitch, PREP_PITCH_CHARS)[0]) if profile.pitch else "(none yet: set it with /pitch)")
    for title, items, command in (
        ("Values to probe", profile.values, "/values"),
        ("Questions to ask", interviews.questions_for(app, profile.questions), "/questions"),
    ):
        lines.append(f"\n<b>{title}</b>")
        bullets, _ = _quotes(items[:PREP_ITEMS], PREP_ITEM_CHARS)
        lines.extend(bullets or [f"(none yet: add them with {command})"])
        if len(items) > PREP_ITEMS:
            lines.append(f"… and {len(items) - PREP_ITEMS} more ({command})")
    lines.append("\nGood luck! 🍀")
    markup = keyboard([button("📖 Read all notes", "notes", "open", app.number, 0)]) if more_notes else None
    return clip("\n".join(lines), PREP_SCREEN), markup


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
        # A weekend plan is about the coming week; the check and the review, about the current one.
        week = planned_week(reminder.day) if reminder.kind == Kind.PLAN and reminder.day else None
        seen = standing(profile, apps, reminder.at, tz, monday=week, today=today)
        if reminder.kind == Kind.PLAN:
            return render_plan(seen, today)
        return render_check(seen, today) if reminder.kind == Kind.CHECK else render_review(seen)
    app = next((a for a in apps if a.number == reminder.number), None)
    if app is None:
        return None
    if reminder.kind in (Kind.CLOSE_SOON, Kind.CLOSE_TODAY):
        return render_closing(app, reminder, today)
    if reminder.kind in (Kind.TAKE_HOME_SOON, Kind.TAKE_HOME_DUE):
        return render_take_home(app, reminder, today, tz)
    if reminder.kind in (Kind.FOLLOW_UP, Kind.GHOST):
        return render_silent(app, reminder, today)
    if reminder.kind in (Kind.PREP_EVENING, Kind.PREP_SOON):
        return render_prep(app, reminder, profile, tz, today, apps)
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
        f"Timezone: <b>{esc(zone)}</b> (/timezone) · dates: "
        f"<b>{ORDER_NAMES[date_order_for(profile.date_order, zone)]}</b> (/dates)",
        f"Weekly target: {_bold(profile.target_per_week, 'application')}; in flight: "
        f"<b>{profile.target_in_flight}</b> (/target)",
        f"Nudges: {pause_text(profile, now, tz)} · plan {slot_text(profile.plan)} · check "
        f"{slot_text(profile.check)} · review {slot_text(profile.review)} (/nudges)",
        f"Silent applications: follow-up after {_bold(profile.follow_up_days, 'day')}, "
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
            f"Your target: {_bold(profile.target_per_week, 'application')} a week, "
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
    streak = streak_including_this_week(week)
    fire = "🔥 " if streak else ""
    included = ", this week included" if week.met else ""
    so_far = "target met" if week.met else f"{week.needed} to go"
    await reply(
        update,
        f"{fire}Streak: <b>{_weeks(streak)}</b> in a row on target ({week.target} a week){included}."
        f"\nThis week: {week.applied} sent, {so_far}. Buffer: {week.buffer}.",
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
    settings_rules.set_slot(profile, name, slot, context.now())
    _save(context, profile)
    text, markup = nudges_view(profile)
    await reply(update, f"Set: {SLOT_TITLES[name].lower()} {slot_text(slot)}.\n\n{text}", markup)


async def nudge_button(update: Update, context: BotContext) -> None:
    """``nud:<action>:<plan|check|review>[:step]`` changes one nudge and redraws the view."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, action, args = decode(query.data)
    if not args or args[0] not in NUDGE_NAMES or action not in settings_rules.NUDGE_ACTIONS:
        await answer(query, "That button is out of date; send /nudges.", alert=True)
        return
    name, step = args[0], (int_args(args[1:], 1) or [0])[0]
    profile = profile_of(update, context)
    before = getattr(profile, name)
    after = settings_rules.nudge_change(before, action, name, step)
    if after == before:  # a stale button: nothing to change, and the message must stay as it is
        await answer(query, f"{SLOT_TITLES[name]} is already {slot_text(after)}.")
        return
    settings_rules.set_slot(profile, name, after, context.now())
    _save(context, profile)
    await answer(query, f"{SLOT_TITLES[name]}: {slot_text(after)}")
    await edit(update, *nudges_view(profile))


async def pause_nudges(update: Update, context: BotContext) -> None:
    """/pause, /pause until 2026-12-01, /pause for 2 weeks: no nudges or reminders meanwhile."""
    profile = profile_of(update, context)
    try:
        until = settings_rules.parse_pause(
            " ".join(context.args or []), today_for(profile, context), order=onboarding.order_for(profile, context)
        )
    except SettingError as error:
        await reply(
            update,
            f"{esc(error)} Try <code>/pause</code>, <code>/pause until monday</code> or "
            "<code>/pause for 2 weeks</code>. Nothing was changed.",
        )
        return
    settings_rules.pause(profile, until)
    _save(context, profile)
    await reply(update, _paused_message(until))


def _paused_message(until: date | None) -> str:
    if until is None:
        return "⏸ Paused: no nudges or reminders until you /resume."
    return f"⏸ Paused until {short_day(until)}: no nudges or reminders before then. /resume any time."


def _resume(context: BotContext, profile: Profile) -> None:
    """Resume and save (once); what fell due while paused is recorded as skipped, not sent."""
    settings_rules.resume(profile)
    context.repo.save_profile(profile)
    scheduler = _scheduler(context)
    if scheduler is not None:
        scheduler.skip_due(profile.user_id)
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
    await reply(update, *_settings(profile, context))


def _settings(profile: Profile, context: BotContext) -> Rendered:
    return settings_view(profile, _zone(profile, context), context.now(), _tz(profile, context))


STEP_TITLES = {"tgt": "Target", "fly": "In flight", "fu": "Follow-up"}


def _at_bound(profile: Profile, action: str, step: int) -> str:
    """The toast for a -1/+1 settings button that can't move any further."""
    field, low, high = settings_rules.stepped_range(profile, action)
    value, title = getattr(profile, field), STEP_TITLES[action]
    shown = plural(value, "day") if action == "fu" else str(value)
    if step < 0 or value <= low:
        return f"{title}: already at the minimum ({shown})."
    if action == "fu":
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
        await answer(query, "Type /timezone and your city, e.g. /timezone Lisbon", alert=True)
        return
    if action == "nudges":
        await answer(query)
        await edit(update, *nudges_view(profile))
        return
    if action in settings_rules.STEPPED:
        old, new = settings_rules.step_setting(profile, action, step)
        if new == old:  # answer, but leave the message as it is: an identical edit is an error
            await answer(query, _at_bound(profile, action, step), alert=action == "fu")
            return
        _save(context, profile)
    elif action == "pause":
        settings_rules.pause_for(profile, today_for(profile, context), step)
        _save(context, profile)
    elif action == "resume":
        _resume(context, profile)  # saves once, and skips what fell due meanwhile
    else:
        await answer(query, "That button is out of date; send /settings.", alert=True)
        return
    await answer(query, "Saved")
    await edit(update, *_settings(profile, context))


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
            f"Now: follow-up after {_bold(profile.follow_up_days, 'day')} of silence, "
            f"“ghosted?” after <b>{profile.ghost_days}</b>. Change with e.g. "
            "<code>/followup 7 21</code> (the second number bigger, at most 180)."
            + (" Nothing was changed." if args else ""),
        )
        return
    profile.follow_up_days, profile.ghost_days = follow, ghost
    _save(context, profile)
    await reply(update, f"Follow-up hint after {_bold(follow, 'day')}, “ghosted?” after <b>{ghost}</b>.")


# -- pitch, values, questions ------------------------------------------------------------------

PITCH_EXAMPLE = "I help teams ship reliable systems"
VALUES_EXAMPLE = "remote-first; mentoring; calm on-call"
QUESTIONS_EXAMPLE = "How is on-call shared?; Team size?"


def _example(command: str, example: str) -> str:
    """ "E.g. <code>/values a; b</code>." as a sentence: a full stop unless the example already ends one."""
    stop = "" if example.endswith(("?", "!", ".")) else "."
    return f"E.g. <code>/{command} {esc(example)}</code>{stop}"


async def set_pitch(update: Update, context: BotContext) -> None:
    """/pitch <text> stores your elevator pitch; /pitch alone shows it."""
    profile = profile_of(update, context)
    assert update.effective_message is not None
    text = (update.effective_message.text or "").partition(" ")[2].strip()
    if not text:
        shown = esc(profile.pitch) if profile.pitch else "none yet"
        await reply(
            update,
            f"<b>Your pitch</b>: {shown}\nSet it: <code>/pitch {PITCH_EXAMPLE}…</code> "
            "(<code>/pitch clear</code> removes it).",
        )
        return
    if text.lower() != "clear" and not any(ch.isalnum() for ch in text):
        await reply(update, f"A pitch needs words. {_example('pitch', PITCH_EXAMPLE)} Nothing was changed.")
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
        await reply(update, f"{esc(error)} {_example(field, example)} Nothing was changed.")
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
    await _set_items(update, context, "values", "Values to probe", VALUES_EXAMPLE)


async def set_questions(update: Update, context: BotContext) -> None:
    """/questions a; b: what to ask in interviews; /questions alone shows them."""
    await _set_items(update, context, "questions", "Questions to ask", QUESTIONS_EXAMPLE)


# -- interviews ------------------------------------------------------------------------------------


def _interview_list(apps: Sequence[JobApplication], now: datetime, tz: ZoneInfo) -> str:
    ahead = interviews_ahead(apps, now - CATCH_UP)
    if not ahead:
        return (
            "No interviews coming up. Record one: <code>/interview 3 tomorrow 14:00</code> and I'll help you prepare."
        )
    lines = ["<b>Interviews coming up</b>"]
    lines.extend(f"• {_moment_text(m, tz)}: {app_title(a)}" for m, a in ahead[:INTERVIEW_LIST_MAX])
    if len(ahead) > INTERVIEW_LIST_MAX:
        lines.append(f"… and {len(ahead) - INTERVIEW_LIST_MAX} more later.")
    return clip("\n".join(lines))


async def record_interview(update: Update, context: BotContext) -> None:
    """/interview N <when> records one (or moves that day's); /interview N move <when>; /interview N cancel."""
    args = context.args or []
    profile = profile_of(update, context)
    tz, now = _tz(profile, context), context.now()
    if not args:
        await reply(update, _interview_list(context.repo.list_applications(profile.user_id), now, tz))
        return
    app = await find_app(update, context, args, "/interview 3 tomorrow 14:00")
    if app is None:
        return
    words = args[1:]
    move = bool(words) and words[0].lower() in ("move", "reschedule")
    text = " ".join(words[1:] if move else words).strip()
    if not move and text.lower() in ("cancel", "off", "none"):
        await _cancel_interviews(update, context, profile, app)
        return
    order = onboarding.order_for(profile, context)
    moment = parse_moment(text, now.astimezone(tz), order=order) if text else None
    if moment is not None and interviews.day_without_time(text, now.astimezone(tz), order=order):
        verb = f"/interview {app.number} move" if move else f"/interview {app.number}"
        await reply(update, f"What time? E.g. <code>{verb} {esc(text)} 14:00</code>. Nothing was changed.")
        return
    found = interviews.problem(app, moment, now, move=move) if moment is not None else None
    if moment is None or found is not None:
        await reply(update, _interview_problem(app, text, found, move))
        return
    recorded = interviews.record(app, moment, now, tz, lambda m: local_moment(m, tz), move=move)
    context.repo.save_application(profile.user_id, app, f"interview for #{app.number}")
    changed(context, profile.user_id)
    two_way = ambiguous_far(text, now.astimezone(tz).date(), order)
    if two_way is None or two_way.other is None:
        await reply(update, _interview_saved(profile, context, app, recorded))
        await _prep_at_once(update, context, profile, app, recorded.moment)
        return
    other = datetime.combine(two_way.other, recorded.moment.astimezone(tz).time(), tzinfo=tz)
    label = f"📅 I meant {two_way.other:%-d %b %Y}"
    stamps = (int(recorded.moment.timestamp()), int(other.timestamp()))
    await reply(
        update,
        f"{_interview_saved(profile, context, app, recorded)}\n{onboarding.reading_note(two_way, order)}",
        keyboard([button(label, "alt", "ivw", app.number, *stamps)]),
    )
    await _prep_at_once(update, context, profile, app, recorded.moment)


_OTHER_DAY_PROBLEMS = {
    Problem.CLOSED: "the application is closed",
    Problem.PAST: "that day has passed",
    Problem.TOO_FAR: "that's over two years away",
}


async def interview_reading_tapped(update: Update, context: BotContext) -> None:
    """``alt:ivw:<n>:<read>:<other>``: the interview typed as 3/12 was meant the other way round."""
    query = update.callback_query
    assert query is not None and query.data is not None
    numbers = int_args(decode(query.data)[2], 3)
    profile = profile_of(update, context)
    app = context.repo.get_application(profile.user_id, numbers[0]) if numbers else None
    read = datetime.fromtimestamp(numbers[1], UTC) if numbers else None
    if app is None or numbers is None or read not in app.interviews:
        await answer(query, "That interview has changed since; see /interview.", alert=True)
        return
    tz, now = _tz(profile, context), context.now()
    other = datetime.fromtimestamp(numbers[2], UTC)
    app.interviews.remove(read)
    found = interviews.problem(app, other, now)
    if found is not None:
        app.interviews.append(read)
        why = _OTHER_DAY_PROBLEMS.get(found, "it's already recorded then")
        await answer(query, f"I can't move it to that day: {why}. Nothing was changed.", alert=True)
        return
    app.history.append(Event(at=now, kind="interview", detail=f"{local_moment(read, tz)} — cancelled"))
    recorded = interviews.record(app, other, now, tz, lambda m: local_moment(m, tz))
    context.repo.save_application(profile.user_id, app, f"interview for #{app.number}")
    changed(context, profile.user_id)
    await answer(query, "Interview moved")
    await edit(update, _interview_saved(profile, context, app, recorded))
    await _prep_at_once(update, context, profile, app, recorded.moment)


def _interview_problem(app: JobApplication, text: str, found: Problem | None, move: bool) -> str:
    n = app.number
    if found is None:  # nothing readable
        unread = f"I couldn't read “{esc(text)}” as a day and time. " if text else ""
        verb = f"/interview {n} move" if move else f"/interview {n}"
        return (
            f"{unread}When is it? E.g. <code>{verb} tomorrow 14:00</code>, "
            f"<code>{verb} fri 10am</code>, <code>{verb} 2026-12-01 "
            f"09:30</code> or <code>{verb} in 2 hours</code> (your local time). "
            "Nothing was changed."
        )
    if found == Problem.CLOSED:
        return f"#{n} is closed ({esc(app.status_label().lower())}). /reopen {n} first."
    if found == Problem.PAST:
        return (
            "That's in the past. I record interviews ahead so I can help you prepare; for one "
            f"that happened, use <code>/move {n} interview</code> and /note. Nothing was changed."
        )
    if found == Problem.TOO_FAR:
        return (
            "That's more than two years away, so I can't plan prep for it. Check the date "
            f"(e.g. <code>/interview {n} 2026-12-01 09:30</code>). Nothing was changed."
        )
    if found == Problem.NOTHING_TO_MOVE:
        return (
            f"#{n} has no upcoming interview to move. Record one with "
            f"<code>/interview {n} tomorrow 14:00</code>. Nothing was changed."
        )
    return f"That interview is already recorded for #{n}. Nothing was changed."


def _interview_saved(profile: Profile, context: BotContext, app: JobApplication, recorded: interviews.Recorded) -> str:
    tz = _tz(profile, context)
    when = local_moment(recorded.moment, tz)
    if recorded.moved_from is not None:
        was = local_moment(recorded.moved_from, tz)
        headline = f"📅 Moved the interview for #{app.number} from {was} to <b>{when}</b>: {app_title(app)}"
    else:
        headline = f"📅 Interview recorded: {app_title(app)} on <b>{when}</b>"
    others = ""
    if recorded.others:
        others = (
            f"\n#{app.number} now has {plural(recorded.others + 1, 'upcoming interview')} (/interview lists "
            f"them). To reschedule instead: <code>/interview {app.number} move fri 10:00</code>."
        )
    tip = (
        ""
        if profile.pitch and profile.values and profile.questions
        else "\nTip: set your /pitch, /values and /questions so the prep notes have them."
    )
    return (
        f"{headline} ({esc(_zone(profile, context))}).\n"
        f"{prep_promise(*_preps(profile, context, app, recorded.moment))}{others}{tip}"
    )


async def _cancel_interviews(update: Update, context: BotContext, profile: Profile, app: JobApplication) -> None:
    """``/interview N cancel``: drop every upcoming interview of N, with its prep and check-in."""
    tz = _tz(profile, context)
    dropped = interviews.cancel_upcoming(app, context.now(), lambda m: local_moment(m, tz))
    if not dropped:
        await reply(update, f"#{app.number} has no upcoming interview. Nothing was changed.")
        return
    context.repo.save_application(profile.user_id, app, f"cancelled interview for #{app.number}")
    changed(context, profile.user_id)
    times = ", ".join(local_moment(m, tz) for m in dropped)
    await reply(
        update,
        f"Cancelled {plural(len(dropped), 'upcoming interview')} for {app_title(app)} "
        f"({times}); no prep reminders for {'it' if len(dropped) == 1 else 'them'}.",
    )


# -- buttons on reminders ------------------------------------------------------------------------


async def _button_app(
    update: Update, context: BotContext
) -> tuple[CallbackQuery, Profile, JobApplication, list[str]] | None:
    """For ``<area>:<action>:<n>[:more]`` buttons: the query, profile, application n and the rest.

    When n is missing or the application is gone, answers "no longer exists" and returns None.
    """
    query = update.callback_query
    assert query is not None and query.data is not None
    _, _, args = decode(query.data)
    profile = profile_of(update, context)
    numbers = int_args(args, 1)
    app = context.repo.get_application(profile.user_id, numbers[0]) if numbers else None
    if app is None:
        await answer(query, "That application no longer exists.", alert=True)
        return None
    return query, profile, app, args[1:]


CHECK_IN_HEADLINES = {
    CheckIn.SECOND_ROUND: "➡ On to the next round: moved to <b>Second interview</b>. Well done!",
    CheckIn.ANOTHER_ROUND: "➡ Another round. Well done! Record it with /interview when you know the date.",
    CheckIn.OFFER: "🎉 An offer! Moved to <b>Offer</b>.",
    CheckIn.REJECTED: "✖ Rejected. That stings; every interview is practice for the one that works.",
    CheckIn.WAITING: "⏳ No news yet. I'll keep it in your in-flight count.",
}


class LessonFlow:
    """ "How did it go?" -> a button -> "one lesson learned?" -> the next text is stored as a note.

    The core's /cancel handler answers in group 0; ``forget`` (group 1) drops our question too.
    Any other command moves on: once it has answered, ``interrupted`` (group 1) drops the question
    and says so, like an open add or note question, so later text is never a surprise lesson.
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
        found = await _button_app(update, context)
        if found is None:
            return
        query, profile, app, rest = found
        choice = rest[0] if rest else ""
        if choice not in CHECK_IN_CHOICES:
            await answer(query, "That button is out of date.", alert=True)
            return
        before = len(app.history)
        try:
            headline = CHECK_IN_HEADLINES[interviews.check_in(app, choice, context.now())]
        except InvalidMove as error:
            await answer(query, str(error)[:200], alert=True)
            return
        if len(app.history) != before:
            context.repo.save_application(profile.user_id, app, f"interview check-in for #{app.number}")
            changed(context, profile.user_id)
        await answer(query)
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
        moves.add_note(app, update.effective_message.text or "", context.now(), kind="lesson")  # kept whole
        context.repo.save_application(profile.user_id, app, f"lesson on #{app.number}")
        changed(context, profile.user_id)
        await reply(update, f"📝 Lesson kept with {app_title(app)}. It'll be in your next prep notes.")

    async def interrupted(self, update: Update, context: BotContext) -> None:
        """Another command while we wait for a lesson: stop waiting, and say so (not when it expired)."""
        if update.effective_user is None:
            return
        waiting = self._stop(context, update.effective_user.id)
        if waiting is not None and context.now() - waiting[1] <= LESSON_TTL:
            await reply(update, "I'll skip the lesson this time.")

    async def forget(self, update: Update, context: BotContext) -> None:
        """/cancel while we wait for a lesson: stop waiting (the core already replied)."""
        if update.effective_user is not None:
            self._stop(context, update.effective_user.id)


async def still_waiting(update: Update, context: BotContext) -> None:
    """``acc:wait:<n>``: the answer to "still waiting or ghosted?"."""
    found = await _button_app(update, context)
    if found is None:
        return
    query = found[0]
    await answer(query, "OK, still waiting")
    await edit(
        update,
        "⏳ Still waiting: fingers crossed. I won't ask about this one again; /ghosted N when you give up on it.",
    )


async def pause_button(update: Update, context: BotContext) -> None:
    """``acc:pause`` (offered with the congratulations on an accepted offer) and ``acc:resume``."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, action, _ = decode(query.data)
    profile = profile_of(update, context)
    # Read, change and save with no await in between (STYLE §6); answer afterwards.
    if action == "resume":
        _resume(context, profile)
        text = "▶ Nudges and reminders are on again."
    else:
        settings_rules.pause(profile, None)
        _save(context, profile)
        text = _paused_message(None) + " Enjoy the new job! 🎉"
    await answer(query)
    await edit(update, text)


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
            CommandHandler("ask", ask_at_interview),
            CommandHandler("takehome", record_take_home),
            CallbackQueryHandler(take_home_button, pattern=r"^acc:th:"),
            CallbackQueryHandler(lessons.check_in, pattern=r"^acc:ci:"),
            CallbackQueryHandler(still_waiting, pattern=r"^acc:wait:"),
            CallbackQueryHandler(pause_button, pattern=r"^acc:(pause|resume)$"),
            CallbackQueryHandler(nudge_button, pattern=r"^nud:"),
            CallbackQueryHandler(settings_button, pattern=r"^cfg:"),
            CallbackQueryHandler(interview_reading_tapped, pattern=r"^alt:ivw:"),
            MessageHandler(filters.TEXT & ~filters.COMMAND & lessons.waiting, lessons.save),
        ],
        # Group 1 runs after group 0 answered: /cancel also ends a pending lesson question, and any
        # other command ends it with a word.
        1: [
            CommandHandler("cancel", lessons.forget, filters=lessons.waiting),
            MessageHandler(filters.COMMAND & lessons.waiting, lessons.interrupted),
        ],
    }


async def post_init(app: Any) -> None:
    """Create the scheduler, rebuild the index from storage and start the repeating tick."""
    scheduler = Scheduler(app, render_reminder)
    app.bot_data["scheduler"] = scheduler
    scheduler.start()


# -- short-notice interviews -------------------------------------------------------------------------


def _preps(
    profile: Profile, context: BotContext, app: JobApplication, moment: datetime
) -> tuple[list[Reminder], list[Reminder]]:
    sent = context.repo.sent_reminders(profile.user_id)
    return interview_prep(profile, app, moment, sent, context.now(), _tz(profile, context))


async def _prep_at_once(
    update: Update, context: BotContext, profile: Profile, app: JobApplication, moment: datetime
) -> None:
    """An interview under two hours away: its prep goes out now, recorded as the scheduler would (once)."""
    prep = next((r for r in _preps(profile, context, app, moment)[0] if r.kind == Kind.PREP_SOON), None)
    if prep is None:
        return
    tz, now = _tz(profile, context), context.now()
    context.repo.mark_reminder(profile.user_id, prep.key, now, "sending")  # no await since the check
    apps = context.repo.list_applications(profile.user_id)
    await reply(update, *render_prep(app, prep, profile, tz, now.astimezone(tz).date(), apps))
    context.repo.mark_reminder(profile.user_id, prep.key, context.now(), "sent")
    changed(context, profile.user_id)


PREP_LESSONS = 3  # the newest lessons of the whole search in every prep note


def _lesson_text(lesson: Lesson, app: JobApplication) -> str:
    """A lesson for the prep: one from another application says which ("#2 Globex: …")."""
    return lesson.text if lesson.number == app.number else f"#{lesson.number} {lesson.company}: {lesson.text}"


# -- per-application interview questions (hunt: closing the loop) ------------------------------------------


async def ask_at_interview(update: Update, context: BotContext) -> None:
    """/ask N question: a question for #N's interviews (its prep lists it first); /ask N lists them."""
    args = context.args or []
    app = await find_app(update, context, args, "/ask 3 How is on-call shared?")
    if app is None:
        return
    message = update.effective_message.text or "" if update.effective_message else ""
    typed = text_after(message, 2)
    if not typed:
        profile = profile_of(update, context)
        own = [n.text for n in app.notes if n.kind == "question"]
        lines = [f"❓ <b>Questions to ask</b> at {app_title(app)}"]
        bullets, _ = _quotes(interviews.questions_for(app, profile.questions)[:10], PREP_ITEM_CHARS * 2)
        lines.extend(bullets or ["(none yet)"])
        lines.append(
            f"\n{plural(len(own), 'question')} for #{app.number} alone; add one: "
            f"<code>/ask {app.number} How is on-call shared?</code>. For every interview: /questions"
        )
        await reply(update, clip("\n".join(lines), PREP_SCREEN))
        return
    try:
        moves.add_note(app, typed, context.now(), kind="question")
    except InvalidMove as error:
        await reply(update, esc(error))
        return
    profile = profile_of(update, context)
    context.repo.save_application(profile.user_id, app, f"question for #{app.number}")
    changed(context, profile.user_id)
    await reply(update, f"❓ Question kept for {app_title(app)}: it leads the questions in its interview prep.")


# -- a technical test or take-home with its own deadline (hunt: closing the loop) -----------------------


def render_take_home(app: JobApplication, reminder: Reminder, today: date, tz: ZoneInfo) -> Rendered | None:
    """The take-home reminder; None when the deadline changed or the task was submitted since."""
    if app.take_home_due is None or app.take_home_due != reminder.moment or app.is_closed:
        return None
    when = _prep_when(app.take_home_due, today, tz)
    text = f"🧪 <b>Take-home due {when}</b>: {app_title(app)}\nTap ✅ once you've sent it in."
    return text, keyboard([button("✅ Submitted", "acc", "th", app.number, "done")])


def _take_home_line(app: JobApplication, today: date, tz: ZoneInfo) -> str:
    due = app.take_home_due
    return f"• {app_title(app)}: due {_prep_when(due, today, tz)}" if due else f"• {app_title(app)}"


async def record_take_home(update: Update, context: BotContext) -> None:
    """/takehome N <deadline> records a technical test or take-home; ``done`` or ``cancel`` ends it; alone: the list."""
    args = context.args or []
    profile = profile_of(update, context)
    tz, now = _tz(profile, context), context.now()
    today = now.astimezone(tz).date()
    if not args:
        pending = sorted(
            (a for a in context.repo.list_applications(profile.user_id) if a.is_open and a.take_home_due),
            key=lambda a: a.take_home_due or now,
        )
        lines = ["🧪 <b>Take-homes due</b>", *(_take_home_line(a, today, tz) for a in pending[:INTERVIEW_LIST_MAX])]
        if not pending:
            lines = ["No take-home or technical test on record. Add one: <code>/takehome 3 fri 18:00</code>"]
        await reply(update, clip("\n".join(lines), PREP_SCREEN))
        return
    app = await find_app(update, context, args, "/takehome 3 fri 18:00")
    if app is None:
        return
    text = " ".join(args[1:])
    try:
        if text.lower() in ("done", "submitted", "sent", "cancel", "cancelled", "off", "none"):
            how = "submitted" if text.lower() in ("done", "submitted", "sent") else "cancelled"
            interviews.end_take_home(app, now, how)
            headline = f"🧪 Take-home for {app_title(app)} {how}. No more reminders about it."
        else:
            order = onboarding.order_for(profile, context)
            due = interviews.take_home_deadline(text, now.astimezone(tz), order=order) if text else None
            if due is None:
                await reply(
                    update,
                    f"When is it due? E.g. <code>/takehome {app.number} fri 18:00</code> or "
                    f"<code>/takehome {app.number} 2026-12-04</code> (a day alone means 23:59). Nothing was changed.",
                )
                return
            interviews.set_take_home(app, due, now, lambda moment: local_moment(moment, tz))
            headline = (
                f"🧪 Take-home for {app_title(app)} due {_prep_when(due, today, tz)}. "
                "I'll remind you the morning before and the morning it's due."
            )
    except InvalidMove as error:
        await reply(update, esc(error))
        return
    context.repo.save_application(profile.user_id, app, f"take-home for #{app.number}")
    changed(context, profile.user_id)
    await reply(update, headline)


async def take_home_button(update: Update, context: BotContext) -> None:
    """``acc:th:<n>:done``: the take-home was sent in; its reminders stop."""
    found = await _button_app(update, context)
    if found is None:
        return
    query, profile, app, _ = found
    try:
        interviews.end_take_home(app, context.now(), "submitted")
    except InvalidMove as error:
        await answer(query, str(error)[:200], alert=True)
        return
    context.repo.save_application(profile.user_id, app, f"take-home for #{app.number}")
    changed(context, profile.user_id)
    await answer(query, "Submitted")
    await edit(update, f"🧪 Take-home for {app_title(app)} submitted. Fingers crossed!")
