"""Quick add keeps what was typed: unknown sources, bare camp words."""

from __future__ import annotations

from bot.domain.models import Source
from tests.conftest import ADA
from tests.harness import Harness


async def test_unknown_source_saves_the_job_as_other_and_says_so(bot: Harness) -> None:
    """`via seek` saves the job, groups it as other, keeps "seek" in a note and says so (escaped)."""
    reply = (await bot.send(ADA, "/add Acme - SRE via seek <au> applied"))[0]
    assert "Saved as applied #1" in reply.text
    assert "I don't know the source “seek &lt;au&gt;”, so it counts as <i>other</i>" in reply.html
    app = bot.repo.get_application(ADA, 1)
    assert app is not None
    assert (app.company, app.role, app.source) == ("Acme", "SRE", Source.OTHER)
    assert [note.text for note in app.notes] == ["Source: seek <au>"]
    stats = (await bot.send(ADA, "/stats source"))[0].text
    assert "other: 1" in stats
