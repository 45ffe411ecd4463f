"""The settings and interview texts: /settings, /nudges, /target, /pause, /pitch and friends,
/interview and the check-in after an interview."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain import interviews, settings_rules
from bot.domain.dates import ORDER_NAMES, WEEKDAYS, DateOrder, NumericDate, date_order_for
from bot.domain.interviews import CheckIn, Problem
from bot.domain.models import JobApplication, Profile, Slot
from bot.domain.reminders import CATCH_UP, interviews_ahead, is_paused
from bot.domain.settings_rules import NUDGE_NAMES
from bot.domain.weekly import WeekStatus, streak_including_this_week
from bot.domain.words import plural
from bot.views.cards import app_title
from bot.views.markup import Rendered, button, clip, esc, keyboard, local_moment, reason, short_day
from bot.views.onboarding import reading_note
from bot.views.reminders import bold, moment_text, weeks

SLOT_TITLES = {"plan": "Weekly plan", "check": "Mid-week check", "review": "Weekly review"}
INTERVIEW_LIST_MAX = 20


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
        f"Weekly target: {bold(profile.target_per_week, 'application')}; in flight: "
        f"<b>{profile.target_in_flight}</b> (/target)",
        f"Nudges: {pause_text(profile, now, tz)} · plan {slot_text(profile.plan)} · check "
        f"{slot_text(profile.check)} · review {slot_text(profile.review)} (/nudges)",
        f"Silent applications: follow-up after {bold(profile.follow_up_days, 'day')}, "
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


def paused_message(until: date | None) -> str:
    if until is None:
        return "⏸ Paused: no nudges or reminders until you /resume."
    return f"⏸ Paused until {short_day(until)}: no nudges or reminders before then. /resume any time."


STEP_TITLES = {"tgt": "Target", "fly": "In flight", "fu": "Follow-up"}


def at_bound(profile: Profile, action: str, step: int) -> str:
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


PITCH_EXAMPLE = "I help teams ship reliable systems"
VALUES_EXAMPLE = "remote-first; mentoring; calm on-call"
QUESTIONS_EXAMPLE = "How is on-call shared?; Team size?"


def example_sentence(command: str, example: str) -> str:
    """ "E.g. <code>/values a; b</code>." as a sentence: a full stop unless the example already ends one."""
    stop = "" if example.endswith(("?", "!", ".")) else "."
    return f"E.g. <code>/{command} {esc(example)}</code>{stop}"


def pitch_shown(pitch: str) -> str:
    """/pitch alone: the pitch, and how to set or clear it."""
    shown = esc(pitch) if pitch else "none yet"
    return (
        f"<b>Your pitch</b>: {shown}\nSet it: <code>/pitch {PITCH_EXAMPLE}…</code> "
        "(<code>/pitch clear</code> removes it)."
    )


def items_shown(title: str, field: str, items: Sequence[str], example: str) -> str:
    """/values or /questions alone: the list, and how to set or clear it."""
    shown = "\n".join(f"• {esc(i)}" for i in items) or "none yet"
    return (
        f"<b>{title}</b>\n{shown}\nSet them: <code>/{field} {esc(example)}</code> "
        f"(<code>/{field} clear</code> removes them)."
    )


def what_time(number: int, text: str, move: bool) -> str:
    """/interview N tomorrow: a day without a time."""
    verb = f"/interview {number} move" if move else f"/interview {number}"
    return f"What time? E.g. <code>{verb} {esc(text)} 14:00</code>. Nothing was changed."


def interview_list(apps: Sequence[JobApplication], now: datetime, tz: ZoneInfo) -> str:
    ahead = interviews_ahead(apps, now - CATCH_UP)
    if not ahead:
        return (
            "No interviews coming up. Record one: <code>/interview 3 tomorrow 14:00</code> and I'll help you prepare."
        )
    lines = ["<b>Interviews coming up</b>"]
    lines.extend(f"• {moment_text(m, tz)}: {app_title(a)}" for m, a in ahead[:INTERVIEW_LIST_MAX])
    if len(ahead) > INTERVIEW_LIST_MAX:
        lines.append(f"… and {len(ahead) - INTERVIEW_LIST_MAX} more later.")
    return clip("\n".join(lines))


OTHER_DAY_PROBLEMS = {
    Problem.CLOSED: "the application is closed",
    Problem.PAST: "that day has passed",
    Problem.TOO_FAR: "that's over two years away",
}


def interview_saved_two_way(
    saved: str, found: NumericDate, order: DateOrder, number: int, read: datetime, other: datetime
) -> Rendered:
    """The interview as saved, how its two-way date was read, and a button for the other reading."""
    stamps = (int(read.timestamp()), int(other.timestamp()))
    label = f"📅 I meant {found.other:%-d %b %Y}" if found.other else "📅 I meant the other day"
    return (
        f"{saved}\n{reading_note(found, order)}",
        keyboard([button(label, "alt", "ivw", number, *stamps)]),
    )


def interview_problem(app: JobApplication, text: str, found: Problem | None, move: bool) -> str:
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


def interview_saved(
    profile: Profile, zone: str, tz: ZoneInfo, app: JobApplication, recorded: interviews.Recorded, promise: str
) -> str:
    """What /interview says once it recorded (or moved) an interview; ``promise`` says which preps will come."""
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
    return f"{headline} ({esc(zone)}).\n{promise}{others}{tip}"


CHECK_IN_HEADLINES = {
    CheckIn.SECOND_ROUND: "➡ On to the next round: moved to <b>Second interview</b>. Well done!",
    CheckIn.ANOTHER_ROUND: "➡ Another round. Well done! Record it with /interview when you know the date.",
    CheckIn.OFFER: "🎉 An offer! Moved to <b>Offer</b>.",
    CheckIn.REJECTED: "✖ Rejected. That stings; every interview is practice for the one that works.",
    CheckIn.WAITING: "⏳ No news yet. I'll keep it in your in-flight count.",
}


LESSON_QUESTION = (
    "What's <b>one lesson</b> you take from this interview? Reply with a "
    "sentence and I'll keep it with the application (/cancel to skip)."
)


def lesson_kept(app: JobApplication) -> str:
    return f"📝 Lesson kept with {app_title(app)}. It'll be in your next prep notes."


def interviews_cancelled(app: JobApplication, dropped: Sequence[datetime], tz: ZoneInfo) -> str:
    """/interview N cancel: how many went, and when they were."""
    times = ", ".join(local_moment(m, tz) for m in dropped)
    return (
        f"Cancelled {plural(len(dropped), 'upcoming interview')} for {app_title(app)} "
        f"({times}); no prep reminders for {'it' if len(dropped) == 1 else 'them'}."
    )


def target_now(profile: Profile) -> str:
    return (
        f"Your target: {bold(profile.target_per_week, 'application')} a week, "
        f"<b>{profile.target_in_flight}</b> in flight. Change it: "
        "<code>/target 3</code> or <code>/target 3 2</code>."
    )


def target_set(profile: Profile) -> str:
    return f"Target set: <b>{profile.target_per_week}</b> a week, <b>{profile.target_in_flight}</b> in flight."


def streak_text(week: WeekStatus) -> str:
    """/streak: weeks in a row on target (this week once it is met), this week so far, the buffer."""
    streak = streak_including_this_week(week)
    fire = "🔥 " if streak else ""
    included = ", this week included" if week.met else ""
    so_far = "target met" if week.met else f"{week.needed} to go"
    return (
        f"{fire}Streak: <b>{weeks(streak)}</b> in a row on target ({week.target} a week){included}."
        f"\nThis week: {week.applied} sent, {so_far}. Buffer: {week.buffer}."
    )


def pause_refused(error: Exception) -> str:
    return (
        f"{reason(error)} Try <code>/pause</code>, <code>/pause until monday</code> or "
        "<code>/pause for 2 weeks</code>. Nothing was changed."
    )


def follow_up_now(profile: Profile, *, refused: bool) -> str:
    return (
        f"Now: follow-up after {bold(profile.follow_up_days, 'day')} of silence, "
        f"“ghosted?” after <b>{profile.ghost_days}</b>. Change with e.g. "
        "<code>/followup 7 21</code> (the second number bigger, at most 180)."
        + (" Nothing was changed." if refused else "")
    )


def follow_up_set(profile: Profile) -> str:
    return f"Follow-up hint after {bold(profile.follow_up_days, 'day')}, “ghosted?” after <b>{profile.ghost_days}</b>."
