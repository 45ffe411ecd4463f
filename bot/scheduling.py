"""Delivering reminders: one periodic job, an in-memory "next due" index, paced sending.

Why not one APScheduler job per user: jobs vanish on restart, a run more than a second late is
dropped, and adding 10,000 of them takes over a second. Instead TinyDB stays the only source of
truth, and this module keeps ``user_id -> next due time`` in memory, computed by
:mod:`bot.domain.reminders` from the stored profile, applications and recorded reminder keys.

* :meth:`Scheduler.start` fills the index from the next due times storage kept for each user
  (``Repository.wakes``, valid while the user's file is unchanged) and computes the rest (users
  whose file changed, or is new to storage's index): at once when they are few, else in a background
  task that yields to the event loop between users. It starts one repeating job: its first
  run is at once (set explicitly: APScheduler moves an interval job whose start has passed to the
  next interval), then every 60 s, so reminders missed while the bot was down go out on start-up
  if they are less than 12 hours late.
* :meth:`Scheduler.refresh` marks one user after any change (``handlers.common.changed``); their due
  time is recomputed 50 ms later (after the update's reply has left) or when a tick or
  :meth:`Scheduler.next_due` needs it, from the applications storage keeps parsed in memory, and
  handed back to storage's index.
* One user's bad data (say an unknown timezone name in their profile) is logged with their id and
  that user is left out of the index; start-up and everyone else's reminders carry on. A later
  change to that user (``refresh``) brings them back once the data can be read.
* :meth:`Scheduler.tick` takes only the users whose time has come and sends their due reminders.
  Missed ones (over 12 h late) are recorded as ``skipped``.
* Just before each send (after pacing) the user's profile and applications are read again and their
  agenda recomputed: a reminder no longer due (the user paused, blocked us, deleted or moved the
  application, an interview was moved) is dropped unsent and unrecorded, and what is sent is
  rendered from the data as it is at that moment.

Delivery policy: at most once. A reminder is never sent twice. One that may not have arrived is
recorded ``uncertain`` (counted in the tick's log line) or left at ``sending`` (the process died
before it heard back, or a write or something unexpected failed: logged, counted unless the process
died); one Telegram refused is recorded ``failed`` and one over 12 h late ``skipped``, both counted.

* The intent comes first: in the same synchronous step that re-read the data and rendered the
  message, the key is recorded ``sending`` (the storage fsyncs it) before the request leaves. Any
  recorded key counts as sent for the agenda, whatever its status, restarts included; so a key left
  at ``sending`` by a process killed before it heard back is never resent (it may not have arrived).

Then Telegram's answer (or its absence) decides:

* accepted -> ``sent``.
* ``RetryAfter`` -> Telegram refused it, so waiting ``retry_after`` and retrying cannot duplicate
  (the app's send limiter has already retried up to three times for that chat; the intent stays).
* ``NetworkError``/``TimedOut`` raised from ``httpx.ConnectError``, ``ConnectTimeout`` or
  ``PoolTimeout`` -> the request never left: retried with backoff (1, 2, 4 s).
* Still refused or unsent after four attempts -> the intent is removed and the user is looked at
  again in 5 minutes (inside the 12 h window).
* any other ``NetworkError`` or ``TimedOut`` (no answer in time, a 5xx, a connection dropped after
  sending) -> Telegram may have delivered it: recorded ``uncertain``, never retried, one WARNING line,
  counted. A rare lost reminder is better than a duplicate.
* ``Forbidden`` (the user blocked us) -> intent removed, profile marked inactive; nothing until /start.
* ``BadRequest`` -> Telegram will refuse it again; recorded ``failed``, logged with its error.

A write that fails (``StorageWriteError``: a full disk) is one WARNING line and never causes a resend or drops
a user: the intent not written -> nothing sent, the user stays due and the next tick tries again; an
outcome not written -> ``sending`` stands, never resent (an accepted one still counts as sent); the
intent not removed after a never-sent failure -> ``sending`` stands, the reminder is lost and counted
``uncertain``; a missed key's ``skipped`` not written -> the user stays due and is retried.

Pacing: every send goes through the application's one limiter (:mod:`bot.ratelimit`), marked as
background work, so command replies go first and together they stay under Telegram's limits.
Several reminders for one chat are interleaved with other users'. Every send awaits, so command
updates keep being processed while a large batch goes out.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import Job

from bot import offload, probe
from bot.context import BotApp, BotContext, services, system_clock
from bot.domain.models import JobApplication, Profile
from bot.domain.reminders import Agenda, Reminder, agenda
from bot.ratelimit import background
from bot.ratelimit import retry_seconds as retry_seconds
from storage import Repository, StorageWriteError
from storage.index import UNKNOWN
from storage.repository import copy_application

logger = logging.getLogger(__name__)

JOB_NAME = "reminders:tick"
TICK_EVERY = 60.0  # seconds
RETRY_LATER = timedelta(minutes=5)  # after giving up on a network failure
FORGET_AFTER = timedelta(days=30)  # recorded keys older than this can never be due again
KEEP_RECORDS = 64  # prune a user's records only once there are this many
REFRESH_DELAY = 0.05  # seconds from a change to recomputing the user's due time (after the reply)
SENDERS = 4  # users served at once during a tick (each user's own reminders stay in order)
LOOKAHEAD = 4 * SENDERS  # users prepared ahead of the senders, well inside storage's cache of 64
AGENDA_IN_THREAD_AT = 1_000
"""Applications from which a tick works out the user's agenda in a worker thread. A 5,000-row
import's first agenda is about 50 ms on an idle machine (each application's history replayed once),
and the benchmark caught one at 150 ms of loop time under load; 500 applications take 1.5 ms.
The same goes for every later look at it: the re-check of each reminder right before it goes out
(with its message), and the next due time after a tick or a change (the benchmark then caught
120-135 ms stalls there, the loop's thread busy all along)."""
OFF_LOOP_TRIES = 2
"""Tries at such work in a worker thread before it is done on the loop after all: a try counts only
if the user's data is still as it was when it began (see ``Repository.revision``)."""
REBUILD_INLINE = 500  # at start-up, up to this many users without a kept due time are computed at once
SAVE_INDEX_EVERY = timedelta(minutes=5)  # storage's index is saved (off the event loop) this often

T = TypeVar("T")
Rendered = tuple[str, InlineKeyboardMarkup | None]
AgendaInputs = tuple[Profile, Sequence[JobApplication], dict[str, str], datetime, ZoneInfo]
Render = Callable[[Reminder, Profile, Sequence[JobApplication], datetime, ZoneInfo], Rendered | None]
Sleep = Callable[[float], Awaitable[None]]


SENDING = "sending"  # the intent, recorded before the request leaves; counts as recorded

# A write that did not happen (a full disk, a read-only or failing one); the file keeps the last
# successful write. The storage raises StorageWriteError; a bare OSError is caught as well.
WRITE_FAILED = (StorageWriteError, OSError)

# The request never left this process: httpx could not connect, or no pooled connection came free
# (PTB raises NetworkError/TimedOut ``from`` these). Anything else may have reached Telegram.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class Delivery(enum.Enum):
    SENT = "sent"
    UNCERTAIN = "uncertain"  # may have been delivered (timeout, 5xx, dropped reply): never retried
    FAILED = "failed"  # Telegram refused it for good (BadRequest)
    BLOCKED = "blocked"  # Forbidden
    LATER = "later"  # never reached Telegram: intent removed, try again in RETRY_LATER
    UNRECORDED = "unrecorded"  # the intent could not be written: not sent, try again next tick
    STALE = "stale"  # no longer due when its turn came: not sent, not recorded
    NOTHING = "skipped"  # nothing left to say (render gave None): recorded, not sent


def _describe(error: NetworkError) -> str:
    """One short line: PTB's message (a 5xx quotes the whole page, so it is cut) and the httpx cause."""
    cause = f" ({type(error.__cause__).__name__})" if isinstance(error.__cause__, httpx.HTTPError) else ""
    return f"{error.message[:120]}{cause}"


def _why(error: StorageWriteError | OSError) -> str:
    """Why a write failed, without the data file's path."""
    return f"{error.strerror or error} (errno {error.errno})"


def never_sent(error: NetworkError) -> bool:
    """True when the transport says the request never left (PTB chains the httpx error as the cause)."""
    return isinstance(error.__cause__, NEVER_SENT)


@dataclass
class TickReport:
    """What one tick did (for logs, tests and the benchmark)."""

    users: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    blocked: int = 0
    uncertain: int = 0  # may or may not have arrived; recorded and never retried
    later: int = 0  # not sent this tick (network down or intent not writable); tried again later
    keys: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Batch:
    profile: Profile
    queue: deque[Reminder]


def wake_context(default_tz: str) -> str:
    """What a kept due time depends on besides the user's file: the default timezone."""
    return f"tz={default_tz}"


class Scheduler:
    """Keeps every user's next due time and sends what is due; built by ``bot/app.py`` (``context.scheduler``)."""

    def __init__(
        self,
        app: BotApp,
        render: Render,
        *,
        retries: int = 3,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.app = app
        self.render = render
        self.retries = retries
        self.sleep = sleep
        self.job: Job[Any] | None = None
        self._due: dict[int, datetime] = {}
        self._ticking = False
        self._index_saved_at: datetime | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._stale: set[int] = set()  # users changed since their due time was last computed
        self._flush_at: asyncio.TimerHandle | None = None

    # -- reading -------------------------------------------------------------------------------

    @property
    def repo(self) -> Repository:
        return services(self.app).repo

    def now(self) -> datetime:
        return services(self.app).now()

    def tz(self, profile: Profile) -> ZoneInfo:
        return services(self.app).user_tz(profile.timezone)

    def next_due(self, user_id: int) -> datetime | None:
        """When the user is next looked at (None: nothing ahead, or paused/inactive)."""
        self._flush()
        return self._due.get(user_id)

    def _agenda(
        self, profile: Profile, apps: Sequence[JobApplication], now: datetime, *, sending: str | None = None
    ) -> Agenda:
        """The user's agenda; ``sending`` is a key whose intent we hold, looked at as if unrecorded."""
        return agenda(*self._agenda_inputs(profile, apps, now, sending=sending))

    def _agenda_inputs(
        self, profile: Profile, apps: Sequence[JobApplication], now: datetime, *, sending: str | None = None
    ) -> AgendaInputs:
        """:func:`agenda`'s arguments, read from storage here, so a worker thread can compute it."""
        sent = self.repo.sent_reminders(profile.user_id)
        if sending is not None:
            sent.pop(sending, None)
        return profile, apps, sent, now, self.tz(profile)

    # -- the index -----------------------------------------------------------------------------

    def refresh(self, user_id: int) -> None:
        """The user's data or settings changed (``handlers.common.changed``, after every change).

        Their next due time is recomputed shortly after (:data:`REFRESH_DELAY`), once the update's
        reply is on its way, or at once when :meth:`next_due` or a tick needs it. Sending never
        depends on it: every reminder is re-checked against the stored data just before it goes out.
        """
        self._stale.add(user_id)
        if self._flush_at is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no event loop: plain synchronous use
                self._flush()
                return
            self._flush_at = loop.call_later(REFRESH_DELAY, self._flush_soon)

    def _flush_soon(self) -> None:
        self._flush_at = None
        self._in_background(self._flush_stale(), "reminders:refresh")

    async def _flush_stale(self) -> None:
        """:meth:`_flush`, each user's file read off the loop first if it left the cache meanwhile."""
        if self._flush_at is not None:
            self._flush_at.cancel()
            self._flush_at = None
        while self._stale:
            user_id = self._stale.pop()
            await self.repo.prefetch(user_id)  # returns at once, without yielding, if cached
            await self._refresh(user_id)
            # After a fan-out 1,000 users are stale at once, most of them cached (so the prefetch
            # doesn't yield): all their recomputes in one turn of the loop would hold it that long.
            await asyncio.sleep(0)

    def _flush(self) -> None:
        """Recompute every user marked by :meth:`refresh` since the last time."""
        if self._flush_at is not None:
            self._flush_at.cancel()
            self._flush_at = None
        stale, self._stale = self._stale, set()
        for user_id in stale:
            self._recompute(user_id)

    def _recompute(self, user_id: int) -> datetime | None:
        """Recompute one user's next due time from storage (the parsed data storage keeps).

        A user whose data can't be scheduled is logged and left out of the index (None).
        """
        try:
            wake = self._wake(user_id)
        except Exception:
            logger.exception("reminders.user_failed user=%s step=refresh", user_id)
            wake = None
        return self._set_wake(user_id, wake)

    def _set_wake(self, user_id: int, wake: datetime | None) -> datetime | None:
        if wake is None:
            self._due.pop(user_id, None)
        else:
            self._due[user_id] = wake
        return wake

    def _wake(self, user_id: int) -> datetime | None:
        profile = self.repo.get_profile(user_id)
        if profile is None:
            return None
        wake = self._agenda(profile, self.repo.applications_view(user_id), self.now()).wake_at
        self.repo.remember_wake(user_id, wake)
        return wake

    async def _refresh(self, user_id: int) -> datetime | None:
        """:meth:`_recompute`; for a user with :data:`AGENDA_IN_THREAD_AT` applications or more, in
        a worker thread (:meth:`_off_loop`). A user whose agenda fails there is logged and left out
        of the index, as inline, without doing the failing work again on the loop."""
        try:
            plan = await self._off_loop(user_id, None, agenda)
        except Exception:
            logger.exception("reminders.user_failed user=%s step=refresh", user_id)
            return self._set_wake(user_id, None)
        if plan is None:
            return self._recompute(user_id)
        self.repo.remember_wake(user_id, plan.wake_at)
        return self._set_wake(user_id, plan.wake_at)

    async def _off_loop(self, user_id: int, sending: str | None, work: Callable[..., T]) -> T | None:
        """``work(*inputs)`` on a big user's :meth:`_snapshot`, in a worker thread; its answer, or
        None for the caller to do it on the loop: a user small enough for the loop, or one whose
        data changed while each of :data:`OFF_LOOP_TRIES` tries ran (an answer counts only if the
        user's revision is the same when it comes back; the caller then doesn't await before using
        it, so nothing can change in between, just as inline). What ``work`` raises propagates."""
        for _ in range(OFF_LOOP_TRIES):
            snapshot = self._snapshot(user_id, sending)
            if snapshot is None:
                return None
            revision, inputs = snapshot
            result = await offload.run(work, *inputs)
            if self.repo.revision(user_id) == revision:
                return result
        return None

    def _snapshot(self, user_id: int, sending: str | None) -> tuple[tuple[int, int], AgendaInputs] | None:
        """A big user's :meth:`_agenda_inputs` with the revision they were read at; None for a user
        small enough for the loop (or not in memory, or without a profile)."""
        revision = self.repo.revision(user_id)
        profile = self.repo.get_profile(user_id)
        if revision is None or profile is None:
            return None
        apps = self.repo.applications_view(user_id)
        if len(apps) < AGENDA_IN_THREAD_AT:
            return None
        return revision, self._agenda_inputs(profile, list(apps), self.now(), sending=sending)

    def skip_due(self, user_id: int) -> int:
        """Record everything due right now as skipped (on /resume: no backlog from the pause)."""
        profile = self.repo.get_profile(user_id)
        if profile is None:
            return 0
        now = self.now()
        plan = self._agenda(profile, self.repo.applications_view(user_id), now)
        for reminder in [*plan.due, *plan.missed]:
            self.repo.mark_reminder(user_id, reminder.key, now, "skipped")
        self._recompute(user_id)
        return len(plan.due) + len(plan.missed)

    def _wake_context(self) -> str:
        return wake_context(services(self.app).settings.default_tz)

    def rebuild(self, *, inline: int | None = None) -> list[int]:
        """Fill the index at start-up: kept due times as they are, the rest recomputed.

        Up to ``inline`` users without a kept due time are computed here (all when None); the
        others are returned, for :meth:`start` to compute in the background.
        """
        self._due.clear()
        self._stale.clear()  # every user whose file changed is recomputed below (or in the background)
        context = self._wake_context()
        trusted = self.repo.wake_context == context
        self.repo.wake_context = context
        unknown = []
        for user_id, wake in self.repo.wakes().items():
            if not trusted or wake == UNKNOWN:
                unknown.append(user_id)
            elif wake is not None:
                self._due[user_id] = datetime.fromisoformat(wake)
        now_count = len(unknown) if inline is None else inline
        for user_id in unknown[:now_count]:
            self._recompute(user_id)
        return unknown[now_count:]

    def _in_background(self, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _rebuild_rest(self, user_ids: list[int]) -> None:
        """Compute the users start-up left out, one at a time between other work."""
        started = self.now()
        for user_id in user_ids:
            async with self.repo.lock(user_id):
                await self.repo.prefetch(user_id)
                await self._refresh(user_id)
            await asyncio.sleep(0)
        logger.info("reminders.rebuilt users=%s seconds=%.1f", len(user_ids), (self.now() - started).total_seconds())

    def start(self) -> Job[Any]:
        """Rebuild the index and schedule the repeating tick (first run right away)."""
        probe.start()  # the benchmark's loop probe; does nothing unless FUNNELBOT_PROBE is set
        rest = self.rebuild(inline=REBUILD_INLINE)
        if rest:
            self._in_background(self._rebuild_rest(rest), "reminders:rebuild")
        if services(self.app).clock is system_clock:  # a deployment, not a test with its own clock
            warming = services(self.app).warming
            self._in_background(offload.warm_up(*([warming] if warming else [])), "offload:warm_up")
        count = len(self._due)
        job_queue = self.app.job_queue
        if job_queue is None:
            raise RuntimeError("python-telegram-bot[job-queue] is required for reminders")
        for old in job_queue.get_jobs_by_name(JOB_NAME):
            old.schedule_removal()
        # A tick may outlast the interval while a big batch is paced out; the second instance
        # returns at once (see tick), and a late run is simply the next one. APScheduler moves an
        # interval job whose start has already passed (as it has once the job queue starts) to the
        # next interval, so the first run is set explicitly: at once, then every TICK_EVERY.
        first = datetime.now(UTC)
        self.job = job_queue.run_repeating(
            self._tick_job,
            interval=TICK_EVERY,
            first=first,
            name=JOB_NAME,
            job_kwargs={"max_instances": 2, "coalesce": True, "misfire_grace_time": None, "next_run_time": first},
        )
        logger.info("reminders.started users=%s later=%s", count, len(rest))
        return self.job

    async def _tick_job(self, context: BotContext) -> None:
        await self.tick()
        await self._save_index()

    async def _save_index(self) -> None:
        """Save storage's index now and then, so a crash costs the next start-up little."""
        now = self.now()
        if self._index_saved_at is not None and now - self._index_saved_at < SAVE_INDEX_EVERY:
            return
        self._index_saved_at = now
        snapshot = self.repo.index_snapshot()  # on the loop: consistent with every change so far
        await asyncio.to_thread(self.repo.save_index, snapshot)  # encoded there: 10,000 users is no small job

    # -- the tick ------------------------------------------------------------------------------

    async def tick(self) -> TickReport:
        """Send everything due now to the users whose next due time has come."""
        report = TickReport()
        if self._ticking:
            logger.info("reminders.tick_overlap")
            return report
        self._ticking = True
        try:
            await self._flush_stale()
            now = self.now()
            users = [uid for _, uid in sorted((at, uid) for uid, at in self._due.items() if at <= now)]
            await self._deliver_all(users, now, report)
        finally:
            self._ticking = False
        if report.users or report.later:
            logger.info(
                "reminders.tick users=%s sent=%s skipped=%s failed=%s blocked=%s uncertain=%s later=%s",
                report.users,
                report.sent,
                report.skipped,
                report.failed,
                report.blocked,
                report.uncertain,
                report.later,
            )
        return report

    async def _prepare(self, user_id: int, now: datetime, report: TickReport) -> _Batch | None:
        await self.repo.prefetch(user_id)  # read off the event loop, if not in memory
        profile = self.repo.get_profile(user_id)
        if profile is None:
            self._due.pop(user_id, None)
            return None
        apps = self.repo.applications_view(user_id)
        if len(apps) >= AGENDA_IN_THREAD_AT:
            # A snapshot, as inline: a change made meanwhile is seen by _compose, which checks each
            # reminder against the stored data again right before it goes out.
            plan = await offload.run(agenda, *self._agenda_inputs(profile, list(apps), now))
        else:
            plan = self._agenda(profile, apps, now)
        if plan.missed:  # all in one write: after downtime or a big import there can be dozens
            if not await self._record(user_id, [reminder.key for reminder in plan.missed], "skipped"):
                report.later += 1
                return None  # still due in the index: the next tick tries again
            for reminder in plan.missed:
                report.skipped += 1
                logger.info("reminder.skipped user=%s kind=%s", user_id, reminder.kind)
        if not plan.due:
            self._recompute(user_id)
            return None
        return _Batch(profile, deque(plan.due))

    async def _deliver_all(self, users: list[int], now: datetime, report: TickReport) -> None:
        """Round-robin over users, a few at a time: each user's reminders go one after another, while
        up to :data:`SENDERS` users are served at once, so the limiter, not the round trips, sets the
        pace.

        Users are prepared (read, agenda worked out) only :data:`LOOKAHEAD` ahead of the senders, and
        each one's next due time is worked out as soon as their last reminder is out. So a user's
        file is read and parsed once per tick: preparing all 1,000 users of a big minute first had
        pushed each one out of storage's cache (64 users) before their turn came, and read and
        parsed them twice more (on the event loop), for the send and for the next due time.
        """
        pending: deque[_Batch] = deque()  # prepared, waiting for a sender (in line again after each reminder)
        taken = 0  # batches a sender holds right now
        left = deque(users)
        preparing = True  # until the last user is prepared (they may still join the line)
        changed = asyncio.Condition()

        def ahead() -> int:
            return len(pending) + taken

        async def prepare_next() -> None:
            user_id = left.popleft()
            try:
                batch = await self._prepare(user_id, now, report)
            except Exception:
                logger.exception("reminders.user_failed user=%s step=prepare", user_id)
                self._due.pop(user_id, None)  # back in the index after their next change
                batch = None
            if batch is not None:
                report.users += 1
                pending.append(batch)
            await asyncio.sleep(0)  # ~1 ms of work per user: let command updates in between

        async def preparer() -> None:
            nonlocal preparing
            try:
                while left:
                    async with changed:
                        await changed.wait_for(lambda: ahead() < LOOKAHEAD)
                    await prepare_next()
                    async with changed:
                        changed.notify_all()
            finally:
                preparing = False
                async with changed:
                    changed.notify_all()  # the senders see that no more are coming

        async def finish(user_id: int) -> None:
            try:
                await self.repo.prefetch(user_id)  # normally still in memory: read at most once more
                await self._after(user_id, report)
            except Exception:
                logger.exception("reminders.user_failed user=%s step=after", user_id)

        async def sender() -> None:
            nonlocal taken
            while True:
                async with changed:
                    await changed.wait_for(lambda: bool(pending) or not preparing)
                    if not pending:
                        return
                    batch = pending.popleft()
                    taken += 1
                reminder = batch.queue.popleft()
                user_id = batch.profile.user_id
                try:
                    await self._deliver_one(batch, reminder, report)
                except Exception:  # an unexpected failure: this user waits, the others go on
                    logger.exception("reminders.user_failed user=%s step=deliver kind=%s", user_id, reminder.kind)
                    report.failed += 1
                    batch.queue.clear()
                    self._due[user_id] = self.now() + RETRY_LATER
                if not batch.queue:
                    await finish(user_id)
                async with changed:
                    taken -= 1
                    if batch.queue:
                        pending.append(batch)
                    changed.notify_all()

        while left and ahead() < LOOKAHEAD:  # a first line-up, so a small tick is round-robin over all its users
            await prepare_next()
        await asyncio.gather(preparer(), *(sender() for _ in range(SENDERS)))

    def _compose(self, user_id: int, reminder: Reminder, *, sending: bool) -> Rendered | Delivery:
        """The message for ``reminder`` from the data as stored right now, if it is still due.

        Synchronous: the re-read, the agenda and the render happen with no ``await`` in between.
        ``sending``: our own intent for this key is recorded (a retry), so it doesn't count as sent.
        """
        profile = self.repo.get_profile(user_id)
        if profile is None:
            return Delivery.STALE
        apps = self.repo.list_applications(user_id)  # copies: rendering must not reach storage's
        return _message(
            self.render, reminder, *self._agenda_inputs(profile, apps, self.now(), sending=_key(reminder, sending))
        )

    async def _compose_soon(self, user_id: int, reminder: Reminder, *, sending: bool) -> Rendered | Delivery:
        """:meth:`_compose`; for a user with :data:`AGENDA_IN_THREAD_AT` applications or more, in a
        worker thread (:meth:`_off_loop`, on copies)."""
        work = functools.partial(_message, self.render, reminder, copies=True)
        message = await self._off_loop(user_id, _key(reminder, sending), work)
        return self._compose(user_id, reminder, sending=sending) if message is None else message

    async def _deliver_one(self, batch: _Batch, reminder: Reminder, report: TickReport) -> None:
        user_id = batch.profile.user_id
        outcome, intent = await self._send(user_id, batch.profile.chat_id, reminder)
        if outcome in (Delivery.SENT, Delivery.UNCERTAIN, Delivery.FAILED, Delivery.NOTHING):
            # If this write fails, an intent recorded before the send still stands: never resent.
            await self._record(user_id, reminder.key, outcome.value)
        elif intent:  # it never reached Telegram (refused, unsent, blocked, or no longer due)
            withdrawn = await self._withdraw(user_id, reminder.key)
            if not withdrawn and outcome == Delivery.LATER:
                outcome = Delivery.UNCERTAIN  # the intent stands, so it will never go out: count it
        if outcome == Delivery.SENT:
            report.sent += 1
            report.keys.append((user_id, reminder.key))
            logger.info("reminder.sent user=%s kind=%s", user_id, reminder.kind)
        elif outcome == Delivery.UNCERTAIN:
            report.uncertain += 1
        elif outcome == Delivery.NOTHING:  # e.g. the application is gone
            report.skipped += 1
        elif outcome == Delivery.STALE:
            logger.info("reminder.no_longer_due user=%s kind=%s", user_id, reminder.kind)
        elif outcome == Delivery.FAILED:
            report.failed += 1
        elif outcome == Delivery.BLOCKED:
            report.blocked += 1
            batch.queue.clear()
            self._deactivate(user_id)
        elif outcome == Delivery.LATER:
            report.later += 1
            batch.queue.clear()
            self._due[user_id] = self.now() + RETRY_LATER
        elif outcome == Delivery.UNRECORDED:  # still due in storage: the next tick tries again
            report.later += 1
            batch.queue.clear()

    async def _record(self, user_id: int, keys: str | list[str], status: str) -> bool:
        """Write the status of ``keys`` (one key or several: one file write either way); a write
        that fails (disk full) is one log line and False, and then none of them is recorded.

        The records are in memory at once (anything composed after sees them) and on disk when this
        returns; the file write runs in a worker thread, so 1,000 nudges don't hold the loop.
        """
        keys = [keys] if isinstance(keys, str) else keys
        try:
            async with self.repo.writing(user_id):
                for key in keys:
                    self.repo.mark_reminder(user_id, key, self.now(), status)
        except WRITE_FAILED as error:
            logger.warning(
                "reminders.record_failed user=%s key=%s status=%s error=%s",
                user_id,
                ",".join(keys),
                status,
                _why(error),
            )
            return False
        return True

    async def _withdraw(self, user_id: int, key: str) -> bool:
        """Remove our intent for ``key`` (it never reached Telegram), so a later tick can send it."""
        try:
            async with self.repo.writing(user_id):
                self.repo.unmark_reminder(user_id, key)
        except WRITE_FAILED as error:
            logger.warning("reminders.withdraw_failed user=%s key=%s error=%s", user_id, key, _why(error))
            return False
        return True

    async def _after(self, user_id: int, report: TickReport) -> None:
        if self._due.get(user_id, datetime.max.replace(tzinfo=UTC)) > self.now():
            return  # deactivated or postponed after a network failure
        sent = self.repo.sent_reminders(user_id)
        if len(sent) >= KEEP_RECORDS:
            try:
                self.repo.forget_reminders(user_id, self.now() - FORGET_AFTER)
            except WRITE_FAILED as error:  # pruning can wait for a later tick
                logger.warning("reminders.prune_failed user=%s error=%s", user_id, _why(error))
        await self._refresh(user_id)

    def _deactivate(self, user_id: int) -> None:
        profile = self.repo.get_profile(user_id)
        if profile is not None and profile.active:
            profile.active, profile.inactive_since = False, self.now()
            try:
                self.repo.save_profile(profile)
            except WRITE_FAILED as error:  # out of the index anyway; after a restart Telegram says no again
                logger.warning("reminders.deactivate_failed user=%s error=%s", user_id, _why(error))
        self._due.pop(user_id, None)
        logger.info("reminders.blocked user=%s", user_id)

    # -- one message -----------------------------------------------------------------------------

    async def _send(self, user_id: int, chat_id: int, reminder: Reminder) -> tuple[Delivery, bool]:
        """One message, with the policy in the module docstring; also says whether our intent is recorded.

        Right before each attempt (after every wait) the message is composed from the data as stored
        then; the intent (``sending``) is recorded in memory with no ``await`` in between, and is
        on disk before the first request leaves. Only failures that prove nothing reached Telegram are retried.
        """
        backoff = 1.0
        intent = False
        for attempt in range(self.retries + 1):
            await self.repo.prefetch(user_id)  # the user may have left the cache since the tick began
            message = await self._compose_soon(user_id, reminder, sending=intent)
            if isinstance(message, Delivery):
                return message, intent
            if not intent:
                if not await self._record(user_id, reminder.key, SENDING):
                    return Delivery.UNRECORDED, False
                intent = True
            text, markup = message
            try:
                with background():  # the limiter lets command replies go first
                    await self.app.bot.send_message(chat_id, text, reply_markup=markup)
            except Forbidden:
                return Delivery.BLOCKED, intent
            except RetryAfter as error:  # Telegram refused it: nothing was delivered
                wait = retry_seconds(error)
                logger.warning("reminders.retry_after chat=%s wait=%s attempt=%s", chat_id, wait, attempt)
                await self.sleep(wait)
                continue
            except BadRequest as error:
                logger.error("reminders.bad_request user=%s kind=%s error=%s", user_id, reminder.kind, error.message)
                return Delivery.FAILED, intent
            except NetworkError as error:  # TimedOut included
                if not never_sent(error):
                    logger.warning(
                        "reminder.uncertain user=%s kind=%s error=%s: may have arrived, not retried",
                        user_id,
                        reminder.kind,
                        _describe(error),
                    )
                    return Delivery.UNCERTAIN, intent
                logger.warning("reminders.network chat=%s error=%s attempt=%s", chat_id, _describe(error), attempt)
                if attempt < self.retries:
                    await self.sleep(backoff)
                    backoff *= 2
                continue
            return Delivery.SENT, intent
        return Delivery.LATER, intent


def _key(reminder: Reminder, sending: bool) -> str | None:
    return reminder.key if sending else None


def _message(
    render: Render,
    reminder: Reminder,
    profile: Profile,
    apps: Sequence[JobApplication],
    sent: dict[str, str],
    now: datetime,
    tz: ZoneInfo,
    *,
    copies: bool = False,
) -> Rendered | Delivery:
    """The message for ``reminder`` if it is still due on this data; pure (a worker thread may run it).

    ``copies``: ``apps`` are storage's own, so rendering gets copies of them.
    """
    plan = agenda(profile, apps, sent, now, tz)
    if reminder.key not in {r.key for r in plan.due}:
        return Delivery.STALE
    try:
        rendered = render(reminder, profile, [copy_application(a) for a in apps] if copies else apps, now, tz)
    except Exception:
        # Rendering is pure, so it would fail again: record it, and move on to the others.
        logger.exception("reminders.render_failed user=%s kind=%s", profile.user_id, reminder.kind)
        return Delivery.FAILED
    return Delivery.NOTHING if rendered is None else rendered
