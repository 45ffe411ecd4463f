"""Changing an application: advancing, correcting, closing, reopening, editing.

Every operation takes ``now`` (an aware datetime), mutates the application and appends to its
history, or raises :class:`InvalidMove` with a sentence the user can act on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from bot.domain.capture import Draft
from bot.domain.models import Event, JobApplication, Note
from bot.domain.stages import Outcome, Stage


class InvalidMove(ValueError):
    """A change that does not make sense; the message is written for the user."""


def new_application(draft: Draft, now: datetime) -> JobApplication:
    """A new application from a typed draft; its number is given when it is stored.

    It enters the funnel as a prospect, or straight at Applied (then it never was a prospect, so
    it counts as applied but not as a saved prospect).
    """
    entry = Stage.APPLIED if draft.applied else Stage.PROSPECT
    return JobApplication(
        number=0,
        company=draft.company,
        role=draft.role,
        created_at=now,
        link=draft.link,
        track=draft.track,
        camp=draft.camp,
        source=draft.source,
        fit_contribute=draft.fit_contribute,
        fit_learn=draft.fit_learn,
        closes_on=draft.closes_on,
        stage=entry,
        history=[Event(at=now, kind="created", stage=entry)],
        # A source we don't know is grouped as "other"; the note keeps it as the user wrote it.
        notes=[Note(now, f"Source: {draft.source_text}")] if draft.source_text else [],
    )


def move(app: JobApplication, target: Stage, now: datetime) -> bool:
    """Move ``app`` to ``target``; return True when that was a backwards correction.

    Skipped stages are recorded as passed at the same moment (straight to interview means the
    application was also answered). Moving backwards is a correction that retracts later stages.
    """
    if app.outcome is not None:
        raise InvalidMove(
            f"#{app.number} is closed ({app.outcome.value}). Use /reopen {app.number} first if it is back on."
        )
    if target == app.stage:
        raise InvalidMove(f"#{app.number} is already at {target.label}.")
    correction = target < app.stage
    if correction:
        app.history.append(_stage_event(now, target, correction=True))
    else:
        for stage in range(app.stage + 1, target + 1):
            app.history.append(_stage_event(now, Stage(stage)))
    app.stage = target
    return correction


def advance(app: JobApplication, now: datetime) -> Stage:
    """Move to the next stage and return it."""
    target = app.stage.next
    if target is None:
        raise InvalidMove(f"#{app.number} can't move further: it is {app.status_label().lower()}.")
    move(app, target, now)
    return target


def close(app: JobApplication, outcome: Outcome, now: datetime, reason: str = "") -> None:
    """Close the application at the stage it reached; the stage history stays true."""
    if app.outcome is not None:
        raise InvalidMove(f"#{app.number} is already closed ({app.outcome.value}).")
    if app.stage == Stage.ACCEPTED:
        raise InvalidMove(f"#{app.number} is accepted already. Congratulations!")
    if outcome in (Outcome.REJECTED, Outcome.GHOSTED) and app.stage == Stage.PROSPECT:
        raise InvalidMove(
            f"#{app.number} is still a prospect: you haven't applied, so they can't have "
            f"{outcome.value} you. Use /withdraw {app.number} to drop it."
        )
    if outcome == Outcome.DECLINED and app.stage < Stage.OFFER:
        raise InvalidMove(f"#{app.number} has no offer to decline yet. Use /withdraw {app.number} to step out.")
    app.outcome = outcome
    app.reason = reason.strip()
    app.history.append(Event(at=now, kind="closed", outcome=outcome, detail=app.reason))


def give_reason(app: JobApplication, outcome: Outcome, now: datetime, reason: str) -> bool:
    """Close ``app`` with ``outcome`` and ``reason``; if it is closed that way already, replace the reason.

    Returns True when only the reason changed (recorded as an edit). An application closed another
    way is refused, and so is a repeat with no reason to give.
    """
    if app.outcome is None or app.outcome != outcome:
        close(app, outcome, now, reason)
        return False
    if not reason.strip():
        raise InvalidMove(f"#{app.number} is {outcome.value} already. To record why, add the reason after the number.")
    app.reason = reason.strip()
    app.history.append(Event(at=now, kind="edited", detail="reason"))
    return True


ACCEPTED_ELSEWHERE = "accepted another offer"


def open_elsewhere(apps: Sequence[JobApplication], accepted: int) -> list[JobApplication]:
    """The applications still open at Applied or beyond, other than #``accepted``, lowest number first.

    Prospects are left out: nobody is waiting to hear from you about those.
    """
    return sorted(
        (a for a in apps if a.number != accepted and a.is_open and a.stage >= Stage.APPLIED),
        key=lambda a: a.number,
    )


def withdraw_all(apps: Sequence[JobApplication], now: datetime, reason: str = ACCEPTED_ELSEWHERE) -> None:
    """Withdraw from every one of ``apps`` with ``reason`` (all of them open, as ``open_elsewhere`` gives)."""
    for app in apps:
        close(app, Outcome.WITHDRAWN, now, reason)


def reopen(app: JobApplication, now: datetime) -> None:
    if app.outcome is None:
        raise InvalidMove(f"#{app.number} is open already.")
    app.history.append(Event(at=now, kind="reopened", detail=app.outcome.value))
    app.outcome = None
    app.reason = ""


MAX_NOTE = 4096  # Telegram's message limit: every note a user can type is kept whole


def add_note(app: JobApplication, text: str, now: datetime, kind: str = "note") -> Note:
    """Keep ``text`` whole as a note (line breaks too); refuse empty or over-long text, never cut it."""
    text = text.strip()
    if not text:
        raise InvalidMove("A note needs some text, e.g. /note 3 Ask about on-call.")
    if len(text) > MAX_NOTE:
        raise InvalidMove(f"That note is {len(text):,} characters; a note holds up to {MAX_NOTE:,}. Please split it.")
    note = Note(at=now, text=text, kind=kind)
    app.notes.append(note)
    return note


def _stage_event(now: datetime, stage: Stage, *, correction: bool = False) -> Event:
    return Event(at=now, kind="stage", stage=stage, correction=correction)


CLOSING_CHOICES = (7, 14, 30)  # the optional "closes in …" taps after saving a link: days ahead


def set_closing_in(app: JobApplication, days: int, today: date, now: datetime) -> date:
    """A closing date ``days`` after ``today`` (one of ``CLOSING_CHOICES``), recorded as an edit."""
    if days not in CLOSING_CHOICES:
        raise InvalidMove("That button is out of date; use /edit N closes <date>.")
    app.closes_on = today + timedelta(days=days)
    app.history.append(Event(at=now, kind="edited", detail="closes"))
    return app.closes_on
