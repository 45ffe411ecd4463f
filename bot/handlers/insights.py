"""Insights: /funnel, /stats, /week, /report, /chart, /export and /import (CSV files in and out).

Handlers parse, ask bot.domain.funnel / csvio for the numbers, and send; the ``_*_text`` helpers
below turn those numbers into escaped HTML. Charts render in a worker thread (bot.charts holds
the lock that keeps matplotlib to one render at a time).
"""

from __future__ import annotations

import asyncio
import html
import io
import logging
from collections.abc import Sequence
from datetime import date
from typing import Any

from telegram import Document, File, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import charts
from bot.callback_data import decode, int_args
from bot.context import BotContext
from bot.domain import csvio, funnel, lessons
from bot.domain.dates import ORDER_NAMES
from bot.domain.lessons import GAP_CHARS
from bot.domain.models import JobApplication, Profile
from bot.domain.notes import brief
from bot.domain.numbers import parse_int
from bot.domain.stages import Stage, stage_legend
from bot.domain.weekly import WeekStatus, recent_weeks, started_on, streak_including_this_week, week_status
from bot.handlers.common import answer, changed, edit, profile_of, reply, today_for
from bot.handlers.onboarding import order_for
from bot.rendering import button, clip, esc, keyboard, short_day, utf16_len

logger = logging.getLogger(__name__)

DEFAULT_WEEKS = 8
MAX_WEEKS = 52
PROGRESS_ROWS = 500  # files with more rows than this show progress by editing one message
PROGRESS_BATCH = 1000
PHONE_SCREEN = 1500  # a reply longer than one phone screen is cut, and the whole report sent as a file
_WAIT_LABELS = {
    (Stage.PROSPECT, Stage.APPLIED): "Saved → applied",
    (Stage.APPLIED, Stage.RESPONDED): "Applied → first response",
    (Stage.RESPONDED, Stage.INTERVIEW): "Response → interview",
    (Stage.INTERVIEW, Stage.OFFER): "Interview → offer",
}
_CSV_MIME = {
    "text/csv",
    "text/comma-separated-values",
    "application/csv",
    "text/x-csv",
    "text/plain",
    "text/tab-separated-values",
}
NO_APPS = "No applications yet. Add one: <code>/add Acme - Senior SRE</code>"
_SETTLED = {"go": "Already imported.", "no": "Already cancelled: send the file again to import it."}


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{round(rate * 100)}%"


def _days(value: float) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text} day" if text == "1" else f"{text} days"


_plural = funnel.plural


def _apps_and_tz(update: Update, context: BotContext) -> tuple[Profile, list[JobApplication], Any]:
    profile = profile_of(update, context)
    apps = context.repo.list_applications(profile.user_id)
    return profile, apps, context.user_tz(profile.timezone)


# -- /funnel ---------------------------------------------------------------------------------


async def show_funnel(update: Update, context: BotContext) -> None:
    """/funnel: the headline sentence, then counts, rates, waits, inertia and outcomes."""
    _, apps, _ = _apps_and_tz(update, context)
    await reply(update, _funnel_text(funnel.funnel(apps)) if apps else NO_APPS)


def _funnel_text(f: funnel.Funnel) -> str:
    r = f.rates
    lines = ["<b>Your funnel</b>", esc(f.headline), ""]
    lines.append(f"<b>Rates per application</b> ({_plural(r.applied, 'application')} sent)")
    lines.append(f"Response {_pct(r.response_rate)} · Interview {_pct(r.interview_rate)} · Offer {_pct(r.offer_rate)}")
    lines += ["", "<b>How far they got</b> (share of the stage before)"]
    for row in f.stages:
        share = f" ({_pct(row.conversion)})" if row.stage > Stage.APPLIED else ""
        lines.append(f"{esc(row.stage.label)}: {row.count}{share}")
    lines += ["", "<b>Not applied yet</b>"]
    applied_from = f.saved_as_prospect - f.prospects_open - f.prospects_dropped
    saved = (
        "1 job saved as a prospect" if f.saved_as_prospect == 1 else (f"{f.saved_as_prospect} jobs saved as prospects")
    )
    lines.append(
        f"{saved}, {applied_from} applied to ({_pct(f.stages[0].conversion)}); "
        f"{f.prospects_open} waiting, {f.prospects_dropped} dropped."
    )
    if f.waits:
        lines += ["", "<b>Typical wait</b> (median)"]
        for wait in f.waits:
            label = _WAIT_LABELS[(wait.start, wait.end)]
            lines.append(f"{label}: {_days(wait.median_days)} (from {_plural(wait.samples, 'application')})")
    lines += ["", "<b>Outcomes</b>"]
    lines.append(" · ".join(f"{o.state.capitalize()} {o.count}" for o in f.outcomes if o.count) or "None yet")
    for outcome in f.outcomes:
        if outcome.reasons:
            shown = ", ".join(f"{esc(reason[:60])} {n}" for reason, n in outcome.reasons[:6])
            more = f", +{len(outcome.reasons) - 6} more" if len(outcome.reasons) > 6 else ""
            lines.append(f"{outcome.state.capitalize()}: {shown}{more}")
    lines.append("\nBy segment: /stats track, /stats camp, /stats source. Picture: /chart")
    return clip("\n".join(lines))


# -- /stats ----------------------------------------------------------------------------------


async def show_stats(update: Update, context: BotContext) -> None:
    """/stats track|camp|source: the rates per segment, best and worst named."""
    by = (context.args or ["track"])[0].lower()
    if by in REASON_WORDS:
        await reply(update, _reasons_text(_apps_and_tz(update, context)[1]))
        return
    if by not in funnel.SEGMENT_FIELDS:
        await reply(
            update,
            "Split by what? <code>/stats track</code>, <code>/stats camp</code>, <code>/stats source</code> "
            "or <code>/stats reasons</code>.",
        )
        return
    _, apps, _ = _apps_and_tz(update, context)
    await reply(update, _stats_text(funnel.segment_stats(apps, by)) if apps else NO_APPS)


def _stats_text(result: funnel.Segments) -> str:
    lines = [f"<b>By {result.by}</b>: applications · response · interview · offer"]
    small = False
    for seg in result.segments[:30]:
        r = seg.rates
        if r.applied == 0:
            lines.append(f"{esc(seg.name)}: no applications yet · {_plural(seg.prospects, 'prospect')}")
            continue
        flag = " ⚠" if seg.small else ""
        small = small or seg.small
        lines.append(
            f"<b>{esc(seg.name)}</b>: {r.applied} · {_pct(r.response_rate)} · "
            f"{_pct(r.interview_rate)} · {_pct(r.offer_rate)}{flag}"
        )
    if len(result.segments) > 30:
        lines.append(f"…and {len(result.segments) - 30} more.")
    lines.append("")
    if result.best is not None and result.worst is not None:
        best, worst = result.best, result.worst
        lines.append(
            f"Best: <b>{esc(best.name)}</b> (interview {_pct(best.rates.interview_rate)}, "
            f"response {_pct(best.rates.response_rate)}). Worst: <b>{esc(worst.name)}</b> "
            f"(interview {_pct(worst.rates.interview_rate)}, "
            f"response {_pct(worst.rates.response_rate)})."
        )
        if result.tentative:
            lines.append("These rest on small numbers: treat them as a hint, not a verdict.")
    else:
        lines.append("No clear best or worst yet.")
    if small:
        lines.append(f"⚠ fewer than {funnel.SMALL_SAMPLE} applications: too few to be sure.")
    other = [f"/stats {name}" for name in funnel.SEGMENT_FIELDS if name != result.by]
    lines.append(f"Also: {', '.join(other)}")
    return clip("\n".join(lines))


# -- /week -----------------------------------------------------------------------------------


def _read_weeks(args: Sequence[str], default: int) -> int | None:
    if not args:
        return default
    weeks = parse_int(args[0])
    return weeks if weeks is not None and 1 <= weeks <= MAX_WEEKS else None


async def show_week(update: Update, context: BotContext) -> None:
    """/week [N]: applications per week against the target for the last N weeks, and the streak."""
    weeks = _read_weeks(context.args or [], DEFAULT_WEEKS)
    if weeks is None:
        await reply(update, f"How many weeks? 1 to {MAX_WEEKS}, e.g. <code>/week 12</code>.")
        return
    profile, apps, tz = _apps_and_tz(update, context)
    now = context.now()
    since = started_on(profile, tz)
    rows = funnel.week_rows(apps, tz, profile.target_per_week, now, weeks, since=since)
    status = week_status(apps, tz, profile.target_per_week, now, since=since)
    await reply(update, _week_text(rows, status))


def _week_text(rows: Sequence[funnel.WeekRow], status: WeekStatus) -> str:
    target = status.target
    lines = [f"<b>Applications per week</b> (target {target}; weeks start Monday)", "<pre>"]
    for row in rows:
        mark = ("✓" if row.met else " ") if row.counted else "·"
        bar = "▇" * min(row.applied, 20)
        lines.append(f"{row.monday.day:>2} {row.monday:%b} {mark} {row.applied:>2} {bar}")
    lines.append("</pre>")
    if status.met and status.applied < target:
        lines.append(f"This week: {status.applied} sent; your buffer covers the target.")
    elif status.met:
        lines.append(f"This week: {status.applied} sent, target met.")
    else:
        lines.append(f"This week: {status.applied} of {target} sent, {status.needed} to go.")
    if status.buffer:
        lines.append(f"Buffer: {_plural(status.buffer, 'application')} ahead from earlier weeks.")
    lines.append(_streak_line(status))
    lines.append("✓ = target met (counting the buffer). Picture: /chart weeks")
    if not all(row.counted for row in rows):
        lines.append("· = before you started with Funnelbot: not counted for buffer or streak.")
    return clip("\n".join(lines))


def _streak_line(status: WeekStatus) -> str:
    """The streak as the ✓ marks show it: this week counts once it is met."""
    if status.met:
        return f"Streak: {_plural(streak_including_this_week(status), 'week')} in a row on target, this week included."
    if status.streak:
        return f"Streak: {_plural(status.streak, 'week')} in a row on target; meet this week's target to extend it."
    return "Streak: none yet; meet this week's target to start one."


# -- /report ---------------------------------------------------------------------------------


async def send_report(update: Update, context: BotContext) -> None:
    """/report <from> [<to>]: every application sent in the period, as a message and a CSV.

    The dates may be ISO or phrases of several words (``/report nov 1 to nov 30``).
    """
    profile, apps, tz = _apps_and_tz(update, context)
    try:
        start, end = funnel.parse_period(
            context.args or [], today_for(profile, context), order=order_for(profile, context)
        )
    except funnel.PeriodError as error:
        await reply(update, esc(error))
        return
    rows = funnel.report_rows(apps, tz, start, end)
    period = _period(start, end)
    if not rows:
        await reply(update, f"No applications sent {period}.")
        return
    await reply(update, _report_text(rows, period))
    assert update.effective_chat is not None
    await update.effective_chat.send_document(
        document=csvio.report_csv(rows),
        filename=f"applications-{start.isoformat()}-to-{end.isoformat()}.csv",
        caption=f"{_plural(len(rows), 'application')} sent {period}.",
    )


def _period(start: date, end: date) -> str:
    """ "on Mon 2 Nov 2026", or "from Sun 1 Nov 2026 to Mon 30 Nov 2026"."""
    if start == end:
        return f"on {short_day(start)}"
    return f"from {short_day(start)} to {short_day(end)}"


def _report_text(rows: Sequence[funnel.ReportRow], period: str) -> str:
    lines = [f"<b>Applications sent {period}</b> ({len(rows)})"]
    for r in rows:
        lines.append(
            f"{r.applied_on.isoformat()} · #{r.number} <b>{esc(r.company)}</b> — {esc(r.role)} · {esc(r.status)}"
        )
    footer = "\nThe same list is in the CSV file below."
    return clip("\n".join(lines), 4096 - len(footer)) + footer


# -- /chart ----------------------------------------------------------------------------------


async def send_chart(update: Update, context: BotContext) -> None:
    """/chart: the fridge funnel as a picture; /chart weeks [N]: bars per week with the target."""
    args = [a.lower() for a in context.args or []]
    profile, apps, tz = _apps_and_tz(update, context)
    assert update.effective_chat is not None
    if args and args[0] in ("weeks", "week"):
        weeks = _read_weeks(args[1:], 12)
        if weeks is None:
            await reply(update, f"How many weeks? 1 to {MAX_WEEKS}, e.g. <code>/chart weeks 16</code>.")
            return
        series = recent_weeks(apps, tz, context.now(), weeks, since=started_on(profile, tz))
        png = await asyncio.to_thread(charts.render_weeks, series, profile.target_per_week)
        caption = f"Applications per week, last {_plural(len(series), 'week')} (target {profile.target_per_week})."
        await update.effective_chat.send_photo(photo=png, caption=caption)
        return
    by = args[0] if args and args[0] in charts.COLOUR_BY else "track"  # /chart camp: coloured by camp
    if args and args != [by]:
        await reply(
            update, "Try <code>/chart</code> for the funnel, <code>/chart camp</code> or <code>/chart weeks</code>."
        )
        return
    chart = charts.funnel_rows(apps, by=by)
    if not chart.rows:
        await reply(
            update,
            "Nothing to draw yet: the chart shows applications you've sent. "
            "Mark one applied with <code>/move 1 applied</code>.",
        )
        return
    png = await asyncio.to_thread(charts.render_funnel, apps, by=by)
    colours = " Colours: camp (grey: no camp)." if by == "camp" else ""
    await update.effective_chat.send_photo(photo=png, caption=_chart_caption(chart, apps) + colours)


def _chart_caption(chart: charts.FunnelChart, apps: Sequence[JobApplication]) -> str:
    total = len(chart.rows) + chart.hidden
    text = f"Your funnel: {_plural(total, 'application')} sent"
    if chart.hidden:
        text += f", showing the latest {len(chart.rows)}"
    prospects = sum(1 for a in apps if funnel.furthest(a) == Stage.PROSPECT)
    if prospects:
        text += f" ({_plural(prospects, 'prospect')} not shown)"
    return text + ". ✕ rejected · ★ accepted · ▶ still open"


# -- /export ---------------------------------------------------------------------------------


async def export_data(update: Update, context: BotContext) -> None:
    """/export: every application as a CSV file; /export ics: scheduled interviews as a calendar."""
    profile, apps, _ = _apps_and_tz(update, context)
    kind = (context.args or ["csv"])[0].lower()
    assert update.effective_chat is not None
    today = today_for(profile, context)
    if kind == "ics":
        if not any(app.interviews for app in apps):
            await reply(update, "No interviews scheduled, so there's no calendar to send.")
            return
        data = csvio.interviews_ics(apps, context.now(), profile.user_id)
        await update.effective_chat.send_document(
            document=data,
            filename=f"funnelbot-interviews-{today.isoformat()}.ics",
            caption="Your interviews: open the file to add them to your calendar.",
        )
        return
    if kind != "csv":
        await reply(update, "Try <code>/export</code> (CSV) or <code>/export ics</code> (interviews).")
        return
    if not apps:
        await reply(update, "Nothing to export yet. " + NO_APPS)
        return
    await update.effective_chat.send_document(
        document=csvio.export_csv(apps),
        filename=f"funnelbot-{today.isoformat()}.csv",
        caption=("Your application" if len(apps) == 1 else f"All {len(apps)} applications")
        + ". Send this file back any time to /import it.",
    )
    logger.info("insights.exported user=%s rows=%s", profile.user_id, len(apps))


# -- /import ---------------------------------------------------------------------------------

IMPORT_HELP = (
    "<b>Import applications</b>\n"
    "Send me a CSV file (attach it as a file). It can be a Funnelbot /export, or your own "
    "spreadsheet saved as “CSV UTF-8” with at least <b>company</b>, <b>role</b> and "
    "<b>stage</b> columns. Stage is a name (applied, interview…), a number 0–7 or a word like "
    "<i>Interviewing</i>, <i>No response</i> or <i>Wishlist</i>.\n"
    "Optional columns: link, track, camp, source, fit_contribute, fit_learn, closes_on, outcome, "
    "reason, notes, and a date per stage such as <b>applied_at</b> (or “date applied”).\n"
    f"Up to 1 MB and {csvio.MAX_ROWS:,} rows. I check every row first and save nothing until "
    "the file is clean or you say so; rows matching a saved company and role are skipped."
)


async def explain_import(update: Update, context: BotContext) -> None:
    """/import alone: what file to send."""
    await reply(update, IMPORT_HELP)


def _looks_like_csv(doc: Document) -> bool:
    name = (doc.file_name or "").lower()
    if not name and not doc.mime_type:
        return True  # nothing to go by: let the content decide
    return name.endswith((".csv", ".tsv", ".txt")) or (doc.mime_type or "") in _CSV_MIME


async def receive_import(update: Update, context: BotContext) -> None:
    """A CSV document (with or without an /import caption): check it, then import or ask."""
    message = update.effective_message
    assert message is not None and message.document is not None
    doc = message.document
    if not _looks_like_csv(doc):
        await reply(update, "That isn't a CSV file. Save your spreadsheet as “CSV UTF-8” and send it.")
        return
    if doc.file_size and doc.file_size > csvio.MAX_BYTES:
        await reply(update, _too_big(doc.file_size))
        return
    file = await context.bot.get_file(doc.file_id)
    if file.file_size and file.file_size > csvio.MAX_BYTES:
        await reply(update, _too_big(file.file_size))
        return
    data = await _download_capped(file)
    if data is None:
        await reply(update, _too_big(None))
        return
    profile, apps, tz = _apps_and_tz(update, context)  # read after the awaits: the data as it is now
    try:
        job = csvio.CsvImport(data, apps, tz, context.now(), order_for(profile, context))
    except csvio.ImportRefused as error:
        await reply(update, f"{esc(error)}\nNothing changed.")
        return
    status = await _check_with_progress(update, job)
    await _finish_import(update, context, job.plan, doc.file_name or "your file", status)


def _too_big(size: int | None) -> str:
    shown = f"{size / 1_000_000:.1f} MB" if size else "over 1 MB"
    return (
        f"That file is {shown}; I import up to 1 MB ({csvio.MAX_ROWS:,} rows). "
        "Split it and send the parts. Nothing changed."
    )


class _TooBig(Exception):
    """The download passed :data:`csvio.MAX_BYTES`."""


class _CappedBuffer(io.BytesIO):
    """A memory buffer that refuses to grow past :data:`csvio.MAX_BYTES`."""

    def write(self, data: Any, /) -> int:
        if self.tell() + memoryview(data).nbytes > csvio.MAX_BYTES:
            raise _TooBig
        return super().write(data)


async def _download_capped(file: File) -> bytes | None:
    """The file's bytes, or None once they pass 1 MB (when Telegram gave no size up front)."""
    buffer = _CappedBuffer()
    try:
        await file.download_to_memory(out=buffer)
    except _TooBig:
        return None
    return buffer.getvalue()


async def _check_with_progress(update: Update, job: csvio.CsvImport) -> Message | None:
    """Validate every row; big files get one message that counts up."""
    if job.total <= PROGRESS_ROWS:
        job.result()
        return None
    status = await reply(update, f"Checking {job.total:,} rows…")
    for done in job.check(PROGRESS_BATCH):
        if status is not None and done < job.total:
            await status.edit_text(f"Checking {job.total:,} rows… {done:,} done.")
    return status


async def _finish_import(
    update: Update,
    context: BotContext,
    plan: csvio.ImportPlan,
    filename: str,
    status: Message | None,
) -> None:
    if not plan.errors:
        report = _import_done(_store(update, context, plan.apps), plan)
        markup = None
    else:
        report = _problems(plan, filename)
        markup = _import_buttons(plan, _remember(context, plan))
    if status is not None:
        await status.edit_text(report.text, reply_markup=markup)
    else:
        await reply(update, report.text, markup)
    await _send_full_report(update, report, filename)


def _scratch(context: BotContext) -> dict[Any, Any]:
    assert context.user_data is not None  # every update we handle has a user
    return context.user_data


def _remember(context: BotContext, plan: csvio.ImportPlan) -> int:
    """Keep the valid rows until the user decides; returns the token the buttons carry."""
    scratch = _scratch(context)
    token = int(scratch.get("import_seq", 0)) + 1
    scratch["import_seq"] = token
    scratch["import"] = {
        "token": token,
        "apps": [app.to_dict() for app in plan.apps],
        "duplicates": plan.duplicates,
        "undated": plan.undated,
        "ignored": plan.ignored_columns,
        "warnings": plan.warnings,
        "order": plan.order,
        "two_way_date": plan.two_way_date,
    }
    return token


def _store(update: Update, context: BotContext, apps: Sequence[JobApplication]) -> list[JobApplication]:
    """Number and save in one synchronous step (no await between reading and writing)."""
    profile = profile_of(update, context)
    fresh = csvio.still_new(apps, context.repo.list_applications(profile.user_id))
    if fresh:
        csvio.assign_numbers(profile, fresh)
        with context.repo.transaction(profile.user_id):  # the counter and the rows: one write
            context.repo.save_profile(profile)
            context.repo.save_applications(
                profile.user_id, fresh, f"imported {_plural(len(fresh), 'application')} ({_span(fresh)})"
            )
        changed(context, profile.user_id)
    logger.info("insights.imported user=%s rows=%s", profile.user_id, len(fresh))
    return fresh


def _span(saved: Sequence[JobApplication]) -> str:
    """The numbers an import assigned: "#4", or the first and last joined by an en dash."""
    return f"#{saved[0].number}" if len(saved) == 1 else f"#{saved[0].number}–#{saved[-1].number}"


class _Report:
    """A reply that fits one phone screen, and the whole report as plain text when it didn't fit."""

    def __init__(self, head: Sequence[str], body: Sequence[tuple[str, str]], tail: str = "") -> None:
        """``head`` and ``tail`` are HTML kept whole; ``body`` is (HTML line, full plain line) pairs."""
        self.full = "\n".join([_plain(line) for line in head] + [plain for _, plain in body] + [_plain(tail)]).strip()
        lines = list(head)
        budget = PHONE_SCREEN - utf16_len("\n".join(head)) - utf16_len(tail) - len(_MORE)
        for shown, _ in body:
            cost = utf16_len(shown) + 1
            if cost > budget:
                self.cut = True
                lines.append(_MORE)
                break
            lines.append(shown)
            budget -= cost
        else:
            self.cut = False
        self.text = "\n".join(lines) + tail


_MORE = "…more in the full report (file below)."


def _plain(html_text: str) -> str:
    """The text a user sees for one of our HTML lines (only b and code tags, escaped text)."""
    for tag in ("<b>", "</b>", "<code>", "</code>"):
        html_text = html_text.replace(tag, "")
    return html.unescape(html_text)


async def _send_full_report(update: Update, report: _Report, filename: str) -> None:
    """When the reply had to be cut, the whole report follows as a text file."""
    if not report.cut or update.effective_chat is None:
        return
    stem = (filename.rsplit(".", 1)[0] or "import")[:40]
    await update.effective_chat.send_document(
        document=(report.full + "\n").encode("utf-8"),
        filename=f"{stem}-import-report.txt",
        caption="The full import report.",
    )


def _line(text: str, limit: int = 200) -> tuple[str, str]:
    """A plain report line as (escaped and shortened for the message, whole for the file)."""
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return esc(shown), text


def _import_done(saved: Sequence[JobApplication], plan: csvio.ImportPlan) -> _Report:
    head = [f"Imported {_plural(len(saved), 'application')} ({_span(saved)})." if saved else "Nothing new to import."]
    body = _import_notes(plan) + (_import_warnings(plan.warnings) if saved else [])
    return _Report(head, body, "\nSee /list, /funnel or /chart." if saved else "")


def _where(lines: Sequence[int]) -> str:
    """File lines as "line 3" or "lines 3-42, 45" (runs of consecutive lines joined by an en dash)."""
    runs: list[list[int]] = []
    for number in sorted(set(lines)):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts = [f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs]
    return ("line " if len(lines) == 1 else "lines ") + ", ".join(parts)


def _grouped(problems: Sequence[csvio.RowProblem]) -> list[tuple[str, str]]:
    """One line per distinct message, naming every file line that has it, in order of first appearance."""
    by_message: dict[str, list[int]] = {}
    for problem in problems:
        by_message.setdefault(problem.message, []).append(problem.line)
    return [_line(f"• {_where(lines)}: {message}") for message, lines in by_message.items()]


def _import_notes(plan: csvio.ImportPlan) -> list[tuple[str, str]]:
    lines = []
    if plan.duplicates:
        lines.append(_line(f"Skipped {_plural(len(plan.duplicates), 'duplicate')} (same company and role):"))
        for dup in plan.duplicates:
            of = f"already {dup.of}" if dup.of.startswith("#") else f"same as {dup.of}"
            lines.append(_line(f"• line {dup.line}: {dup.company} — {dup.role} ({of})"))
    if plan.undated:
        they = "it stays" if plan.undated == 1 else "they stay"
        lines.append(_line(f"{_plural(plan.undated, 'row')} had no applied date, so {they} out of your weekly counts."))
    if plan.ignored_columns:
        lines.append(_line(f"Ignored columns: {', '.join(plan.ignored_columns)}."))
    lines += _date_order_note(plan)
    return lines


def _date_order_note(plan: csvio.ImportPlan) -> list[tuple[str, str]]:
    """Say which way numeric dates such as 11/02/2026 were read, when the file had one."""
    if not plan.two_way_date:
        return []
    other = "mdy" if plan.order == "dmy" else "dmy"
    text = (
        f"Dates like {plan.two_way_date} were read {ORDER_NAMES[plan.order]}. "
        f"Wrong? Send /dates {other}, then the file again."
    )
    return [(esc(text).replace(f"/dates {other}", f"<code>/dates {other}</code>"), text)]


def _import_warnings(warnings: Sequence[csvio.RowProblem]) -> list[tuple[str, str]]:
    """Rows read with a guess (they import all the same), identical guesses grouped."""
    if not warnings:
        return []
    return [
        _line(f"Read with a guess ({_plural(len(warnings), 'row')}; fix the file if it's wrong):"),
        *_grouped(warnings),
    ]


def _problems(plan: csvio.ImportPlan, filename: str) -> _Report:
    bad = len(plan.errors)
    checked = "1 row" if plan.rows == 1 else f"{plan.rows:,} rows"
    head = [f"<b>{esc(filename[:60])}</b>: {checked} checked, {_plural(bad, 'row')} with problems:"]
    body = _grouped(plan.errors) + _import_notes(plan) + _import_warnings(plan.warnings)
    legend = ""
    if any(csvio.UNKNOWN_STAGE in problem.message for problem in plan.errors):
        legend = f"\nStages I know: {esc(stage_legend())}; or a number 0–7."
    if not plan.apps:
        tail = "\n\nNo row can be imported as it is. Fix the file and send it again; nothing changed."
    else:
        tail = (
            f"\n\nNothing is saved yet. Import the {_plural(len(plan.apps), 'valid row')}, "
            "or fix the file and send it again."
        )
    return _Report(head, body, legend + tail)


def _import_buttons(plan: csvio.ImportPlan, token: int) -> InlineKeyboardMarkup | None:
    if not plan.apps:
        return None
    return keyboard(
        [
            button(f"Import the {_plural(len(plan.apps), 'valid row')}", "imp", "go", token),
            button("Cancel", "imp", "no", token),
        ]
    )


async def import_button(update: Update, context: BotContext) -> None:
    """``imp:go:<token>`` imports the rows kept from the checked file; ``imp:no`` drops them."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, action, args = decode(query.data)
    token = int_args(args, 1)
    scratch = _scratch(context)
    pending = scratch.get("import")
    if not pending or token is None or pending["token"] != token[0]:
        settled = scratch.get("import_settled", {}).get(token[0] if token else None)
        if settled is not None:
            # A second tap on a decided file (double tap, or Cancel after Import): the message
            # already says what happened, so only a toast.
            await answer(query, _SETTLED[settled])
            return
        await answer(query, "That import is no longer pending.")
        await edit(update, "That import has expired. Send the file again to import it.")
        return
    del scratch["import"]
    settled_tokens = scratch.setdefault("import_settled", {})
    settled_tokens[pending["token"]] = action
    for old in sorted(settled_tokens)[:-10]:  # the last ten decisions are plenty
        del settled_tokens[old]
    if action != "go":
        await answer(query, "Cancelled")
        await edit(update, "Import cancelled. Nothing changed.")
        return
    apps = [JobApplication.from_dict(data) for data in pending["apps"]]
    saved = _store(update, context, apps)  # store first, then await (STYLE §6)
    await answer(query, "Imported")  # a slow tap's query may have expired: the edit below still tells the user
    plan = csvio.ImportPlan(
        duplicates=pending["duplicates"],
        undated=pending["undated"],
        ignored_columns=pending["ignored"],
        warnings=pending.get("warnings", []),  # absent from imports checked before warnings existed
        order=pending.get("order", "dmy"),
        two_way_date=pending.get("two_way_date", ""),
    )
    report = _import_done(saved, plan)
    await edit(update, report.text)
    await _send_full_report(update, report, "your file")


# -- wiring ----------------------------------------------------------------------------------


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("funnel", show_funnel),
        CommandHandler("stats", show_stats),
        CommandHandler("week", show_week),
        CommandHandler("report", send_report),
        CommandHandler("chart", send_chart),
        CommandHandler("export", export_data),
        CommandHandler("import", explain_import),
        # Every file comes here: receive_import says clearly when it isn't a CSV.
        MessageHandler(filters.Document.ALL, receive_import),
        CallbackQueryHandler(import_button, pattern=r"^imp:"),
    ]


REASON_WORDS = ("reasons", "reason", "rejections")
REASON_LINES = 6  # reasons shown per stage; more would not fit one phone screen


def _reasons_text(apps: Sequence[JobApplication]) -> str:
    """/stats reasons: why rejections came, grouped by the stage they came at."""
    grouped = lessons.reasons_by_stage(apps)
    if not grouped:
        return "No rejections recorded yet, so no reasons to show."
    lines = ["<b>Rejection reasons by stage</b>"]
    for stage, reasons in grouped:
        shown = ", ".join(f"{esc(brief(reason, GAP_CHARS)[0])} {count}" for reason, count in reasons[:REASON_LINES])
        more = f", …and {len(reasons) - REASON_LINES} more" if len(reasons) > REASON_LINES else ""
        lines.append(f"<b>{stage.label}</b> ({sum(count for _, count in reasons)}): {shown}{more}")
    lines.append("\nLessons and the gaps they name: /lessons")
    return clip("\n".join(lines), 1500)
