"""The funnel and weekly charts: valid, phone-sized PNGs with one line per application."""

from __future__ import annotations

import asyncio
import struct
from datetime import date, timedelta

from bot import charts
from bot.domain.stages import Outcome, Stage
from tests.domain.test_funnel import five, job


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after checking the signature."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_chart_rows_one_per_sent_application_newest_first() -> None:
    """Prospects never applied to are left out; newest is on top; ends say how each finished."""
    apps = [*five(), job(6, "Someday", [], added=30)]
    chart = charts.funnel_rows(apps)
    assert [(r.label, r.start, r.end, r.end_state) for r in chart.rows] == [
        ("#4 Interviewco", Stage.APPLIED, Stage.INTERVIEW, "rejected"),
        ("#3 Elsewhere", Stage.APPLIED, Stage.APPLIED, "withdrawn"),
        ("#5 Dream", Stage.PROSPECT, Stage.ACCEPTED, "accepted"),
        ("#2 Skillz", Stage.PROSPECT, Stage.SCREEN, "rejected"),
        ("#1 Tzco", Stage.APPLIED, Stage.APPLIED, "rejected"),
    ]
    assert chart.hidden == 0


def test_chart_rows_tracks_match_case_insensitively() -> None:
    """'SRE' and 'sre' are one colour, shown in the newest spelling."""
    assert {r.track for r in charts.funnel_rows(five()).rows} == {"SRE", "data"}


def test_chart_rows_keep_the_latest_forty() -> None:
    """Over 40 applications, the latest 40 are drawn and the rest counted."""
    apps = [job(n, f"C{n}", [(n, Stage.APPLIED)], added=n) for n in range(1, 56)]
    chart = charts.funnel_rows(apps)
    assert len(chart.rows) == charts.MAX_LINES
    assert chart.rows[0].label == "#55 C55" and chart.rows[-1].label == "#16 C16"
    assert chart.hidden == 15


def test_chart_funnel_png_size_follows_rows() -> None:
    """A valid PNG 900 px wide whose height grows with the number of lines."""
    width, height = png_size(charts.render_funnel(five()))
    assert (width, height) == (900, round(charts.funnel_height(5) * charts.DPI))


def test_chart_funnel_forty_lines_stays_small() -> None:
    """Forty lines with awkward names render under 200 KB."""
    ends = [(3, Stage.INTERVIEW), (6, (Outcome.REJECTED, "")), (9, Stage.ACCEPTED)]
    apps = [
        job(
            n,
            f"Ünïcode 😀 שלום Company {n}",
            [(1, Stage.APPLIED), ends[n % 3]],
            track=["sre", "data", "", "platform"][n % 4],
            added=n / 10,
        )
        for n in range(1, 61)
    ]
    data = charts.render_funnel(apps)
    assert png_size(data) == (900, round(charts.funnel_height(40) * charts.DPI))
    assert len(data) < 200_000


def test_chart_weeks_png() -> None:
    """The weekly bars are a valid PNG of the fixed size."""
    series = [(date(2026, 9, 28) + timedelta(days=7 * i), i % 4) for i in range(12)]
    data = charts.render_weeks(series, 2)
    assert png_size(data) == (900, 550)
    assert len(data) < 200_000


async def test_chart_renders_serialise_across_threads() -> None:
    """Concurrent renders in worker threads (as the handlers do) all produce valid PNGs."""
    series = [(date(2026, 11, 2), 3)]
    results = await asyncio.gather(
        *(asyncio.to_thread(charts.render_funnel, five()) for _ in range(3)),
        *(asyncio.to_thread(charts.render_weeks, series, 2) for _ in range(3)),
    )
    assert [png_size(data)[0] for data in results] == [900] * 6


def _eight_tracks_forty_rows() -> list:  # type: ignore[type-arg]
    ends = [(3, Stage.INTERVIEW), (6, (Outcome.REJECTED, "")), (9, Stage.ACCEPTED), (4, Stage.SECOND)]
    return [
        job(n, f"Company number {n}", [(1, Stage.APPLIED), ends[n % 4]], track=f"track{n % 8 + 1}", added=n / 10)
        for n in range(1, 41)
    ]


def test_chart_stage_names_never_touch() -> None:
    """At the rendered size, neighbouring stage names keep a gap; squeezed by long names, they slant."""
    with charts._RENDER_LOCK:
        fig = charts.funnel_figure(charts.funnel_rows(_eight_tracks_forty_rows()))
        assert min(charts.tick_gaps(fig)) >= charts.TICK_GAP_PX
        assert {label.get_rotation() for label in fig.axes[0].get_xticklabels()} == {0}
        wide = [job(n, "W" * 30, [(1, Stage.APPLIED)]) for n in range(1, 5)]
        squeezed = charts.funnel_figure(charts.funnel_rows(wide))
        assert {label.get_rotation() for label in squeezed.axes[0].get_xticklabels()} == {40}


def test_chart_tracks_never_share_a_look() -> None:
    """Eight tracks get eight colours (none twice); past 18 colours the line style changes too."""
    eight = charts.track_styles(charts.funnel_rows(_eight_tracks_forty_rows()).rows)
    assert len({style.colour for style in eight.values()}) == 8
    many = [job(n, f"C{n}", [(1, Stage.APPLIED)], track=f"t{n}") for n in range(1, 41)]
    styles = charts.track_styles(charts.funnel_rows(many).rows)
    assert len(styles) == 40
    assert len({(style.colour, str(style.dashes)) for style in styles.values()}) == 40
    assert len({style.colour for style in styles.values()}) == 18


def test_chart_eight_tracks_forty_rows_under_200_kb() -> None:
    """The QA case renders as a phone-sized PNG under 200 KB."""
    data = charts.render_funnel(_eight_tracks_forty_rows())
    assert png_size(data)[0] == 900 and len(data) < 200_000


def test_funnel_rows_by_camp_group_colours_by_camp() -> None:
    """/chart camp groups the lines by camp; an application without one is "no camp", drawn grey."""
    apps = five()
    apps[0].camp = None
    rows = charts.funnel_rows(apps, by="camp").rows
    by_number = {row.label.split()[0]: row.track for row in rows}
    assert by_number["#1"] == charts.NO_CAMP
    assert {row.track for row in rows} - {charts.NO_CAMP} <= {"safe", "growth", "adventurous"}
    assert charts.track_styles(rows)[charts.NO_CAMP].colour == "#7f7f7f"
    assert charts.render_funnel(apps, by="camp").startswith(b"\x89PNG")
