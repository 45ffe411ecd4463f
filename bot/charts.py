"""Pictures for a phone screen: the fridge funnel and applications per week, as PNG bytes.

matplotlib is imported lazily (it is slow to import and only these two commands need it) and used
through ``Figure`` + the Agg canvas, never pyplot, so no global figure state is involved. It is
still not thread-safe, so every render holds ``_RENDER_LOCK``: callers may run the functions in
worker threads (``asyncio.to_thread``) without coordinating among themselves.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

from bot.domain.funnel import end_state, entry_stage, furthest
from bot.domain.models import JobApplication
from bot.domain.stages import Stage

MAX_LINES = 40
WIDTH_IN, DPI = 9.0, 100
NO_TRACK = "no track"
NO_CAMP = "no camp"
COLOUR_BY = ("track", "camp")  # what the funnel's line colours stand for (/chart, /chart camp)
_RENDER_LOCK = threading.Lock()
# Short, and two lines where long, so neighbours never touch at 900 px (tests measure the boxes).
_STAGE_TICKS = [
    "Prospect",
    "Applied",
    "Respon-\nded",
    "Phone\nscreen",
    "Inter-\nview",
    "2nd\ninterview",
    "Offer",
    "Accepted",
]
TICK_GAP_PX = 6  # the least space between two stage names; closer than this, they are slanted
# tab10 without its grey (grey means "no track"), then tab20's light shades: 18 distinct colours.
# Past 18 tracks the colours repeat with another line style, so no two tracks look alike.
_PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#ff9896",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#dbdb8d",
    "#9edae5",
]
_DASHES: list[Any] = ["solid", (0, (2, 1)), (0, (0.5, 1)), (0, (3, 1, 0.5, 1))]
_GREY = "#7f7f7f"
# end state -> (matplotlib marker, size, legend label)
_ENDS = {
    "open": (">", 13, "open"),
    "accepted": ("*", 24, "accepted"),
    "rejected": ("X", 14, "rejected"),
    "ghosted": ("o", 12, "ghosted"),
    "withdrawn": ("s", 10, "withdrawn / declined"),
    "declined": ("s", 10, "withdrawn / declined"),
}


@dataclass(frozen=True)
class ChartRow:
    """One application's line: from where it entered to how far it got."""

    label: str
    start: Stage
    end: Stage
    end_state: str  # open, accepted or an outcome value
    track: str  # the colour group: the track, or the camp with /chart camp


@dataclass(frozen=True)
class FunnelChart:
    rows: tuple[ChartRow, ...]  # top to bottom: newest first
    hidden: int  # applications left out because of the limit


def funnel_rows(apps: Iterable[JobApplication], limit: int = MAX_LINES, *, by: str = "track") -> FunnelChart:
    """The lines /chart draws: applications that were sent, newest first, at most ``limit``.

    ``by`` ("track" or "camp") is what the colours group.
    """
    sent = [a for a in apps if furthest(a) >= Stage.APPLIED]
    sent.sort(key=lambda a: (a.created_at, a.number), reverse=True)
    spelling: dict[str, str] = {}  # tracks match case-insensitively; the newest spelling shows
    for app in sent:
        spelling.setdefault(app.track.strip().casefold(), app.track.strip() or NO_TRACK)
    rows = tuple(
        ChartRow(
            label=_shorten(f"#{a.number} {a.company}", 24),
            start=entry_stage(a),
            end=furthest(a),
            end_state=end_state(a),
            track=(a.camp.value if a.camp else NO_CAMP) if by == "camp" else spelling[a.track.strip().casefold()],
        )
        for a in sent[:limit]
    )
    return FunnelChart(rows, max(0, len(sent) - limit))


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def funnel_height(lines: int) -> float:
    """Figure height in inches for ``lines`` rows (pixels = inches * DPI)."""
    return max(4.5, 2.4 + 0.42 * lines)


@dataclass(frozen=True)
class TrackStyle:
    colour: str
    dashes: Any  # a matplotlib line style: "solid" or an on/off dash tuple


def track_styles(rows: Sequence[ChartRow]) -> dict[str, TrackStyle]:
    """A distinct look per track, busiest track first; "no track" is grey."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.track] = counts.get(row.track, 0) + 1
    tracks = sorted((t for t in counts if t not in (NO_TRACK, NO_CAMP)), key=lambda t: (-counts[t], t.casefold()))
    n = len(_PALETTE)
    styles = {track: TrackStyle(_PALETTE[i % n], _DASHES[(i // n) % len(_DASHES)]) for i, track in enumerate(tracks)}
    for unset in (NO_TRACK, NO_CAMP):
        if unset in counts:
            styles[unset] = TrackStyle(_GREY, "solid")
    return styles


def _png(fig: Any) -> bytes:
    """Save as a palette PNG: a few dozen flat colours keep a 40-line chart well under 200 KB."""
    from PIL import Image

    raw = io.BytesIO()
    fig.savefig(raw, format="png", dpi=DPI)
    raw.seek(0)
    with Image.open(raw) as image:
        small = image.convert("RGB").quantize(colors=64)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _new_figure(height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def render_funnel(apps: Iterable[JobApplication], *, limit: int = MAX_LINES, by: str = "track") -> bytes:
    """The fridge funnel as a PNG: one line per application, coloured by track (or camp)."""
    chart = funnel_rows(apps, limit, by=by)
    with _RENDER_LOCK, warnings.catch_warnings():
        # Company names may hold emoji the bundled font lacks; a missing glyph is not an error.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        warnings.filterwarnings("ignore", message=r"Matplotlib currently does not support")
        return _draw_funnel(chart)


def _draw_funnel(chart: FunnelChart) -> bytes:
    return _png(funnel_figure(chart))


def funnel_figure(chart: FunnelChart) -> Any:
    """The matplotlib Figure behind :func:`render_funnel` (callers hold ``_RENDER_LOCK``)."""
    from matplotlib.lines import Line2D

    rows = chart.rows
    fig = _new_figure(funnel_height(len(rows)))
    ax = fig.add_subplot()
    styles = track_styles(rows)
    for y, row in enumerate(rows):
        style = styles[row.track]
        ax.plot(
            [row.start, row.end],
            [y, y],
            color=style.colour,
            linewidth=6,
            linestyle=style.dashes,
            solid_capstyle="round",
            dash_capstyle="round",
        )
        marker, size, _ = _ENDS[row.end_state]
        ax.plot(
            [row.end],
            [y],
            marker=marker,
            markersize=size,
            color=style.colour,
            markeredgecolor="black",
            markeredgewidth=1.2,
            linestyle="none",
        )
    ax.set_xlim(-0.4, 7.6)
    ax.set_ylim(max(len(rows), 1) - 0.4, -0.6)  # newest (row 0) on top
    ax.set_xticks(range(len(Stage)), _STAGE_TICKS, fontsize=12)
    ax.set_yticks(range(len(rows)), [row.label for row in rows], fontsize=13)
    ax.grid(axis="x", color="#dddddd", linewidth=1)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    title = "Your funnel"
    if chart.hidden:
        title += f": latest {len(rows)} of {len(rows) + chart.hidden}"
    ax.set_title(title, fontsize=18, loc="left", pad=12)
    handles = [
        Line2D(
            [],
            [],
            color=style.colour,
            linestyle=style.dashes,
            linewidth=6,
            dash_capstyle="round",
            label=_shorten(track, 18),
        )
        for track, style in styles.items()
    ]
    seen = []
    for state in ("open", "accepted", "rejected", "ghosted", "withdrawn", "declined"):
        marker, size, label = _ENDS[state]
        if any(row.end_state == state for row in rows) and label not in seen:
            seen.append(label)
            handles.append(
                Line2D(
                    [],
                    [],
                    marker=marker,
                    markersize=min(size, 16),
                    color="white",
                    markeredgecolor="black",
                    linestyle="none",
                    label=label,
                )
            )
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=12, frameon=False)
    if min(tick_gaps(fig), default=TICK_GAP_PX) < TICK_GAP_PX:  # long company names squeeze the axis
        ax.tick_params(axis="x", labelrotation=40)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
    return fig


def tick_gaps(fig: Any) -> list[float]:
    """Pixels between neighbouring stage names on the x axis (negative: they overlap)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [label.get_window_extent(renderer) for label in fig.axes[0].get_xticklabels()]
    return [right.x0 - left.x1 for left, right in pairwise(boxes)]


def render_weeks(series: Sequence[tuple[date, int]], target: int) -> bytes:
    """Applications per week as bars, with the weekly target as a dashed line."""
    with _RENDER_LOCK:
        return _draw_weeks(series, target)


def _draw_weeks(series: Sequence[tuple[date, int]], target: int) -> bytes:
    fig = _new_figure(5.5)
    ax = fig.add_subplot()
    xs = list(range(len(series)))
    counts = [count for _, count in series]
    colours = ["#2ca02c" if count >= target else "#ff7f0e" for count in counts]
    ax.bar(xs, counts, color=colours, width=0.7)
    for x, count in zip(xs, counts, strict=True):
        ax.text(x, count + 0.05, str(count), ha="center", va="bottom", fontsize=14)
    ax.axhline(target, color="black", linestyle="--", linewidth=2, label=f"target {target}")
    step = max(1, -(-len(series) // 12))
    ax.set_xticks(
        xs[::step],
        [f"{monday.day} {monday:%b}" for monday, _ in series][::step],
        fontsize=13,
        rotation=0 if len(series) <= 8 else 45,
    )
    ax.set_ylim(0, max([target, *counts]) + 1)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(axis="y", labelsize=13)
    ax.set_ylabel("applications", fontsize=14)
    ax.set_title("Applications per week", fontsize=18, loc="left", pad=12)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(fontsize=13, frameon=False, loc="upper left")
    return _png(fig)
