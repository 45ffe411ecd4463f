"""Insights commands through the real Application and the strict offline Telegram."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import Update

from bot.domain.csvio import HEADER, MAX_ROWS
from bot.domain.models import Event, JobApplication, Source
from bot.domain.stages import Outcome, Stage
from tests.conftest import ADA, BOB
from tests.domain.test_funnel import five, job
from tests.harness import Harness, text_of
from tests.test_charts import png_size

STARTED = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)  # Ada's first day with Funnelbot in seed()


async def onboard(bot: Harness, user: int = ADA) -> None:
    await bot.send(user, "/start")
    await bot.tap(user, "Berlin")


async def seed(bot: Harness, apps: list[JobApplication], user: int = ADA) -> None:
    """Onboard ``user`` and store ``apps`` as theirs, numbered as given, tracked since 1 Nov."""
    await onboard(bot, user)
    profile = bot.repo.get_profile(user)
    assert profile is not None
    profile.created_at = STARTED
    profile.next_number = max(a.number for a in apps) + 1
    bot.repo.save_profile(profile)
    bot.repo.save_applications(user, apps)


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def state(bot: Harness, user: int) -> tuple[int, list[dict[str, object]]]:
    """What an import could change: the number counter and every stored application."""
    profile = bot.repo.get_profile(user)
    assert profile is not None
    return profile.next_number, [a.to_dict() for a in bot.repo.list_applications(user)]


async def test_funnel_command_shows_headline_and_numbers(bot: Harness) -> None:
    """/funnel leads with the sentence, then rates, stages, waits, inertia and reasons."""
    await seed(bot, five())
    text = text_of((await bot.send(ADA, "/funnel"))[0])
    assert text.startswith("Your funnel\nYou get a response to 3 in 5 applications and an interview to 2 in 5.")
    assert "Response 60% · Interview 40% · Offer 20%" in text
    assert "Interview: 2 (67%)" in text
    assert "Applied → first response: 3 days (from 3 applications)" in text
    assert "Rejected: Experience level 1, Skills fit 1, Timezone / location 1" in text
    assert "Withdrawn: accepted elsewhere 1" in text


async def test_funnel_without_applications(bot: Harness) -> None:
    """No data: a hint to add the first job."""
    await onboard(bot)
    assert "No applications yet" in text_of((await bot.send(ADA, "/funnel"))[0])


async def test_stats_names_best_and_worst_with_caution(bot: Harness) -> None:
    """/stats camp splits the rates; small segments carry a caution."""
    await seed(bot, five())
    text = text_of((await bot.send(ADA, "/stats camp"))[0])
    assert "growth: 2 · 100% · 50% · 0% ⚠" in text
    assert "Best: adventurous" in text and "Worst: safe" in text
    assert "treat them as a hint" in text
    assert "Split by what?" in text_of((await bot.send(ADA, "/stats salary"))[0])


async def test_week_lists_weeks_against_target(bot: Harness) -> None:
    """/week 4 shows four weeks with counts, this week's progress and the streak."""
    await seed(bot, five())
    text = text_of((await bot.send(ADA, "/week 4"))[0])
    assert " 2 Nov ✓  5 ▇▇▇▇▇" in text
    assert "23 Nov" in text and "26 Oct" not in text
    assert "This week: 0 of 2 sent" in text and "Streak:" in text
    assert "How many weeks?" in text_of((await bot.send(ADA, "/week 99"))[0])


async def test_report_sends_message_and_csv(bot: Harness) -> None:
    """/report lists applications sent in the period and attaches the same rows as CSV."""
    await seed(bot, five())
    replies = await bot.send(ADA, "/report 2026-11-02 2026-11-02")
    assert "2026-11-02 · #1 Tzco — Engineer · Rejected at applied" in text_of(replies[0])
    assert "#4" not in text_of(replies[0])  # applied on 3 Nov
    name, data = replies[1].document  # type: ignore[misc]
    assert name == "applications-2026-11-02-to-2026-11-02.csv"
    assert csv_rows(data)[1][:3] == ["2026-11-02", "1", "Tzco"]
    assert "give the earlier date first" in text_of((await bot.send(ADA, "/report 2026-12-01 2026-11-01"))[0])
    assert "No applications sent" in text_of((await bot.send(ADA, "/report 2025-01-01 2025-01-31"))[0])


async def test_chart_sends_funnel_and_weeks_pictures(bot: Harness) -> None:
    """/chart and /chart weeks send PNG photos with captions."""
    await seed(bot, five())
    photo = (await bot.send(ADA, "/chart"))[0]
    assert photo.photo is not None and png_size(photo.photo)[0] == 900
    assert photo.caption is not None and photo.caption.startswith("Your funnel: 5 applications sent")
    weeks = (await bot.send(ADA, "/chart weeks 6"))[0]
    assert weeks.photo is not None and png_size(weeks.photo) == (900, 550)


async def test_chart_over_forty_says_latest_forty(bot: Harness) -> None:
    """More than 40 applications: the caption says which ones are drawn."""
    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    apps = [JobApplication(n, f"Co {n}", "Dev", at, stage=Stage.APPLIED, history=[]) for n in range(1, 46)]
    await seed(bot, apps)
    caption = (await bot.send(ADA, "/chart"))[0].caption
    assert caption is not None and "45 applications sent, showing the latest 40" in caption


async def test_chart_with_nothing_sent(bot: Harness) -> None:
    """Only prospects: nothing to draw, and a hint instead of an empty picture."""
    await onboard(bot)
    await bot.send(ADA, "/add Acme - SRE")
    assert "Nothing to draw yet" in text_of((await bot.send(ADA, "/chart"))[0])


async def test_export_then_import_into_another_account(bot: Harness) -> None:
    """Ada's export imports into Bob's account exactly, numbered from his counter."""
    await seed(bot, five())
    name, data = (await bot.send(ADA, "/export"))[0].document  # type: ignore[misc]
    assert name == "funnelbot-2026-11-23.csv"
    assert tuple(csv_rows(data)[0]) == HEADER
    await onboard(bot, BOB)
    await bot.send(BOB, "/add Zeta - Ops")
    replies = await bot.upload(BOB, name, data)
    assert text_of(replies[0]).startswith("Imported 5 applications (#2–#6).")
    imported = bot.repo.list_applications(BOB)[1:]
    assert [a.reached() for a in imported] == [a.reached() for a in five()]
    assert bot.repo.get_profile(BOB).next_number == 7  # type: ignore[union-attr]
    again = await bot.upload(BOB, name, data)
    assert text_of(again[0]).startswith("Nothing new to import.\nSkipped 5 duplicates")


async def test_export_ics_of_interviews(bot: Harness) -> None:
    """/export ics sends a calendar when interviews are scheduled, and explains otherwise."""
    apps = five()
    await seed(bot, apps)
    assert "No interviews scheduled" in text_of((await bot.send(ADA, "/export ics"))[0])
    app = bot.repo.get_application(ADA, 4)
    assert app is not None
    app.interviews.append(datetime(2026, 11, 25, 13, 0, tzinfo=UTC))
    bot.repo.save_application(ADA, app, "interview")
    name, data = (await bot.send(ADA, "/export ics"))[0].document  # type: ignore[misc]
    assert name.endswith(".ics")
    assert b"DTSTART:20261125T130000Z" in data


async def test_import_alone_explains(bot: Harness) -> None:
    """/import without a file says what to send."""
    await onboard(bot)
    assert "company" in text_of((await bot.send(ADA, "/import"))[0])


async def test_import_with_errors_offers_the_valid_rows(bot: Harness) -> None:
    """Bad rows are listed by line; nothing is saved until the button is tapped."""
    await onboard(bot)
    data = b"company,role,stage\nAcme,SRE,interview\nGlobex,Dev,intervew\nInitech,<b>QA</b>,2\n"
    before = state(bot, ADA)
    reply = (await bot.upload(ADA, "jobs.csv", data))[0]
    assert "jobs.csv: 3 rows checked, 1 row with problems:" in text_of(reply)
    assert "line 3: unknown stage 'intervew'" in text_of(reply)
    assert state(bot, ADA) == before
    assert [b[1] for row in reply.buttons for b in row] == ["imp:go:1", "imp:no:1"]
    await bot.tap(ADA, "Import the 2 valid rows")
    done = bot.last(ADA)
    assert done.message_id == reply.message_id and not done.buttons
    assert text_of(done).startswith("Imported 2 applications (#1–#2).")
    assert [a.role for a in bot.repo.list_applications(ADA)] == ["SRE", "<b>QA</b>"]
    await bot.press(ADA, reply.message_id, "imp:go:1", force=True)
    assert text_of(bot.last(ADA)).startswith("Imported 2 applications")
    assert len(bot.repo.list_applications(ADA)) == 2


async def test_import_double_tap_keeps_the_confirmation(bot: Harness) -> None:
    """A second tap on Import, or Cancel after it, only toasts; "Imported" stays and nothing doubles."""
    await onboard(bot)
    reply = (await bot.upload(ADA, "jobs.csv", b"company,role,stage\nAcme,SRE,1\nB,C,nope\n"))[0]
    await bot.tap(ADA, "Import the 1 valid row")
    stored = state(bot, ADA)
    done = bot.last(ADA)
    for data in ("imp:go:1", "imp:no:1"):
        assert await bot.press(ADA, reply.message_id, data, force=True) == []
        assert bot.tg.callback_answers[-1]["text"] == "Already imported."
        assert bot.last(ADA).text == done.text and bot.last(ADA).edit_count == done.edit_count
    assert text_of(done).startswith("Imported 1 application (#1).")
    assert state(bot, ADA) == stored and len(stored[1]) == 1


async def test_import_cancel_twice_or_import_after_cancel_only_toasts(bot: Harness) -> None:
    """After Cancel, further taps say so in a toast; the message keeps "Import cancelled"."""
    await onboard(bot)
    before = state(bot, ADA)
    reply = (await bot.upload(ADA, "jobs.csv", b"company,role,stage\nAcme,SRE,1\nB,C,nope\n"))[0]
    await bot.tap(ADA, "Cancel")
    for data in ("imp:no:1", "imp:go:1"):
        await bot.press(ADA, reply.message_id, data, force=True)
        assert bot.tg.callback_answers[-1]["text"].startswith("Already cancelled")
        assert bot.last(ADA).text == "Import cancelled. Nothing changed."
    assert state(bot, ADA) == before


async def test_import_unknown_token_still_expires(bot: Harness) -> None:
    """A button from a file the bot never settled (say, before a restart) says it expired."""
    await onboard(bot)
    reply = (await bot.upload(ADA, "jobs.csv", b"company,role,stage\nAcme,SRE,1\nB,C,nope\n"))[0]
    await bot.press(ADA, reply.message_id, "imp:go:7", force=True)
    assert "expired" in text_of(bot.last(ADA))
    assert bot.repo.list_applications(ADA) == []


async def test_import_negative_stage_is_unknown(bot: Harness) -> None:
    """Stage "-1" is refused by line, not imported as Applied."""
    await onboard(bot)
    before = state(bot, ADA)
    reply = (await bot.upload(ADA, "jobs.csv", b"company,role,stage\nAcme,SRE,1\nGlobex,Dev,-1\n"))[0]
    assert "line 3: unknown stage '-1'" in text_of(reply)
    assert state(bot, ADA) == before


async def test_wording_for_one_and_for_periods(bot: Harness) -> None:
    """Singulars read as singulars, articles fit, and an empty report names its period "from … to"."""
    await seed(bot, [job(1, "Solo", [(1, Stage.APPLIED), (2, Stage.RESPONDED)], added=1)])
    text = text_of((await bot.send(ADA, "/funnel"))[0])
    assert "(1 application sent)" in text
    assert "Applied → first response: 1 day (from 1 application)" in text
    empty = text_of((await bot.send(ADA, "/report 2026-10-01 2026-10-31"))[0])
    assert empty == "No applications sent from Thu 1 Oct 2026 to Sat 31 Oct 2026."
    one_day = await bot.send(ADA, "/report 2026-11-03 2026-11-03")
    assert text_of(one_day[0]).startswith("Applications sent on Tue 3 Nov 2026 (1)")
    assert one_day[1].caption == "1 application sent on Tue 3 Nov 2026."
    assert ((await bot.send(ADA, "/export"))[0].caption or "").startswith("Your application.")
    reply = (await bot.upload(ADA, "one.csv", b"company,role,stage,applied_at\nNew,Dev,prospect,2026-11-02\n"))[0]
    assert "one.csv: 1 row checked, 1 row with problems:" in text_of(reply)
    assert "has an applied date but stage is prospect" in text_of(reply)
    reply = (await bot.upload(ADA, "two.csv", b"company,role,stage\nNew,Dev,applied\nB,C,nope\n"))[0]
    assert "1 row had no applied date, so it stays out of your weekly counts." in text_of(reply)
    assert len(bot.repo.list_applications(ADA)) == 1


async def test_week_streak_counts_a_met_current_week(bot: Harness) -> None:
    """This week's ✓ is in the streak: met now after nothing before reads "1 week … this week included"."""
    monday = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # this week, before the harness clock
    apps = [
        JobApplication(
            n,
            f"C{n}",
            "Dev",
            monday,
            stage=Stage.APPLIED,
            history=[Event(at=monday, kind="created", stage=Stage.APPLIED)],
        )
        for n in (1, 2)
    ]
    await seed(bot, apps)
    text = text_of((await bot.send(ADA, "/week 2"))[0])
    assert "23 Nov ✓  2 ▇▇" in text
    assert "Streak: 1 week in a row on target, this week included." in text
    assert "Streak: 0" not in text


async def test_week_streak_when_this_week_is_still_open(bot: Harness) -> None:
    """Nothing met yet: no "0 weeks", but how to start one."""
    await seed(bot, five())
    text = text_of((await bot.send(ADA, "/week 4"))[0])
    assert "23 Nov    0" in text
    assert "Streak: none yet; meet this week's target to start one." in text


async def test_week_imported_history_buys_no_buffer(bot: Harness) -> None:
    """300 imported applications from 2025 don't show as buffer or streak for a new user."""
    await onboard(bot)  # Ada starts today, 23 Nov 2026
    rows = "".join(f"Co {i},Dev,applied,2025-{1 + i % 12:02d}-{1 + i % 28:02d}\n" for i in range(300))
    reply = (await bot.upload(ADA, "old.csv", f"company,role,stage,applied_at\n{rows}".encode()))[0]
    assert text_of(reply).startswith("Imported 300 applications")
    assert len(bot.repo.list_applications(ADA)) == 300
    text = text_of((await bot.send(ADA, "/week 2"))[0])
    assert "Buffer" not in text
    assert "This week: 0 of 2 sent, 2 to go." in text
    assert "Streak: none yet" in text


async def test_stats_never_names_the_unlabelled_segment(bot: Harness) -> None:
    """ "(no camp)" is listed with its numbers but is neither best nor worst."""
    apps = [*five(), *(job(n, f"N{n}", [(1, Stage.APPLIED), (3, (Outcome.REJECTED, ""))]) for n in range(6, 9))]
    await seed(bot, apps)
    text = text_of((await bot.send(ADA, "/stats camp"))[0])
    assert "(no camp): 3 · 0% · 0% · 0% ⚠" in text
    assert "Best: adventurous" in text and "Worst: safe" in text
    assert "(no camp) (interview" not in text


async def test_imported_row_without_dates_has_an_honest_history(bot: Harness) -> None:
    """An undated Applied row says "imported" on its card, and counts in no week."""
    await onboard(bot)
    await bot.upload(ADA, "jobs.csv", b"company,role,stage\nAcme,SRE,applied\n")
    [app] = bot.repo.list_applications(ADA)
    assert app.history == [Event(at=bot.clock.now, kind="imported", stage=Stage.APPLIED)]
    assert app.reached() == {}
    card = text_of((await bot.send(ADA, "/show 1"))[0])
    assert "Stage: Applied" in card and ": imported" in card
    assert "saved as prospect" not in card
    assert "This week: 0 of 2 sent" in text_of((await bot.send(ADA, "/week 1"))[0])


async def test_export_import_keeps_interview_and_edit_events(bot: Harness) -> None:
    """Scheduled interviews, edits and reopenings survive /export → /import, exactly."""
    await seed(bot, five())
    app = bot.repo.get_application(ADA, 4)
    assert app is not None
    when = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    app.interviews.append(when)
    app.history.insert(
        -1, Event(at=datetime(2026, 11, 10, 8, 0, tzinfo=UTC), kind="interview", detail="Wed 25 Nov 14:00")
    )
    app.history.insert(-1, Event(at=datetime(2026, 11, 10, 9, 0, tzinfo=UTC), kind="edited", detail="role"))
    bot.repo.save_application(ADA, app, "interview")
    name, data = (await bot.send(ADA, "/export"))[0].document  # type: ignore[misc]
    await onboard(bot, BOB)
    await bot.upload(BOB, name, data)
    back = bot.repo.get_application(BOB, 4)
    assert back is not None
    assert back.history == app.history and back.interviews == [when]
    card = text_of((await bot.send(BOB, "/show 4"))[0])
    assert "interview scheduled Wed 25 Nov 14:00" in card


async def test_import_cancel_changes_nothing(bot: Harness) -> None:
    """Cancel drops the checked rows."""
    await onboard(bot)
    before = state(bot, ADA)
    await bot.upload(ADA, "jobs.csv", b"company,role,stage\nAcme,SRE,1\nB,C,nope\n")
    await bot.tap(ADA, "Cancel")
    assert "Import cancelled" in text_of(bot.last(ADA))
    assert state(bot, ADA) == before


async def test_import_refuses_malformed_files_without_changes(bot: Harness) -> None:
    """Wrong encoding, missing columns, only bad stages, 10 MB: refused, nothing stored."""
    await seed(bot, five())
    before = state(bot, ADA)
    cases = [
        ("company,role,stage\nSociété,Dev,1\n".encode("cp1252"), "isn't UTF-8"),
        (b"company,title\nAcme,SRE\n", "missing: stage"),
        (b"company,role,stage\nAcme,SRE,soon\n", "No row can be imported"),
        (b"company,role,stage\n" + b"x" * 10_000_000, "10.0 MB"),
    ]
    for data, message in cases:
        reply = (await bot.upload(ADA, "jobs.csv", data))[0]
        assert message in text_of(reply)
        assert reply.buttons == []
    assert state(bot, ADA) == before
    assert len(bot.tg.calls_to("getFile")) == 3  # the 10 MB file was never downloaded


async def test_import_caption_with_a_non_csv_file(bot: Harness) -> None:
    """An /import caption on a PDF gets a clear answer."""
    await onboard(bot)
    reply = (await bot.upload(ADA, "cv.pdf", b"%PDF-1.4", mime_type="application/pdf", caption="/import"))[0]
    assert "isn't a CSV file" in text_of(reply)


async def test_import_large_file_shows_progress_in_one_message(bot: Harness) -> None:
    """A big file is checked with one message that counts up, then reports the result."""
    await onboard(bot)
    rows = "".join(f"Company {i},Role,applied,2026-11-{1 + i % 20:02d}\n" for i in range(2500))
    replies = await bot.upload(ADA, "big.csv", f"company,role,stage,applied_at\n{rows}".encode())
    assert len(replies) == 1
    status = replies[0]
    assert status.edit_count >= 2
    assert text_of(status).startswith("Imported 2500 applications (#1–#2500).")
    assert len(bot.repo.list_applications(ADA)) == 2500
    assert MAX_ROWS == 5000


# -- review fixes ----------------------------------------------------------------------------


async def test_import_refuses_out_of_range_dates_by_line(bot: Harness) -> None:
    """Year-1 and year-9999 dates are refused as "line N: date out of range"; nothing is stored."""
    await onboard(bot)
    before = state(bot, ADA)
    data = (
        b"company,role,stage,applied_at,interviews\n"
        b"Acme,SRE,applied,0001-01-01T00:00+05:00,\n"
        b"Globex,Dev,interview,2026-11-02,9999-12-31T23:00Z\n"
    )
    reply = (await bot.upload(ADA, "jobs.csv", data))[0]
    assert "jobs.csv: 2 rows checked, 2 rows with problems:" in text_of(reply)
    assert "line 2: date out of range: applied date '0001-01-01T00:00+05:00'" in text_of(reply)
    assert "line 3: date out of range: interview '9999-12-31T23:00Z'" in text_of(reply)
    assert "No row can be imported" in text_of(reply) and reply.buttons == []
    assert state(bot, ADA) == before


async def test_import_refuses_links_that_are_not_web_addresses(bot: Harness) -> None:
    """javascript: and plain-text links are listed by line and never stored or shown as links."""
    await onboard(bot)
    data = (
        b"company,role,stage,link,track\n"
        b"Acme,SRE,applied,javascript:alert(1),\n"
        b"Globex,Dev,applied,not a link at all,\n"
        b"Initech,QA,applied,https://initech.example/jobs/7,#qa\n"
        b"Hooli,Ops,applied,," + b"t" * 61 + b"\n"
    )
    reply = (await bot.upload(ADA, "jobs.csv", data))[0]
    assert "line 2: link 'javascript:alert(1)' isn't a web address" in text_of(reply)
    assert "line 3: link 'not a link at all' isn't a web address" in text_of(reply)
    assert "line 5: track is over 60 characters" in text_of(reply)
    assert bot.repo.list_applications(ADA) == []
    await bot.tap(ADA, "Import the 1 valid row")
    [app] = bot.repo.list_applications(ADA)
    assert (app.company, app.link, app.track) == ("Initech", "https://initech.example/jobs/7", "qa")
    card = text_of((await bot.send(ADA, "/show 1"))[0])
    assert "initech.example" in card and "javascript" not in card


def _document_update_without_size(bot: Harness, content: bytes) -> dict[str, Any]:
    """Ada sends a CSV whose Document carries no file_size (Telegram may leave it out)."""
    bot.tg.send_document(ADA, "big.csv", content)
    [data] = bot.tg.pop_updates()
    del data["message"]["document"]["file_size"]
    return data


async def test_import_without_file_size_is_refused_before_download(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No file_size on the Document: getFile's size refuses a 1.2 MB file before downloading it."""
    await seed(bot, five())
    before = state(bot, ADA)
    downloads: list[str] = []
    real_download = bot.tg.download

    def download(path: str) -> bytes | None:
        downloads.append(path)
        return real_download(path)

    monkeypatch.setattr(bot.tg, "download", download)
    content = b"company,role,stage\n" + b"Acme,SRE,applied\n" * 70_000
    await bot.process(Update.de_json(_document_update_without_size(bot, content), bot.app.bot))
    assert downloads == []
    assert bot.last(ADA).text == (
        "That file is 1.2 MB; I import up to 1 MB (5,000 rows). Split it and send the parts. Nothing changed."
    )
    assert state(bot, ADA) == before


async def test_import_without_any_size_stops_reading_past_1_mb(bot: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """No size from the Document nor from getFile: the capped download refuses past 1 MB."""
    await seed(bot, five())
    before = state(bot, ADA)
    real_handle = bot.tg.handle

    async def handle_without_size(method: str, params: Any = None, files: Any = None) -> tuple[int, Any]:
        status, body = await real_handle(method, params, files)
        if method.lower() == "getfile":
            body["result"].pop("file_size", None)
        return status, body

    monkeypatch.setattr(bot.tg, "handle", handle_without_size)
    content = b"company,role,stage\n" + b"Acme,SRE,applied\n" * 70_000
    await bot.process(Update.de_json(_document_update_without_size(bot, content), bot.app.bot))
    assert bot.last(ADA).text == (
        "That file is over 1 MB; I import up to 1 MB (5,000 rows). Split it and send the parts. Nothing changed."
    )
    assert state(bot, ADA) == before
    small = b"company,role,stage\nAcme,SRE,applied\n"
    await bot.process(Update.de_json(_document_update_without_size(bot, small), bot.app.bot))
    assert text_of(bot.last(ADA)).startswith("Imported 1 application (#6).")


async def test_undo_after_import_removes_exactly_the_imported_rows(bot: Harness) -> None:
    """/undo after /import removes all imported applications and keeps the older one."""
    await seed(bot, five())
    _, data = (await bot.send(ADA, "/export"))[0].document  # type: ignore[misc]
    await onboard(bot, BOB)
    await bot.send(BOB, "/add Zeta - Ops")
    assert text_of((await bot.upload(BOB, "funnelbot.csv", data))[0]).startswith("Imported 5 applications (#2–#6).")
    assert len(bot.repo.list_applications(BOB)) == 6
    reply = (await bot.send(BOB, "/undo"))[0]
    assert reply.text == "Undone: imported 5 applications (#2–#6)."
    assert [(a.number, a.company) for a in bot.repo.list_applications(BOB)] == [(1, "Zeta")]


async def test_import_button_stores_even_when_the_tap_is_answered_late(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Store first, then await: an expired callback query can't lose the rows the user chose."""
    await onboard(bot)
    reply = (await bot.upload(ADA, "jobs.csv", b"company,role,stage\nAcme,SRE,1\nB,C,nope\n"))[0]
    monkeypatch.setattr(bot.tg, "CALLBACK_QUERY_TTL", -1.0)  # every answer now comes too late
    await bot.tap(ADA, "Import the 1 valid row")
    assert [a.company for a in bot.repo.list_applications(ADA)] == ["Acme"]
    done = bot.last(ADA)
    assert done.message_id == reply.message_id
    assert text_of(done).startswith("Imported 1 application (#1).")


async def test_import_checks_duplicates_against_the_data_after_download(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An application saved while the file downloads is reported as the duplicate it is."""
    await onboard(bot)
    real_handle = bot.tg.handle

    async def handle_and_add(method: str, params: Any = None, files: Any = None) -> tuple[int, Any]:
        if method.lower() == "getfile":  # say, a reminder job saved one meanwhile
            profile = bot.repo.get_profile(ADA)
            assert profile is not None
            bot.repo.add_application(profile, JobApplication(0, "Acme", "SRE", bot.clock.now), "added #{n}")
        return await real_handle(method, params, files)

    monkeypatch.setattr(bot.tg, "handle", handle_and_add)
    reply = (await bot.upload(ADA, "jobs.csv", b"company,role,stage\nAcme,SRE,1\nGlobex,Dev,1\n"))[0]
    assert text_of(reply).startswith(
        "Imported 1 application (#2).\nSkipped 1 duplicate (same company and role):\n• line 2: Acme — SRE (already #1)"
    )
    assert [(a.number, a.company) for a in bot.repo.list_applications(ADA)] == [(1, "Acme"), (2, "Globex")]


async def test_report_reads_dates_of_several_words(bot: Harness) -> None:
    """/report takes "nov 1", "nov 1 to nov 30" and ISO dates; a bad date is named and nothing changes."""
    await seed(bot, five())
    before = state(bot, ADA)
    since = await bot.send(ADA, "/report nov 1")
    assert text_of(since[0]).startswith("Applications sent from Sun 1 Nov 2026 to Mon 23 Nov 2026 (5)")
    assert since[1].document[0] == "applications-2026-11-01-to-2026-11-23.csv"  # type: ignore[index]
    month = await bot.send(ADA, "/report nov 1 to nov 30")
    assert text_of(month[0]).startswith("Applications sent from Sun 1 Nov 2026 to Mon 30 Nov 2026 (5)")
    assert month[1].document[0] == "applications-2026-11-01-to-2026-11-30.csv"  # type: ignore[index]
    iso = await bot.send(ADA, "/report 2026-11-01 2026-11-30")
    assert iso[0].text == month[0].text and iso[1].document == month[1].document
    dashed = await bot.send(ADA, "/report nov 1 – nov 2")
    assert text_of(dashed[0]).startswith("Applications sent from Sun 1 Nov 2026 to Mon 2 Nov 2026 (1)")
    bad = await bot.send(ADA, "/report nov 1 to someday")
    assert len(bad) == 1 and text_of(bad[0]).startswith("I can't read 'someday' as a date.")
    assert text_of((await bot.send(ADA, "/report nov 1 blorp"))[0]).startswith("I can't read 'blorp' as a date.")
    assert state(bot, ADA) == before


async def test_import_unknown_source_imports_as_other_with_a_warning(bot: Harness) -> None:
    """An unknown "Via" keeps its row as source other, warned by line; LinkedIn reads as a job board."""
    await onboard(bot)
    data = b"Company,Role,Stage,Via\nAcme,SRE,applied,Carrier pigeon\nGlobex,Dev,applied,LinkedIn\n"
    reply = (await bot.upload(ADA, "jobs.csv", data))[0]
    assert text_of(reply).startswith("Imported 2 applications (#1–#2).")
    warning = "Read with a guess (1 row; fix the file if it's wrong):\n• line 2: source 'Carrier pigeon' read as other"
    assert warning in text_of(reply)
    assert "LinkedIn" not in text_of(reply) and "problems" not in text_of(reply)
    stored = {a.company: a.source for a in bot.repo.list_applications(ADA)}
    assert stored == {"Acme": Source.OTHER, "Globex": Source.JOB_BOARD}


async def test_import_warnings_survive_the_confirmation(bot: Harness) -> None:
    """With a bad row too, warnings show before and after the import button, within one phone screen."""
    await onboard(bot)
    rows = "".join(f"Co {n},Dev,applied,Pigeon {n}\n" for n in range(1, 13))
    data = f"company,role,stage,source\n{rows}Bad,Dev,nope,\n".encode()
    reply = (await bot.upload(ADA, "jobs.csv", data))[0]
    assert "13 rows checked, 1 row with problems:\n• line 14: unknown stage 'nope'" in text_of(reply)
    assert "Read with a guess (12 rows; fix the file if it's wrong):" in text_of(reply)
    assert "• line 13: source 'Pigeon 12' read as other\nStages I know:" in text_of(reply)
    assert len(text_of(reply)) <= 1500
    assert text_of(reply).endswith("Nothing is saved yet. Import the 12 valid rows, or fix the file and send it again.")
    assert bot.repo.list_applications(ADA) == []
    await bot.tap(ADA, "Import the 12 valid rows")
    done = text_of(bot.last(ADA))
    assert done.startswith("Imported 12 applications (#1–#12).")
    assert "• line 2: source 'Pigeon 1' read as other" in done and "• line 13: source 'Pigeon 12'" in done
    assert {a.source for a in bot.repo.list_applications(ADA)} == {Source.OTHER}


async def test_funnel_stats_and_chart_after_importing_unknown_sources(bot: Harness) -> None:
    """Rows imported as source other count in /funnel, /stats source and /chart like any other."""
    await onboard(bot)
    data = b"company,role,stage,source\nAcme,SRE,interview,Carrier pigeon\nGlobex,Dev,applied,LinkedIn\n"
    await bot.upload(ADA, "jobs.csv", data)
    assert "(2 applications sent)" in text_of((await bot.send(ADA, "/funnel"))[0])
    stats = text_of((await bot.send(ADA, "/stats source"))[0])
    assert "other: 1 · 100% · 100% · 0% ⚠" in stats
    assert "job board: 1 · 0% · 0% · 0% ⚠" in stats
    photo = (await bot.send(ADA, "/chart"))[0]
    assert photo.photo is not None and png_size(photo.photo)[0] == 900
    assert photo.caption is not None and photo.caption.startswith("Your funnel: 2 applications sent")
