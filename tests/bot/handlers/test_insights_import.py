"""Importing a real spreadsheet: everyday status words, grouped problems and replies that fit a phone screen."""

from __future__ import annotations

from bot.domain.stages import Stage
from tests.conftest import ADA
from tests.harness import Harness, text_of

WORDS = (
    "Interviewing",
    "Phone interview",
    "Offer received",
    "No response",
    "Waiting to hear",
    "In progress",
    "Technical test",
    "Not applied",
    "Wishlist",
)


async def test_import_reads_everyday_status_words(bot: Harness) -> None:
    """40 rows with the statuses people write all import, each at the stage it means."""
    await bot.send(ADA, "/timezone Europe/Berlin")
    rows = "".join(f"Co {n},Dev {n},{WORDS[n % len(WORDS)]}\n" for n in range(40))
    reply = (await bot.upload(ADA, "jobs.csv", f"Company,Position,Status\n{rows}".encode()))[0]
    assert text_of(reply).startswith("Imported 40 applications (#1–#40).")
    stages = {a.company: a.stage for a in bot.repo.list_applications(ADA)}
    assert stages["Co 0"] == Stage.INTERVIEW and stages["Co 1"] == Stage.SCREEN
    assert stages["Co 2"] == Stage.OFFER and stages["Co 3"] == Stage.APPLIED
    assert stages["Co 7"] == Stage.PROSPECT and stages["Co 8"] == Stage.PROSPECT


async def test_identical_problems_are_grouped_and_the_legend_shown_once(bot: Harness) -> None:
    """40 rows with the same unknown status give one line naming the range, the legend once, nothing stored."""
    await bot.send(ADA, "/timezone Europe/Berlin")
    rows = "".join(f"Co {n},Dev,Limbo land\n" for n in range(40))
    reply = (await bot.upload(ADA, "jobs.csv", f"company,role,status\n{rows}Ok,Dev,applied\n".encode()))[0]
    assert "40 rows with problems:\n• lines 2–41: unknown stage 'Limbo land'\n" in text_of(reply)
    assert "\nStages I know: 0 prospect (wishlist, not applied); 1 applied" in text_of(reply)
    assert text_of(reply).count("0 prospect") == 1
    assert len(text_of(reply)) <= 1500 and not any(m.document for m in bot.tg.bot_messages(ADA))
    assert bot.repo.list_applications(ADA) == []
    await bot.tap(ADA, "Import the 1 valid row")
    assert [a.company for a in bot.repo.list_applications(ADA)] == ["Ok"]


async def test_long_import_report_fits_a_screen_and_comes_whole_as_a_file(bot: Harness) -> None:
    """60 different problems: the reply stays under 1,500 characters, and a text file has every line in full."""
    await bot.send(ADA, "/timezone Europe/Berlin")
    rows = "".join(f"Co {n},Dev,Status number {n} of a long and winding spreadsheet\n" for n in range(60))
    replies = await bot.upload(ADA, "jobs.csv", f"company,role,stage\n{rows}".encode())
    assert len(replies) == 2
    assert len(text_of(replies[0])) <= 1500
    assert "…more in the full report (file below)." in text_of(replies[0])
    assert text_of(replies[0]).endswith(
        "No row can be imported as it is. Fix the file and send it again; nothing changed."
    )
    assert replies[1].document is not None
    name, data = replies[1].document
    assert name == "jobs-import-report.txt"
    report = data.decode()
    assert "• line 61: unknown stage 'Status number 59 of a long and winding spreadsheet'" in report
    assert "<" not in report and report.count("unknown stage") == 60
    assert bot.repo.list_applications(ADA) == []
