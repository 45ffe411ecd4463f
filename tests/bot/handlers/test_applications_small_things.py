"""Small things from the real job hunt (item 15): weeks since the start, chart wording, fit order, rank on /add."""

from __future__ import annotations

from bot import charts
from bot.domain.stages import Stage
from tests.conftest import ADA
from tests.harness import Harness, text_of


async def test_week_and_chart_weeks_start_with_the_user(bot: Harness) -> None:
    """A new user's /week and /chart weeks show only the weeks since they started, not empty ones before."""
    await bot.send(ADA, "/add Acme - SRE applied")
    bot.clock.advance(days=7)
    text = text_of((await bot.send(ADA, "/week 8"))[0])
    assert "23 Nov" in text and "30 Nov" in text and "16 Nov" not in text and "·" not in text
    chart = (await bot.send(ADA, "/chart weeks 8"))[0]
    assert chart.caption is not None and "last 2 weeks" in chart.caption


def test_chart_names_the_stage_responded() -> None:
    """The funnel chart's stage names read as the bot's stages: Responded, not Replied."""
    ticks = [tick.replace("-\n", "").replace("\n", " ") for tick in charts._STAGE_TICKS]
    assert ticks[Stage.RESPONDED] == Stage.RESPONDED.label


async def test_list_orders_prospects_by_fit(bot: Harness) -> None:
    """/list shows prospects best fit first, as /prospects ranks them."""
    for line in ("Low - Dev fit 1/1", "High - Dev fit 5/5", "Mid - Dev fit 3/3", "Sent - Dev applied"):
        await bot.send(ADA, f"/add {line}")
    text = text_of((await bot.send(ADA, "/list"))[0])
    assert text.index("#4 Sent") < text.index("#2 High") < text.index("#3 Mid") < text.index("#1 Low")


async def test_adding_a_prospect_says_where_it_ranks(bot: Harness) -> None:
    """After /add of a prospect the reply says its place by fit among the prospects."""
    first = text_of((await bot.send(ADA, "/add Low - Dev fit 1/1"))[0])
    assert "your only prospect" in first
    second = text_of((await bot.send(ADA, "/add High - Dev fit 5/4"))[0])
    assert "It ranks 1 of 2 prospects by fit (fit 9)" in second
    third = text_of((await bot.send(ADA, "/add Unrated - Dev"))[0])
    assert "It ranks 3 of 3 prospects by fit (unrated" in third and "/fit 3 4 5" in third
    applied = text_of((await bot.send(ADA, "/add Sent - Dev applied"))[0])
    assert "ranks" not in applied


async def test_chart_camp_colours_by_camp(bot: Harness) -> None:
    """/chart camp sends the funnel coloured by camp and says so; an unknown option gets a hint."""
    await bot.send(ADA, "/add Acme - SRE camp growth applied")
    photo = (await bot.send(ADA, "/chart camp"))[0]
    assert photo.photo is not None and photo.caption is not None and "Colours: camp" in photo.caption
    hint = (await bot.send(ADA, "/chart colour"))[0]
    assert hint.photo is None and "/chart camp" in text_of(hint)
