"""A job typed without /add keeps what was typed: offered with everything, saved with one tap."""

from __future__ import annotations

from datetime import date

from bot.domain.models import Source
from bot.domain.stages import Stage
from tests.conftest import ADA
from tests.harness import Harness


async def test_typed_job_with_link_is_offered_whole_and_saved_in_one_tap(bot: Harness) -> None:
    """'Canonical - Senior SRE <url> #SRE' offers company, role, link and track, and one tap saves them."""
    reply = (await bot.send(ADA, "Canonical - Senior SRE https://canonical.com/careers/999 #SRE"))[0]
    assert "Canonical — Senior SRE" in reply.text and "#SRE" in reply.text
    assert "https://canonical.com/careers/999" in reply.text
    replies = await bot.tap(ADA, "Save it")
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and app.stage == Stage.PROSPECT
    assert (app.company, app.role, app.link, app.track) == (
        "Canonical",
        "Senior SRE",
        "https://canonical.com/careers/999",
        "SRE",
    )
    assert any("Saved as prospect #1" in m.text for m in replies)


async def test_typed_job_without_link_keeps_track_and_closing_date(bot: Harness) -> None:
    """'Canonical - Senior SRE #SRE closes friday' is offered (not 'not sure what to do') and saved whole."""
    reply = (await bot.send(ADA, "Canonical - Senior SRE #SRE closes friday"))[0]
    assert "not sure" not in reply.text and "closes Fri 27 Nov 2026" in reply.text
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
    assert "Acme — &lt;SRE&gt;" in bot.last(ADA).html
    await bot.tap(ADA, "No thanks")
    reply = (await bot.send(ADA, "Acme - SRE closes blurday"))[0]
    assert "couldn't read" in reply.text and "Nothing was saved" in reply.text
    assert "not sure what to do" in (await bot.send(ADA, "see you at noon"))[0].text
    assert bot.repo.list_applications(ADA) == []
