"""Accountability from a real chat: settings commands, every pushed message and its buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.domain.models import Slot
from bot.domain.stages import Outcome, Stage
from bot.scheduling import Scheduler
from tests.conftest import ADA
from tests.harness import Harness
from tests.test_scheduling import PLAN_AT, join, start_reminders, stop_reminders

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
    assert "Nothing was changed" in bot.last(ADA).text
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
    assert profile(bot).check is None and "Mid-week check: off" in bot.last(ADA).text
    await bot.send(ADA, "/nudges review someday 25:00")
    assert "Nothing was changed" in bot.last(ADA).text
    await bot.send(ADA, "/nudges")
    await bot.tap(ADA, "Plan +1h")
    assert profile(bot).plan == Slot(1, time(8, 30))
    await bot.tap(ADA, "Plan: next day")
    assert profile(bot).plan == Slot(2, time(8, 30))
    await bot.tap(ADA, "Mid-week check: turn on")
    assert profile(bot).check == Slot(3, time(18, 0))
    assert "Plan: <b>Wed 08:30</b>" not in bot.last(ADA).text  # text, not html
    assert "Weekly plan: Wed 08:30" in bot.last(ADA).text


async def test_pause_refuses_a_past_or_unreadable_date(bot: Harness, nudger: Scheduler) -> None:
    """/pause until yesterday or gibberish changes nothing; /resume when not paused says so."""
    await join(bot)
    await bot.send(ADA, "/pause until 2020-01-01")
    assert "Nothing was changed" in bot.last(ADA).text and not profile(bot).paused
    await bot.send(ADA, "/pause until blorp")
    assert "Nothing was changed" in bot.last(ADA).text and not profile(bot).paused
    await bot.send(ADA, "/resume")
    assert "on already" in bot.last(ADA).text
    await bot.send(ADA, "/pause for 2 weeks")  # it is Monday 23 Nov, 00:30 in Berlin
    assert profile(bot).paused and str(profile(bot).paused_until) == "2026-12-07"


async def test_settings_show_everything_and_buttons_change_it(bot: Harness, nudger: Scheduler) -> None:
    """/settings lists zone, targets, nudges, delays and prep material; its buttons change them."""
    await join(bot)
    await bot.send(ADA, "/settings")
    text = bot.last(ADA).text
    for part in ("Europe/Berlin", "Weekly target: 2", "plan Mon 09:00", "follow-up after 10 days"):
        assert part in text
    await bot.tap(ADA, "Target +1")
    assert profile(bot).target_per_week == 3 and "Weekly target: 3" in bot.last(ADA).text
    await bot.tap(ADA, "Pause 1 week")
    assert profile(bot).paused and nudger.next_due(ADA) == datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    await bot.tap(ADA, "Resume nudges")
    assert not profile(bot).paused
    await bot.tap(ADA, "Nudge times")
    assert "Your nudges" in bot.last(ADA).text


async def test_followup_delays(bot: Harness, nudger: Scheduler) -> None:
    """/followup 7 21 sets both delays; a ghost delay not after the follow-up is refused."""
    await join(bot)
    await bot.send(ADA, "/followup 7 21")
    assert (profile(bot).follow_up_days, profile(bot).ghost_days) == (7, 21)
    await bot.send(ADA, "/followup 30 20")
    assert "Nothing was changed" in bot.last(ADA).text
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
    assert "I make <systems> boring & reliable" in bot.last(ADA).text
    await bot.send(ADA, "/values ;;")
    assert "Nothing was changed" in bot.last(ADA).text and len(profile(bot).values) == 3


# -- weekly messages -------------------------------------------------------------------------------


async def test_weekly_plan_shows_numbers_and_marks_a_prospect_applied(bot: Harness, nudger: Scheduler) -> None:
    """The plan quotes target, last week, buffer, top three with closing dates, in flight; ✅ applies."""
    await join(bot)
    await prospects(bot)
    await bot.send(ADA, "/target 3")
    bot.clock.set(PLAN_AT)
    await nudger.tick()
    plan = bot.last(ADA)
    assert "Your week" in plan.text and "Target: 3 applications." in plan.text
    assert "Last week: 0 sent" in plan.text and "In flight: 0 of 2" in plan.text
    assert "1. #1 Acme — SRE · fit 10 · closes Fri 27 Nov" in plan.text
    assert "#4" not in plan.text
    assert [d for d in button_data(bot)] == ["app:adv:1:0", "app:adv:2:0", "app:adv:3:0"]
    await bot.tap(ADA, "Applied to #2")
    assert bot.repo.get_application(ADA, 2).stage == Stage.APPLIED  # type: ignore[union-attr]


async def test_midweek_check_only_when_behind(bot: Harness, nudger: Scheduler) -> None:
    """Behind on Thursday: "2 to go" and the best prospect; after applying twice the next one is silent."""
    await join(bot)
    await prospects(bot)
    bot.clock.set(THURSDAY_CHECK)
    await nudger.tick()
    assert "Mid-week check: 0 sent, 2 to go" in bot.last(ADA).text
    assert "Best prospect: #1 Acme" in bot.last(ADA).text
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
    review = bot.last(ADA).text
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
    assert [k for _, k in report.keys] == ["follow10:#1:2026-11-23", "follow10:#2:2026-11-23"]
    assert "no news for 10 days" in bot.last(ADA).text
    bot.clock.set(datetime(2026, 12, 23, 9, 0, tzinfo=UTC))
    await nudger.tick()
    assert "30 days without news. Still waiting, or ghosted?" in bot.last(ADA).text
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
    assert app is not None and app.stage == Stage.INTERVIEW
    assert app.interviews == [datetime(2026, 12, 1, 13, 0, tzinfo=UTC)]
    assert app.history[-1].kind == "interview"
    assert "Tue 1 Dec 2026, 14:00" in bot.last(ADA).text
    await bot.send(ADA, "/interview")
    assert "Interviews coming up" in bot.last(ADA).text

    bot.clock.set(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))  # Monday 19:00 Berlin
    report = await nudger.tick()
    assert [k for _, k in report.keys] == ["prep-eve:#1:2026-12-01T13:00Z"]
    prep = bot.last(ADA).text
    for part in ("Interview tomorrow at 14:00", "Ask about <on-call> rota", "I make systems boring",
                 "• calm on-call", "• Team size?"):
        assert part in prep
    bot.clock.set(datetime(2026, 12, 1, 11, 0, tzinfo=UTC))
    assert [k for _, k in (await nudger.tick()).keys] == ["prep-2h:#1:2026-12-01T13:00Z"]
    assert "Interview at 14:00 today" in bot.last(ADA).text

    bot.clock.set(datetime(2026, 12, 1, 16, 0, tzinfo=UTC))
    assert [k for _, k in (await nudger.tick()).keys] == ["checkin:#1:2026-12-01T13:00Z"]
    assert "How did the interview go?" in bot.last(ADA).text
    await bot.tap(ADA, "Next round")
    assert bot.repo.get_application(ADA, 1).stage == Stage.SECOND  # type: ignore[union-attr]
    assert "one lesson" in bot.last(ADA).text
    await bot.send(ADA, "Prepare a system design story")
    notes = bot.repo.get_application(ADA, 1).notes  # type: ignore[union-attr]
    assert (notes[-1].kind, notes[-1].text) == ("lesson", "Prepare a system design story")
    await bot.send(ADA, "hello")
    assert "not sure what to do" in bot.last(ADA).text  # the question was answered once only


async def test_check_in_lesson_can_be_cancelled(bot: Harness, nudger: Scheduler) -> None:
    """"No news yet" asks for a lesson; /cancel drops the question, so later text isn't a lesson."""
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
    """"Offer" moves to Offer; "Rejected" closes the application as rejected."""
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
    assert "When is it?" in bot.last(ADA).text
    await bot.send(ADA, "/interview 9 tomorrow 10:00")
    assert "no application #9" in bot.last(ADA).text
    await bot.send(ADA, "/interview 1 2026-01-05 10:00")
    assert "in the past" in bot.last(ADA).text
    await bot.send(ADA, "/withdraw 1")
    await bot.send(ADA, "/interview 1 tomorrow 10:00")
    assert "closed" in bot.last(ADA).text
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
    assert "Congratulations" in bot.last(ADA).text
    await bot.press(ADA, bot.last(ADA).message_id, "acc:pause", force=True)
    assert profile(bot).paused and profile(bot).paused_until is None
    assert nudger.next_due(ADA) is None
