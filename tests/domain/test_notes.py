"""Notes without Telegram: kept whole, split into pages, quoted briefly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain import moves
from bot.domain.models import JobApplication, Note
from bot.domain.notes import PAGE_CHARS, brief, note_pages, text_after

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_text_after_keeps_line_breaks() -> None:
    """The words after '/note 3' come back as typed, line breaks and inner spacing kept."""
    assert text_after("/note 3 first line\nsecond  line", 2) == "first line\nsecond  line"
    assert text_after("/note 3", 2) == ""


def test_add_note_keeps_4096_characters_and_refuses_more() -> None:
    """A note up to 4,096 characters is stored whole; a longer one is refused and nothing is added."""
    app = JobApplication(1, "Acme", "SRE", NOW)
    moves.add_note(app, "x" * 4096, NOW)
    assert len(app.notes[-1].text) == 4096
    with pytest.raises(moves.InvalidMove, match="4,096"):
        moves.add_note(app, "x" * 4097, NOW)
    assert len(app.notes) == 1


def test_pages_split_long_notes_at_line_breaks_and_reassemble() -> None:
    """A 4,000-character note becomes numbered parts within the page size that join back to the note."""
    text = "\n".join(f"line {i} " + "word " * 30 for i in range(25))
    pages = note_pages([Note(NOW, text), Note(NOW, "short")])
    pieces = [piece for page in pages for piece in page]
    assert all(sum(len(p.text) + 40 for p in page) <= PAGE_CHARS for page in pages)
    long_parts = [p for p in pieces if p.number == 1]
    assert [p.part for p in long_parts] == list(range(1, long_parts[0].parts + 1))
    assert " ".join(" ".join(p.text.split()) for p in long_parts) == " ".join(text.split())
    assert pieces[-1].number == 2 and pieces[-1].text == "short"
    assert note_pages([]) == [[]]


def test_brief_quotes_the_first_line_and_says_if_it_cut() -> None:
    """A quote is the first line up to the limit, with … when shortened."""
    assert brief("Recruiter: Sam") == ("Recruiter: Sam", False)
    assert brief("one\ntwo") == ("one", True)
    quote, cut = brief("y" * 300, 100)
    assert cut and len(quote) == 100 and quote.endswith("…")
