"""Accountability from a real chat: settings commands, every pushed message and its buttons."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.domain import moves
from bot.domain.models import Event, JobApplication, Profile, Slot
from bot.domain.stages import Outcome, Stage
from bot.faketelegram import FakeTelegram, FakeTelegramRequest
from bot.scheduling import Scheduler
from storage import Repository
from tests.conftest import ADA
from tests.harness import FakeClock, Harness, text_of
from tests.test_scheduling import PLAN_AT, SUNDAY, join, start_reminders, stop_reminders

THURSDAY_CHECK = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)  # 18:00 Berlin
SUNDAY_REVIEW = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)


@pytest.fixture
async def nudger(bot: Harness) -> AsyncIterator[Scheduler]:
    scheduler = await start_reminders(bot.app)
    yield scheduler
    await stop_reminders(bot.app)


async def prospects(bot: Harness) -> None:
    """Four prospects with different fits; #1 closes Friday 27 Nov."""
    for line in ("Acme - SRE closes 2026-11-27", "Globex - Platform", "Initech - DevOps", "Umbrella - Ops"):
        await bot.send(ADA, f"/add {line}")
    for number, fit in ((1, "5 5"), (2, "4 4"), (3, "3 4"), (4, "1 1")):
        await bot.send(ADA, f"/fit {number} {fit}")


def profile(bot: Harness):  # type: ignore[no-untyped-def]
    found = bot.repo.get_profile(ADA)
    assert found is not None
    return found


def button_data(bot: Harness) -> list[str]:
    return [data or "" for row in bot.last(ADA).buttons for _, data in row]


# -- settings commands ---------------------------------------------------------------------------


async def test_target_sets_weekly_and_in_flight_and_refuses_junk(bot: Harness, nudger: Scheduler) -> None:
    """/target 3, /target 4 1 are stored; /target lots changes nothing and says how."""
    await join(bot)
    await bot.send(ADA, "/target 3")
    assert (profile(bot).target_per_week, profile(bot).target_in_flight) == (3, 2)
    await bot.send(ADA, "/target 4 1")
    assert (profile(bot).target_per_week, profile(bot).target_in_flight) == (4, 1)
    await bot.send(ADA, "/target lots")
    assert "Nothing was changed" in text_of(bot.last(ADA))
    assert profile(bot).target_per_week == 4
    await bot.send(ADA, "/target")
    assert "<b>4</b>" in bot.last(ADA).html  # type: ignore[operator]


async def test_nudges_typed_and_by_buttons(bot: Harness, nudger: Scheduler) -> None:
    """Typed /nudges changes a slot or turns it off; buttons move the day and the hour; junk is refused."""
    await join(bot)
    await bot.send(ADA, "/nudges plan tue 07:30")
    assert profile(bot).plan == Slot(1, time(7, 30))
    assert nudger.next_due(ADA) == datetime(2026, 11, 24, 6, 30, tzinfo=UTC)
    await bot.send(ADA, "/nudges check off")
    assert profile(bot).check is None and "Mid-week check: off" in text_of(bot.last(ADA))
    await bot.send(ADA, "/nudges review someday 25:00")
    assert "Nothing was changed" in text_of(bot.last(ADA))
    await bot.send(ADA, "/nudges")
    await bot.tap(ADA, "Plan +1h")
    assert profile(bot).plan == Slot(1, time(8, 30))
    await bot.tap(ADA, "Plan: next day")
    assert profile(bot).plan == Slot(2, time(8, 30))
    await bot.tap(ADA, "Mid-week check: turn on")
    assert profile(bot).check == Slot(3, time(18, 0))
    assert "Plan: <b>Wed 08:30</b>" not in text_of(bot.last(ADA))  # text, not html
    assert "Weekly plan: Wed 08:30" in text_of(bot.last(ADA))


async def test_pause_refuses_a_past_or_unreadable_date(bot: Harness, nudger: Scheduler) -> None:
    """/pause until yesterday or gibberish changes nothing; /resume when not paused says so."""
    await join(bot)
    await bot.send(ADA, "/pause until 2020-01-01")
    assert "Nothing was changed" in text_of(bot.last(ADA)) and not profile(bot).paused
    await bot.send(ADA, "/pause until blorp")
    assert "Nothing was changed" in text_of(bot.last(ADA)) and not profile(bot).paused
    await bot.send(ADA, "/resume")
    assert "on already" in text_of(bot.last(ADA))
    await bot.send(ADA, "/pause for 2 weeks")  # it is Monday 23 Nov, 00:30 in Berlin
    assert profile(bot).paused and str(profile(bot).paused_until) == "2026-12-07"


async def test_settings_show_everything_and_buttons_change_it(bot: Harness, nudger: Scheduler) -> None:
    """/settings lists zone, targets, nudges, delays and prep material; its buttons change them."""
    await join(bot)
    await bot.send(ADA, "/settings")
    text = text_of(bot.last(ADA))
    for part in ("Europe/Berlin", "Weekly target: 2", "plan Mon 09:00", "follow-up after 10 days"):
        assert part in text
    await bot.tap(ADA, "Target +1")
    assert profile(bot).target_per_week == 3 and "Weekly target: 3" in text_of(bot.last(ADA))
    await bot.tap(ADA, "Pause 1 week")
    assert profile(bot).paused and nudger.next_due(ADA) == datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    await bot.tap(ADA, "Resume nudges")
    assert not profile(bot).paused
    await bot.tap(ADA, "Nudge times")
    assert "Your nudges" in text_of(bot.last(ADA))


async def test_followup_delays(bot: Harness, nudger: Scheduler) -> None:
    """/followup 7 21 sets both delays; a ghost delay not after the follow-up is refused."""
    await join(bot)
    await bot.send(ADA, "/followup 7 21")
    assert (profile(bot).follow_up_days, profile(bot).ghost_days) == (7, 21)
    await bot.send(ADA, "/followup 30 20")
    assert "Nothing was changed" in text_of(bot.last(ADA))
    assert profile(bot).follow_up_days == 7


async def test_pitch_values_and_questions_are_stored_and_shown(bot: Harness, nudger: Scheduler) -> None:
    """/pitch, /values and /questions store text (escaped when shown); alone they show it."""
    await join(bot)
    await bot.send(ADA, "/pitch I make <systems> boring & reliable")
    await bot.send(ADA, "/values remote-first; mentoring;  calm on-call ")
    await bot.send(ADA, "/questions How is on-call shared?; What does success look like?")
    assert profile(bot).values == ["remote-first", "mentoring", "calm on-call"]
    assert len(profile(bot).questions) == 2
    await bot.send(ADA, "/pitch")
    assert "I make <systems> boring & reliable" in text_of(bot.last(ADA))
    await bot.send(ADA, "/values ;;")
    assert "Nothing was changed" in text_of(bot.last(ADA)) and len(profile(bot).values) == 3


# -- weekly messages -------------------------------------------------------------------------------


async def test_weekly_plan_shows_numbers_and_marks_a_prospect_applied(bot: Harness, nudger: Scheduler) -> None:
    """The plan quotes target, last week, buffer, top three with closing dates, in flight; ✅ applies."""
    await join(bot)
    await prospects(bot)
    await bot.send(ADA, "/target 3")
    bot.clock.set(PLAN_AT)
    await nudger.tick()
    plan = bot.last(ADA)
    assert "Your week" in text_of(plan) and "Target: 3 applications." in text_of(plan)
    assert "Last week: 0 sent" in text_of(plan) and "In flight: 0 of 2" in text_of(plan)
    assert "1. #1 Acme — SRE · fit 10 · closes Fri 27 Nov" in text_of(plan)
    assert "#4" not in text_of(plan)
    assert [d for d in button_data(bot)] == ["app:did:1", "app:did:2", "app:did:3"]
    await bot.tap(ADA, "Applied to #2")
    assert bot.repo.get_application(ADA, 2).stage == Stage.APPLIED  # type: ignore[union-attr]


async def test_midweek_check_only_when_behind(bot: Harness, nudger: Scheduler) -> None:
    """Behind on Thursday: "2 to go" and the best prospect; after applying twice the next one is silent."""
    await join(bot)
    await prospects(bot)
    bot.clock.set(THURSDAY_CHECK)
    await nudger.tick()
    assert "Mid-week check: 0 sent, 2 to go" in text_of(bot.last(ADA))
    assert "Best prospect: #1 Acme" in text_of(bot.last(ADA))
    await bot.send(ADA, "/move 1 applied")
    await bot.send(ADA, "/move 2 applied")
    before = len(bot.tg.bot_messages(ADA))
    bot.clock.set(THURSDAY_CHECK + timedelta(days=7))
    await bot.send(ADA, "/move 3 applied")
    await bot.send(ADA, "/move 4 applied")
    sent = await nudger.tick()
    assert not [k for _, k in sent.keys if k.startswith("check")]
    assert len(bot.tg.bot_messages(ADA)) == before + 2 + len(sent.keys)


async def test_weekly_review_reports_the_week_and_streak(bot: Harness, nudger: Scheduler) -> None:
    """Sunday's review: what moved, target met, streak, and the funnel in one line."""
    await join(bot)
    await prospects(bot)
    bot.clock.set(PLAN_AT + timedelta(hours=2))
    await bot.send(ADA, "/move 1 applied")
    await bot.send(ADA, "/move 2 interview")
    await bot.send(ADA, "/reject 1 salary")
    bot.clock.set(SUNDAY_REVIEW)
    await nudger.tick()
    review = text_of(bot.last(ADA))
    assert "Week in review (23 Nov – 29 Nov)" in review
    assert "Applied 2 · responses 1 · interviews 1 · offers 0 · rejections 1" in review
    assert "Target of 2: ✅ met. Streak: 1 week." in review
    assert "Funnel so far: 4 saved → 2 applied → 1 replied → 1 interviewed → 0 offers" in review


# -- closing dates and silent applications -------------------------------------------------------


async def test_closing_reminders_with_applied_and_not_interested(bot: Harness, nudger: Scheduler) -> None:
    """Two days before Friday's closing: a reminder; "Not interested" withdraws it, so none on the day."""
    await join(bot)
    await prospects(bot)
    bot.clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))  # Wed 10:00 Berlin
    report = await nudger.tick()
    assert (ADA, "close2:#1:2026-11-27") in report.keys
    closing = next(m for m in reversed(bot.tg.bot_messages(ADA)) if "closes" in (m.text or ""))
    assert "#1 Acme — SRE closes in 2 days (Fri 27 Nov 2026)" in closing.text  # type: ignore[operator]
    await bot.press(ADA, closing.message_id, "app:wd:1")
    assert bot.repo.get_application(ADA, 1).outcome == Outcome.WITHDRAWN  # type: ignore[union-attr]
    bot.clock.set(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    assert not [k for _, k in (await nudger.tick()).keys if k.startswith("close0")]


async def test_silent_application_follow_up_then_ghost_question(bot: Harness, nudger: Scheduler) -> None:
    """Ten quiet days: a follow-up hint; thirty: "still waiting or ghosted?" with both buttons working."""
    await join(bot)
    await bot.send(ADA, "/nudges plan off")
    await bot.send(ADA, "/nudges check off")
    await bot.send(ADA, "/nudges review off")
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/add Globex - SRE applied")
    bot.clock.set(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))  # 10 days later, 10:00 Berlin
    report = await nudger.tick()
    assert [k for _, k in report.keys] == ["follow:#1:2026-11-23", "follow:#2:2026-11-23"]
    assert "no news for 10 days" in text_of(bot.last(ADA))
    bot.clock.set(datetime(2026, 12, 23, 9, 0, tzinfo=UTC))
    await nudger.tick()
    assert "30 days without news. Still waiting, or ghosted?" in text_of(bot.last(ADA))
    await bot.tap(ADA, "Ghosted")
    assert bot.repo.get_application(ADA, 2).outcome == Outcome.GHOSTED  # type: ignore[union-attr]
    ghost_1 = next(m for m in bot.tg.bot_messages(ADA) if "#1" in (m.text or "") and "ghosted?" in (m.text or ""))
    await bot.press(ADA, ghost_1.message_id, "acc:wait:1")
    edited = next(m for m in bot.tg.bot_messages(ADA) if m.message_id == ghost_1.message_id)
    assert "Still waiting" in edited.text  # type: ignore[operator]
    assert bot.repo.get_application(ADA, 1).is_open  # type: ignore[union-attr]


# -- interviews ------------------------------------------------------------------------------------


async def test_interview_prep_check_in_and_lesson(bot: Harness, nudger: Scheduler) -> None:
    """/interview records it; prep the evening before and 2 h before; check-in; next round; lesson note."""
    await join(bot)
    await bot.send(ADA, "/nudges plan off")
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/note 1 Ask about <on-call> rota")
    await bot.send(ADA, "/pitch I make systems boring")
    await bot.send(ADA, "/values calm on-call; mentoring")
    await bot.send(ADA, "/questions Team size?")
    await bot.send(ADA, "/interview 1 2026-12-01 14:00")
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and app.stage == Stage.APPLIED  # booked, not yet happened
    assert app.interviews == [datetime(2026, 12, 1, 13, 0, tzinfo=UTC)]
    assert app.history[-1].kind == "interview"
    assert "Tue 1 Dec 2026, 14:00" in text_of(bot.last(ADA))
    await bot.send(ADA, "/interview")
    assert "Interviews coming up" in text_of(bot.last(ADA))

    bot.clock.set(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))  # Monday 19:00 Berlin
    report = await nudger.tick()
    assert [k for _, k in report.keys] == ["prep-eve:#1:2026-12-01T13:00Z"]
    prep = text_of(bot.last(ADA))
    for part in (
        "Interview tomorrow at 14:00",
        "Ask about <on-call> rota",
        "I make systems boring",
        "• calm on-call",
        "• Team size?",
    ):
        assert part in prep
    bot.clock.set(datetime(2026, 12, 1, 11, 0, tzinfo=UTC))
    assert [k for _, k in (await nudger.tick()).keys] == ["prep-2h:#1:2026-12-01T13:00Z"]
    assert "Interview at 14:00 today" in text_of(bot.last(ADA))

    bot.clock.set(datetime(2026, 12, 1, 16, 0, tzinfo=UTC))
    assert [k for _, k in (await nudger.tick()).keys] == ["checkin:#1:2026-12-01T13:00Z"]
    assert "How did the interview go?" in text_of(bot.last(ADA))
    await bot.tap(ADA, "Next round")
    assert bot.repo.get_application(ADA, 1).stage == Stage.SECOND  # type: ignore[union-attr]
    assert "one lesson" in text_of(bot.last(ADA))
    await bot.send(ADA, "Prepare a system design story")
    notes = bot.repo.get_application(ADA, 1).notes  # type: ignore[union-attr]
    assert (notes[-1].kind, notes[-1].text) == ("lesson", "Prepare a system design story")
    await bot.send(ADA, "hello")
    assert "not sure what to do" in text_of(bot.last(ADA))  # the question was answered once only


async def test_check_in_lesson_can_be_cancelled(bot: Harness, nudger: Scheduler) -> None:
    """ "No news yet" asks for a lesson; /cancel drops the question, so later text isn't a lesson."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/interview 1 2026-11-24 10:00")
    bot.clock.set(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    await nudger.tick()
    await bot.tap(ADA, "No news yet")
    assert bot.repo.get_application(ADA, 1).stage == Stage.INTERVIEW  # type: ignore[union-attr]
    await bot.send(ADA, "/cancel")
    await bot.send(ADA, "just chatting")
    assert bot.repo.get_application(ADA, 1).notes == []  # type: ignore[union-attr]


async def test_check_in_offer_and_rejected(bot: Harness, nudger: Scheduler) -> None:
    """ "Offer" moves to Offer; "Rejected" closes the application as rejected."""
    await join(bot)
    for company in ("Acme", "Globex"):
        await bot.send(ADA, f"/add {company} - SRE applied")
        await bot.send(ADA, f"/interview {1 if company == 'Acme' else 2} 2026-11-24 10:00")
    bot.clock.set(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    await nudger.tick()
    messages = [m for m in bot.tg.bot_messages(ADA) if "How did the interview go?" in (m.text or "")]
    await bot.press(ADA, messages[0].message_id, "acc:ci:1:offer")
    await bot.press(ADA, messages[1].message_id, "acc:ci:2:rej")
    assert bot.repo.get_application(ADA, 1).stage == Stage.OFFER  # type: ignore[union-attr]
    assert bot.repo.get_application(ADA, 2).outcome == Outcome.REJECTED  # type: ignore[union-attr]


async def test_interview_bad_input_changes_nothing(bot: Harness, nudger: Scheduler) -> None:
    """No time, an unknown number, a closed application or a past date: a hint and no change."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/interview 1")
    assert "When is it?" in text_of(bot.last(ADA))
    await bot.send(ADA, "/interview 9 tomorrow 10:00")
    assert "no application #9" in text_of(bot.last(ADA))
    await bot.send(ADA, "/interview 1 2026-01-05 10:00")
    assert "in the past" in text_of(bot.last(ADA))
    await bot.send(ADA, "/withdraw 1")
    await bot.send(ADA, "/interview 1 tomorrow 10:00")
    assert "closed" in text_of(bot.last(ADA))
    assert bot.repo.get_application(ADA, 1).interviews == []  # type: ignore[union-attr]


async def test_cancelled_interview_gets_no_prep(bot: Harness, nudger: Scheduler) -> None:
    """/interview 1 cancel removes the upcoming interview and its reminders."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/interview 1 2026-12-01 14:00")
    await bot.send(ADA, "/interview 1 cancel")
    assert bot.repo.get_application(ADA, 1).interviews == []  # type: ignore[union-attr]
    bot.clock.set(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    assert not [k for _, k in (await nudger.tick()).keys if k.startswith("prep")]


async def test_accepted_offer_can_pause_everything(bot: Harness, nudger: Scheduler) -> None:
    """The pause offer (acc:pause) pauses all nudges with no end date."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/move 1 accepted")
    assert "Congratulations" in text_of(bot.last(ADA))
    await bot.press(ADA, bot.last(ADA).message_id, "acc:pause", force=True)
    assert profile(bot).paused and profile(bot).paused_until is None
    assert nudger.next_due(ADA) is None


# -- regressions ---------------------------------------------------------------------------------


def interviews(bot: Harness, number: int = 1) -> list[datetime]:
    app = bot.repo.get_application(ADA, number)
    assert app is not None
    return app.interviews


@pytest.mark.parametrize("when", ["tomorrow 25:00", "tomorrow 13pm", "tomorrow 10:75", "tomorrow 9", "sometime"])
async def test_interview_time_it_cannot_read_is_refused(bot: Harness, nudger: Scheduler, when: str) -> None:
    """/interview 1 tomorrow 25:00 is refused with formats that work; nothing is stored."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    history = len(bot.repo.get_application(ADA, 1).history)  # type: ignore[union-attr]
    await bot.send(ADA, f"/interview 1 {when}")
    text = text_of(bot.last(ADA))
    assert f"I couldn't read “{when}”" in text and "Nothing was changed" in text
    assert "/interview 1 tomorrow 14:00" in text and "/interview 1 in 2 hours" in text
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and app.interviews == [] and app.stage == Stage.APPLIED
    assert len(app.history) == history


async def test_interview_in_two_hours_is_two_hours_from_now(bot: Harness, nudger: Scheduler) -> None:
    """ "in 2 hours" at Mon 00:30 Berlin records 02:30 the same night, not 09:00."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    replies = await bot.send(ADA, "/interview 1 in 2 hours")
    assert interviews(bot) == [datetime(2026, 11, 23, 1, 30, tzinfo=UTC)]
    assert "Interview recorded: #1 Acme — SRE on Mon 23 Nov 2026, 02:30" in text_of(replies[0])


async def test_interview_more_than_a_few_minutes_ago_is_refused(bot: Harness, nudger: Scheduler) -> None:
    """At 10:00 an interview at 09:00 today is "in the past"; one at 09:58 still counts as now."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    bot.clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))  # Monday 10:00 Berlin
    await bot.send(ADA, "/interview 1 today 9:00")
    assert "That's in the past" in text_of(bot.last(ADA)) and "Nothing was changed" in text_of(bot.last(ADA))
    assert interviews(bot) == []
    await bot.send(ADA, "/interview 1 today 9:58")
    assert interviews(bot) == [datetime(2026, 11, 23, 8, 58, tzinfo=UTC)]


async def test_interview_move_moves_it_and_its_reminders(bot: Harness, nudger: Scheduler) -> None:
    """/interview 1 move <when> reschedules the upcoming one; prep comes for the new time only."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/interview 1 2026-12-01 14:00")
    await bot.send(ADA, "/interview 1 move 2026-12-02 10:00")
    assert "Moved the interview for #1 from Tue 1 Dec 2026, 14:00 to Wed 2 Dec 2026, 10:00" in text_of(bot.last(ADA))
    assert interviews(bot) == [datetime(2026, 12, 2, 9, 0, tzinfo=UTC)]
    await bot.send(ADA, "/show 1")
    assert "interview scheduled Wed 2 Dec 2026, 10:00 (moved from Tue 1 Dec 2026, 14:00)" in text_of(bot.last(ADA))
    bot.clock.set(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))  # the old time's evening prep
    assert not [k for _, k in (await nudger.tick()).keys if k.startswith("prep")]
    bot.clock.set(datetime(2026, 12, 1, 18, 0, tzinfo=UTC))  # the new time's evening prep
    assert [k for _, k in (await nudger.tick()).keys if k.startswith("prep")] == ["prep-eve:#1:2026-12-02T09:00Z"]
    assert "Interview tomorrow at 10:00" in text_of(bot.last(ADA))


async def test_second_round_on_another_day_is_added_not_replacing_the_first(bot: Harness, nudger: Scheduler) -> None:
    """Round one Tuesday, round two Friday: both are kept, the reply says so, and both get their prep."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/interview 1 2026-12-01 14:00")
    await bot.send(ADA, "/interview 1 2026-12-04 10:00")
    text = text_of(bot.last(ADA))
    assert "Interview recorded: #1 Acme — SRE on Fri 4 Dec 2026, 10:00" in text and "Moved" not in text
    assert "#1 now has 2 upcoming interviews" in text and "/interview 1 move fri 10:00" in text
    assert interviews(bot) == [datetime(2026, 12, 1, 13, 0, tzinfo=UTC), datetime(2026, 12, 4, 9, 0, tzinfo=UTC)]
    await bot.send(ADA, "/interview")
    assert "Tue 1 Dec 2026, 14:00" in text_of(bot.last(ADA)) and "Fri 4 Dec 2026, 10:00" in text_of(bot.last(ADA))
    bot.clock.set(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    assert [k for _, k in (await nudger.tick()).keys if k.startswith("prep")] == ["prep-eve:#1:2026-12-01T13:00Z"]
    bot.clock.set(datetime(2026, 12, 3, 18, 0, tzinfo=UTC))
    assert [k for _, k in (await nudger.tick()).keys if k.startswith("prep")] == ["prep-eve:#1:2026-12-04T09:00Z"]


async def test_another_time_on_the_same_day_moves_the_interview(bot: Harness, nudger: Scheduler) -> None:
    """Tuesday 14:00, then Tuesday 16:00: the same interview moved, not a second one that day."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/interview 1 2026-12-01 14:00")
    await bot.send(ADA, "/interview 1 2026-12-01 16:00")
    assert "Moved the interview for #1 from Tue 1 Dec 2026, 14:00 to Tue 1 Dec 2026, 16:00" in text_of(bot.last(ADA))
    assert interviews(bot) == [datetime(2026, 12, 1, 15, 0, tzinfo=UTC)]


async def test_interview_move_with_nothing_upcoming_changes_nothing(bot: Harness, nudger: Scheduler) -> None:
    """/interview 1 move tomorrow 10:00 without an upcoming interview says so; nothing is stored."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/interview 1 move tomorrow 10:00")
    assert "no upcoming interview to move" in text_of(bot.last(ADA)) and "Nothing was changed" in text_of(bot.last(ADA))
    await bot.send(ADA, "/interview 1 move")
    assert "<code>/interview 1 move tomorrow 14:00</code>" in bot.last(ADA).html  # type: ignore[operator]
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and app.interviews == [] and app.stage == Stage.APPLIED


async def test_interview_cancel_counts_and_reads_well_in_history(bot: Harness, nudger: Scheduler) -> None:
    """/interview 1 cancel says how many went; the card says "… cancelled", not "edited …"."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/interview 1 2026-12-01 14:00")
    await bot.send(ADA, "/interview 1 cancel")
    assert (
        "Cancelled 1 upcoming interview for #1 Acme — SRE (Tue 1 Dec 2026, 14:00); no prep reminders for it."
        in text_of(bot.last(ADA))
    )
    assert interviews(bot) == []
    await bot.send(ADA, "/show 1")
    card = text_of(bot.last(ADA))
    assert "interview scheduled Tue 1 Dec 2026, 14:00 — cancelled" in card and "edited interview" not in card
    app = bot.repo.get_application(ADA, 1)
    assert app is not None
    app.interviews = [datetime(2026, 12, 3, 9, 0, tzinfo=UTC), datetime(2026, 12, 4, 9, 0, tzinfo=UTC)]
    bot.repo.save_application(ADA, app, "two interviews")
    await bot.send(ADA, "/interview 1 cancel")
    assert "Cancelled 2 upcoming interviews for #1" in text_of(bot.last(ADA)) and "for them." in text_of(bot.last(ADA))
    assert interviews(bot) == []
    await bot.send(ADA, "/interview 1 cancel")
    assert "no upcoming interview" in text_of(bot.last(ADA))


@pytest.mark.parametrize(
    ("setup", "button", "toast"),
    [
        ("/target 1", "Target −1", "Target: already at the minimum (1)."),
        ("/target 50 50", "Target +1", "Target: already at the maximum (50)."),
        ("/target 2 0", "In flight −1", "In flight: already at the minimum (0)."),
        ("/followup 1 30", "Follow-up −1d", "Follow-up: already at the minimum (1 day)."),
        ("/followup 29 30", "Follow-up +1d", "Follow-up: already at 29 days, one day before the “ghosted?” question"),
    ],
)
async def test_settings_button_at_its_limit_says_so_and_leaves_the_message(
    bot: Harness, nudger: Scheduler, setup: str, button: str, toast: str
) -> None:
    """A -1/+1 button that can't move answers with a toast, doesn't say "Saved" and doesn't edit."""
    await join(bot)
    await bot.send(ADA, setup)
    before = profile(bot)
    await bot.send(ADA, "/settings")
    shown = bot.last(ADA)
    await bot.tap(ADA, button)
    assert bot.tg.callback_answers[-1]["text"].startswith(toast)
    after = bot.last(ADA)
    assert (after.message_id, after.text, after.edit_count) == (shown.message_id, shown.text, shown.edit_count)
    assert profile(bot) == before
    assert bot.tg.errors == []


async def test_settings_button_that_moves_says_saved(bot: Harness, nudger: Scheduler) -> None:
    """Follow-up +1d at 10 days moves to 11, answers "Saved" and redraws ("1 day" stays singular)."""
    await join(bot)
    await bot.send(ADA, "/followup 1 30")
    await bot.send(ADA, "/settings")
    assert "follow-up after 1 day," in text_of(bot.last(ADA))
    await bot.tap(ADA, "Follow-up +1d")
    assert bot.tg.callback_answers[-1]["text"] == "Saved"
    assert profile(bot).follow_up_days == 2 and "follow-up after 2 days," in text_of(bot.last(ADA))
    assert bot.tg.errors == []


async def test_nudge_hour_buttons_cross_midnight_into_the_next_or_previous_day(bot: Harness, nudger: Scheduler) -> None:
    """Sun 00:30 -1h is Sat 23:30; +1h brings it back to Sun 00:30; Sun "next day" is Mon."""
    await join(bot)
    await bot.send(ADA, "/nudges plan sun 00:30")
    await bot.tap(ADA, "Plan −1h")
    assert profile(bot).plan == Slot(5, time(23, 30)) and "Weekly plan: Sat 23:30" in text_of(bot.last(ADA))
    await bot.tap(ADA, "Plan +1h")
    assert profile(bot).plan == Slot(6, time(0, 30)) and "Weekly plan: Sun 00:30" in text_of(bot.last(ADA))
    await bot.tap(ADA, "Plan: next day")
    assert profile(bot).plan == Slot(0, time(0, 30))
    assert bot.tg.errors == []


async def test_nudges_on_restores_the_default_and_changes_are_confirmed(bot: Harness, nudger: Scheduler) -> None:
    """/nudges check on brings back Thu 18:00; every typed change starts with a "Set: …" line."""
    await join(bot)
    await bot.send(ADA, "/nudges check off")
    assert text_of(bot.last(ADA)).startswith("Set: mid-week check off.\n\n⏰ Your nudges")
    await bot.send(ADA, "/nudges check on")
    assert profile(bot).check == Slot(3, time(18, 0))
    assert text_of(bot.last(ADA)).startswith("Set: mid-week check Thu 18:00.")
    await bot.send(ADA, "/nudges plan mon 09:00")
    assert text_of(bot.last(ADA)).startswith("Set: weekly plan Mon 09:00.\n\n⏰ Your nudges")
    assert nudger.next_due(ADA) == PLAN_AT


async def test_pause_is_capped_at_a_year(bot: Harness, nudger: Scheduler) -> None:
    """/pause for 1000 years is refused kindly; a past date is refused; fifty weeks is fine."""
    await join(bot)
    await bot.send(ADA, "/pause for 1000 years")
    assert "more than a year away" in text_of(bot.last(ADA)) and "Nothing was changed" in text_of(bot.last(ADA))
    assert not profile(bot).paused and profile(bot).paused_until is None
    await bot.send(ADA, "/pause until 2026-11-01")
    assert "isn't in the future" in text_of(bot.last(ADA)) and not profile(bot).paused
    await bot.send(ADA, "/pause for 50 weeks")
    assert profile(bot).paused and str(profile(bot).paused_until) == "2027-11-08"


@pytest.mark.parametrize(
    ("command", "field", "cleared"),
    [
        ("/values remote-first; mentoring", "values", "Values cleared."),
        ("/questions Team size?", "questions", "Questions cleared."),
        ("/pitch I make systems boring", "pitch", "Pitch cleared."),
    ],
)
async def test_clearing_prep_material_says_cleared(
    bot: Harness, nudger: Scheduler, command: str, field: str, cleared: str
) -> None:
    """/values clear (and /questions, /pitch) answers "… cleared." and empties the field."""
    await join(bot)
    await bot.send(ADA, command)
    assert getattr(profile(bot), field)
    await bot.send(ADA, f"/{field} clear")
    assert bot.last(ADA).text == cleared
    assert not getattr(profile(bot), field)


async def test_imported_history_before_joining_gives_no_buffer(bot: Harness, nudger: Scheduler) -> None:
    """Thirty applications sent weeks before Ada joined: /streak and the plan show no buffer or streak."""
    await join(bot)
    sent_at = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
    apps = []
    for number in range(1, 31):
        app = JobApplication(number, f"Co{number}", "SRE", sent_at, history=[Event(sent_at, "created", Stage.PROSPECT)])
        moves.move(app, Stage.APPLIED, sent_at)
        apps.append(app)
    bot.repo.save_applications(ADA, apps)
    await bot.send(ADA, "/streak")
    assert "Streak: 0 weeks in a row" in text_of(bot.last(ADA)) and "Buffer: 0." in text_of(bot.last(ADA))
    bot.clock.set(PLAN_AT)
    await nudger.tick()
    plan = text_of(bot.last(ADA))
    assert "Your week" in plan and "Buffer" not in plan and "Streak: 0 weeks." in plan


async def test_counts_of_one_are_singular(bot: Harness, nudger: Scheduler) -> None:
    """Target 1: "1 application", follow-up after "1 day", a plan with "Target: 1 application."."""
    await join(bot)
    await bot.send(ADA, "/target 1")
    await bot.send(ADA, "/target")
    assert "Your target: 1 application a week" in text_of(bot.last(ADA))
    await bot.send(ADA, "/followup 1 30")
    assert "Follow-up hint after 1 day," in text_of(bot.last(ADA))
    await bot.send(ADA, "/settings")
    assert "Weekly target: 1 application;" in text_of(bot.last(ADA))
    bot.clock.set(PLAN_AT)
    await nudger.tick()
    assert "Target: 1 application." in text_of(bot.last(ADA))


@pytest.mark.parametrize(
    ("zone", "plan_at"),
    [("Europe/Berlin", PLAN_AT), ("America/New_York", datetime(2026, 11, 23, 14, 0, tzinfo=UTC))],
)
async def test_far_off_interview_is_refused_and_reminders_keep_coming(
    bot: Harness, nudger: Scheduler, zone: str, plan_at: datetime
) -> None:
    """/interview 1 9999-12-31 23:59 is refused kindly in any zone; nothing stored, the plan still comes."""
    await join(bot, zone=zone)
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/interview 1 9999-12-31 23:59")
    text = text_of(bot.last(ADA))
    assert "more than two years away" in text and "Nothing was changed" in text
    assert "something went wrong" not in " ".join(bot.texts(ADA))
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and app.interviews == [] and app.stage == Stage.APPLIED
    assert nudger.next_due(ADA) == plan_at
    await bot.send(ADA, "/interview 1 2028-11-01 10:00")  # within two years: fine
    assert "Interview recorded" in text_of(bot.last(ADA))


async def test_imported_interview_at_the_calendar_edge_keeps_the_users_reminders(
    bot: Harness, nudger: Scheduler
) -> None:
    """A stored interview at 9999-12-31T23:00Z (a CSV import) loses only its own reminders; the rest come."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    app = bot.repo.get_application(ADA, 1)
    assert app is not None
    app.interviews = [datetime(2026, 12, 1, 13, 0, tzinfo=UTC), datetime(9999, 12, 31, 23, 0, tzinfo=UTC)]
    bot.repo.save_application(ADA, app, "as an import stores it")
    await bot.send(ADA, "/target 3")  # any change recomputes Ada's next due time
    assert nudger.next_due(ADA) == PLAN_AT
    await bot.send(ADA, "/interview")
    assert "Tue 1 Dec 2026, 14:00" in text_of(bot.last(ADA)) and "Fri 31 Dec 9999, 23:00" in text_of(bot.last(ADA))
    bot.clock.set(PLAN_AT)
    assert (await nudger.tick()).keys == [(ADA, "plan:2026-11-23")]
    bot.clock.set(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    assert "prep-eve:#1:2026-12-01T13:00Z" in [k for _, k in (await nudger.tick()).keys]
    assert "Interview tomorrow at 14:00" in text_of(bot.last(ADA))
    assert bot.tg.errors == []


async def test_twenty_upcoming_interviews_with_long_names_fit_one_message(bot: Harness, nudger: Scheduler) -> None:
    """/interview with 25 long-named interviews ahead: one message under 4096, cut cleanly, no error."""
    await join(bot)
    apps = []
    for number in range(1, 26):
        app = JobApplication(number, "C" * 150 + str(number), "R" * 150, SUNDAY, history=[Event(SUNDAY, "created")])
        app.interviews = [datetime(2026, 12, 1, 8, 0, tzinfo=UTC) + timedelta(hours=number)]
        apps.append(app)
    bot.repo.save_applications(ADA, apps)
    await bot.send(ADA, "/interview")
    text = text_of(bot.last(ADA))
    assert bot.tg.errors == []
    assert text.startswith("Interviews coming up") and text.endswith("…") and len(text) <= 4096
    assert "#1 " + "C" * 150 in text


async def test_two_hour_prep_before_a_midnight_interview_says_tomorrow(bot: Harness, nudger: Scheduler) -> None:
    """An interview at 00:30: the prep sent at 22:30 the day before says "tomorrow at 00:30", not "today"."""
    await join(bot)
    await bot.send(ADA, "/nudges plan off")
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/interview 1 2026-12-02 00:30")
    bot.clock.set(datetime(2026, 12, 1, 18, 0, tzinfo=UTC))  # Tue 19:00 Berlin: the evening prep
    await nudger.tick()
    assert "Interview tomorrow at 00:30" in text_of(bot.last(ADA))
    bot.clock.set(datetime(2026, 12, 1, 21, 30, tzinfo=UTC))  # Tue 22:30 Berlin: two hours before
    assert [k for _, k in (await nudger.tick()).keys] == ["prep-2h:#1:2026-12-01T23:30Z"]
    assert "Interview tomorrow at 00:30" in text_of(bot.last(ADA)) and "today" not in text_of(bot.last(ADA))


async def test_still_waiting_on_a_deleted_application_says_it_is_gone(bot: Harness, nudger: Scheduler) -> None:
    """ "Still waiting" under a ghost question whose application was deleted: an alert, no edit."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    bot.clock.set(datetime(2026, 12, 23, 9, 0, tzinfo=UTC))
    await nudger.tick()
    question = next(m for m in bot.tg.bot_messages(ADA) if "Still waiting, or ghosted?" in (m.text or ""))
    bot.repo.delete_application(ADA, 1, "deleted #1")
    await bot.press(ADA, question.message_id, "acc:wait:1")
    assert bot.tg.callback_answers[-1]["text"] == "That application no longer exists."
    shown = next(m for m in bot.tg.bot_messages(ADA) if m.message_id == question.message_id)
    assert shown.edit_count == 0 and "Still waiting, or ghosted?" in (shown.text or "")


class AnswerGate(FakeTelegramRequest):
    """Holds every answerCallbackQuery until the test opens the gate."""

    def __init__(self, fake: FakeTelegram) -> None:
        super().__init__(fake)
        self.gate = asyncio.Event()
        self.waiting = asyncio.Event()

    async def do_request(
        self, url: str, method: str, request_data: Any = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        if url.endswith("/answerCallbackQuery"):
            self.waiting.set()
            await self.gate.wait()
        return await super().do_request(url, method, request_data, *args, **kwargs)


async def test_pause_button_keeps_a_change_made_while_it_answers(
    settings: Settings, repo: Repository, clock: FakeClock, tg: FakeTelegram
) -> None:
    """While ⏸ Pause all nudges waits on Telegram, a job changes the profile: both changes are kept."""
    request = AnswerGate(tg)
    request.gate.set()
    app = build_application(settings, repo, request=request, clock=clock)
    async with app:
        bot = Harness(app=app, tg=tg, repo=repo, clock=clock)
        await join(bot)
        await bot.send(ADA, "/add Acme - SRE applied")
        await bot.send(ADA, "/move 1 accepted")
        request.gate.clear()
        press = asyncio.create_task(bot.press(ADA, bot.last(ADA).message_id, "acc:pause", force=True))
        await request.waiting.wait()
        meanwhile = repo.get_profile(ADA)  # as a job (say the reminder tick) changing the profile would
        assert meanwhile is not None
        meanwhile.target_per_week = 5
        repo.save_profile(meanwhile)
        request.gate.set()
        await press
    stored = repo.get_profile(ADA)
    assert stored is not None and stored.paused and stored.target_per_week == 5
    assert "Paused: no nudges or reminders until you /resume." in text_of(bot.last(ADA))


async def test_resume_button_saves_the_profile_once(
    bot: Harness, nudger: Scheduler, monkeypatch: pytest.MonkeyPatch
) -> None:
    """▶ Resume nudges under /settings stores the profile once, and the view says nudges are on."""
    await join(bot)
    await bot.send(ADA, "/pause")
    await bot.send(ADA, "/settings")
    saves: list[bool] = []
    save_profile = bot.repo.save_profile

    def counting(profile: Profile) -> None:
        saves.append(profile.paused)
        save_profile(profile)

    monkeypatch.setattr(bot.repo, "save_profile", counting)
    await bot.tap(ADA, "Resume nudges")
    assert saves == [False]
    assert not profile(bot).paused and "Nudges: on" in text_of(bot.last(ADA))
    assert bot.tg.callback_answers[-1]["text"] == "Saved"


async def test_a_lesson_with_a_link_is_kept_as_the_lesson(bot: Harness, nudger: Scheduler) -> None:
    """A lesson that contains a link is the lesson, not a new job to save."""
    await join(bot)
    await bot.send(ADA, "/nudges plan off")
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/interview 1 2026-12-01 14:00")
    bot.clock.set(datetime(2026, 12, 1, 16, 0, tzinfo=UTC))
    await nudger.tick()
    await bot.tap(ADA, "Next round")
    replies = await bot.send(ADA, "Read https://sre.google/books before the next round")
    assert not any("Save this job" in text_of(m) for m in replies)
    notes = bot.repo.get_application(ADA, 1).notes  # type: ignore[union-attr]
    assert (notes[-1].kind, notes[-1].text) == ("lesson", "Read https://sre.google/books before the next round")


# -- QA round: consistent weeks, keys, prospects, wording, interviews, lessons ------------------


async def test_plan_after_a_review_met_with_the_buffer_says_met_too(bot: Harness, nudger: Scheduler) -> None:
    """Sunday's review says "✅ met (with 1 from your buffer)"; Monday's plan then says last week was met."""
    await join(bot)
    bot.clock.set(PLAN_AT + timedelta(hours=2))  # the week of 23 Nov: three against a target of two
    for company in ("Acme", "Globex", "Initech"):
        await bot.send(ADA, f"/add {company} - SRE applied")
    bot.clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))  # the week of 30 Nov: one, plus the buffer
    await bot.send(ADA, "/add Umbrella - SRE applied")
    bot.clock.set(datetime(2026, 12, 6, 17, 0, tzinfo=UTC))  # Sunday 18:00 Berlin
    await nudger.tick()
    review = next(t for t in reversed(bot.texts(ADA)) if "Week in review" in t)
    assert "Target of 2: ✅ met (with 1 from your buffer). Streak: 2 weeks." in review
    bot.clock.set(datetime(2026, 12, 7, 8, 0, tzinfo=UTC))  # Monday 09:00 Berlin
    assert (ADA, "plan:2026-12-07") in (await nudger.tick()).keys
    plan = text_of(bot.last(ADA))
    assert "Last week: 1 sent (target ✅ met with your buffer). Streak: 2 weeks." in plan
    assert "not met" not in plan


async def test_streak_counts_this_week_once_it_is_met(bot: Harness, nudger: Scheduler) -> None:
    """Two sent this week against two: /streak says 1 week, this week included, as /week does."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/streak")
    assert "Streak: 0 weeks in a row on target (2 a week)." in text_of(bot.last(ADA))
    await bot.send(ADA, "/add Globex - SRE applied")
    await bot.send(ADA, "/streak")
    text = text_of(bot.last(ADA))
    assert "🔥 Streak: 1 week in a row on target (2 a week), this week included." in text
    assert "This week: 2 sent, target met." in text
    await bot.send(ADA, "/week")
    assert "Streak: 1 week in a row on target, this week included." in text_of(bot.last(ADA))


async def test_changing_followup_does_not_resend_a_follow_up(bot: Harness, nudger: Scheduler) -> None:
    """Follow-up sent on day 10, then /followup 12 40: nothing new on day 12, one key stored."""
    await join(bot)
    for slot in ("plan", "check", "review"):
        await bot.send(ADA, f"/nudges {slot} off")
    await bot.send(ADA, "/add Acme - SRE applied")
    bot.clock.set(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))  # day 10, 10:00 Berlin
    assert (await nudger.tick()).keys == [(ADA, "follow:#1:2026-11-23")]
    await bot.send(ADA, "/followup 12 40")
    before = len(bot.tg.bot_messages(ADA))
    bot.clock.set(datetime(2026, 12, 5, 9, 0, tzinfo=UTC))  # day 12
    assert (await nudger.tick()).keys == []
    assert len(bot.tg.bot_messages(ADA)) == before
    assert [k for k in bot.repo.sent_reminders(ADA) if k.startswith("follow")] == ["follow:#1:2026-11-23"]


async def test_plan_and_check_leave_out_prospects_whose_closing_date_passed(bot: Harness, nudger: Scheduler) -> None:
    """#1 (fit 10) closed Friday 27 Nov: the next Monday's plan and Thursday's check don't offer it."""
    await join(bot)
    await prospects(bot)
    bot.clock.set(PLAN_AT + timedelta(days=7))  # Monday 30 Nov, 09:00 Berlin
    await nudger.tick()
    plan = text_of(bot.last(ADA))
    assert "Acme" not in plan and "1. #2 Globex — Platform · fit 8" in plan and "3. #4 Umbrella" in plan
    assert button_data(bot) == ["app:did:2", "app:did:3", "app:did:4"]
    bot.clock.set(THURSDAY_CHECK + timedelta(days=7))
    await nudger.tick()
    assert "Best prospect: #2 Globex" in text_of(bot.last(ADA))
    assert bot.repo.get_application(ADA, 1).stage == Stage.PROSPECT  # type: ignore[union-attr]


async def test_a_sunday_plan_plans_the_coming_week(bot: Harness, nudger: Scheduler) -> None:
    """Plan set to Sunday 18:00: on Sun 29 Nov it is about the week from Mon 30 Nov, last week = 23 to 29 Nov."""
    await join(bot)
    await bot.send(ADA, "/nudges plan sun 18:00")
    assert profile(bot).plan == Slot(6, time(18, 0))
    bot.clock.set(PLAN_AT + timedelta(hours=2))
    for company in ("Acme", "Globex", "Initech"):
        await bot.send(ADA, f"/add {company} - SRE applied")
    bot.clock.set(SUNDAY_REVIEW)  # Sunday 29 Nov, 18:00 Berlin
    assert (ADA, "plan:2026-11-29") in (await nudger.tick()).keys
    plan = next(t for t in reversed(bot.texts(ADA)) if "Your week" in t)
    assert "Your week (from Mon 30 Nov 2026)" in plan
    assert "Buffer: 1 carried over from strong weeks, so 1 to go." in plan
    assert "Last week: 3 sent (target ✅ met)." in plan


@pytest.mark.parametrize(
    ("command", "field", "example"),
    [
        ("/questions ;", "questions", "/questions How is on-call shared?; Team size?"),
        ("/values ;", "values", "/values remote-first; mentoring; calm on-call."),
        ("/pitch ;", "pitch", "/pitch I help teams ship reliable systems."),
    ],
)
async def test_prep_material_refusals_give_their_own_example(
    bot: Harness, nudger: Scheduler, command: str, field: str, example: str
) -> None:
    """/questions ; shows a /questions example (not /values), a full stop, then "Nothing was changed."."""
    await join(bot)
    await bot.send(ADA, f"/{field} clear")
    await bot.send(ADA, command)
    text = text_of(bot.last(ADA))
    assert f"{example} Nothing was changed." in text
    other = {"questions", "values", "pitch"} - {field}
    assert not any(f"/{name} " in text for name in other)
    assert not getattr(profile(bot), field)


async def test_interview_with_a_day_but_no_time_asks_for_the_time(bot: Harness, nudger: Scheduler) -> None:
    """/interview 1 tomorrow asks "What time?" with an example; nothing is recorded (no silent 09:00)."""
    await join(bot)
    await bot.send(ADA, "/add Acme - SRE applied")
    history = len(bot.repo.get_application(ADA, 1).history)  # type: ignore[union-attr]
    await bot.send(ADA, "/interview 1 tomorrow")
    text = text_of(bot.last(ADA))
    assert "What time?" in text and "/interview 1 tomorrow 14:00" in text and "Nothing was changed." in text
    await bot.send(ADA, "/interview 1 move 2026-12-01")
    assert "/interview 1 move 2026-12-01 14:00" in text_of(bot.last(ADA))
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and app.interviews == [] and app.stage == Stage.APPLIED
    assert len(app.history) == history


async def test_another_command_during_the_lesson_question_skips_it_and_says_so(bot: Harness, nudger: Scheduler) -> None:
    """Lesson question, then /add: "I'll skip the lesson this time."; later text is not stored as a lesson."""
    await join(bot)
    await bot.send(ADA, "/nudges plan off")
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/interview 1 2026-12-01 14:00")
    bot.clock.set(datetime(2026, 12, 1, 16, 0, tzinfo=UTC))
    await nudger.tick()
    await bot.tap(ADA, "Next round")
    replies = [text_of(m) for m in await bot.send(ADA, "/add Globex - SRE")]
    assert replies[0].startswith("Saved as prospect #2") and replies[-1] == "I'll skip the lesson this time."
    await bot.send(ADA, "Prepare a system design story")
    assert "not sure what to do" in text_of(bot.last(ADA))
    assert bot.repo.get_application(ADA, 1).notes == []  # type: ignore[union-attr]
    assert bot.repo.get_application(ADA, 2) is not None
