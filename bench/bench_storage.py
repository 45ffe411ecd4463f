"""What a write and a read cost, against the number of users and a user's own data (prints figures).

    python bench/bench_storage.py [--fsync]

A write rewrites only that user's file, so its cost should follow the user's own number of
applications and stay flat as the number of *other* users grows. Reads come from memory. Start-up
reads every file once (that is where the number of users shows). Not a test: numbers only.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain import moves
from bot.domain.models import Event, JobApplication, Profile
from bot.domain.stages import Stage
from storage import Repository

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def application(i: int) -> JobApplication:
    app = JobApplication(
        0,
        f"Company {i}",
        "Site Reliability Engineer",
        NOW,
        link=f"https://jobs.example.com/{i}",
        track="SRE",
        history=[Event(NOW, "created", Stage.PROSPECT)],
    )
    moves.move(app, Stage.INTERVIEW, NOW)
    moves.add_note(app, "Recruiter was friendly; ask about on-call rotation and team size.", NOW)
    return app


def populate(repo: Repository, users: int, apps_each: int) -> None:
    for user_id in range(1, users + 1):
        profile = Profile(user_id=user_id, chat_id=user_id, created_at=NOW)
        repo.save_profile(profile)
        for i in range(apps_each):
            repo.add_application(profile, application(i), "added #{n}")


def time_writes(repo: Repository, user_id: int, rounds: int = 60) -> float:
    """Median seconds for one stage change (read, modify, atomic write, undo record)."""
    samples = []
    app = repo.list_applications(user_id)[0]
    for i in range(rounds):
        app.role = f"Role {i}"
        start = time.perf_counter()
        repo.save_application(user_id, app, "edited")
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def time_reads(repo: Repository, user_id: int, rounds: int = 200) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        repo.list_applications(user_id)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    fsync = "--fsync" in sys.argv
    print(f"fsync={'on' if fsync else 'off (pass --fsync for durable-write timings)'}")
    print("\nA: write cost as the number of OTHER users grows (each with 20 applications)")
    print(f"{'users':>7} {'write (ms)':>11} {'read 20 apps (ms)':>18} {'start-up open (s)':>18}")
    for users in (10, 1000, 5000):
        with tempfile.TemporaryDirectory() as folder:
            repo = Repository.open(folder, fsync=False)
            populate(repo, users, 20)
            repo.close()
            start = time.perf_counter()
            repo = Repository.open(folder, fsync=fsync)
            opened = time.perf_counter() - start
            write = time_writes(repo, 1)
            read = time_reads(repo, 1)
            repo.close()
        print(f"{users:>7} {write * 1000:>11.2f} {read * 1000:>18.2f} {opened:>18.2f}")
    print("\nB: write cost as the user's OWN data grows (one user)")
    print(f"{'apps':>7} {'file (KB)':>10} {'write (ms)':>11} {'read all (ms)':>14}")
    for apps in (10, 100, 500):
        with tempfile.TemporaryDirectory() as folder:
            repo = Repository.open(folder, fsync=fsync)
            populate(repo, 1, apps)
            size = (Path(folder) / "users" / "1.json").stat().st_size / 1024
            write = time_writes(repo, 1)
            read = time_reads(repo, 1, rounds=50)
            repo.close()
        print(f"{apps:>7} {size:>10.0f} {write * 1000:>11.2f} {read * 1000:>14.2f}")


if __name__ == "__main__":
    main()
