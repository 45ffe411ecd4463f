"""Funnel math against hand-computed fixtures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.charts import funnel_rows
from bot.domain import moves
from bot.domain.csvio import build_history
from bot.domain.funnel import (
    PeriodError,
    Rates,
    entry_stage,
    funnel,
    furthest,
    headline,
    parse_period,
    ratio_phrase,
    report_rows,
    segment_stats,
    week_rows,
)
from bot.domain.models import Camp, Event, JobApplication, Profile, Source
from bot.domain.reminders import standing
from bot.domain.stages import Outcome, Stage
from bot.domain.weekly import applied_on
from bot.domain.words import plural

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
LONDON = ZoneInfo("Europe/London")


def at(day: float) -> datetime:
    return T0 + timedelta(days=day)


def job(
    number: int,
    company: str,
    steps: Sequence[tuple[float, object]],
    *,
    track: str = "",
    camp: Camp | None = None,
    source: Source | None = None,
    added: float = 0,
) -> JobApplication:
    """An application saved on day ``added``, then moved through ``steps``.

    A step is (day, Stage) for a move, or (day, (Outcome, reason)) for closing it. A first step
    to Applied on day ``added`` means "added as applied", as ``/add … applied`` records it.
    """
    entry = Stage.PROSPECT
    if steps and steps[0] == (added, Stage.APPLIED):
        entry, steps = Stage.APPLIED, steps[1:]
    app = JobApplication(
        number=number,
        company=company,
        role="Engineer",
        created_at=at(added),
        track=track,
        camp=camp,
        source=source,
        stage=entry,
        history=[Event(at=at(added), kind="created", stage=entry)],
    )
    for day, step in steps:
        if isinstance(step, Stage):
            moves.move(app, step, at(day))
        else:
            assert isinstance(step, tuple)
            outcome, reason = step
            moves.close(app, outcome, at(day), reason)
    return app


def five() -> list[JobApplication]:
    """The issue's fixture: three closed without an interview, two interviewed, one accepted."""
    return [
        # Added as applied, rejected for the timezone without ever hearing more.
        job(
            1,
            "Tzco",
            [(0, Stage.APPLIED), (3, (Outcome.REJECTED, "Timezone / location"))],
            track="sre",
            camp=Camp.SAFE,
            source=Source.JOB_BOARD,
        ),
        # Saved, applied on day 2, answered day 6, phone screen day 8, rejected for skills fit.
        job(
            2,
            "Skillz",
            [(2, Stage.APPLIED), (6, Stage.RESPONDED), (8, Stage.SCREEN), (10, (Outcome.REJECTED, "Skills fit"))],
            track="sre",
            camp=Camp.GROWTH,
            source=Source.REFERRAL,
        ),
        # Added as applied on day 1; withdrawn on day 20 after accepting #5.
        job(
            3,
            "Elsewhere",
            [(1, Stage.APPLIED), (20, (Outcome.WITHDRAWN, "accepted elsewhere"))],
            track="data",
            camp=Camp.SAFE,
            source=Source.JOB_BOARD,
            added=1,
        ),
        # Added as applied day 1: answered day 4, screen 5, interview 9, rejected day 14.
        job(
            4,
            "Interviewco",
            [
                (1, Stage.APPLIED),
                (4, Stage.RESPONDED),
                (5, Stage.SCREEN),
                (9, Stage.INTERVIEW),
                (14, (Outcome.REJECTED, "Experience level")),
            ],
            track="SRE",
            camp=Camp.GROWTH,
            source=Source.REFERRAL,
            added=1,
        ),
        # Saved day 0, applied day 3, answered 5, straight to interview 8, second 12, offer 17,
        # accepted 19.
        job(
            5,
            "Dream",
            [
                (3, Stage.APPLIED),
                (5, Stage.RESPONDED),
                (8, Stage.INTERVIEW),
                (12, Stage.SECOND),
                (17, Stage.OFFER),
                (19, Stage.ACCEPTED),
            ],
            track="data",
            camp=Camp.ADVENTUROUS,
            source=Source.NETWORK,
        ),
    ]


def test_funnel_rates_on_the_issue_fixture() -> None:
    """3 of 5 got a response, 2 of 5 an interview (one after which it was rejected), 1 an offer."""
    result = funnel(five())
    assert result.total == 5
    assert result.rates == Rates(applied=5, responded=3, interviewed=2, offered=1, accepted=1)
    assert result.rates.response_rate == pytest.approx(0.6)
    assert result.rates.interview_rate == pytest.approx(0.4)
    assert result.rates.offer_rate == pytest.approx(0.2)


def test_funnel_headline_on_the_issue_fixture() -> None:
    """The sentence on top uses the exact ratios."""
    assert funnel(five()).headline == ("You get a response to 3 in 5 applications and an interview to 2 in 5.")


def test_funnel_stage_counts_and_conversions() -> None:
    """Counts are 'reached this stage or beyond'; a skipped phone screen still counts as passed."""
    result = funnel(five())
    table = {row.stage: (row.count, row.conversion) for row in result.stages}
    assert table == {
        Stage.APPLIED: (5, 1.0),  # both apps saved as prospects were applied to
        Stage.RESPONDED: (3, 3 / 5),
        Stage.SCREEN: (3, 1.0),
        Stage.INTERVIEW: (2, 2 / 3),
        Stage.SECOND: (1, 1 / 2),
        Stage.OFFER: (1, 1.0),
        Stage.ACCEPTED: (1, 1.0),
    }
    assert result.saved_as_prospect == 2


def test_funnel_median_waits() -> None:
    """Medians of elapsed days; 'added as applied' is not a zero-day prospect."""
    waits = {(w.start, w.end): (w.median_days, w.samples) for w in funnel(five()).waits}
    assert waits == {
        (Stage.PROSPECT, Stage.APPLIED): (2.5, 2),  # #2: 2 days, #5: 3 days
        (Stage.APPLIED, Stage.RESPONDED): (3.0, 3),  # #2: 4, #4: 3, #5: 2
        (Stage.RESPONDED, Stage.INTERVIEW): (4.0, 2),  # #4: 5, #5: 3
        (Stage.INTERVIEW, Stage.OFFER): (9.0, 1),  # #5: 8 -> 17
    }


def test_funnel_outcomes_with_reasons() -> None:
    """Each way of ending, with its reasons, most common first then alphabetical."""
    found = {o.state: (o.count, o.reasons) for o in funnel(five()).outcomes}
    assert found == {
        "open": (0, ()),
        "accepted": (1, ()),
        "rejected": (3, (("Experience level", 1), ("Skills fit", 1), ("Timezone / location", 1))),
        "withdrawn": (1, (("accepted elsewhere", 1),)),
        "declined": (0, ()),
        "ghosted": (0, ()),
    }


def test_funnel_rejected_after_interview_counts_as_interviewed() -> None:
    """Closing an application never lowers how far it got."""
    interviewco = five()[3]
    assert interviewco.outcome == Outcome.REJECTED
    assert furthest(interviewco) == Stage.INTERVIEW


def test_funnel_inertia_counts_prospects_never_applied() -> None:
    """Open and dropped prospects are inertia; they lower prospect->applied conversion only."""
    apps = [*five(), job(6, "Someday", []), job(7, "Nah", [(4, (Outcome.WITHDRAWN, ""))])]
    result = funnel(apps)
    assert (result.prospects_open, result.prospects_dropped) == (1, 1)
    assert result.saved_as_prospect == 4
    assert result.stages[0].conversion == pytest.approx(2 / 4)
    assert result.rates == funnel(five()).rates
    withdrawn = next(o for o in result.outcomes if o.state == "withdrawn")
    assert withdrawn.reasons == (("accepted elsewhere", 1), ("no reason given", 1))


def test_funnel_entry_stage() -> None:
    """Added as applied enters at Applied; saved first enters at Prospect."""
    tzco, skillz = five()[:2]
    assert entry_stage(tzco) == Stage.APPLIED
    assert entry_stage(skillz) == Stage.PROSPECT


def test_funnel_uses_current_stage_when_history_has_no_dates() -> None:
    """An imported row with a stage but no dates still counts as far as its stage."""
    app = JobApplication(1, "A", "B", T0, stage=Stage.INTERVIEW, history=[Event(at=T0, kind="created")])
    assert furthest(app) == Stage.INTERVIEW
    assert entry_stage(app) == Stage.APPLIED
    assert funnel([app]).rates.interviewed == 1


def test_funnel_empty() -> None:
    """No applications: zero counts, no conversions, an encouraging headline."""
    result = funnel([])
    assert result.rates.applied == 0
    assert result.rates.response_rate is None
    assert all(row.conversion is None for row in result.stages)
    assert result.waits == ()
    assert "haven't applied" in result.headline


@pytest.mark.parametrize(
    ("part", "whole", "phrase"),
    [
        (1, 3, "1 in 3"),
        (2, 4, "1 in 2"),
        (3, 5, "3 in 5"),
        (7, 20, "1 in 3"),
        (1, 30, "1 in 30"),
        (13, 20, "2 in 3"),
        (7, 16, "2 in 5"),
        (3, 25, "1 in 8"),
        (4, 4, "every"),
    ],
)
def test_funnel_ratio_phrase(part: int, whole: int, phrase: str) -> None:
    """Rates read as small whole-number ratios."""
    assert ratio_phrase(part, whole) == phrase


def test_funnel_headline_variants() -> None:
    """No responses, responses without interviews, and everything."""
    assert headline(Rates(applied=4)) == "No responses yet from your 4 applications: early days, keep sending."
    assert headline(Rates(applied=6, responded=2)) == ("You get a response to 1 in 3 applications; no interviews yet.")
    assert headline(Rates(applied=2, responded=2, interviewed=2)) == (
        "You get a response to every application and an interview to every one."
    )


def test_segment_by_track_small_samples_are_tentative() -> None:
    """Tracks group case-insensitively; with only small segments the verdict is tentative."""
    result = segment_stats(five(), "track")
    by_name = {s.name: s for s in result.segments}
    assert set(by_name) == {"sre", "data"}
    assert by_name["sre"].rates == Rates(applied=3, responded=2, interviewed=1)
    assert by_name["data"].rates == Rates(applied=2, responded=1, interviewed=1, offered=1, accepted=1)
    assert all(s.small for s in result.segments)
    assert result.best is by_name["data"]  # interview 1/2 beats 1/3
    assert result.worst is by_name["sre"]
    assert result.tentative


def test_segment_by_camp_and_source() -> None:
    """Unset values get their own segment; best and worst by interview then response rate."""
    camps = segment_stats([*five(), job(6, "Someday", [])], "camp")
    names = [s.name for s in camps.segments]
    assert names == ["growth", "safe", "adventurous", "(no camp)"]
    assert camps.best is not None and camps.best.name == "adventurous"
    assert camps.worst is not None and camps.worst.name == "safe"
    sources = segment_stats(five(), "source")
    assert sources.best is not None and sources.best.name == "network"
    assert sources.worst is not None and sources.worst.name == "job board"


def test_segment_only_sized_segments_compete() -> None:
    """With two segments of 5+, a tiny segment with a perfect rate is not named best."""
    interview = [(1, Stage.APPLIED), (2, Stage.INTERVIEW)]
    nothing = [(1, Stage.APPLIED)]
    apps = (
        [job(n, f"A{n}", interview if n <= 3 else nothing, track="a") for n in range(1, 7)]
        + [job(n, f"B{n}", interview if n == 7 else nothing, track="b") for n in range(7, 12)]
        + [job(12, "C", interview, track="c")]
    )
    result = segment_stats(apps, "track")
    assert result.best is not None and result.best.name == "a"
    assert result.worst is not None and result.worst.name == "b"
    assert not result.tentative


def test_segment_ties_name_nobody() -> None:
    """Equal rates everywhere: no best or worst."""
    apps = [job(1, "A", [(1, Stage.APPLIED)], track="x"), job(2, "B", [(1, Stage.APPLIED)], track="y")]
    result = segment_stats(apps, "track")
    assert result.best is None and result.worst is None


def test_segment_rejects_unknown_field() -> None:
    """Only track, camp and source."""
    with pytest.raises(ValueError, match="unknown"):
        segment_stats([], "salary")


def test_week_rows_reuse_weekly_buffer_rules() -> None:
    """Per week: applications sent and the buffer carried in, as weekly.week_status counts them."""
    # Weeks starting 2, 9, 16 Nov 2026; target 2. Three sent the first week, none the second.
    apps = [job(n, f"C{n}", [(0, Stage.APPLIED)]) for n in (1, 2, 3)]
    apps.append(job(4, "C4", [(15, Stage.APPLIED)], added=15))
    rows = week_rows(apps, LONDON, 2, at(16), 3)
    assert [(r.monday, r.applied, r.buffer_in, r.met) for r in rows] == [
        (date(2026, 11, 2), 3, 0, True),
        (date(2026, 11, 9), 0, 1, False),
        (date(2026, 11, 16), 1, 0, False),
    ]


def test_report_rows_by_local_applied_day() -> None:
    """The period is inclusive and in the user's zone; prospects never appear."""
    apps = [
        job(1, "Early", [(0, Stage.APPLIED)]),
        job(2, "Late", [(5, Stage.APPLIED), (7, (Outcome.REJECTED, "Salary"))]),
        job(3, "Prospect", []),
        job(4, "After", [(9, Stage.APPLIED)]),
    ]
    rows = report_rows(apps, LONDON, date(2026, 11, 2), date(2026, 11, 7))
    assert [(r.number, r.applied_on, r.status) for r in rows] == [
        (1, date(2026, 11, 2), "Applied"),
        (2, date(2026, 11, 7), "Rejected at applied"),
    ]


def test_report_rows_local_day_crosses_midnight() -> None:
    """23:30 UTC on 30 Nov is already 1 Dec in Berlin."""
    app = job(1, "Night", [])
    moves.move(app, Stage.APPLIED, datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    berlin = ZoneInfo("Europe/Berlin")
    assert report_rows([app], berlin, date(2026, 12, 1), date(2026, 12, 31))[0].applied_on == date(2026, 12, 1)
    assert report_rows([app], LONDON, date(2026, 12, 1), date(2026, 12, 31)) == []


def test_parse_period_iso_and_defaults() -> None:
    """ISO dates; the end defaults to today."""
    today = date(2026, 11, 23)
    assert parse_period(["2026-11-01", "2026-11-30"], today) == (date(2026, 11, 1), date(2026, 11, 30))
    assert parse_period(["2026-11-01"], today) == (date(2026, 11, 1), today)


def test_parse_period_phrases_look_back() -> None:
    """A month-and-day without a year means the most recent one."""
    assert parse_period(["dec 1"], date(2026, 11, 23)) == (date(2025, 12, 1), date(2026, 11, 23))


@pytest.mark.parametrize(
    ("args", "message"),
    [([], "Give a period"), (["2026-11-30", "2026-11-01"], "starts after"), (["soonish-ish"], "can't read")],
)
def test_parse_period_errors(args: list[str], message: str) -> None:
    """Bad periods raise a message for the user."""
    with pytest.raises(PeriodError, match=message):
        parse_period(args, date(2026, 11, 23))


def test_plural() -> None:
    """One is singular; zero and many are plural; irregular plurals can be given."""
    assert [plural(0, "day"), plural(1, "day"), plural(2, "day")] == ["0 days", "1 day", "2 days"]
    assert plural(3, "entry", "entries") == "3 entries"
    assert headline(Rates(applied=1)) == "No responses yet from your 1 application: early days, keep sending."


def test_segment_unlabelled_is_listed_but_never_ranked() -> None:
    """ "(no camp)" with the worst (or best) rates is neither worst nor best."""
    rejected = [(1, Stage.APPLIED), (3, (Outcome.REJECTED, ""))]
    worst_unset = segment_stats([*five(), *(job(n, f"N{n}", rejected) for n in (6, 7, 8))], "camp")
    unset = next(s for s in worst_unset.segments if s.name == "(no camp)")
    assert not unset.labelled and unset.rates.applied == 3
    assert worst_unset.worst is not None and worst_unset.worst.name == "safe"
    interview = [(1, Stage.APPLIED), (2, Stage.INTERVIEW)]
    best_unset = segment_stats([*five(), *(job(n, f"N{n}", interview) for n in range(6, 12))], "camp")
    assert best_unset.best is not None and best_unset.best.name == "adventurous"


def test_week_rows_since_leaves_earlier_weeks_uncounted() -> None:
    """Weeks before the user's first day carry no buffer and are marked not counted."""
    apps = [job(n, f"C{n}", [(0, Stage.APPLIED)]) for n in range(1, 9)]  # 8 in the week of 2 Nov
    rows = week_rows(apps, LONDON, 2, at(16), 3, since=date(2026, 11, 10))
    assert [(r.monday, r.applied, r.buffer_in, r.counted) for r in rows] == [
        (date(2026, 11, 2), 8, 0, False),
        (date(2026, 11, 9), 0, 0, True),
        (date(2026, 11, 16), 0, 0, True),
    ]
    assert week_rows(apps, LONDON, 2, at(16), 3)[2].buffer_in == 4  # without since: 6 ahead, minus 2


def test_entry_stage_comes_from_creation_not_from_timestamps() -> None:
    """Added as applied and moved on in the same second still enters at Applied; a prospect
    moved to Applied in its first second still entered as a prospect."""
    from bot.domain.capture import Draft

    fast = moves.new_application(Draft(company="Acme", role="SRE", applied=True), T0)
    moves.move(fast, Stage.INTERVIEW, T0)
    assert entry_stage(fast) == Stage.APPLIED
    assert Stage.PROSPECT not in fast.reached()
    quick = moves.new_application(Draft(company="Beta", role="SRE"), T0)
    moves.move(quick, Stage.APPLIED, T0)
    assert entry_stage(quick) == Stage.PROSPECT


# -- one definition, everywhere ----------------------------------------------------------------


def _imported(number: int, stage: Stage, *, outcome: Outcome | None = None) -> JobApplication:
    """A row imported from a spreadsheet with a stage but no stage dates (maybe closed)."""
    closed = at(3) if outcome is not None else None
    return JobApplication(
        number=number,
        company=f"Imported {number}",
        role="Engineer",
        created_at=at(1),
        track="imported",
        stage=stage,
        outcome=outcome,
        history=build_history(at(1), {}, outcome, "", closed, stage),
    )


def mixed() -> list[JobApplication]:
    """Undated imported rows (one open at Interview, one closed at Applied), tracked apps, prospects."""
    return [
        _imported(11, Stage.INTERVIEW),
        _imported(12, Stage.APPLIED, outcome=Outcome.REJECTED),
        *five(),
        job(9, "Prospectco", [], track="sre"),
        job(10, "Dropco", [(2, (Outcome.WITHDRAWN, ""))], track="sre"),
    ]


def test_every_view_of_the_funnel_agrees_on_the_same_applications() -> None:
    """/funnel, /stats, the weekly review, /chart and /week count applied, replied, interviewed and offers alike."""
    apps = mixed()
    overall = funnel(apps)
    by_stage = {row.stage: row.count for row in overall.stages}
    assert (overall.rates.applied, overall.rates.interviewed) == (7, 3)
    assert (by_stage[Stage.APPLIED], by_stage[Stage.INTERVIEW], by_stage[Stage.OFFER]) == (7, 3, 1)

    for by in ("track", "camp", "source"):
        parts = segment_stats(apps, by).segments
        summed = Rates(*(sum(getattr(s.rates, f) for s in parts) for f in ("applied", "responded", "interviewed")))
        assert summed == Rates(overall.rates.applied, overall.rates.responded, overall.rates.interviewed)

    profile = Profile(user_id=1, chat_id=1, created_at=T0)
    review = standing(profile, apps, at(6), LONDON)
    assert review.funnel == overall.rates
    assert review.saved == overall.total == len(apps)

    chart = funnel_rows(apps)
    assert len(chart.rows) + chart.hidden == overall.rates.applied
    assert sum(1 for row in chart.rows if row.end >= Stage.INTERVIEW) == overall.rates.interviewed

    weeks = week_rows(apps, LONDON, 1, at(40), 8)
    counted = {a.number for a in apps if applied_on(a, LONDON) is not None}
    assert sum(row.applied for row in weeks) == len(counted)
    assert counted <= {a.number for a in apps if furthest(a) >= Stage.APPLIED}
    assert {11, 12}.isdisjoint(counted)  # an undated row has no week, though /funnel counts it as sent


def test_review_counts_an_undated_imported_interview_as_applied_and_interviewed() -> None:
    """The defect: the review's "Funnel so far" said 0 applied for a dateless row imported at Interview."""
    review = standing(Profile(user_id=1, chat_id=1, created_at=T0), [_imported(1, Stage.INTERVIEW)], at(6), LONDON)
    assert (review.funnel.applied, review.funnel.responded, review.funnel.interviewed) == (1, 1, 1)
