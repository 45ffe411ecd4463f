"""CSV export and import: exact round trips, user spreadsheets, and clean refusals."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import moves
from bot.domain.capture import MAX_NAME
from bot.domain.csvio import (
    HEADER,
    MAX_ROWS,
    CsvImport,
    ImportRefused,
    export_csv,
    neutralise,
    read_import,
    report_csv,
    still_new,
    unneutralise,
)
from bot.domain.funnel import ReportRow
from bot.domain.models import Camp, Event, JobApplication, Note, Source
from bot.domain.stages import Outcome, Stage

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

# -- strategies ------------------------------------------------------------------------------

AWKWARD = [
    ",",
    '"',
    "\n",
    "\r\n",
    "''",
    "😀",
    "👩‍💻",
    "שלום",
    "مرحبا",
    "=SUM(A1)",
    "-",
    "+",
    "@",
    "'",
    "\t",
    ";",
    "  ",
    "\\",
    "#",
    "é",
]
_SURROGATES: tuple[Literal["Cs"]] = ("Cs",)  # lone surrogates cannot be encoded
_chunk = st.one_of(
    st.sampled_from(AWKWARD),
    st.text(st.characters(blacklist_categories=_SURROGATES, blacklist_characters="\x00"), max_size=6),
)
_raw = st.lists(_chunk, max_size=6).map("".join)
free_text = _raw.map(str.strip)  # stored fields are stripped by the bot
name = _raw.map(lambda s: " ".join(s.split())[:120]).filter(bool)  # as validate_name leaves it
note_text = free_text.filter(bool)
# Inside the window an import accepts around NOW (interviews: up to two years ahead).
moment = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2028, 11, 1), timezones=st.just(UTC)).map(
    lambda d: d.replace(microsecond=0)
)
link = st.just("") | st.text("abcxyz0123456789-._~/?#=&%", max_size=20).map(lambda path: f"https://example.com/{path}")


@st.composite
def applications(draw: st.DrawFn) -> JobApplication:
    """An application with the history shape an import rebuilds: dated stages, then a closing."""
    stage = draw(st.sampled_from(list(Stage)))
    entry = draw(st.sampled_from([s for s in Stage if s <= stage]))
    start = draw(moment)
    gaps = draw(st.lists(st.integers(0, 40 * 86400), min_size=stage - entry, max_size=stage - entry))
    times = [start]
    for gap in gaps:
        times.append(times[-1] + timedelta(seconds=gap))
    history = [Event(at=times[0], kind="created", stage=entry)]
    history += [Event(at=t, kind="stage", stage=Stage(entry + 1 + i)) for i, t in enumerate(times[1:])]
    extras = draw(
        st.lists(
            st.builds(Event, at=moment, kind=st.sampled_from(["interview", "edited"]), detail=free_text), max_size=2
        )
    )
    for extra in extras:  # kinds the columns can't rebuild ride in the history column
        history.insert(draw(st.integers(0, len(history))), extra)
    allowed: list[Outcome | None] = [None]
    if stage != Stage.ACCEPTED:
        allowed.append(Outcome.WITHDRAWN)
        if stage >= Stage.APPLIED:
            allowed += [Outcome.REJECTED, Outcome.GHOSTED]
        if stage >= Stage.OFFER:
            allowed.append(Outcome.DECLINED)
    outcome = draw(st.sampled_from(allowed))
    reason = draw(free_text) if outcome else ""
    if outcome is not None:
        history.append(Event(at=draw(moment), kind="closed", outcome=outcome, detail=reason))
    return JobApplication(
        number=draw(st.integers(1, 9999)),
        company=draw(name),
        role=draw(name),
        created_at=draw(moment),
        link=draw(link),
        track=draw(free_text.filter(lambda t: not t.startswith("#"))),
        camp=draw(st.none() | st.sampled_from(list(Camp))),
        source=draw(st.none() | st.sampled_from(list(Source))),
        fit_contribute=draw(st.none() | st.integers(1, 5)),
        fit_learn=draw(st.none() | st.integers(1, 5)),
        closes_on=draw(st.none() | st.dates(date(1990, 1, 1), date(2031, 11, 23))),
        stage=stage,
        outcome=outcome,
        reason=reason,
        history=history,
        notes=draw(
            st.lists(
                st.builds(Note, at=moment, text=note_text, kind=st.sampled_from(["note", "lesson", "question"])),
                max_size=3,
            )
        ),
        interviews=draw(st.lists(moment, max_size=3)),
    )


def _comparable(app: JobApplication) -> dict[str, object]:
    data = app.to_dict()
    del data["number"]  # imports are numbered from the user's counter
    return data


# -- round trip ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.lists(applications(), max_size=5, unique_by=lambda a: (a.company.casefold(), a.role.casefold())))
def test_csv_round_trip_is_exact(apps: list[JobApplication]) -> None:
    """Export then import gives back every field, stage date, note and closing, in order."""
    if not apps:
        with pytest.raises(ImportRefused, match="no rows"):
            read_import(export_csv(apps), [], LONDON, NOW)
        return
    plan = read_import(export_csv(apps), [], LONDON, NOW)
    assert plan.errors == []
    assert plan.duplicates == []
    ordered = sorted(apps, key=lambda a: a.number)
    assert [_comparable(a) for a in plan.apps] == [_comparable(a) for a in ordered]


def test_csv_round_trip_keeps_a_real_history() -> None:
    """An application moved, corrected and closed through the bot keeps its reached stages."""
    t0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    app = JobApplication(
        7, "Acme, Inc.", 'The "Best" Role', t0, history=[Event(at=t0, kind="created", stage=Stage.PROSPECT)]
    )
    moves.move(app, Stage.INTERVIEW, t0 + timedelta(days=3))
    moves.move(app, Stage.RESPONDED, t0 + timedelta(days=4))  # correction
    moves.move(app, Stage.SCREEN, t0 + timedelta(days=6))
    moves.add_note(app, "line one\n  indented\n\nlast", t0 + timedelta(days=6))
    moves.close(app, Outcome.REJECTED, t0 + timedelta(days=9), "Skills fit")
    [back] = read_import(export_csv([app]), [], LONDON, NOW).apps
    assert back.reached() == app.reached()
    assert back.closed_at() == app.closed_at()
    assert (back.stage, back.outcome, back.reason) == (Stage.SCREEN, Outcome.REJECTED, "Skills fit")
    assert back.notes == app.notes


def test_csv_export_header_is_stable() -> None:
    """The documented header, in order."""
    rows = list(csv.reader(io.StringIO(export_csv([]).decode("utf-8-sig"))))
    assert rows == [list(HEADER)]
    assert HEADER[:13] == (
        "id",
        "company",
        "role",
        "link",
        "track",
        "camp",
        "source",
        "fit_contribute",
        "fit_learn",
        "closes_on",
        "stage",
        "outcome",
        "reason",
    )
    assert HEADER[13:21] == (
        "prospect_at",
        "applied_at",
        "responded_at",
        "screen_at",
        "interview_at",
        "second_at",
        "offer_at",
        "accepted_at",
    )
    assert HEADER[21:] == ("notes", "created_at", "closed_at", "interviews", "history", "take_home_due")


def test_a_take_home_deadline_survives_export_and_import() -> None:
    """/takehome's deadline goes out in its own column and comes back on import."""
    due = NOW + timedelta(days=6)
    app = JobApplication(number=1, company="Acme", role="SRE", created_at=NOW - timedelta(days=8), stage=Stage.SCREEN)
    app.take_home_due = due
    [back] = read_import(export_csv([app]), [], LONDON, NOW).apps
    assert back.take_home_due == due


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+44 20", "'+44 20"),
        ("-5", "'-5"),
        ("@SUM", "'@SUM"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'quoted", "''quoted"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_csv_formula_cells_are_neutralised(cell: str, safe: str) -> None:
    """Dangerous first characters get a quote, which import takes off again."""
    assert neutralise(cell) == safe
    assert unneutralise(safe) == cell


def test_csv_export_neutralises_company_cell() -> None:
    """A company named like a formula is exported as text."""
    app = JobApplication(1, '=HYPERLINK("http://x")', "Role", NOW)
    rows = list(csv.reader(io.StringIO(export_csv([app]).decode("utf-8-sig"))))
    assert rows[1][1] == '\'=HYPERLINK("http://x")'


def test_csv_user_lone_quote_is_kept() -> None:
    """A user's cell that merely starts with a quote keeps it."""
    plan = read_import(b"company,role,stage\n'Tis Co,Dev,applied\n", [], LONDON, NOW)
    assert plan.apps[0].company == "'Tis Co"


# -- user spreadsheets -----------------------------------------------------------------------


def test_csv_import_user_spreadsheet() -> None:
    """Other header spellings, semicolons, stage numbers and names, plain dates as local noon."""
    data = (
        "\ufeffCompany Name;Job Title;Status;Date Applied;Notes;Via\n"
        "Acme;SRE;3;2026-11-02;Ask about on-call;referral\n"
        "Globex;Data Engineer;Phone Screen;;;\n"
        "Initech;Dev;rejected;02.11.2026;;job board\n"
    ).encode()
    plan = read_import(data, [], LONDON, NOW)
    assert plan.errors == []
    acme, globex, initech = plan.apps
    assert (acme.stage, acme.source) == (Stage.SCREEN, Source.REFERRAL)
    assert acme.reached() == {Stage.APPLIED: datetime(2026, 11, 2, 12, 0, tzinfo=UTC)}
    assert acme.notes == [Note(acme.created_at, "Ask about on-call")]
    assert globex.stage == Stage.SCREEN and globex.reached() == {}
    assert (initech.stage, initech.outcome) == (Stage.APPLIED, Outcome.REJECTED)
    assert plan.undated == 1
    assert plan.lines == [2, 3, 4]


def test_csv_import_reports_errors_by_line() -> None:
    """Each bad row is named by the line it starts on, with every reason."""
    data = (
        b"company,role,stage,notes,fit_learn\n"
        b'Acme,SRE,intervew,"two\nlines",\n'  # lines 2-3
        b",Dev,applied,,9\n"  # line 4
        b"Globex,Dev,prospect,,\n"  # line 5: fine
        b"Initech,Dev,0,,\n"  # line 6: fine
    )
    plan = read_import(data, [], LONDON, NOW)
    assert [(e.line, e.message) for e in plan.errors] == [
        (2, "unknown stage 'intervew'"),
        (4, "The company can't be empty.; fit_learn must be 1-5, not '9'"),
    ]
    assert [a.company for a in plan.apps] == ["Globex", "Initech"]


def test_csv_import_checks_outcome_and_dates() -> None:
    """Outcomes must fit the stage; stage dates can't pass the stage or go backwards."""
    data = (
        b"company,role,stage,outcome,applied_at,interview_at\n"
        b"A,R,prospect,rejected,,\n"
        b"B,R,applied,,2026-11-02,2026-11-05\n"
        b"C,R,interview,,2026-11-05,2026-11-02\n"
        b"D,R,applied,declined,,\n"
        b"E,R,applied,maybe,,\n"
    )
    messages = [e.message for e in read_import(data, [], LONDON, NOW).errors]
    assert messages == [
        "a prospect (never applied) can't be rejected",
        "has an interview date but stage is applied",
        "interview date is before applied date",
        "declined needs stage offer (you decline an offer)",
        "unknown outcome 'maybe' (use rejected, withdrawn, declined or ghosted)",
    ]


def test_csv_import_skips_duplicates() -> None:
    """Company+role already saved, or earlier in the file, is skipped and reported."""
    existing = [JobApplication(3, "ACME", "sre", NOW)]
    data = b"company,role,stage\nAcme,SRE,applied\nGlobex,Dev,applied\nglobex,dev,1\n"
    plan = read_import(data, existing, LONDON, NOW)
    assert [(d.line, d.of) for d in plan.duplicates] == [(2, "#3"), (4, "line 3")]
    assert [a.company for a in plan.apps] == ["Globex"]


def test_csv_still_new_drops_rows_saved_meanwhile() -> None:
    """Between checking and confirming, a matching application may have been added."""
    apps = [JobApplication(0, "Acme", "SRE", NOW), JobApplication(0, "Globex", "Dev", NOW)]
    assert [a.company for a in still_new(apps, [JobApplication(1, "acme", "sre", NOW)])] == ["Globex"]


def test_csv_import_progress_in_batches() -> None:
    """check() yields progress after each batch and ends with every row checked."""
    rows = "".join(f"C{i},R,applied\n" for i in range(1200))
    job = CsvImport(f"company,role,stage\n{rows}".encode(), [], LONDON, NOW)
    assert list(job.check(500)) == [500, 1000, 1200]
    assert len(job.result().apps) == 1200


# -- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("company,role,stage\nSociété,Dev,applied\n".encode("cp1252"), "isn't UTF-8"),
        (b"company,title\nAcme,SRE\n", "missing: stage"),
        (b"name,when\nAcme,today\n", "missing: company, role, stage"),
        (b"company,role,stage\n", "no rows"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "isn't UTF-8|CSV text"),
        (b"x" * 10_000_000, "10.0 MB"),
        (("company,role,stage\n" + "A{},R,1\n" * (MAX_ROWS + 1)).encode(), "5,001 rows"),
    ],
)
def test_csv_import_refuses_bad_files(data: bytes, message: str) -> None:
    """Wrong encoding, missing columns, empty, binary, 10 MB, too many rows: refused whole."""
    with pytest.raises(ImportRefused, match=message):
        read_import(data, [], LONDON, NOW)


# -- report and calendar ---------------------------------------------------------------------


def test_report_csv() -> None:
    """The /report file has a header and one row per application."""
    row = ReportRow(date(2026, 11, 2), 4, "=Acme", "SRE, Platform", "Interview", "")
    rows = list(csv.reader(io.StringIO(report_csv([row]).decode("utf-8-sig"))))
    assert rows == [
        ["applied_on", "id", "company", "role", "status", "link"],
        ["2026-11-02", "4", "'=Acme", "SRE, Platform", "Interview", ""],
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-11-02", datetime(2026, 11, 2, 12, 0, tzinfo=UTC)),  # local noon, London is UTC here
        ("2026-11-02 14:30", datetime(2026, 11, 2, 14, 30, tzinfo=UTC)),
        ("2026-11-02T14:30:00Z", datetime(2026, 11, 2, 14, 30, tzinfo=UTC)),
        ("2 Nov 2026", datetime(2026, 11, 2, 12, 0, tzinfo=UTC)),
        ("02.11.2026", datetime(2026, 11, 2, 12, 0, tzinfo=UTC)),
        ("2026/11/02", datetime(2026, 11, 2, 12, 0, tzinfo=UTC)),
    ],
)
def test_csv_import_date_spellings(cell: str, expected: datetime) -> None:
    """Applied dates in the documented spellings; a bare day is noon in the user's zone."""
    plan = read_import(f"company,role,stage,date applied\nA,B,applied,{cell}\n".encode(), [], LONDON, NOW)
    assert plan.apps[0].entered_at(Stage.APPLIED) == expected


def test_csv_import_reads_slashed_dates_in_the_users_order() -> None:
    """11/02/2026 is 11 February day-first and 2 November month-first; the plan notes it was two-way."""
    data = b"company,role,stage,date applied\nA,B,applied,11/02/2026\n"
    day_first = read_import(data, [], LONDON, NOW)
    assert day_first.apps[0].entered_at(Stage.APPLIED) == datetime(2026, 2, 11, 12, 0, tzinfo=UTC)
    assert day_first.two_way_date == "11/02/2026"
    month_first = read_import(data, [], LONDON, NOW, "mdy")
    assert month_first.apps[0].entered_at(Stage.APPLIED) == datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def test_csv_import_slashed_date_without_a_year_is_refused() -> None:
    """11/02 alone can't be placed in a spreadsheet's past: the row asks for the year."""
    plan = read_import(b"company,role,stage,date applied\nA,B,applied,11/02\n", [], LONDON, NOW)
    assert plan.errors[0].message == "applied date: date '11/02' has no year (use YYYY-MM-DD or add the year)"


def test_csv_import_negative_stage_is_unknown() -> None:
    """ "-1" is not a stage (it used to read as 1, Applied)."""
    plan = read_import(b"company,role,stage\nAcme,SRE,-1\n", [], LONDON, NOW)
    assert plan.apps == []
    assert plan.errors[0].message == "unknown stage '-1'"


def test_csv_undated_row_history_is_an_imported_event() -> None:
    """No dates: one "imported" event at the stage, which reaches no stage (no weekly count)."""
    [app] = read_import(b"company,role,stage\nAcme,SRE,interview\n", [], LONDON, NOW).apps
    assert app.history == [Event(at=NOW, kind="imported", stage=Stage.INTERVIEW)]
    assert app.reached() == {}


def test_csv_round_trip_keeps_interview_edit_and_reopen_events() -> None:
    """Events the stage columns can't rebuild come back from the history column, in order."""
    t0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    app = JobApplication(7, "Acme", "SRE", t0, history=[Event(at=t0, kind="created", stage=Stage.PROSPECT)])
    moves.move(app, Stage.INTERVIEW, t0 + timedelta(days=3))
    app.history.append(Event(at=t0 + timedelta(days=3), kind="interview", detail="Fri 6 Nov 14:00"))
    moves.close(app, Outcome.REJECTED, t0 + timedelta(days=5), "Skills fit\nsecond line")
    moves.reopen(app, t0 + timedelta(days=6))
    app.history.append(Event(at=t0 + timedelta(days=6), kind="edited", detail="role"))
    [back] = read_import(export_csv([app]), [], LONDON, NOW).apps
    assert back.history == app.history
    assert back.outcome is None


def test_csv_edited_dates_rebuild_the_history() -> None:
    """When a spreadsheet edit makes the history column disagree with the dates, the dates win."""
    t0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    app = JobApplication(1, "Acme", "SRE", t0, history=[Event(at=t0, kind="created", stage=Stage.PROSPECT)])
    moves.move(app, Stage.APPLIED, t0 + timedelta(days=1))
    rows = list(csv.reader(io.StringIO(export_csv([app]).decode("utf-8-sig"))))
    rows[1][HEADER.index("applied_at")] = "2026-11-05"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    [back] = read_import(buffer.getvalue().encode(), [], LONDON, NOW).apps
    assert back.reached() == {Stage.PROSPECT: t0, Stage.APPLIED: datetime(2026, 11, 5, 12, 0, tzinfo=UTC)}


# -- review fixes: dates in a sane window, links and lengths as /add checks them ---------------


@pytest.mark.parametrize(
    ("column", "cell", "tz", "message"),
    [
        ("applied_at", "0001-01-01T00:00+05:00", LONDON, "applied date '0001-01-01T00:00+05:00'"),
        ("applied_at", "0001-01-01", ZoneInfo("Pacific/Kiritimati"), "applied date '0001-01-01'"),
        ("applied_at", "9999-12-31", ZoneInfo("Etc/GMT+12"), "applied date '9999-12-31'"),
        ("applied_at", "9999-12-31T23:59", ZoneInfo("Etc/GMT+12"), "applied date '9999-12-31T23:59'"),
        ("applied_at", "1989-12-31", LONDON, "applied date '1989-12-31'"),
        ("applied_at", "2031-12-01", LONDON, "applied date '2031-12-01' (use 1990-01-01 to 2031-11-23)"),
        ("created_at", "0001-01-01T00:00Z", LONDON, "created '0001-01-01T00:00Z'"),
        ("interviews", "9999-12-31T23:00Z", LONDON, "interview '9999-12-31T23:00Z' (interviews up to 2 years"),
        ("interviews", "2028-12-01T10:00Z", LONDON, "interview '2028-12-01T10:00Z'"),
        ("closes_on", "0001-01-01", LONDON, "closing date '0001-01-01'"),
        ("closes_on", "9999-12-31", LONDON, "closing date '9999-12-31'"),
        ("notes", "9999-12-31T23:59:59+00:00 note: later", LONDON, "note dated '9999-12-31T23:59:59+00:00'"),
    ],
)
def test_csv_import_refuses_dates_out_of_range(column: str, cell: str, tz: ZoneInfo, message: str) -> None:
    """Extreme or far-future dates are refused by line ("date out of range"), never an OverflowError."""
    data = f"company,role,stage,{column}\nAcme,SRE,applied,{cell}\nGlobex,Dev,applied,\n".encode()
    plan = read_import(data, [], tz, NOW)
    assert [e.line for e in plan.errors] == [2]
    assert plan.errors[0].message.startswith(f"date out of range: {message}")
    assert [a.company for a in plan.apps] == ["Globex"]


def test_csv_import_refuses_history_events_out_of_range() -> None:
    """A history cell with an event in year 9999 is refused, not stored to crash a card later."""
    data = (
        b"company,role,stage,applied_at,history\n"
        b'Acme,SRE,applied,2026-11-02T12:00Z,"2026-11-02T12:00:00+00:00 created stage=1\n'
        b'9999-12-31T23:59:59+00:00 edited: role"\n'
    )
    plan = read_import(data, [], LONDON, NOW)
    assert [(e.line, e.message) for e in plan.errors] == [
        (2, "date out of range: history event edited '9999-12-31T23:59:59+00:00' (use 1990-01-01 to 2031-11-23)")
    ]
    assert plan.apps == []


def test_csv_import_accepts_the_edges_of_the_window() -> None:
    """1990, five years ahead for stage dates and closing, two years ahead for interviews: accepted."""
    data = (
        b"company,role,stage,prospect_at,closes_on,interviews\n"
        b"Acme,SRE,prospect,1990-01-01T00:00Z,2031-11-23,2028-11-23T08:00Z\n"
    )
    plan = read_import(data, [], LONDON, NOW)
    assert plan.errors == []
    [app] = plan.apps
    assert app.closes_on == date(2031, 11, 23)
    assert app.interviews == [datetime(2028, 11, 23, 8, 0, tzinfo=UTC)]


def test_csv_import_checks_links_and_lengths_like_add() -> None:
    """Links must be http(s); company/role, track and reason keep /add's and /edit's length limits."""
    long_name = "C" * (MAX_NAME + 1)
    data = (
        "company,role,stage,link,track,outcome,reason\n"
        "A,R,applied,javascript:alert(1),,,\n"
        "B,R,applied,not a link at all,,,\n"
        "C,R,applied,https://ok.example/job?id=1 extra,,,\n"
        f"{long_name},R,applied,,,,\n"
        f"E,R,applied,,{'t' * 61},,\n"
        f"F,R,applied,,,rejected,{'r' * 201}\n"
        f"G,R,applied,HTTPS://good.example/job,#{'t' * 60},rejected,{'r' * 200}\n"
    ).encode()
    plan = read_import(data, [], LONDON, NOW)
    assert [(e.line, e.message) for e in plan.errors] == [
        (2, "link 'javascript:alert(1)' isn't a web address (use one starting with https://)"),
        (3, "link 'not a link at all' isn't a web address (use one starting with https://)"),
        (4, "link 'https://ok.example/job?id=1 extra' isn't a web address (use one starting with https://)"),
        (5, f"That company is over {MAX_NAME} characters; please shorten it."),
        (6, "track is over 60 characters"),
        (7, "reason is over 200 characters"),
    ]
    [good] = plan.apps
    assert (good.link, good.track, good.reason) == ("HTTPS://good.example/job", "t" * 60, "r" * 200)


def test_csv_import_unknown_source_is_other_with_a_warning() -> None:
    """A source not in the list keeps the row as "other" with a line warning; known aliases read silently."""
    data = b"Company,Job Title,Status,Via\nAcme,SRE,applied,Carrier pigeon\nGlobex,Dev,applied,LinkedIn\n"
    plan = read_import(data, [], LONDON, NOW)
    assert plan.errors == []
    assert [(a.company, a.source) for a in plan.apps] == [("Acme", Source.OTHER), ("Globex", Source.JOB_BOARD)]
    assert [(w.line, w.message) for w in plan.warnings] == [(2, "source 'Carrier pigeon' read as other")]
    assert plan.lines == [2, 3]
    bad = read_import(b"company,role,stage,source\nAcme,SRE,nope,Carrier pigeon\n", [], LONDON, NOW)
    assert [e.message for e in bad.errors] == ["unknown stage 'nope'"]
    assert bad.apps == [] and bad.warnings == []
