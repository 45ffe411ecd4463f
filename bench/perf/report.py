"""The benchmark's table: every figure, its goal, and whether it was met."""

from __future__ import annotations

import math
import statistics
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.perf.run import Bench, Sizes

WRITES = ("add", "advance", "move", "undo")


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value * 1000:.1f}"


def _pct(values: list[float], q: float) -> float:
    from bench.perf.run import pct

    return pct(values, q)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def report(bench: Bench, sizes: Sizes, *, quick: bool, wall: float) -> list[str]:
    """Print the table; returns the names of the goals missed."""
    rows = bench.rows
    f = bench.figures
    floor = _median(rows["echo"].samples) if "echo" in rows else math.nan
    missed: list[str] = []
    lines = [
        f"Funnelbot benchmark{' (--quick: reduced sizes, goals not checked)' if quick else ''}: "
        f"{sizes.users:,} users x 20 applications + 1 x {sizes.big_apps}; real `funnelbot run` over HTTP, "
        f"flood limits on, fsync on; latency in ms (queued -> reply at the Bot API server); "
        f"x = median / echo-bot median ({_ms(floor)} ms)",
        "",
        f"| {'what':<52} | {'median':>7} | {'p95':>7} | {'p99':>7} | {'x floor':>7} | {'goal':<18} | met |",
        f"|{'-' * 54}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 20}|-----|",
    ]

    def line(what: str, values: list[float], goal: str = "", ok: bool | None = None, x: float | None = None) -> None:
        ratio = _median(values) / floor if x is None and values else x
        ratio_text = "-" if ratio is None or math.isnan(ratio) else f"{ratio:.1f}x"
        mark = "" if ok is None else ("yes" if ok else "NO")
        if ok is False:
            missed.append(what)
        lines.append(
            f"| {what:<52} | {_ms(_median(values)):>7} | {_ms(_pct(values, 0.95)):>7} | {_ms(_pct(values, 0.99)):>7} "
            f"| {ratio_text:>7} | {goal:<18} | {mark:<3} |"
        )

    def figure(what: str, value: str, goal: str = "", ok: bool | None = None) -> None:
        mark = "" if ok is None else ("yes" if ok else "NO")
        if ok is False:
            missed.append(what)
        lines.append(f"| {what:<52} | {value:>43} | {goal:<18} | {mark:<3} |")

    line("echo bot (the floor)", rows["echo"].samples)
    small = [v for name in WRITES for v in rows.get(name, bench.row(name)).samples]
    big = [v for name in WRITES for v in rows.get("big_" + name, bench.row("big_" + name)).samples]
    line("write reply, 20 applications (all four)", small, "<= 2x", _median(small) / floor <= 2)
    for name in WRITES:
        line(f"  /{name}" if name != "advance" else "  advance button", rows[name].samples)
    line(f"write reply, {sizes.big_apps} applications (all four)", big, "<= 3x", _median(big) / floor <= 3)
    for name in WRITES:
        label = f"  /{name}" if name != "advance" else "  advance button"
        line(label, rows["big_" + name].samples)
    for name in ("list", "funnel"):
        values = rows["big_" + name].samples
        line(f"/{name}, {sizes.big_apps} applications", values, "<= 2x", _median(values) / floor <= 2)
    rewrites, fsyncs = float(f.get("replaces", math.nan)), float(f.get("fsyncs", math.nan))  # type: ignore[arg-type]
    figure(
        f"file rewrites / fsyncs per write command ({f.get('writes')} commands)",
        f"{rewrites:.2f} / {fsyncs:.2f}",
        "1 / 2",
        rewrites <= 1.05 and fsyncs <= 2.1,
    )
    startup = float(f["startup"])  # type: ignore[arg-type]
    figure("start-up to first getUpdates", f"{startup:.2f} s", "< 2 s", startup < 2)
    rss_start, rss_after = float(f["rss_start"]), float(f.get("rss_after", math.nan))  # type: ignore[arg-type]
    figure("memory (RSS) after start-up", f"{rss_start:.0f} MB", "< 200 MB", rss_start < 200)
    growth = rss_after / rss_start - 1
    taps = f.get("taps", 0)
    figure(
        f"RSS after {taps:,} more handled updates ({float(f.get('taps_rate', 0)):.0f}/s)",  # type: ignore[arg-type]
        f"{rss_after:.0f} MB ({growth:+.0%})",
        "growth < 10%",
        growth < 0.10 and int(taps) >= (100_000 if not quick else 0),  # type: ignore[call-overload]
    )
    phases = f.get("rss_phases") or []
    if phases:  # where the memory before those updates came from
        names = " / ".join(["start-up", *(name for name, _ in phases)])  # type: ignore[attr-defined]
        sizes_mb = " / ".join(f"{float(mb):.0f}" for mb in [rss_start, *(mb for _, mb in phases)])  # type: ignore[attr-defined]
        figure(f"  RSS after {names}", f"{sizes_mb} MB")
    marks = [float(v) for v in f.get("rss_taps") or []]  # type: ignore[attr-defined]
    if len(marks) != 3:  # the taps stopped (their time ran out) before a fifth of them
        marks = [math.nan] * 3
    fifth = sizes.taps // 5
    figure(  # a working set filling once, or a leak growing with every update
        f"  RSS before those updates / after {fifth:,} / at the end",
        f"{marks[0]:.0f} / {marks[1]:.0f} / {marks[2]:.0f} MB ({marks[2] / marks[1] - 1:+.0%} after {fifth:,})",
    )
    worst = max(float(f.get(k, 0.0)) for k in ("lag_all",))  # type: ignore[arg-type]
    figure(
        "longest event-loop stall (whole run after start-up)",
        f"{worst:.0f} ms (writes {float(f.get('lag_writes', 0)):.0f}, fan-out {float(f.get('lag_fanout', 0)):.0f}, "  # type: ignore[arg-type]
        f"chart/import {float(f.get('lag_heavy', 0)):.0f}; gen-2 GC {float(f.get('gen2', 0)):.0f})",  # type: ignore[arg-type]
        "< 100 ms",
        worst < 100,
    )
    rate, sent = float(f.get("fanout_rate", math.nan)), f.get("fanout_sent")  # type: ignore[arg-type]
    refusals = int(f.get("errors_429", 0))  # type: ignore[call-overload]
    figure(
        f"weekly plans to {sizes.fanout:,} users due the same minute",
        f"{sent} sent, {rate:.1f} msg/s, {refusals} refusals (429)",
        ">= 27/s, 0 x 429",
        rate >= 27 and refusals == 0,
    )
    idle = rows["idle"].samples
    during = rows["during_fanout"].samples
    line("another user's reply, idle (/show)", idle)
    line(
        "another user's reply while the plans go out",
        during,
        "p95 <= 2x idle p95",
        _pct(during, 0.95) <= 2 * _pct(idle, 0.95),
    )
    heavy = rows["during_heavy"].samples
    delay = max(heavy, default=math.nan) - _median(idle)
    line(f"/chart, {sizes.big_apps} applications", rows["chart"].samples)
    line(f"/import of {sizes.import_rows:,} rows (until its report)", rows["import"].samples)
    line(
        "another user's reply during /chart and /import",
        heavy,
        "max - idle median <= 100 ms",
        delay <= 0.1,
    )
    many, few = rows["move_many"].samples, rows["move_few"].samples
    ratio_median, ratio_p99 = _median(many) / _median(few), _pct(many, 0.99) / _pct(few, 0.99)
    line(f"/move at {sizes.users:,} users", many)
    line("/move at 10 users", few)
    figure(
        f"write at {sizes.users:,} users / at 10 users",
        f"median {ratio_median:.2f}, p99 {ratio_p99:.2f}",
        "<= 1.2",
        ratio_median <= 1.2 and ratio_p99 <= 1.2,
    )
    naive = f.get("naive", {})
    assert isinstance(naive, dict)
    figure(
        f"naive: one write, TinyDB default storage, {naive.get('applications', 0):,} applications in one file",
        f"{naive.get('median_s', math.nan) * 1000:.0f} ms ({naive.get('mb', 0):.0f} MB file)",
    )
    other = f.get("other_errors")
    lines.append("")
    if other:
        lines.append(f"Bot API errors other than 429 (first 5): {other}")
    lines.extend(_stalls(f.get("stalls")))
    lines.append(f"Whole run: {wall:.0f} s. Goals missed: {', '.join(missed) if missed else 'none'}.")
    print("\n".join(lines), flush=True)
    return missed


def _stalls(stalls: object) -> list[str]:
    """Where the event loop's thread was in the longest stalls (the probe's watcher noted it)."""
    if not isinstance(stalls, list) or not stalls:
        return []
    lines = ["Longest stalls, and where the loop's thread was (innermost frames last):"]
    for stall in stalls[:3]:
        lines.append(f"  {float(stall['ms']):.0f} ms{_cpu(stall)}:")
        frames = [line.splitlines()[0].replace(", in ", " ") for line in stall["stack"]]
        # The import machinery's frames say only that something was imported: show who asked.
        frames = [frame for frame in frames if "<frozen importlib" not in frame] or frames
        lines.extend(f"    {frame[-110:]}" for frame in frames[-6:])
    return lines


def _cpu(stall: dict[str, Any]) -> str:
    """What ran meanwhile: the loop's own thread (busy: the loop's own work), another thread (the
    loop waiting for the interpreter lock), or nothing in this process (the machine or the disk)."""
    if "cpu_window_ms" not in stall:
        return ""
    return (
        f" (of {float(stall['cpu_window_ms']):.0f} ms measured, CPU: loop thread {float(stall['loop_cpu_ms']):.0f},"
        f" whole process {float(stall['process_cpu_ms']):.0f},"
        f" busiest other thread {stall['busiest_other']!s} {float(stall['busiest_other_ms']):.0f})"
    )
