"""Rules that live on the domain models themselves."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.models import JobApplication, Profile

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_number_new_takes_the_next_number_and_remembers_the_track() -> None:
    """Each new application gets the counter's number, the counter moves on, its track comes first."""
    profile = Profile(user_id=1, chat_id=1, created_at=NOW, next_number=4, tracks=["Data"])
    first, second = JobApplication(0, "Acme", "SRE", NOW, track="SRE"), JobApplication(0, "Globex", "Dev", NOW)
    profile.number_new(first)
    profile.number_new(second)
    assert (first.number, second.number, profile.next_number) == (4, 5, 6)
    assert profile.tracks == ["SRE", "Data"]
