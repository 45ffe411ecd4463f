"""Stage words: the names, numbers and everyday phrasings people use, case-insensitively."""

from __future__ import annotations

import pytest

from bot.domain.stages import Stage, parse_stage, stage_legend


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Interviewing", Stage.INTERVIEW),
        ("Phone interview", Stage.SCREEN),
        ("Offer received", Stage.OFFER),
        ("No response", Stage.APPLIED),
        ("Waiting to hear", Stage.APPLIED),
        ("In progress", Stage.APPLIED),
        ("Technical test", Stage.SCREEN),
        ("Not applied", Stage.PROSPECT),
        ("Wishlist", Stage.PROSPECT),
        ("second round", Stage.SECOND),
        ("tech interview", Stage.INTERVIEW),
        ("TECHNICAL INTERVIEW", Stage.INTERVIEW),
        ("Offer received!", Stage.OFFER),
        ("take-home", Stage.SCREEN),
        ("  applied  ", Stage.APPLIED),
        ("4", Stage.INTERVIEW),
    ],
)
def test_everyday_stage_words_are_understood(text: str, expected: Stage) -> None:
    """Spreadsheet statuses and /move phrasings map to the stage they mean, ignoring case and punctuation."""
    assert parse_stage(text) == expected


@pytest.mark.parametrize("text", ["intervew", "-1", "8", "limbo", "", "interview!!!?maybe"])
def test_unknown_stage_words_are_refused(text: str) -> None:
    """Typos, numbers outside 0-7 and made-up words read as no stage."""
    assert parse_stage(text) is None


def test_stage_legend_names_every_stage_with_examples() -> None:
    """The legend lists all eight stages, each with everyday words it accepts."""
    legend = stage_legend()
    assert legend.startswith("0 prospect (wishlist, not applied); 1 applied (no response, in progress)")
    for stage in Stage:
        examples = legend.split(f"{stage.value} {stage.label.lower()} (")[1].split(")")[0]
        assert all(parse_stage(word) == stage for word in examples.split(", ")), stage
