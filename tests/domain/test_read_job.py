"""Free text as a job without /add: what counts as a job, what it keeps, and the steps after a bare link."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain import moves
from bot.domain.capture import CaptureError, read_job, split_job_names
from bot.domain.models import JobApplication, Source

TODAY = date(2026, 11, 23)


def test_dash_form_keeps_every_option() -> None:
    """'Canonical - Senior SRE <url> #SRE closes friday' keeps company, role, link, track and closing day."""
    draft = read_job("Canonical - Senior SRE https://canonical.com/careers/999 #SRE closes friday", TODAY)
    assert draft is not None
    assert (draft.company, draft.role, draft.link, draft.track) == (
        "Canonical",
        "Senior SRE",
        "https://canonical.com/careers/999",
        "SRE",
    )
    assert draft.closes_on == date(2026, 11, 27)


def test_linkedin_share_text() -> None:
    """LinkedIn's share text gives company, role, link and the job-board source."""
    draft = read_job("Check out this job at Canonical: Senior Site Reliability Engineer https://lnkd.in/x1", TODAY)
    assert draft is not None
    assert (draft.company, draft.role, draft.link) == (
        "Canonical",
        "Senior Site Reliability Engineer",
        "https://lnkd.in/x1",
    )
    assert draft.source == Source.JOB_BOARD


@pytest.mark.parametrize(
    "text", ["hello", "Platform Engineer", "Meeting at noon", "https://x.example/1", "a - b\nc\nd"]
)
def test_chat_is_not_a_job(text: str) -> None:
    """Plain chat, 'X at Y' without a job signal, a bare link and a multi-line paste are not read as jobs."""
    assert read_job(text, TODAY) is None


def test_role_at_company_needs_a_job_signal() -> None:
    """'SRE at Acme #sre' is a job (it has a track); 'SRE at Acme' alone is not."""
    draft = read_job("SRE at Acme #sre", TODAY)
    assert draft is not None and (draft.company, draft.role) == ("Acme", "SRE")
    assert read_job("SRE at Acme", TODAY) is None


def test_a_job_line_with_an_unreadable_option_says_why() -> None:
    """A dash-form line whose closing date can't be read raises the parser's explanation."""
    with pytest.raises(CaptureError, match="closing date"):
        read_job("Acme - SRE closes blurday", TODAY)


def test_split_job_names_reads_both_forms_and_refuses_a_lone_name() -> None:
    """'Acme - SRE' and 'SRE at Acme' give (company, role); 'Acme' alone or a link gives None."""
    assert split_job_names("Acme - Senior SRE") == ("Acme", "Senior SRE")
    assert split_job_names("Senior SRE at Acme") == ("Acme", "Senior SRE")
    assert split_job_names("Acme") is None
    assert split_job_names("Acme - https://acme.jobs/1") is None


def test_set_closing_in_takes_only_the_offered_choices() -> None:
    """7, 14 or 30 days set the closing date and record an edit; any other number changes nothing."""
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    app = JobApplication(1, "Acme", "SRE", now)
    assert moves.set_closing_in(app, 14, TODAY, now) == date(2026, 12, 7)
    assert app.closes_on == date(2026, 12, 7) and app.history[-1].detail == "closes"
    with pytest.raises(moves.InvalidMove):
        moves.set_closing_in(app, 9999, TODAY, now)
    assert app.closes_on == date(2026, 12, 7)
