"""The naive comparison: the same write against TinyDB's default storage holding every application.

TinyDB's default ``JSONStorage`` keeps one file and reads and rewrites all of it on every change
(and, like ours here, fsyncs it). This loads every seeded application into one such file, then
times changing one application's stage.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from tinydb import TinyDB


def measure(seeded: Path, writes: int) -> dict[str, float]:
    docs: list[dict[str, object]] = []
    for path in sorted((seeded / "users").glob("*.json")):
        tables = json.loads(path.read_bytes())
        user_id = int(path.stem)
        docs.extend({**doc, "user_id": user_id} for doc in tables.get("applications", {}).values())
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "db.json"
        db = TinyDB(file)
        table = db.table("applications")
        table.insert_multiple(docs)
        samples = []
        for i in range(writes):
            start = time.perf_counter()
            table.update({"stage": 4 if i % 2 else 3}, doc_ids=[1 + i])
            samples.append(time.perf_counter() - start)
        size = file.stat().st_size
        db.close()
    return {"applications": len(docs), "median_s": statistics.median(samples), "mb": size / 1e6}
