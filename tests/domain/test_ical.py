"""The iCalendar export of scheduled interviews."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.ical import interviews_ics
from bot.domain.models import JobApplication

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_interviews_ics() -> None:
    """One VEVENT per interview, escaped text, CRLF lines folded at 75 octets."""
    when = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    app = JobApplication(
        4, "Acme; Inc, Ltd", "Site Reliability Engineer 👩‍💻 " * 3, NOW, interviews=[when, when + timedelta(days=7)]
    )
    text = interviews_ics([app, JobApplication(5, "None", "X", NOW)], NOW, 1001).decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == 2
    assert "DTSTART:20261124T140000Z" in text
    assert "UID:1001-4-20261124T140000Z@funnelbot" in text
    assert "Acme\\; Inc\\, Ltd" in text.replace("\r\n ", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
