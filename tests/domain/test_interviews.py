"""Interview rules without Telegram: the recording window, adding versus moving, cancelling, check-ins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import interviews, moves
from bot.domain.interviews import CheckIn, Problem, cancel_upcoming, check_in, problem, record
from bot.domain.models import Event, JobApplication
from bot.domain.moves import InvalidMove
from bot.domain.stages import Outcome, Stage

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # 14:00 Berlin
FRIDAY = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # 10:00 Berlin


def applied(*moments: datetime) -> JobApplication:
    app = JobApplication(1, "Acme", "SRE", NOW, history=[Event(NOW, "created", Stage.PROSPECT)])
    app.stage = Stage.APPLIED
    app.interviews = list(moments)
    return app


def describe(moment: datetime) -> str:
    return moment.strftime("%d %b %H:%MZ")


def test_problem_refuses_past_far_off_duplicate_and_closed() -> None:
    """Five minutes ago is still fine; earlier, over two years ahead, the same minute or closed is not."""
    app = applied(TUESDAY)
    assert problem(app, NOW - timedelta(minutes=4), NOW) is None
    assert problem(app, NOW - timedelta(minutes=6), NOW) == Problem.PAST
    assert problem(app, NOW + interviews.HORIZON + timedelta(minutes=1), NOW) == Problem.TOO_FAR
    assert problem(app, TUESDAY + timedelta(seconds=30), NOW) == Problem.DUPLICATE
    assert problem(applied(), FRIDAY, NOW, move=True) == Problem.NOTHING_TO_MOVE
    app.outcome = Outcome.WITHDRAWN
    assert problem(app, FRIDAY, NOW) == Problem.CLOSED


@pytest.mark.parametrize("tz", [BERLIN, NEW_YORK])
def test_calendar_edge_is_too_far_without_overflowing(tz: ZoneInfo) -> None:
    """9999-12-31 23:59 local (past year 9999 in UTC for New York) is just "too far"."""
    moment = datetime(9999, 12, 31, 23, 59, tzinfo=tz)
    assert problem(applied(), moment, NOW) == Problem.TOO_FAR


def test_another_day_adds_and_the_same_local_day_moves() -> None:
    """Friday after Tuesday is a second interview; Tuesday 16:00 Berlin then moves Tuesday 14:00."""
    app = applied(TUESDAY)
    added = record(app, FRIDAY, NOW, BERLIN, describe)
    assert (added.moved_from, added.others) == (None, 1)
    assert app.interviews == [TUESDAY, FRIDAY] and app.stage == Stage.APPLIED
    later = TUESDAY + timedelta(hours=2)
    moved = record(app, later, NOW, BERLIN, describe)
    assert (moved.moved_from, moved.others) == (TUESDAY, 1)
    assert app.interviews == [later, FRIDAY]
    assert app.history[-1].detail == "01 Dec 15:00Z (moved from 01 Dec 13:00Z)"


def test_same_day_is_the_users_local_day() -> None:
    """22:30 and 23:30 UTC are one evening in New York but two days in Berlin: move there, add here."""
    first = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)  # 17:30 New York, 23:30 Berlin
    app = applied(first)
    assert record(app, first + timedelta(hours=1), NOW, NEW_YORK, describe).moved_from == first
    app = applied(first)
    assert record(app, first + timedelta(hours=1), NOW, BERLIN, describe).moved_from is None


def test_explicit_move_takes_the_next_upcoming_one_to_any_day() -> None:
    """move=True moves the earliest upcoming interview, even to another day; past ones stay."""
    past = NOW - timedelta(days=1)
    app = applied(past, TUESDAY, FRIDAY)
    result = record(app, FRIDAY + timedelta(days=3), NOW, BERLIN, describe, move=True)
    assert result.moved_from == TUESDAY
    assert app.interviews == [past, FRIDAY, FRIDAY + timedelta(days=3)]


def test_cancel_upcoming_keeps_the_past_and_notes_each_one() -> None:
    """Only upcoming interviews go, each with a "… — cancelled" history line."""
    past = NOW - timedelta(days=1)
    app = applied(past, TUESDAY, FRIDAY)
    assert cancel_upcoming(app, NOW, describe) == [TUESDAY, FRIDAY]
    assert app.interviews == [past]
    assert [e.detail for e in app.history[-2:]] == ["01 Dec 13:00Z — cancelled", "04 Dec 09:00Z — cancelled"]
    assert cancel_upcoming(app, NOW, describe) == []


def test_check_in_answers_move_the_application() -> None:
    """next -> Second interview (then just "another round"); offer -> Offer; rej closes; wait changes nothing."""
    app = applied(TUESDAY)
    app.stage = Stage.INTERVIEW
    assert check_in(app, "next", NOW) == CheckIn.SECOND_ROUND and app.stage == Stage.SECOND
    assert check_in(app, "next", NOW) == CheckIn.ANOTHER_ROUND and app.stage == Stage.SECOND
    assert check_in(app, "wait", NOW) == CheckIn.WAITING
    assert check_in(app, "offer", NOW) == CheckIn.OFFER and Stage(app.stage) == Stage.OFFER
    other = applied(TUESDAY)
    assert check_in(other, "rej", NOW) == CheckIn.REJECTED and other.outcome == Outcome.REJECTED
    with pytest.raises(InvalidMove):
        check_in(other, "offer", NOW)


def test_booking_and_cancelling_leave_the_funnel_as_it_was() -> None:
    """Recording an interview adds no stage, so cancelling it leaves nothing behind in reached()."""
    app = applied()
    record(app, TUESDAY, NOW, BERLIN, describe)
    assert app.stage == Stage.APPLIED and Stage.RESPONDED not in app.reached()
    cancel_upcoming(app, NOW, describe)
    assert app.stage == Stage.APPLIED and set(app.reached()) == {Stage.PROSPECT}
    assert app.interviews == []


def test_check_in_after_the_interview_records_the_interview_stage() -> None:
    """Any check-in answer after a booked interview began reaches Interview, dated at the interview."""
    after = TUESDAY + timedelta(hours=3)
    waiting = applied(TUESDAY)
    assert check_in(waiting, "wait", after) == CheckIn.WAITING
    assert waiting.stage == Stage.INTERVIEW and waiting.entered_at(Stage.INTERVIEW) == TUESDAY
    rejected = applied(TUESDAY)
    check_in(rejected, "rej", after)
    assert rejected.outcome == Outcome.REJECTED and Stage.INTERVIEW in rejected.reached()
    cancelled = applied()  # the interview was cancelled; an old check-in button claims nothing
    check_in(cancelled, "wait", after)
    assert cancelled.stage == Stage.APPLIED


def test_day_without_time_is_told_apart_from_a_full_moment() -> None:
    """ "tomorrow", "fri" and a bare date have no time; "tomorrow 14:00", "noon", "in 2 hours" do."""
    now = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    for text in ("tomorrow", "fri", "2026-12-01", "on 1 dec"):
        assert interviews.day_without_time(text, now), text
    for text in ("tomorrow 14:00", "fri 10am", "noon", "in 2 hours", "14:00", "sometime"):
        assert not interviews.day_without_time(text, now), text


def test_check_in_rejected_invents_no_reason() -> None:
    """ "Rejected" after an interview closes with no reason, so the bot can ask for the real one."""
    app = applied(TUESDAY)
    check_in(app, "rej", TUESDAY + timedelta(hours=3))
    assert (app.outcome, app.reason) == (Outcome.REJECTED, "")


def test_questions_for_puts_the_applications_own_first_without_repeats() -> None:
    """An application's own questions lead, then the general ones; the same question isn't listed twice."""
    from bot.domain.interviews import questions_for

    app = applied()
    moves.add_note(app, "Who owns the pager?", NOW, kind="question")
    moves.add_note(app, "Just a note", NOW)
    assert questions_for(app, ["Team size?", "who owns  the pager?"]) == ["Who owns the pager?", "Team size?"]


def test_take_home_deadline_a_day_alone_ends_at_23_59() -> None:
    """ "2026-12-04" is due at 23:59 that day (local); "2026-12-04 18:00" at 18:00; nonsense is None."""
    from bot.domain.interviews import take_home_deadline

    now = NOW.astimezone(BERLIN)
    assert take_home_deadline("2026-12-04", now) == datetime(2026, 12, 4, 22, 59, tzinfo=UTC)
    assert take_home_deadline("2026-12-04 18:00", now) == datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    assert take_home_deadline("whenever", now) is None


def test_take_home_needs_an_open_applied_application_and_a_future_deadline() -> None:
    """A prospect, a closed application or a past deadline is refused; submitting clears it and is recorded."""
    from bot.domain.interviews import end_take_home, set_take_home

    ahead = NOW + timedelta(days=3)
    prospect = JobApplication(9, "Co", "SRE", NOW, history=[Event(NOW, "created", Stage.PROSPECT)])
    with pytest.raises(InvalidMove, match="still a prospect"):
        set_take_home(prospect, ahead, NOW, describe)
    app = applied()
    with pytest.raises(InvalidMove, match="passed"):
        set_take_home(app, NOW - timedelta(hours=1), NOW, describe)
    with pytest.raises(InvalidMove, match="no take-home"):
        end_take_home(app, NOW, "submitted")
    set_take_home(app, ahead, NOW, describe)
    assert app.take_home_due == ahead and app.history[-1].kind == "takehome"
    assert end_take_home(app, NOW, "submitted") == ahead
    assert app.take_home_due is None and app.history[-1].detail == "submitted"
    moves.close(app, Outcome.WITHDRAWN, NOW)
    with pytest.raises(InvalidMove, match="closed"):
        set_take_home(app, ahead, NOW, describe)
