"""Stage rules: advancing, skipping, correcting, closing and reopening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import moves
from bot.domain.models import Event, JobApplication
from bot.domain.moves import InvalidMove
from bot.domain.stages import Outcome, Stage, parse_stage

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def make_app(stage: Stage = Stage.PROSPECT) -> JobApplication:
    app = JobApplication(1, "Acme", "SRE", T0, history=[Event(T0, "created", Stage.PROSPECT)])
    if stage:
        moves.move(app, stage, T0)
    return app


def test_advance_moves_one_stage_and_records_it() -> None:
    """Advancing goes to the next stage and appends one history event."""
    app = make_app()
    assert moves.advance(app, T0 + timedelta(days=1)) == Stage.APPLIED
    assert app.stage == Stage.APPLIED
    assert app.reached()[Stage.APPLIED] == T0 + timedelta(days=1)


def test_skipping_records_passed_stages_at_the_same_moment() -> None:
    """Straight to interview counts as applied, responded and screened at that moment."""
    app = make_app(Stage.APPLIED)
    later = T0 + timedelta(days=5)
    assert moves.move(app, Stage.INTERVIEW, later) is False
    reached = app.reached()
    assert [s for s in reached] == [Stage.PROSPECT, Stage.APPLIED, Stage.RESPONDED, Stage.SCREEN, Stage.INTERVIEW]
    assert reached[Stage.RESPONDED] == reached[Stage.INTERVIEW] == later


def test_backwards_move_is_a_correction_that_retracts_later_stages() -> None:
    """Correcting back to Applied means the interview never happened."""
    app = make_app(Stage.INTERVIEW)
    assert moves.move(app, Stage.APPLIED, T0 + timedelta(days=1)) is True
    assert app.stage == Stage.APPLIED
    assert Stage.INTERVIEW not in app.reached()
    assert Stage.APPLIED in app.reached()


def test_rejected_after_interview_keeps_the_interview() -> None:
    """A closed application keeps the stage it reached; history stays true."""
    app = make_app(Stage.INTERVIEW)
    moves.close(app, Outcome.REJECTED, T0 + timedelta(days=2), "Salary")
    assert app.stage == Stage.INTERVIEW
    assert app.outcome == Outcome.REJECTED
    assert app.reason == "Salary"
    assert Stage.INTERVIEW in app.reached()
    assert not app.is_open


@pytest.mark.parametrize(
    ("stage", "outcome", "fragment"),
    [
        (Stage.PROSPECT, Outcome.REJECTED, "still a prospect"),
        (Stage.PROSPECT, Outcome.GHOSTED, "still a prospect"),
        (Stage.INTERVIEW, Outcome.DECLINED, "no offer to decline"),
        (Stage.ACCEPTED, Outcome.WITHDRAWN, "accepted already"),
    ],
)
def test_closing_that_makes_no_sense_is_explained(stage: Stage, outcome: Outcome, fragment: str) -> None:
    """Impossible closes raise InvalidMove with a sentence for the user, changing nothing."""
    app = make_app(stage)
    before = app.to_dict()
    with pytest.raises(InvalidMove, match=fragment):
        moves.close(app, outcome, T0)
    assert app.to_dict() == before


def test_closed_application_cannot_move_until_reopened() -> None:
    """Moving a closed application explains /reopen; reopening clears the outcome."""
    app = make_app(Stage.APPLIED)
    moves.close(app, Outcome.GHOSTED, T0)
    with pytest.raises(InvalidMove, match="/reopen 1"):
        moves.advance(app, T0)
    moves.reopen(app, T0)
    assert app.is_open
    assert moves.advance(app, T0) == Stage.RESPONDED


def test_same_stage_is_refused() -> None:
    """Moving to the current stage is a no-op the user is told about."""
    app = make_app(Stage.APPLIED)
    with pytest.raises(InvalidMove, match="already at Applied"):
        moves.move(app, Stage.APPLIED, T0)


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("interview", Stage.INTERVIEW),
        ("4", Stage.INTERVIEW),
        ("Phone Screen", Stage.SCREEN),
        ("phone-screen", Stage.SCREEN),
        ("2nd", Stage.SECOND),
        ("OFFER", Stage.OFFER),
        ("0", Stage.PROSPECT),
        ("8", None),
        ("banana", None),
        ("", None),
    ],
)
def test_parse_stage_accepts_names_and_numbers(text: str, stage: Stage | None) -> None:
    """Stage names, aliases and 0-7 are read case-insensitively; anything else is None."""
    assert parse_stage(text) == stage


def test_application_round_trips_through_dict() -> None:
    """to_dict/from_dict keep every field, including history and notes."""
    app = make_app(Stage.SCREEN)
    moves.add_note(app, "Ask about <on-call> & pager", T0)
    moves.close(app, Outcome.REJECTED, T0, "Timezone")
    assert JobApplication.from_dict(app.to_dict()) == app


# -- reasons (hunt item 6) -------------------------------------------------------------------------


def test_give_reason_closes_an_open_application_with_its_reason() -> None:
    """An open application is closed with the outcome and the reason, like ``close``."""
    app = make_app(Stage.INTERVIEW)
    assert moves.give_reason(app, Outcome.WITHDRAWN, T0, "accepted another offer") is False
    assert (app.outcome, app.reason) == (Outcome.WITHDRAWN, "accepted another offer")


def test_give_reason_replaces_the_reason_of_the_same_outcome() -> None:
    """A second rejection with a reason replaces the reason and records an edit."""
    app = make_app(Stage.INTERVIEW)
    moves.close(app, Outcome.REJECTED, T0)
    assert moves.give_reason(app, Outcome.REJECTED, T0 + timedelta(days=1), "Skills fit") is True
    assert (app.outcome, app.reason) == (Outcome.REJECTED, "Skills fit")
    assert (app.history[-1].kind, app.history[-1].detail) == ("edited", "reason")


def test_give_reason_refuses_another_outcome_or_no_reason() -> None:
    """A withdrawn application can't be rejected, and a repeat without a reason changes nothing."""
    app = make_app(Stage.APPLIED)
    moves.close(app, Outcome.WITHDRAWN, T0, "moved city")
    with pytest.raises(InvalidMove, match="already closed"):
        moves.give_reason(app, Outcome.REJECTED, T0, "skills")
    with pytest.raises(InvalidMove, match="withdrawn already"):
        moves.give_reason(app, Outcome.WITHDRAWN, T0, "  ")
    assert app.reason == "moved city"


def test_read_reason_maps_quick_keys_for_rejections_only() -> None:
    """``skills`` is the label "Skills fit" for a rejection; other text is kept, spaces tidied, cut at 200."""
    from bot.domain.stages import read_reason

    assert read_reason(" skills ", Outcome.REJECTED) == "Skills fit"
    assert read_reason("skills", Outcome.WITHDRAWN) == "skills"
    assert read_reason("They wanted  more\nhands-on AWS", Outcome.REJECTED) == "They wanted more hands-on AWS"
    assert len(read_reason("x" * 500, Outcome.REJECTED)) == 200


# -- accepting an offer (hunt item 14) ------------------------------------------------------------------


def test_open_elsewhere_lists_other_open_applications_only() -> None:
    """Other open applications at Applied or beyond; not the accepted one, prospects or closed ones."""
    apps = [make_app(Stage.ACCEPTED), make_app(Stage.INTERVIEW), make_app(Stage.PROSPECT), make_app(Stage.APPLIED)]
    closed = make_app(Stage.APPLIED)
    moves.close(closed, Outcome.REJECTED, T0)
    apps.append(closed)
    for number, app in enumerate(apps, start=1):
        app.number = number
    assert [a.number for a in moves.open_elsewhere(apps[::-1], 1)] == [2, 4]


def test_withdraw_all_closes_each_with_the_reason() -> None:
    """Every listed application is withdrawn, saying an offer was accepted elsewhere."""
    apps = [make_app(Stage.INTERVIEW), make_app(Stage.APPLIED)]
    moves.withdraw_all(apps, T0)
    assert [(a.outcome, a.reason) for a in apps] == [(Outcome.WITHDRAWN, "accepted another offer")] * 2


def test_reached_follows_the_history_after_it_was_read() -> None:
    """reached() is kept between calls; a move, a correction or a new history list is seen at once."""
    app = JobApplication(1, "Acme", "SRE", T0, history=[Event(T0, "created", Stage.PROSPECT)])
    assert list(app.reached()) == [Stage.PROSPECT]
    moves.move(app, Stage.INTERVIEW, T0 + timedelta(days=1))
    assert Stage.INTERVIEW in app.reached()
    moves.move(app, Stage.APPLIED, T0 + timedelta(days=2))  # a correction backwards
    assert Stage.INTERVIEW not in app.reached()
    app.reached()[Stage.OFFER] = T0  # the caller's own copy
    assert Stage.OFFER not in app.reached()
    app.history = [Event(T0, "created", Stage.APPLIED)]
    assert list(app.reached()) == [Stage.APPLIED]


def test_the_funnel_follows_every_change_after_it_was_counted() -> None:
    """funnel.facts is kept per application; a move, a close, a reopen or a copy is counted afresh."""
    from bot.domain.funnel import facts, funnel

    app = JobApplication(1, "Acme", "SRE", T0, history=[Event(T0, "created", Stage.PROSPECT)])
    assert facts(app).furthest == Stage.PROSPECT and funnel([app]).prospects_open == 1
    moves.move(app, Stage.APPLIED, T0 + timedelta(days=1))
    moves.move(app, Stage.INTERVIEW, T0 + timedelta(days=3))
    counted = funnel([app])
    assert counted.rates.interviewed == 1 and counted.prospects_open == 0
    assert (counted.waits[0].start, counted.waits[0].end, counted.waits[0].median_days) == (
        Stage.PROSPECT,
        Stage.APPLIED,
        1.0,
    )
    moves.close(app, Outcome.REJECTED, T0 + timedelta(days=4), "went with an internal candidate")
    assert [(o.state, o.count) for o in funnel([app]).outcomes if o.count] == [("rejected", 1)]
    copy = app.copy()
    copy.outcome, copy.reason = None, ""  # a caller's copy, reopened without a new event
    assert facts(copy).end == "open" and facts(app).end == "rejected"
