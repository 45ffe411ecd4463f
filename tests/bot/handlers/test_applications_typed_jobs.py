"""A job typed without /add keeps what was typed: offered with everything, saved with one tap."""

from __future__ import annotations

from datetime import date

from bot.domain.models import Source
from bot.domain.stages import Stage
from tests.conftest import ADA
from tests.harness import Harness, html_of, text_of


async def test_typed_job_with_link_is_offered_whole_and_saved_in_one_tap(bot: Harness) -> None:
    """'Canonical - Senior SRE <url> #SRE' offers company, role, link and track, and one tap saves them."""
    reply = (await bot.send(ADA, "Canonical - Senior SRE https://canonical.com/careers/999 #SRE"))[0]
    assert "Canonical — Senior SRE" in text_of(reply) and "#SRE" in text_of(reply)
    assert "https://canonical.com/careers/999" in text_of(reply)
    replies = await bot.tap(ADA, "Save it")
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and app.stage == Stage.PROSPECT
    assert (app.company, app.role, app.link, app.track) == (
        "Canonical",
        "Senior SRE",
        "https://canonical.com/careers/999",
        "SRE",
    )
    assert any("Saved as prospect #1" in text_of(m) for m in replies)


async def test_typed_job_without_link_keeps_track_and_closing_date(bot: Harness) -> None:
    """'Canonical - Senior SRE #SRE closes friday' is offered (not 'not sure what to do') and saved whole."""
    reply = (await bot.send(ADA, "Canonical - Senior SRE #SRE closes friday"))[0]
    assert "not sure" not in text_of(reply) and "closes Fri 27 Nov 2026" in text_of(reply)
    await bot.tap(ADA, "Save it")
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and (app.company, app.track, app.closes_on) == ("Canonical", "SRE", date(2026, 11, 27))


async def test_linkedin_share_text_keeps_company_and_role(bot: Harness) -> None:
    """LinkedIn's 'Check out this job at Canonical: <role> <url>' saves company, role, link, source job board."""
    text = "Check out this job at Canonical: Senior Site Reliability Engineer https://www.linkedin.com/jobs/view/42"
    await bot.send(ADA, text)
    await bot.tap(ADA, "Save it")
    app = bot.repo.get_application(ADA, 1)
    assert app is not None
    assert (app.company, app.role, app.source) == ("Canonical", "Senior Site Reliability Engineer", Source.JOB_BOARD)
    assert app.link == "https://www.linkedin.com/jobs/view/42"


async def test_no_thanks_and_bad_options_save_nothing(bot: Harness) -> None:
    """'No thanks' drops the offer; a job line with an unreadable closing date says why; chat stays chat."""
    await bot.send(ADA, "Acme - <SRE> #x")
    assert "Acme — &lt;SRE&gt;" in html_of(bot.last(ADA))
    await bot.tap(ADA, "No thanks")
    reply = (await bot.send(ADA, "Acme - SRE closes blurday"))[0]
    assert "couldn't read" in text_of(reply) and "Nothing was saved" in text_of(reply)
    assert "not sure what to do" in text_of((await bot.send(ADA, "see you at noon"))[0])
    assert bot.repo.list_applications(ADA) == []


async def test_bare_link_needs_one_answer_and_offers_optional_taps(bot: Harness) -> None:
    """Link → Save → 'Canonical - Senior SRE' saves the prospect; 📅 and ⭐ taps then add closing date and fit."""
    await bot.send(ADA, "https://canonical.com/careers/999")
    await bot.tap(ADA, "Save as prospect")
    assert "company and role" in text_of(bot.last(ADA))
    replies = await bot.send(ADA, "Canonical - Senior SRE")
    assert "Saved as prospect #1" in text_of(replies[0])
    assert "Optional for #1" in text_of(replies[1])
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and (app.company, app.role, app.link) == (
        "Canonical",
        "Senior SRE",
        "https://canonical.com/careers/999",
    )
    await bot.tap(ADA, "in 2 weeks")
    assert "Closing date of #1: Mon 7 Dec 2026" in text_of(bot.last(ADA))
    await bot.tap(ADA, "Rate fit")
    await bot.tap(ADA, "4")
    await bot.tap(ADA, "5")
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and (app.closes_on, app.fit_contribute, app.fit_learn) == (date(2026, 12, 7), 4, 5)


async def test_stale_closing_tap_changes_nothing(bot: Harness) -> None:
    """A closing-date button with an unknown number of days is refused and leaves the date alone."""
    await bot.send(ADA, "https://canonical.com/careers/999")
    await bot.tap(ADA, "Save as prospect")
    await bot.send(ADA, "Canonical - Senior SRE")
    optional = bot.last(ADA)
    await bot.press(ADA, optional.message_id, "add:cl:1:9999", force=True)
    assert bot.repo.get_application(ADA, 1).closes_on is None  # type: ignore[union-attr]
    assert "out of date" in bot.tg.callback_answers[-1]["text"]
