"""Numeric dates (3/12) are read in the user's convention: day first unless their timezone is month-first."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.stages import Stage
from tests.conftest import ADA, BOB
from tests.harness import Harness, html_of, text_of

AUCKLAND = ZoneInfo("Pacific/Auckland")


async def test_auckland_reads_3_12_as_3_december(bot: Harness) -> None:
    """In Pacific/Auckland, "/interview 1 3/12 10:00" is 3 December and "closes 3/12" is 3 December."""
    await bot.send(ADA, "/timezone Pacific/Auckland")
    await bot.send(ADA, "/add Acme - SRE closes 3/12 applied")
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and app.closes_on == date(2026, 12, 3)
    assert "Heads-up: I read" not in text_of(bot.last(ADA))
    reply = (await bot.send(ADA, "/interview 1 3/12 10:00"))[0]
    app = bot.repo.get_application(ADA, 1)
    assert app is not None
    assert app.interviews == [datetime(2026, 12, 3, 10, 0, tzinfo=AUCKLAND)]
    assert "Interview recorded" in text_of(reply) and "Heads-up" not in text_of(reply)


async def test_new_york_reads_month_first_and_says_so_when_far(bot: Harness) -> None:
    """In New York, "closes 3/12" is 12 March; being months away and two-way, the reply says how it was read."""
    await bot.send(ADA, "/timezone America/New_York")
    reply = (await bot.send(ADA, "/add Acme - SRE closes 3/12"))[0]
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and app.closes_on == date(2027, 3, 12)
    assert "I read “3/12” month first, as <b>12 March 2027</b>" in html_of(reply)
    assert "If you meant 3 December 2026, tap the button below; <code>/dates dmy</code> reads" in html_of(reply)


async def test_dates_command_switches_the_convention(bot: Harness) -> None:
    """/dates mdy makes a London user's 3/12 read as 12 March; a bad choice changes nothing."""
    await bot.send(ADA, "/timezone Europe/London")
    await bot.send(ADA, "/add Acme - SRE")
    reply = (await bot.send(ADA, "/dates"))[0]
    assert "day first" in text_of(reply) and "from your timezone" in text_of(reply)
    reply = (await bot.send(ADA, "/dates <ymd>"))[0]
    assert "isn't a date order" in text_of(reply) and "&lt;ymd&gt;" in html_of(reply)
    assert bot.repo.get_profile(ADA).date_order == ""  # type: ignore[union-attr]
    await bot.send(ADA, "/dates mdy")
    assert bot.repo.get_profile(ADA).date_order == "mdy"  # type: ignore[union-attr]
    await bot.send(ADA, "/edit 1 closes 3/12")
    assert bot.repo.get_application(ADA, 1).closes_on == date(2027, 3, 12)  # type: ignore[union-attr]
    settings = (await bot.send(ADA, "/settings"))[0]
    assert "dates: month first (/dates)" in text_of(settings)


async def test_unambiguous_day_first_date_needs_no_convention(bot: Harness) -> None:
    """13/12 can only be 13 December, even month-first, and 12/13 only 13 December, even day-first."""
    await bot.send(BOB, "/timezone America/New_York")
    await bot.send(BOB, "/add Beta - Dev closes 13/12")
    assert bot.repo.get_application(BOB, 1).closes_on == date(2026, 12, 13)  # type: ignore[union-attr]
    await bot.send(ADA, "/timezone Europe/Berlin")
    await bot.send(ADA, "/add Acme - Dev closes 12/13")
    assert bot.repo.get_application(ADA, 1).closes_on == date(2026, 12, 13)  # type: ignore[union-attr]


async def test_import_reads_slashed_dates_day_first_and_says_so(bot: Harness) -> None:
    """A Berlin user's 11/02/2026 imports as 11 February, and the reply says which way it was read."""
    await bot.send(ADA, "/timezone Europe/Berlin")
    replies = await bot.upload(ADA, "jobs.csv", b"company,role,stage,date applied\nAcme,SRE,applied,11/02/2026\n")
    app = bot.repo.get_application(ADA, 1)
    applied = app.entered_at(Stage.APPLIED) if app is not None else None
    assert applied is not None and applied.date() == date(2026, 2, 11)
    assert "Dates like 11/02/2026 were read day first" in text_of(replies[-1])


async def test_other_reading_button_fixes_a_closing_date(bot: Harness) -> None:
    """In New York, "closes 3/12" offers "I meant 3 Dec 2026"; the tap changes it once, with Undo."""
    await bot.send(ADA, "/timezone America/New_York")
    await bot.send(ADA, "/add Acme - SRE closes 3/12")
    card = bot.last(ADA)
    data = next(b[1] for row in card.buttons for b in row if b[0].startswith("📅"))
    await bot.tap(ADA, "I meant 3 Dec 2026")
    assert bot.repo.get_application(ADA, 1).closes_on == date(2026, 12, 3)  # type: ignore[union-attr]
    edited = bot.last(ADA)
    assert edited.message_id == card.message_id and "Closing date of #1 is now 3 December 2026" in text_of(edited)
    assert data is not None
    await bot.press(ADA, card.message_id, data, force=True)
    assert "changed since" in bot.tg.callback_answers[-1]["text"]
    await bot.tap(ADA, "Undo")
    assert bot.repo.get_application(ADA, 1).closes_on == date(2027, 3, 12)  # type: ignore[union-attr]


async def test_other_reading_button_moves_an_interview(bot: Harness) -> None:
    """In New York, "/interview 1 3/12 10:00" is 12 March; "I meant 3 Dec 2026" moves it to 3 December 10:00."""
    await bot.send(ADA, "/timezone America/New_York")
    await bot.send(ADA, "/add Acme - SRE applied")
    reply = (await bot.send(ADA, "/interview 1 3/12 10:00"))[0]
    new_york = ZoneInfo("America/New_York")
    assert bot.repo.get_application(ADA, 1).interviews == [datetime(2027, 3, 12, 10, 0, tzinfo=new_york)]  # type: ignore[union-attr]
    assert "I read “3/12” month first, as 12 March 2027" in text_of(reply)
    await bot.tap(ADA, "I meant 3 Dec 2026")
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and app.interviews == [datetime(2026, 12, 3, 10, 0, tzinfo=new_york)]
    assert "Interview recorded" in text_of(bot.last(ADA)) and bot.last(ADA).message_id == reply.message_id
    assert any("— cancelled" in event.detail for event in app.history)
