"""Run every reliability check and print one table; exit 1 if a must-be-zero figure is not zero.

python -m bench.reliability [--quick] [--seed N] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import sys
import time
import warnings
from collections.abc import Awaitable, Callable

from telegram.warnings import PTBUserWarning

from bench.reliability import damaged, flood, fuzz, gates, kills, nudges
from bench.reliability.common import Row, Scale

Check = Callable[[Scale], Awaitable[list[Row]]]
CHECKS: dict[str, Check] = {
    "kills": kills.run,
    "fuzz": fuzz.run,
    "nudges": nudges.run,
    "gates": gates.run,
    "flood": flood.run,
    "damaged": damaged.run,
}


def table(rows: list[Row]) -> str:
    head = ("check", "cases", "failures", "note")
    body = [(r.check, str(r.cases), str(r.failures) + ("" if r.ok else " ✗"), r.note) for r in rows]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(3)]
    lines = []
    for line in [head, *body]:
        lines.append(f"{line[0]:<{widths[0]}}  {line[1]:>{widths[1]}}  {line[2]:>{widths[2]}}  {line[3]}")
    lines.insert(1, "-" * max(len(line) for line in lines))
    return "\n".join(lines)


async def _run(names: list[str], scale: Scale) -> list[Row]:
    rows: list[Row] = []
    for name in names:
        started = time.monotonic()
        try:
            found = await CHECKS[name](scale)
        except Exception as error:  # a broken check is a failed check, never a silent pass
            logging.getLogger(__name__).exception("check %s crashed", name)
            found = [Row(f"{name}: the check itself", 1, 1, f"crashed: {error!r}"[:100])]
        print(f"# {name}: {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
        rows.extend(found)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reliability", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="scaled-down counts (CI: under 2 minutes)")
    parser.add_argument("--seed", type=int, default=None, help="replay a run (default: random, printed)")
    parser.add_argument("--only", nargs="+", choices=sorted(CHECKS), help="run only these checks")
    args = parser.parse_args(argv)
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    logging.basicConfig(level=logging.CRITICAL)  # the in-process bot's own logs are not the report
    # In-process checks don't start the JobQueue, so PTB warns about conversation timeouts.
    warnings.filterwarnings("ignore", category=PTBUserWarning)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 10**6)
    scale = Scale(quick=args.quick, seed=seed)
    names = args.only or list(CHECKS)
    print(f"reliability report: {'quick' if args.quick else 'full'} run, seed {seed}", flush=True)
    started = time.monotonic()
    rows = asyncio.run(_run(names, scale))
    print(table(rows))
    for row in rows:
        if not row.ok and row.details:
            print(f"\n{row.check}:")
            print("\n".join(f"  {line}" for line in row.details[:12]))
    failed = [r.check for r in rows if not r.ok]
    print(
        f"{len(rows)} rows in {time.monotonic() - started:.0f} s; "
        + (f"FAILED: {len(failed)}" if failed else "all zero")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
