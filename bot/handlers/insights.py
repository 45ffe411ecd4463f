"""Insights: /funnel, /stats, /week, /report, /chart, /export and /import (CSV files in and out).

Handlers parse, ask bot.domain.funnel / csvio for the numbers, and send what ``bot.views.insights``
makes of them. Charts are drawn in a worker process; CSV imports are parsed and checked, and
exports written, in worker threads (``bot.offload``), so none of them holds up other users.
"""

from __future__ import annotations

import dataclasses
import io
import logging
from collections.abc import Sequence
from typing import Any

from telegram import Document, File, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import charts, offload
from bot.callback_data import decode, int_args
from bot.context import BotContext
from bot.domain import csvio, funnel, ical, lessons
from bot.domain.models import JobApplication, Profile
from bot.domain.numbers import parse_int
from bot.domain.weekly import recent_weeks, started_on, week_status
from bot.domain.words import plural
from bot.handlers.common import Registered, answer, changed, edit, profile_of, reply, today_for
from bot.handlers.onboarding import order_for
from bot.views.insights import (
    CHART_USAGE,
    EXPORT_USAGE,
    IMPORT_HELP,
    NO_APPS,
    NOTHING_TO_DRAW,
    SETTLED,
    SPLIT_BY_WHAT,
    Report,
    chart_caption,
    funnel_text,
    how_many_weeks,
    import_buttons,
    import_done,
    import_problems,
    period_text,
    reasons_by_stage,
    report_text,
    span_text,
    stats_text,
    too_big,
    week_text,
)
from bot.views.markup import reason

logger = logging.getLogger(__name__)

DEFAULT_WEEKS = 8
MAX_WEEKS = 52
PROGRESS_ROWS = 500  # files with more rows than this show progress by editing one message
PROGRESS_BATCH = 1000
_CSV_MIME = {
    "text/csv",
    "text/comma-separated-values",
    "application/csv",
    "text/x-csv",
    "text/plain",
    "text/tab-separated-values",
}


def _apps_and_tz(update: Update, context: BotContext) -> tuple[Profile, list[JobApplication], Any]:
    profile = profile_of(update, context)
    apps = context.repo.applications_view(profile.user_id)
    return profile, apps, context.user_tz(profile.timezone)


# -- /funnel ---------------------------------------------------------------------------------


async def show_funnel(update: Update, context: BotContext) -> None:
    """/funnel: the headline sentence, then counts, rates, waits, inertia and outcomes."""
    _, apps, _ = _apps_and_tz(update, context)
    await reply(update, funnel_text(funnel.funnel(apps)) if apps else NO_APPS)


# -- /stats ----------------------------------------------------------------------------------


async def show_stats(update: Update, context: BotContext) -> None:
    """/stats track|camp|source: the rates per segment, best and worst named."""
    by = (context.args or ["track"])[0].lower()
    if by in REASON_WORDS:
        await reply(update, reasons_by_stage(lessons.reasons_by_stage(_apps_and_tz(update, context)[1])))
        return
    if by not in funnel.SEGMENT_FIELDS:
        await reply(update, SPLIT_BY_WHAT)
        return
    _, apps, _ = _apps_and_tz(update, context)
    await reply(update, stats_text(funnel.segment_stats(apps, by)) if apps else NO_APPS)


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
        await reply(update, how_many_weeks("/week 12", MAX_WEEKS))
        return
    profile, apps, tz = _apps_and_tz(update, context)
    now = context.now()
    since = started_on(profile, tz)
    rows = funnel.week_rows(apps, tz, profile.target_per_week, now, weeks, since=since)
    status = week_status(apps, tz, profile.target_per_week, now, since=since)
    await reply(update, week_text(rows, status))


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
        await reply(update, reason(error))
        return
    rows = funnel.report_rows(apps, tz, start, end)
    period = period_text(start, end)
    if not rows:
        await reply(update, f"No applications sent {period}.")
        return
    await reply(update, report_text(rows, period))
    assert update.effective_chat is not None
    await update.effective_chat.send_document(
        document=csvio.report_csv(rows),
        filename=f"applications-{start.isoformat()}-to-{end.isoformat()}.csv",
        caption=f"{plural(len(rows), 'application')} sent {period}.",
    )


# -- /chart ----------------------------------------------------------------------------------


async def send_chart(update: Update, context: BotContext) -> None:
    """/chart: the fridge funnel as a picture; /chart weeks [N]: bars per week with the target."""
    args = [a.lower() for a in context.args or []]
    profile, apps, tz = _apps_and_tz(update, context)
    assert update.effective_chat is not None
    if args and args[0] in ("weeks", "week"):
        weeks = _read_weeks(args[1:], 12)
        if weeks is None:
            await reply(update, how_many_weeks("/chart weeks 16", MAX_WEEKS))
            return
        series = recent_weeks(apps, tz, context.now(), weeks, since=started_on(profile, tz))
        png = await offload.draw(charts.render_weeks, series, profile.target_per_week)
        caption = f"Applications per week, last {plural(len(series), 'week')} (target {profile.target_per_week})."
        await update.effective_chat.send_photo(photo=png, caption=caption)
        return
    by = args[0] if args and args[0] in charts.COLOUR_BY else "track"  # /chart camp: coloured by camp
    if args and args != [by]:
        await reply(update, CHART_USAGE)
        return
    chart = charts.funnel_rows(apps, by=by)
    if not chart.rows:
        await reply(update, NOTHING_TO_DRAW)
        return
    png = await offload.draw(charts.render_funnel, apps, by=by)
    colours = " Colours: camp (grey: no camp)." if by == "camp" else ""
    await update.effective_chat.send_photo(photo=png, caption=chart_caption(chart, apps) + colours)


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
        data = ical.interviews_ics(apps, context.now(), profile.user_id)
        await update.effective_chat.send_document(
            document=data,
            filename=f"funnelbot-interviews-{today.isoformat()}.ics",
            caption="Your interviews: open the file to add them to your calendar.",
        )
        return
    if kind != "csv":
        await reply(update, EXPORT_USAGE)
        return
    if not apps:
        await reply(update, "Nothing to export yet. " + NO_APPS)
        return
    await update.effective_chat.send_document(
        document=await offload.run(csvio.export_csv, apps),
        filename=f"funnelbot-{today.isoformat()}.csv",
        caption=("Your application" if len(apps) == 1 else f"All {len(apps)} applications")
        + ". Send this file back any time to /import it.",
    )
    logger.info("insights.exported user=%s rows=%s", profile.user_id, len(apps))


# -- /import ---------------------------------------------------------------------------------


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
        await reply(update, too_big(doc.file_size))
        return
    file = await context.bot.get_file(doc.file_id)
    if file.file_size and file.file_size > csvio.MAX_BYTES:
        await reply(update, too_big(file.file_size))
        return
    data = await _download_capped(file)
    if data is None:
        await reply(update, too_big(None))
        return
    profile, apps, tz = _apps_and_tz(update, context)  # read after the awaits: the data as it is now
    try:
        job = await offload.run(csvio.CsvImport, data, apps, tz, context.now(), order_for(profile, context))
    except csvio.ImportRefused as error:
        await reply(update, f"{reason(error)}\nNothing changed.")
        return
    status = await _check_with_progress(update, job)
    await _finish_import(update, context, job.plan, doc.file_name or "your file", status)


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
        await offload.run(job.result)
        return None
    status = await reply(update, f"Checking {job.total:,} rows…")
    async for done in offload.batches(job.check(PROGRESS_BATCH)):
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
    apps, documents = await offload.run(_as_stored, plan.apps)  # 5,000 rows: ~100 ms, off the loop
    if not plan.errors:
        report = import_done(_store(update, context, apps, documents), plan)
        markup = None
    else:
        report = import_problems(plan, filename)
        markup = import_buttons(plan, _remember(context, plan, documents))
    if status is not None:
        await status.edit_text(report.text, reply_markup=markup)
    else:
        await reply(update, report.text, markup)
    await _send_full_report(update, report, filename)


def _scratch(context: BotContext) -> dict[Any, Any]:
    assert context.user_data is not None  # every update we handle has a user
    return context.user_data


def _as_stored(apps: Sequence[JobApplication]) -> tuple[list[JobApplication], list[dict[str, Any]]]:
    """Each application as storage will keep it: its document, and the application parsed from that."""
    documents = [app.to_dict() for app in apps]
    return [JobApplication.from_dict(doc) for doc in documents], documents


def _parsed(documents: Sequence[dict[str, Any]]) -> tuple[list[JobApplication], list[dict[str, Any]]]:
    copies = [dict(doc) for doc in documents]
    return [JobApplication.from_dict(doc) for doc in copies], copies


def _remember(context: BotContext, plan: csvio.ImportPlan, documents: list[dict[str, Any]]) -> int:
    """Keep the valid rows until the user decides; returns the token the buttons carry."""
    scratch = _scratch(context)
    token = int(scratch.get("import_seq", 0)) + 1
    scratch["import_seq"] = token
    scratch["import"] = {
        "token": token,
        "apps": documents,
        "duplicates": [dataclasses.asdict(dup) for dup in plan.duplicates],
        "undated": plan.undated,
        "ignored": plan.ignored_columns,
        "warnings": [dataclasses.asdict(problem) for problem in plan.warnings],
        "order": plan.order,
        "two_way_date": plan.two_way_date,
    }
    return token


def _store(
    update: Update, context: BotContext, apps: Sequence[JobApplication], documents: Sequence[dict[str, Any]]
) -> list[JobApplication]:
    """Number and save in one synchronous step (no await between reading and writing).

    ``apps`` and ``documents`` come from :func:`_as_stored` (made in a worker thread): storage
    takes both as they are, so the rows are neither encoded nor parsed again on the event loop.
    """
    profile = profile_of(update, context)
    document_of = {id(app): doc for app, doc in zip(apps, documents, strict=True)}
    fresh = csvio.still_new(apps, context.repo.applications_view(profile.user_id))
    if fresh:
        fresh_documents = []
        for app in fresh:
            profile.number_new(app)
            doc = document_of[id(app)]
            doc["number"] = app.number
            fresh_documents.append(doc)
        with context.repo.transaction(profile.user_id):  # the counter and the rows: one write
            context.repo.save_profile(profile)
            context.repo.save_applications(
                profile.user_id,
                fresh,
                f"imported {plural(len(fresh), 'application')} ({span_text(fresh)})",
                documents=fresh_documents,
            )
        changed(context, profile.user_id)
    logger.info("insights.imported user=%s rows=%s", profile.user_id, len(fresh))
    return fresh


async def _send_full_report(update: Update, report: Report, filename: str) -> None:
    """When the reply had to be cut, the whole report follows as a text file."""
    if not report.cut or update.effective_chat is None:
        return
    stem = (filename.rsplit(".", 1)[0] or "import")[:40]
    await update.effective_chat.send_document(
        document=(report.full + "\n").encode("utf-8"),
        filename=f"{stem}-import-report.txt",
        caption="The full import report.",
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
        # Keys are strings: the scratch is stored as JSON (bot/persistence.py).
        settled = scratch.get("import_settled", {}).get(str(token[0]) if token else None)
        if settled is not None:
            # A second tap on a decided file (double tap, or Cancel after Import): the message
            # already says what happened, so only a toast.
            await answer(query, SETTLED[settled])
            return
        await answer(query, "That import is no longer pending.")
        await edit(update, "That import has expired. Send the file again to import it.")
        return
    del scratch["import"]
    settled_tokens = scratch.setdefault("import_settled", {})
    settled_tokens[str(pending["token"])] = action
    for old in sorted(settled_tokens, key=int)[:-10]:  # the last ten decisions are plenty
        del settled_tokens[old]
    if action != "go":
        await answer(query, "Cancelled")
        await edit(update, "Import cancelled. Nothing changed.")
        return
    apps, documents = await offload.run(_parsed, pending["apps"])  # off the loop; this user's lock is held
    saved = _store(update, context, apps, documents)  # store, then answer (STYLE §6)
    await answer(query, "Imported")  # a slow tap's query may have expired: the edit below still tells the user
    plan = csvio.ImportPlan(
        duplicates=[csvio.Duplicate(**dup) for dup in pending["duplicates"]],
        undated=pending["undated"],
        ignored_columns=pending["ignored"],
        warnings=[csvio.RowProblem(**problem) for problem in pending.get("warnings", [])],
        order=pending.get("order", "dmy"),
        two_way_date=pending.get("two_way_date", ""),
    )
    report = import_done(saved, plan)
    await edit(update, report.text)
    await _send_full_report(update, report, "your file")


# -- wiring ----------------------------------------------------------------------------------


def handlers() -> list[Registered]:
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
