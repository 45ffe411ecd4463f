"""What the insight commands say: /funnel, /stats, /week, /report, /chart captions, and the /import
dialogue (its help, its report of problems and notes, its buttons)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date

from telegram import InlineKeyboardMarkup

from bot import charts
from bot.domain import csvio, funnel
from bot.domain.dates import ORDER_NAMES
from bot.domain.lessons import GAP_CHARS
from bot.domain.models import JobApplication
from bot.domain.notes import brief
from bot.domain.stages import Stage, stage_legend
from bot.domain.weekly import WeekStatus, streak_including_this_week
from bot.domain.words import plural
from bot.views.markup import button, clip, esc, keyboard, short_day, utf16_len

PHONE_SCREEN = 1500  # a reply longer than one phone screen is cut, and the whole report sent as a file


WAIT_LABELS = {
    (Stage.PROSPECT, Stage.APPLIED): "Saved → applied",
    (Stage.APPLIED, Stage.RESPONDED): "Applied → first response",
    (Stage.RESPONDED, Stage.INTERVIEW): "Response → interview",
    (Stage.INTERVIEW, Stage.OFFER): "Interview → offer",
}


NO_APPS = "No applications yet. Add one: <code>/add Acme - Senior SRE</code>"


SETTLED = {"go": "Already imported.", "no": "Already cancelled: send the file again to import it."}


def pct_text(rate: float | None) -> str:
    return "–" if rate is None else f"{round(rate * 100)}%"


def days_text(value: float) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text} day" if text == "1" else f"{text} days"


def funnel_text(f: funnel.Funnel) -> str:
    r = f.rates
    lines = ["<b>Your funnel</b>", esc(f.headline), ""]
    lines.append(f"<b>Rates per application</b> ({plural(r.applied, 'application')} sent)")
    lines.append(
        f"Response {pct_text(r.response_rate)} · Interview {pct_text(r.interview_rate)} · "
        f"Offer {pct_text(r.offer_rate)}"
    )
    lines += ["", "<b>How far they got</b> (share of the stage before)"]
    for row in f.stages:
        share = f" ({pct_text(row.conversion)})" if row.stage > Stage.APPLIED else ""
        lines.append(f"{esc(row.stage.label)}: {row.count}{share}")
    lines += ["", "<b>Not applied yet</b>"]
    applied_from = f.saved_as_prospect - f.prospects_open - f.prospects_dropped
    saved = (
        "1 job saved as a prospect" if f.saved_as_prospect == 1 else (f"{f.saved_as_prospect} jobs saved as prospects")
    )
    lines.append(
        f"{saved}, {applied_from} applied to ({pct_text(f.stages[0].conversion)}); "
        f"{f.prospects_open} waiting, {f.prospects_dropped} dropped."
    )
    if f.waits:
        lines += ["", "<b>Typical wait</b> (median)"]
        for wait in f.waits:
            label = WAIT_LABELS[(wait.start, wait.end)]
            lines.append(f"{label}: {days_text(wait.median_days)} (from {plural(wait.samples, 'application')})")
    lines += ["", "<b>Outcomes</b>"]
    lines.append(" · ".join(f"{o.state.capitalize()} {o.count}" for o in f.outcomes if o.count) or "None yet")
    for outcome in f.outcomes:
        if outcome.reasons:
            shown = ", ".join(f"{esc(reason[:60])} {n}" for reason, n in outcome.reasons[:6])
            more = f", +{len(outcome.reasons) - 6} more" if len(outcome.reasons) > 6 else ""
            lines.append(f"{outcome.state.capitalize()}: {shown}{more}")
    lines.append("\nBy segment: /stats track, /stats camp, /stats source. Picture: /chart")
    return clip("\n".join(lines))


def stats_text(result: funnel.Segments) -> str:
    lines = [f"<b>By {result.by}</b>: applications · response · interview · offer"]
    small = False
    for seg in result.segments[:30]:
        r = seg.rates
        if r.applied == 0:
            lines.append(f"{esc(seg.name)}: no applications yet · {plural(seg.prospects, 'prospect')}")
            continue
        flag = " ⚠" if seg.small else ""
        small = small or seg.small
        lines.append(
            f"<b>{esc(seg.name)}</b>: {r.applied} · {pct_text(r.response_rate)} · "
            f"{pct_text(r.interview_rate)} · {pct_text(r.offer_rate)}{flag}"
        )
    if len(result.segments) > 30:
        lines.append(f"…and {len(result.segments) - 30} more.")
    lines.append("")
    if result.best is not None and result.worst is not None:
        best, worst = result.best, result.worst
        lines.append(
            f"Best: <b>{esc(best.name)}</b> (interview {pct_text(best.rates.interview_rate)}, "
            f"response {pct_text(best.rates.response_rate)}). Worst: <b>{esc(worst.name)}</b> "
            f"(interview {pct_text(worst.rates.interview_rate)}, "
            f"response {pct_text(worst.rates.response_rate)})."
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


def week_text(rows: Sequence[funnel.WeekRow], status: WeekStatus) -> str:
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
        lines.append(f"Buffer: {plural(status.buffer, 'application')} ahead from earlier weeks.")
    lines.append(streak_line(status))
    lines.append("✓ = target met (counting the buffer). Picture: /chart weeks")
    if not all(row.counted for row in rows):
        lines.append("· = before you started with Funnelbot: not counted for buffer or streak.")
    return clip("\n".join(lines))


def streak_line(status: WeekStatus) -> str:
    """The streak as the ✓ marks show it: this week counts once it is met."""
    if status.met:
        return f"Streak: {plural(streak_including_this_week(status), 'week')} in a row on target, this week included."
    if status.streak:
        return f"Streak: {plural(status.streak, 'week')} in a row on target; meet this week's target to extend it."
    return "Streak: none yet; meet this week's target to start one."


def period_text(start: date, end: date) -> str:
    """ "on Mon 2 Nov 2026", or "from Sun 1 Nov 2026 to Mon 30 Nov 2026"."""
    if start == end:
        return f"on {short_day(start)}"
    return f"from {short_day(start)} to {short_day(end)}"


def report_text(rows: Sequence[funnel.ReportRow], period: str) -> str:
    lines = [f"<b>Applications sent {period}</b> ({len(rows)})"]
    for r in rows:
        lines.append(
            f"{r.applied_on.isoformat()} · #{r.number} <b>{esc(r.company)}</b> — {esc(r.role)} · {esc(r.status)}"
        )
    footer = "\nThe same list is in the CSV file below."
    return clip("\n".join(lines), 4096 - len(footer)) + footer


def chart_caption(chart: charts.FunnelChart, apps: Sequence[JobApplication]) -> str:
    total = len(chart.rows) + chart.hidden
    text = f"Your funnel: {plural(total, 'application')} sent"
    if chart.hidden:
        text += f", showing the latest {len(chart.rows)}"
    prospects = sum(1 for a in apps if funnel.furthest(a) == Stage.PROSPECT)
    if prospects:
        text += f" ({plural(prospects, 'prospect')} not shown)"
    return text + ". ✕ rejected · ★ accepted · ▶ still open"


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


def too_big(size: int | None) -> str:
    shown = f"{size / 1_000_000:.1f} MB" if size else "over 1 MB"
    return (
        f"That file is {shown}; I import up to 1 MB ({csvio.MAX_ROWS:,} rows). "
        "Split it and send the parts. Nothing changed."
    )


def span_text(saved: Sequence[JobApplication]) -> str:
    """The numbers an import assigned: "#4", or the first and last joined by an en dash."""
    return f"#{saved[0].number}" if len(saved) == 1 else f"#{saved[0].number}–#{saved[-1].number}"


class Report:
    """A reply that fits one phone screen, and the whole report as plain text when it didn't fit."""

    def __init__(self, head: Sequence[str], body: Sequence[tuple[str, str]], tail: str = "") -> None:
        """``head`` and ``tail`` are HTML kept whole; ``body`` is (HTML line, full plain line) pairs."""
        self.full = "\n".join(
            [plain_text(line) for line in head] + [plain for _, plain in body] + [plain_text(tail)]
        ).strip()
        lines = list(head)
        budget = PHONE_SCREEN - utf16_len("\n".join(head)) - utf16_len(tail) - len(MORE)
        for shown, _ in body:
            cost = utf16_len(shown) + 1
            if cost > budget:
                self.cut = True
                lines.append(MORE)
                break
            lines.append(shown)
            budget -= cost
        else:
            self.cut = False
        self.text = "\n".join(lines) + tail


MORE = "…more in the full report (file below)."


def plain_text(html_text: str) -> str:
    """The text a user sees for one of our HTML lines (only b and code tags, escaped text)."""
    for tag in ("<b>", "</b>", "<code>", "</code>"):
        html_text = html_text.replace(tag, "")
    return html.unescape(html_text)


def report_line(text: str, limit: int = 200) -> tuple[str, str]:
    """A plain report line as (escaped and shortened for the message, whole for the file)."""
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return esc(shown), text


def import_done(saved: Sequence[JobApplication], plan: csvio.ImportPlan) -> Report:
    head = [
        f"Imported {plural(len(saved), 'application')} ({span_text(saved)})." if saved else "Nothing new to import."
    ]
    body = import_notes(plan) + (import_warnings(plan.warnings) if saved else [])
    return Report(head, body, "\nSee /list, /funnel or /chart." if saved else "")


def where_text(lines: Sequence[int]) -> str:
    """File lines as "line 3" or "lines 3-42, 45" (runs of consecutive lines joined by an en dash)."""
    runs: list[list[int]] = []
    for number in sorted(set(lines)):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts = [f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs]
    return ("line " if len(lines) == 1 else "lines ") + ", ".join(parts)


def grouped(problems: Sequence[csvio.RowProblem]) -> list[tuple[str, str]]:
    """One line per distinct message, naming every file line that has it, in order of first appearance."""
    by_message: dict[str, list[int]] = {}
    for problem in problems:
        by_message.setdefault(problem.message, []).append(problem.line)
    return [report_line(f"• {where_text(lines)}: {message}") for message, lines in by_message.items()]


def import_notes(plan: csvio.ImportPlan) -> list[tuple[str, str]]:
    lines = []
    if plan.duplicates:
        lines.append(report_line(f"Skipped {plural(len(plan.duplicates), 'duplicate')} (same company and role):"))
        for dup in plan.duplicates:
            of = f"already {dup.of}" if dup.of.startswith("#") else f"same as {dup.of}"
            lines.append(report_line(f"• line {dup.line}: {dup.company} — {dup.role} ({of})"))
    if plan.undated:
        they = "it stays" if plan.undated == 1 else "they stay"
        lines.append(
            report_line(f"{plural(plan.undated, 'row')} had no applied date, so {they} out of your weekly counts.")
        )
    if plan.ignored_columns:
        lines.append(report_line(f"Ignored columns: {', '.join(plan.ignored_columns)}."))
    lines += date_order_note(plan)
    return lines


def date_order_note(plan: csvio.ImportPlan) -> list[tuple[str, str]]:
    """Say which way numeric dates such as 11/02/2026 were read, when the file had one."""
    if not plan.two_way_date:
        return []
    other = "mdy" if plan.order == "dmy" else "dmy"
    text = (
        f"Dates like {plan.two_way_date} were read {ORDER_NAMES[plan.order]}. "
        f"Wrong? Send /dates {other}, then the file again."
    )
    return [(esc(text).replace(f"/dates {other}", f"<code>/dates {other}</code>"), text)]


def import_warnings(warnings: Sequence[csvio.RowProblem]) -> list[tuple[str, str]]:
    """Rows read with a guess (they import all the same), identical guesses grouped."""
    if not warnings:
        return []
    return [
        report_line(f"Read with a guess ({plural(len(warnings), 'row')}; fix the file if it's wrong):"),
        *grouped(warnings),
    ]


def import_problems(plan: csvio.ImportPlan, filename: str) -> Report:
    bad = len(plan.errors)
    checked = "1 row" if plan.rows == 1 else f"{plan.rows:,} rows"
    head = [f"<b>{esc(filename[:60])}</b>: {checked} checked, {plural(bad, 'row')} with problems:"]
    body = grouped(plan.errors) + import_notes(plan) + import_warnings(plan.warnings)
    legend = ""
    if any(csvio.UNKNOWN_STAGE in problem.message for problem in plan.errors):
        legend = f"\nStages I know: {esc(stage_legend())}; or a number 0–7."
    if not plan.apps:
        tail = "\n\nNo row can be imported as it is. Fix the file and send it again; nothing changed."
    else:
        tail = (
            f"\n\nNothing is saved yet. Import the {plural(len(plan.apps), 'valid row')}, "
            "or fix the file and send it again."
        )
    return Report(head, body, legend + tail)


def import_buttons(plan: csvio.ImportPlan, token: int) -> InlineKeyboardMarkup | None:
    if not plan.apps:
        return None
    return keyboard(
        [
            button(f"Import the {plural(len(plan.apps), 'valid row')}", "imp", "go", token),
            button("Cancel", "imp", "no", token),
        ]
    )


SPLIT_BY_WHAT = (
    "Split by what? <code>/stats track</code>, <code>/stats camp</code>, <code>/stats source</code> "
    "or <code>/stats reasons</code>."
)
CHART_USAGE = "Try <code>/chart</code> for the funnel, <code>/chart camp</code> or <code>/chart weeks</code>."
EXPORT_USAGE = "Try <code>/export</code> (CSV) or <code>/export ics</code> (interviews)."
NOTHING_TO_DRAW = (
    "Nothing to draw yet: the chart shows applications you've sent. Mark one applied with <code>/move 1 applied</code>."
)


def how_many_weeks(example: str, most: int) -> str:
    return f"How many weeks? 1 to {most}, e.g. <code>{example}</code>."


REASON_LINES = 6  # reasons shown per stage; more would not fit one phone screen


def reasons_by_stage(grouped: Sequence[tuple[Stage, Sequence[tuple[str, int]]]]) -> str:
    """/stats reasons: why rejections came, grouped by the stage they came at (``lessons.reasons_by_stage``)."""
    if not grouped:
        return "No rejections recorded yet, so no reasons to show."
    lines = ["<b>Rejection reasons by stage</b>"]
    for stage, reasons in grouped:
        shown = ", ".join(f"{esc(brief(reason, GAP_CHARS)[0])} {count}" for reason, count in reasons[:REASON_LINES])
        more = f", …and {len(reasons) - REASON_LINES} more" if len(reasons) > REASON_LINES else ""
        lines.append(f"<b>{stage.label}</b> ({sum(count for _, count in reasons)}): {shown}{more}")
    lines.append("\nLessons and the gaps they name: /lessons")
    return clip("\n".join(lines), 1500)
