"""What the scheduled messages say: the weekly plan, the mid-week check, the review, closing dates,
silent applications, interview prep and the check-in after an interview.

``render_reminder`` is the scheduler's renderer (``bot/app.py`` hands it over).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.domain.interviews import questions_for
from bot.domain.lessons import GAP_CHARS, Lesson, all_lessons, gaps
from bot.domain.models import JobApplication, Profile
from bot.domain.notes import brief
from bot.domain.reminders import Kind, Reminder, Standing, planned_week, standing
from bot.domain.weekly import WeekStatus, streak_including_this_week
from bot.domain.words import plural
from bot.views.cards import app_title, closing_phrase
from bot.views.markup import Rendered, button, clip, days_until, esc, keyboard, local_moment, short_day

UTC_ZONE = ZoneInfo("UTC")


def applied_buttons(apps: Sequence[JobApplication]) -> list[list[Any]]:
    """✅ buttons that mark prospects applied (the core's ``app:adv:<n>:0``)."""
    return [[button(f"✅ Applied to #{a.number}", "app", "did", a.number)] for a in apps]


def _prospect_line(app: JobApplication, today: date) -> str:
    fit = f"fit {app.fit}" if app.fit is not None else "unrated"
    closes = f" · closes {closing_phrase(app.closes_on, today)}" if app.closes_on else ""
    return f"#{app.number} <b>{esc(app.company)}</b> — {esc(app.role)} · {fit}{closes}"


def bold(count: int, noun: str) -> str:
    """``<b>2</b> applications``: ``words.plural`` with the number in bold."""
    number, _, words = plural(count, noun).partition(" ")
    return f"<b>{number}</b> {words}"


def weeks(count: int) -> str:
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
        f"Target: {bold(week.target, 'application')}.",
    ]
    if week.buffer:
        lines.append(f"Buffer: {week.buffer} carried over from strong weeks, so <b>{week.needed}</b> to go.")
    streak = weeks(streak_including_this_week(week))
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
        lines.append(f"Target of {week.target}: ✅ met{carried}. Streak: {weeks(streak_including_this_week(week))}.")
    else:
        lines.append(f"Target of {week.target}: missed by {week.needed}. New week, fresh start.")
    f = seen.funnel
    lines.append(
        f"Funnel so far: {seen.saved} saved → {f.applied} applied → {f.responded} replied "
        f"→ {f.interviewed} interviewed → {plural(f.offered, 'offer')}"
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


def moment_text(moment: datetime, tz: ZoneInfo) -> str:
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
        ("Questions to ask", questions_for(app, profile.questions), "/questions"),
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
    if reminder.kind in (Kind.TAKE_HOME_SOON, Kind.TAKE_HOME_DUE):
        return render_take_home(app, reminder, today, tz)
    if reminder.kind in (Kind.CLOSE_SOON, Kind.CLOSE_TODAY):
        return render_closing(app, reminder, today)
    if reminder.kind in (Kind.FOLLOW_UP, Kind.GHOST):
        return render_silent(app, reminder, today)
    if reminder.kind in (Kind.PREP_EVENING, Kind.PREP_SOON):
        return render_prep(app, reminder, profile, tz, today, apps)
    return render_check_in(app)


PREP_LESSONS = 3  # the newest lessons of the whole search in every prep note


def _lesson_text(lesson: Lesson, app: JobApplication) -> str:
    """A lesson for the prep: one from another application says which ("#2 Globex: …")."""
    return lesson.text if lesson.number == app.number else f"#{lesson.number} {lesson.company}: {lesson.text}"


def render_take_home(app: JobApplication, reminder: Reminder, today: date, tz: ZoneInfo) -> Rendered | None:
    """The take-home reminder; None when the deadline changed or the task was submitted since."""
    if app.take_home_due is None or app.take_home_due != reminder.moment or app.is_closed:
        return None
    when = _prep_when(app.take_home_due, today, tz)
    text = f"🧪 <b>Take-home due {when}</b>: {app_title(app)}\nTap ✅ once you've sent it in."
    return text, keyboard([button("✅ Submitted", "acc", "th", app.number, "done")])


TAKE_HOME_LIST_MAX = 20


def take_homes_list(apps: Sequence[JobApplication], today: date, tz: ZoneInfo) -> str:
    """/takehome alone: the open take-homes, soonest first (``apps`` in that order)."""
    if not apps:
        return "No take-home or technical test on record. Add one: <code>/takehome 3 fri 18:00</code>"
    lines = ["🧪 <b>Take-homes due</b>"]
    for app in apps[:TAKE_HOME_LIST_MAX]:
        due = app.take_home_due
        lines.append(f"• {app_title(app)}: due {_prep_when(due, today, tz)}" if due else f"• {app_title(app)}")
    return clip("\n".join(lines), PREP_SCREEN)


def take_home_when(app: JobApplication) -> str:
    return (
        f"When is it due? E.g. <code>/takehome {app.number} fri 18:00</code> or "
        f"<code>/takehome {app.number} 2026-12-04</code> (a day alone means 23:59). Nothing was changed."
    )


def take_home_ended(app: JobApplication, how: str) -> str:
    """A take-home submitted (or cancelled): its reminders stop."""
    return f"🧪 Take-home for {app_title(app)} {how}. No more reminders about it."


def question_kept(app: JobApplication) -> str:
    return f"❓ Question kept for {app_title(app)}: it leads the questions in its interview prep."


def take_home_due_text(app: JobApplication, today: date, tz: ZoneInfo) -> str:
    """The confirmation of /takehome N deadline."""
    due = app.take_home_due
    when = _prep_when(due, today, tz) if due else "(none)"
    return f"🧪 Take-home for {app_title(app)} due {when}. I'll remind you the morning before and the morning it's due."


def questions_list(app: JobApplication, questions: Sequence[str], own: int) -> str:
    """/ask N alone: #N's questions (its own first), and how to add one."""
    lines = [f"❓ <b>Questions to ask</b> at {app_title(app)}"]
    bullets, _ = _quotes(questions[:10], PREP_ITEM_CHARS * 2)
    lines.extend(bullets or ["(none yet)"])
    lines.append(
        f"\n{plural(own, 'question')} for #{app.number} alone; add one: "
        f"<code>/ask {app.number} How is on-call shared?</code>. For every interview: /questions"
    )
    return clip("\n".join(lines), PREP_SCREEN)
