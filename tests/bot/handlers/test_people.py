"""Contacts through the offline Bot API: add, list, card buttons, /talked, follow-ups, referrers,
/stats network, CSV export/import and undo."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.context import services
from bot.handlers.people_stores import stores
from storage.people import PeopleStore
from tests.conftest import ADA, BOB
from tests.harness import Harness, text_of


def contacts(bot: Harness, user: int = ADA) -> list[str]:
    return [c.name for c in store_of_app(bot).contacts(user)]


async def test_contact_add_shows_a_card_and_is_stored_escaped(bot: Harness) -> None:
    """/contact saves name, title and options, and the card escapes user text."""
    replies = await bot.send(ADA, "/contact Jane <Doe> - Staff SRE at Acme #sre met 2026-10-01 via meetup")
    text = text_of(replies[0])
    assert "Saved contact" in text and "Jane <Doe>" in text and "Staff SRE at Acme" in text
    assert "met 1 Oct 2026" in text and "via meetup" in text
    labels = [b[0] for row in replies[0].buttons for b in row]
    assert {"📝 Note", "💬 Talked", "⏰ Follow up", "🔗 Link application", "↩ Undo"} <= set(labels)
    assert contacts(bot) == ["Jane <Doe>"]


async def test_contact_bad_input_changes_nothing(bot: Harness) -> None:
    """A /contact without a name, or with an unreadable date, gets a hint and stores nothing."""
    replies = await bot.send(ADA, "/contact")
    assert "/contact Jane Doe" in text_of(replies[0])
    replies = await bot.send(ADA, "/contact Jane met blorp")
    assert "couldn't read when you met" in text_of(replies[0]) and "Nothing was saved" in text_of(replies[0])
    assert contacts(bot) == []


async def test_contacts_lists_most_recently_touched_first_and_pages(bot: Harness) -> None:
    """/contacts puts the newest touched first, pages by 8, and opens a card with a tap."""
    for i in range(10):
        await bot.send(ADA, f"/contact Person{i} - Role {i}")
        bot.clock.advance(minutes=1)
    await bot.send(ADA, "/talked Person0 lunch")
    replies = await bot.send(ADA, "/contacts")
    assert "(10)" in text_of(replies[0]).splitlines()[0]
    assert "1. Person0" in text_of(replies[0]) and "2. Person9" in text_of(replies[0])
    assert "Page 1 of 2" in text_of(replies[0])
    await bot.tap(ADA, "More ▶")
    assert "9. Person2" in text_of(bot.last(ADA))
    replies = await bot.tap(ADA, "Person1")
    assert "👤 Person1 — Role 1" in text_of(replies[0])


async def test_talked_fuzzy_match_and_follow_up(bot: Harness) -> None:
    """/talked with a first name logs the talk and a follow-up tap sets the due day shown in /contacts."""
    await bot.send(ADA, "/contact Jane Doe - Staff SRE")
    replies = await bot.send(ADA, "/talked jane coffee, she'll refer me to the platform team")
    assert "Logged your conversation with Jane Doe" in text_of(replies[0])
    await bot.tap(ADA, "2 weeks")
    assert "Follow up with Jane Doe on Mon 7 Dec" in text_of(bot.last(ADA))
    replies = await bot.send(ADA, "/contacts")
    assert "to get back to" not in text_of(replies[0])
    bot.clock.advance(days=14)
    replies = await bot.send(ADA, "/contacts")
    assert "⏰ 1 person to get back to: Jane Doe" in text_of(replies[0])
    card = await bot.tap(ADA, "Jane Doe")
    assert "coffee, she'll refer me" in text_of(card[0]) and "Follow up due now" in text_of(card[0])


async def test_talked_ambiguous_asks_which_and_unknown_refuses(bot: Harness) -> None:
    """Two Janes get a button each; an unknown name or an empty summary saves nothing."""
    await bot.send(ADA, "/contact Jane Doe")
    await bot.send(ADA, "/contact Jane Roe")
    replies = await bot.send(ADA, "/talked Jane call about Acme")
    assert "Which “Jane”" in text_of(replies[0])
    await bot.tap(ADA, "Jane Roe")
    assert "conversation with Jane Roe" in text_of(bot.last(ADA))
    store = store_of_app(bot)
    assert [len(c.talks) for c in store.contacts(ADA)] == [0, 1]
    replies = await bot.send(ADA, "/talked Zed lunch")
    assert "don't know anyone called “Zed”" in text_of(replies[0])
    replies = await bot.send(ADA, "/talked Jane Doe")
    assert "What was it about" in text_of(replies[0])
    assert [len(c.talks) for c in store.contacts(ADA)] == [0, 1]


def store_of_app(bot: Harness) -> PeopleStore:
    return stores(bot.app).contacts


async def test_card_note_button_asks_then_saves_and_cancel_saves_nothing(bot: Harness) -> None:
    """The Note button asks for text; the answer is saved; /cancel on a second ask saves nothing."""
    await bot.send(ADA, "/contact Jane Doe")
    await bot.tap(ADA, "📝 Note")
    assert "Send your note on Jane Doe" in text_of(bot.last(ADA))
    await bot.send(ADA, "Knows the <platform> lead")
    assert "Note added to Jane Doe" in text_of(bot.last(ADA))
    await bot.send(ADA, "/contacts")
    await bot.tap(ADA, "Jane Doe")
    await bot.tap(ADA, "💬 Talked")
    replies = await bot.send(ADA, "/cancel")
    assert "Nothing was saved" in text_of(replies[0])
    [jane] = store_of_app(bot).contacts(ADA)
    assert [n.text for n in jane.notes] == ["Knows the <platform> lead"] and jane.talks == []


async def test_referrer_by_add_and_by_button_and_network_stats(bot: Harness) -> None:
    """/add … via Jane Doe links Jane; the card button links another; /stats network compares."""
    await bot.send(ADA, "/contact Jane Doe - SRE")
    replies = await bot.send(ADA, "/add Acme - SRE applied via Jane Doe")
    assert "Linked to your contact Jane Doe as the referrer" in text_of(replies[0])
    await bot.send(ADA, "/add Globex - SRE applied")
    await bot.send(ADA, "/contacts")
    await bot.tap(ADA, "Jane Doe")
    await bot.tap(ADA, "🔗 Link application")
    await bot.tap(ADA, "#2 Globex")
    assert "Jane Doe is now the referrer for #2" in text_of(bot.last(ADA))
    [jane] = store_of_app(bot).contacts(ADA)
    assert jane.apps == [1, 2]
    await bot.send(ADA, "/add Initech - SRE applied")
    replies = await bot.send(ADA, "/stats network")
    assert "Through people: 2 applied" in text_of(replies[0]) and "Cold: 1 applied" in text_of(replies[0])
    replies = await bot.send(ADA, "/stats source")
    assert "Network vs cold" not in text_of(replies[0])


async def test_undo_covers_contact_changes_in_order(bot: Harness) -> None:
    """/undo reverts the newest change, a contact's or an application's, one at a time."""
    await bot.send(ADA, "/add Acme - SRE")
    await bot.send(ADA, "/contact Jane Doe")
    await bot.send(ADA, "/talked Jane lunch")
    replies = await bot.send(ADA, "/undo")
    assert "Undone: conversation with Jane Doe" in text_of(replies[0])
    replies = await bot.send(ADA, "/undo")
    assert "Undone: added contact Jane Doe" in text_of(replies[0])
    assert contacts(bot) == []
    replies = await bot.send(ADA, "/undo")
    assert bot.repo.list_applications(ADA) == []


async def test_export_then_import_into_another_account(bot: Harness) -> None:
    """/contacts export sends a CSV; Bob imports it; re-importing skips duplicates; bad files change nothing."""
    await bot.send(ADA, "/contact Jane Doe - SRE #sre")
    await bot.send(ADA, "/contact Bob Stone - EM")
    await bot.send(ADA, "/contacts export")
    name, content = bot.last(ADA).document  # type: ignore[misc]
    assert name == "funnelbot-contacts.csv" and b"Jane Doe" in content
    replies = await bot.upload(BOB, "funnelbot-contacts.csv", content)
    assert "Imported 2 contacts" in text_of(replies[0])
    replies = await bot.upload(BOB, "mine.csv", content, caption="/contacts")
    assert "already in your list" in text_of(replies[0])
    replies = await bot.upload(BOB, "contacts.csv", b"name,met_on\nX,not a date\n")
    assert "Row 2" in text_of(replies[0])
    assert sorted(contacts(bot, BOB)) == ["Bob Stone", "Jane Doe"]
    replies = await bot.send(BOB, "/undo")
    assert "imported 2 contacts" in text_of(replies[0]) and contacts(bot, BOB) == []


async def test_check_in_suggestions_follow_the_users_interval(bot: Harness) -> None:
    """After N quiet weeks (set with /contacts checkin N) a contact is suggested; 0 turns it off."""
    await bot.send(ADA, "/contact Jane Doe")
    replies = await bot.send(ADA, "/contacts checkin 3")
    assert "after 3 weeks" in text_of(replies[0])
    replies = await bot.send(ADA, "/contacts checkin lots")
    assert "Nothing was changed" in text_of(replies[0])
    bot.clock.advance(weeks=3, minutes=1)
    assert "Time to check in? Jane Doe" in text_of((await bot.send(ADA, "/contacts"))[0])
    await bot.send(ADA, "/contacts checkin 0")
    assert "check in" not in text_of((await bot.send(ADA, "/contacts"))[0])


async def test_people_file_is_separate_and_forget_deletes_it(bot: Harness) -> None:
    """Contacts live in data_dir/people/<id>.json; /forget removes that file too."""
    await bot.send(ADA, "/contact Jane Doe")
    path = services(bot.app).settings.data_dir / "people" / f"{ADA}.json"
    assert path.exists()
    await bot.send(ADA, "/forget")
    await bot.tap(ADA, "Delete everything")
    assert not path.exists() and contacts(bot) == []


async def run_plan_job(bot: Harness) -> None:
    [job] = bot.app.job_queue.get_jobs_by_name("people:plan")  # type: ignore[union-attr]
    await job.run(bot.app)


async def test_due_follow_ups_come_with_the_weekly_plan_once(bot: Harness) -> None:
    """At Monday's plan time a due follow-up gets one line, once; none when paused or after a new talk."""
    await bot.send(ADA, "/contact Jane Doe")
    await bot.send(ADA, "/talked Jane lunch")
    await bot.tap(ADA, "1 week")  # due Monday 30 Nov
    bot.clock.set(datetime(2026, 11, 30, 9, 5, tzinfo=UTC))
    await bot.send(ADA, "/pause until 2026-12-02")
    count = len(bot.tg.bot_messages(ADA))
    await run_plan_job(bot)
    assert len(bot.tg.bot_messages(ADA)) == count  # paused
    await bot.send(ADA, "/resume")
    await run_plan_job(bot)
    assert text_of(bot.last(ADA)).startswith("⏰ 1 person to get back to: Jane Doe")
    count = len(bot.tg.bot_messages(ADA))
    await run_plan_job(bot)
    assert len(bot.tg.bot_messages(ADA)) == count
    await bot.send(ADA, "/talked Jane follow-up call")
    await bot.tap(ADA, "No reminder")
    bot.clock.set(datetime(2026, 12, 7, 9, 5, tzinfo=UTC))
    count = len(bot.tg.bot_messages(ADA))
    await run_plan_job(bot)
    assert len(bot.tg.bot_messages(ADA)) == count  # the conversation answered the follow-up
