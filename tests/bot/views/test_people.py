"""The people views: escaped user text, kind board wording, short partner summaries."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain import people as dom
from bot.views import people as views

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_board_escapes_names_orders_kindly_and_fits_a_screen() -> None:
    """Names are escaped, those on target come first, nothing shames, and 40 members stay under 1,500."""
    rows = [dom.BoardRow("Zed <3", True, 3, 2), dom.BoardRow("amy", False, 0, 0), dom.BoardRow("Bo", True, 2, 0)]
    text = views.board_text("Club & Co", rows)
    lines = text.splitlines()
    assert lines[0] == "📋 <b>Club &amp; Co: this week</b>"
    assert lines[1].startswith("Bo:") and lines[2].startswith("Zed &lt;3:") and lines[3].startswith("amy: 🌱")
    assert "Together: 5 applications" in text
    many = [dom.BoardRow(f"Member {i}", i % 2 == 0, i, i) for i in range(40)]
    assert len(views.board_text("Big", many)) <= 1500


def test_partner_summary_names_companies_only_when_given() -> None:
    """Without companies the summary has none; with them they are escaped."""
    week = dom.partner_week(date(2026, 11, 23), 2, False, 1, 1, 0, 0)
    text = views.summary_text("Ada", week)
    assert "not met this time" in text and "Companies" not in text and "starting fresh" in text
    named = dom.partner_week(date(2026, 11, 23), 2, True, 2, 0, 0, 3, ["A&B"])
    assert "Companies: A&amp;B" in views.summary_text("Ada", named)


def test_contact_card_escapes_and_clips() -> None:
    """A contact's name, title, tags and notes are escaped and the card stays on one screen."""
    contact = dom.Contact(id=1, name="<b>Jane</b>", title="SRE & co", created_at=NOW, touched_at=NOW)
    contact.notes = [dom.Entry(NOW, "x" * 1000) for _ in range(5)]
    text = views.card_text(contact, {}, NOW.date())
    assert "&lt;b&gt;Jane&lt;/b&gt;" in text and "SRE &amp; co" in text and len(text) <= 1500
