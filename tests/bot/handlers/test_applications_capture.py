"""Quick add keeps what was typed: unknown sources, bare camp words."""

from __future__ import annotations

from bot.domain.models import Camp, Source
from tests.conftest import ADA
from tests.harness import Harness, html_of, text_of


async def test_unknown_source_saves_the_job_as_other_and_says_so(bot: Harness) -> None:
    """`via seek` saves the job, groups it as other, keeps "seek" in a note and says so (escaped)."""
    reply = (await bot.send(ADA, "/add Acme - SRE via seek <au> applied"))[0]
    assert "Saved as applied #1" in text_of(reply)
    assert "I don't know the source “seek &lt;au&gt;”, so it counts as <i>other</i>" in html_of(reply)
    app = bot.repo.get_application(ADA, 1)
    assert app is not None
    assert (app.company, app.role, app.source) == ("Acme", "SRE", Source.OTHER)
    assert [note.text for note in app.notes] == ["Source: seek <au>"]
    stats = text_of((await bot.send(ADA, "/stats source"))[0])
    assert "other: 1" in stats


async def test_bare_camp_word_is_the_camp_not_part_of_the_role(bot: Harness) -> None:
    """`/add Acme - SRE growth` saves role SRE in camp growth and says so; "Head of growth" stays a role."""
    reply = (await bot.send(ADA, "/add Acme - SRE growth"))[0]
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and (app.role, app.camp) == ("SRE", Camp.GROWTH)
    assert "I read “growth” as the camp. If it belongs to the role: /edit 1 role SRE growth." in text_of(reply)
    await bot.send(ADA, "/add Beta - Head of growth")
    app = bot.repo.get_application(ADA, 2)
    assert app is not None and (app.role, app.camp) == ("Head of growth", None)
