"""The benchmark's data: 10,000 users x 20 applications plus one with 500, through storage's own code.

Every user has a profile in one of a few timezones, applications at every stage (history, notes,
past interviews, closing dates, some closed), a few edits in their undo trail, and every reminder
that was due when the data was made recorded as sent, like a live instance's. Each user's weekly
nudges are placed so that none falls due within a day of seeding (so a run does not start with a
backlog of them); the fan-out users have none at all until a run gives them one (see
:func:`due_soon`).

Seeding takes a minute or two, so the result is kept in a cache directory named after
:data:`SEED_VERSION` and reused for 12 hours (after that, weekly nudges could fall due).
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain import moves
from bot.domain.models import Camp, Event, JobApplication, Profile, Slot, Source
from bot.domain.reminders import agenda
from bot.domain.stages import Outcome, Stage
from bot.scheduling import wake_context
from storage import Repository

SEED_VERSION = 1
CACHE_HOURS = 12
BIG_USER = 1  # the user with 500 applications
FIRST_USER = 1_000  # ordinary users are FIRST_USER, FIRST_USER + 1, ...
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC", "Australia/Sydney")
DEFAULT_TZ = "UTC"
STAGES = list(Stage)


def user_ids(users: int) -> list[int]:
    return [FIRST_USER + i for i in range(users)]


def fanout_ids(users: int, fanout: int) -> list[int]:
    """The users whose weekly plan a run makes due all at once (the last ``fanout`` ones)."""
    return user_ids(users)[-fanout:]


def application(rng: random.Random, i: int, now: datetime) -> JobApplication:
    created = now - timedelta(days=rng.randint(45, 200), minutes=rng.randint(0, 1440))
    app = JobApplication(
        0,
        f"Company {rng.randint(1, 5000)}",
        rng.choice(["Site Reliability Engineer", "Platform Engineer", "Backend Developer", "Data Engineer"]),
        created,
        link=f"https://jobs.example.com/{rng.randint(1, 10**6)}",
        track=rng.choice(["SRE", "Platform", "Backend", "Data"]),
        camp=rng.choice([*Camp, None]),
        source=rng.choice([*Source, None]),
        fit_contribute=rng.choice([None, 2, 3, 4, 5]),
        fit_learn=rng.choice([None, 2, 3, 4, 5]),
        closes_on=(created + timedelta(days=rng.randint(5, 30))).date() if rng.random() < 0.5 else None,
        history=[Event(created, "created", Stage.PROSPECT)],
    )
    at = created
    target = rng.choice(STAGES[:7])
    for stage in STAGES[1 : int(target) + 1]:
        at += timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 12))
        moves.move(app, stage, at)
        if stage in (Stage.INTERVIEW, Stage.SECOND):
            app.interviews.append(at + timedelta(days=2))
    for _ in range(rng.randint(0, 3)):
        at += timedelta(hours=rng.randint(1, 48))
        moves.add_note(app, "Recruiter was friendly; ask about on-call rotation and team size.", at)
    if int(target) >= 1 and rng.random() < 0.4:
        moves.close(
            app, rng.choice([Outcome.REJECTED, Outcome.WITHDRAWN, Outcome.GHOSTED]), at + timedelta(days=3), "No reply"
        )
    return app


def _slots(rng: random.Random, profile: Profile, apps: list[JobApplication], now: datetime) -> None:
    """Weekly nudges at random times, none within a day of ``now`` (retried until so)."""
    tz = ZoneInfo(profile.timezone)
    for _ in range(50):
        profile.plan, profile.check, profile.review = (
            Slot(rng.randint(0, 6), clock_time(rng.randint(6, 21), rng.choice([0, 15, 30, 45]))) for _ in range(3)
        )
        wake = agenda(profile, apps, {}, now, tz).next_at
        ahead = [
            s
            for s in (profile.plan, profile.check, profile.review)
            if s is not None and _within_a_day(s, now.astimezone(tz))
        ]
        if not ahead and (wake is None or wake > now + timedelta(hours=24)):
            return
    profile.plan = profile.check = profile.review = None


def _within_a_day(slot: Slot, local_now: datetime) -> bool:
    """Whether the slot falls between 13 h before and 25 h after ``local_now`` (weekly, local time)."""
    for week in (-1, 0, 1):
        day = local_now.date() + timedelta(days=(slot.weekday - local_now.weekday()) + 7 * week)
        moment = datetime.combine(day, slot.at, local_now.tzinfo)
        if timedelta(hours=-13) <= moment - local_now <= timedelta(hours=25):
            return True
    return False


def _user(repo: Repository, rng: random.Random, user_id: int, count: int, now: datetime, *, nudges: bool) -> None:
    profile = Profile(
        user_id=user_id,
        chat_id=user_id,
        created_at=now - timedelta(days=220),
        first_name="User",
        timezone=rng.choice(ZONES),
        target_per_week=rng.randint(2, 5),
        pitch="I make on-call boring: 8 years of SRE, two platform migrations.",
        values=["remote-first", "mentoring"],
        questions=["How is on-call shared?"],
    )
    apps = [application(rng, i, now) for i in range(count)]
    for number, app in enumerate(apps, start=1):
        app.number = number
    profile.next_number = count + 1
    tz = ZoneInfo(profile.timezone)
    if nudges:
        _slots(rng, profile, apps, now)
    else:
        profile.plan = profile.check = profile.review = None
    with repo.transaction(user_id):
        repo.save_profile(profile)
        repo.save_applications(user_id, apps, "imported applications")
        for app in rng.sample(apps, min(4, len(apps))):  # a few edits in the undo trail
            app.role += " (senior)"
            repo.save_application(user_id, app, f"edited #{app.number}")
        plan = agenda(profile, apps, {}, now, tz)
        for reminder in [*plan.due, *plan.missed]:
            repo.mark_reminder(user_id, reminder.key, reminder.at, "sent")
    repo.remember_wake(user_id, agenda(profile, apps, repo.sent_reminders(user_id), now, tz).wake_at)


def seed(folder: Path, users: int, big_apps: int, fanout: int, log: Callable[[str], None] = print) -> None:
    """Write the data set into ``folder`` (which must not exist yet)."""
    now = datetime.now(UTC)
    rng = random.Random(SEED_VERSION)
    repo = Repository.open(folder, fsync=False, cache_users=64)
    repo.wake_context = wake_context(DEFAULT_TZ)
    started = time.perf_counter()
    _user(repo, rng, BIG_USER, big_apps, now, nudges=True)
    last = set(fanout_ids(users, fanout))
    for n, user_id in enumerate(user_ids(users)):
        _user(repo, rng, user_id, 20, now, nudges=user_id not in last)
        if n and n % 2000 == 0:
            log(f"  seeded {n:,} users ({time.perf_counter() - started:.0f} s)")
    repo.close()
    (folder / "seed.json").write_text(json.dumps({"version": SEED_VERSION, "at": now.isoformat()}))


def cached(cache_root: Path, users: int, big_apps: int, fanout: int, log: Callable[[str], None] = print) -> Path:
    """The seeded data for these sizes, made now if the cache has none younger than CACHE_HOURS."""
    folder = cache_root / f"seed-v{SEED_VERSION}-{users}x20-{big_apps}-{fanout}"
    marker = folder / "seed.json"
    if marker.exists():
        made = datetime.fromisoformat(json.loads(marker.read_text())["at"])
        if datetime.now(UTC) - made < timedelta(hours=CACHE_HOURS):
            return folder
    if folder.exists():
        shutil.rmtree(folder)
    log(f"seeding {users:,} users x 20 applications + 1 x {big_apps} into {folder} (once per {CACHE_HOURS} h)")
    partial = folder.with_name(folder.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    seed(partial, users, big_apps, fanout, log)
    partial.rename(folder)
    return folder


def copy_data(source: Path, target: Path) -> None:
    """A working copy of the seeded data, with modification times kept (the index relies on them)."""
    shutil.copytree(source, target, copy_function=shutil.copy2)


def due_soon(data: Path, users: list[int], at: datetime) -> None:
    """Give ``users`` a weekly plan at ``at`` (UTC, whole minute): they all fall due together."""
    repo = Repository.open(data, fsync=False, cache_users=64)
    slot = Slot(at.weekday(), clock_time(at.hour, at.minute))
    for user_id in users:
        profile = repo.get_profile(user_id)
        assert profile is not None
        profile.timezone, profile.plan = "UTC", slot
        repo.save_profile(profile)
        repo.remember_wake(user_id, at)  # as the running bot's refresh would have kept it
    repo.close()
