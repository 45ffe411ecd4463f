"""The core conversation, driven through the real Application and the strict offline Telegram."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.app import build_application
from bot.domain.stages import Outcome, Stage
from bot.faketelegram import FakeTelegram
from storage import Repository
from tests.conftest import ADA, BOB
from tests.harness import Harness, text_of


async def onboard(bot: Harness, user: int = ADA) -> None:
    await bot.send(user, "/start")
    await bot.tap(user, "Berlin")


async def test_start_greets_and_asks_for_timezone(bot: Harness) -> None:
    """/start explains the bot in three lines and offers timezone buttons."""
    replies = await bot.send(ADA, "/start", first_name="Ada")
    assert "Hi, Ada! I'm Funnelbot" in text_of(replies[0])
    assert "timezone" in text_of(replies[0])
    labels = [b[0] for row in replies[0].buttons for b in row]
    assert "Berlin" in labels and "New York" in labels


async def test_timezone_by_button_and_by_city(bot: Harness) -> None:
    """A tap or a typed city sets the zone; an unknown one changes nothing and suggests."""
    await onboard(bot)
    assert bot.repo.get_profile(ADA).timezone == "Europe/Berlin"  # type: ignore[union-attr]
    await bot.send(ADA, "/timezone Berln")
    assert "Europe/Berlin" in text_of(bot.last(ADA)) and "Nothing was changed" in text_of(bot.last(ADA))
    await bot.send(ADA, "/timezone Lisbon")
    assert bot.repo.get_profile(ADA).timezone == "Europe/Lisbon"  # type: ignore[union-attr]


async def test_start_accepts_a_typed_city(bot: Harness) -> None:
    """During /start, typing a city answers the timezone question."""
    await bot.send(ADA, "/start")
    replies = await bot.send(ADA, "new york")
    assert "America/New_York" in text_of(replies[0])
    assert bot.repo.get_profile(ADA).timezone == "America/New_York"  # type: ignore[union-attr]


async def test_quick_add_with_every_optional_part(bot: Harness) -> None:
    """One message saves a job with link, track, closing date, camp, source, fit and stage."""
    await onboard(bot)
    replies = await bot.send(
        ADA,
        "/add Acme - Senior SRE https://acme.jobs/42 #SRE closes 2026-12-05 camp growth via referral fit 4/3 applied",
    )
    assert "Saved as applied #1" in text_of(replies[0])
    assert "Acme — Senior SRE" in text_of(replies[0])
    app = bot.repo.get_application(ADA, 1)
    assert app is not None
    assert (app.company, app.role, app.link, app.track) == ("Acme", "Senior SRE", "https://acme.jobs/42", "SRE")
    assert app.stage == Stage.APPLIED and str(app.closes_on) == "2026-12-05"
    assert bot.repo.get_profile(ADA).tracks == ["SRE"]  # type: ignore[union-attr]
    labels = [b[0] for row in replies[0].buttons for b in row]
    assert "➡ Responded" in labels and "↩ Undo" in labels


async def test_quick_add_that_cannot_be_read_changes_nothing(bot: Harness) -> None:
    """A message without a role gets a hint and stores nothing."""
    replies = await bot.send(ADA, "/add Acme")
    assert "company and a role" in text_of(replies[0])
    assert bot.repo.list_applications(ADA) == []


async def test_guided_add_offers_tracks_back(bot: Harness) -> None:
    """/add alone asks company, role, track (as buttons) and stage."""
    await bot.send(ADA, "/add Old Co - Dev #DevRel")
    await bot.send(ADA, "/add")
    await bot.send(ADA, "Globex")
    replies = await bot.send(ADA, "Platform Engineer")
    assert any("DevRel" in b[0] for row in replies[0].buttons for b in row)
    await bot.tap(ADA, "DevRel")
    await bot.tap(ADA, "Yes, applied")
    app = bot.repo.get_application(ADA, 2)
    assert app is not None
    assert (app.company, app.role, app.track, app.stage) == ("Globex", "Platform Engineer", "DevRel", Stage.APPLIED)


async def test_guided_add_cancel_saves_nothing(bot: Harness) -> None:
    """/cancel mid-way ends the questions and stores nothing."""
    await bot.send(ADA, "/add")
    await bot.send(ADA, "Globex")
    replies = await bot.send(ADA, "/cancel")
    assert "Nothing was saved" in text_of(replies[0])
    assert bot.repo.list_applications(ADA) == []
    replies = await bot.send(ADA, "Platform Engineer")
    assert "not sure what to do" in text_of(replies[0])


async def test_advance_by_button_edits_the_card(bot: Harness) -> None:
    """Tapping the next stage edits the card in place and answers the callback."""
    await bot.send(ADA, "/add Acme - SRE applied")
    card = bot.last(ADA)
    await bot.tap(ADA, "➡ Responded")
    edited = bot.tg.messages(ADA)[card.message_id - 1] if False else bot.last(ADA)
    assert edited.message_id == card.message_id
    assert "Moved #1 to Responded" in text_of(edited)
    assert bot.tg.callback_answers[-1]["text"] == "#1 → Responded"
    assert bot.repo.get_application(ADA, 1).stage == Stage.RESPONDED  # type: ignore[union-attr]


async def test_stale_card_does_not_advance_twice(bot: Harness) -> None:
    """A second tap on an out-of-date button refreshes the card instead of moving again."""
    await bot.send(ADA, "/add Acme - SRE applied")
    card = bot.last(ADA)
    data = next(b[1] for row in card.buttons for b in row if b[0].startswith("➡"))
    assert data is not None
    await bot.press(ADA, card.message_id, data)
    await bot.press(ADA, card.message_id, data, force=True)
    assert bot.repo.get_application(ADA, 1).stage == Stage.RESPONDED  # type: ignore[union-attr]


async def test_reject_with_reason_by_buttons_and_by_command(bot: Harness) -> None:
    """Rejection asks for a reason; the typed form takes free text."""
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/add Beta - Dev applied")
    await bot.send(ADA, "/show 1")
    await bot.tap(ADA, "Rejected")
    assert "Why were you rejected" in text_of(bot.last(ADA))
    await bot.tap(ADA, "Timezone")
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and (app.outcome, app.reason) == (Outcome.REJECTED, "Timezone / location")
    replies = await bot.send(ADA, "/reject 2 wanted <5 years> & more")
    app = bot.repo.get_application(ADA, 2)
    assert app is not None and app.reason == "wanted <5 years> & more"
    assert "marked as rejected" in text_of(replies[0])


async def test_undo_button_and_command(bot: Harness) -> None:
    """Every change carries Undo; /undo reverts the latest, including an add."""
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/move 1 interview")
    assert "Moved #1 to Interview" in text_of(bot.last(ADA))
    await bot.tap(ADA, "Undo")
    assert bot.repo.get_application(ADA, 1).stage == Stage.APPLIED  # type: ignore[union-attr]
    assert "Undone: moved #1 to Interview" in text_of(bot.last(ADA))
    await bot.send(ADA, "/undo")
    assert bot.repo.get_application(ADA, 1) is None
    assert "Undone: added #1" in text_of(bot.last(ADA))
    await bot.send(ADA, "/undo")
    assert bot.last(ADA).text == "Nothing to undo."


async def test_move_with_a_bad_stage_lists_the_valid_ones(bot: Harness) -> None:
    """A stage typo is explained and nothing moves."""
    await bot.send(ADA, "/add Acme - SRE applied")
    replies = await bot.send(ADA, "/move 1 intervew")
    assert "0 prospect" in text_of(replies[0]) and "7 accepted" in text_of(replies[0])
    assert bot.repo.get_application(ADA, 1).stage == Stage.APPLIED  # type: ignore[union-attr]
    replies = await bot.send(ADA, "/move 9 interview")
    assert "no application #9" in text_of(replies[0])


async def test_list_paginates_60_applications(bot: Harness) -> None:
    """60 applications page 20 at a time, every page under Telegram's limit."""
    for i in range(60):
        await bot.send(ADA, f"/add Company {i} - Role {i}{' applied' if i % 2 else ''}")
    replies = await bot.send(ADA, "/list")
    first = replies[0]
    assert "page 1/3" in text_of(first) and "(60)" in text_of(first)
    assert len(text_of(first)) <= 4096
    await bot.tap(ADA, "Next")
    assert "page 2/3" in text_of(bot.last(ADA))
    await bot.tap(ADA, "Next")
    assert "page 3/3" in text_of(bot.last(ADA))
    assert not any("Next" in b[0] for row in bot.last(ADA).buttons for b in row)


async def test_prospects_ranked_and_rerated(bot: Harness) -> None:
    """Prospects sort by fit; rating by buttons re-ranks them."""
    await bot.send(ADA, "/add Low - Dev fit 1/1")
    await bot.send(ADA, "/add High - Dev fit 5/4")
    await bot.send(ADA, "/add Unrated - Dev")
    replies = await bot.send(ADA, "/prospects")
    text = text_of(replies[0])
    assert text.index("High") < text.index("Low") < text.index("Unrated")
    await bot.tap(ADA, "⭐ #3")
    await bot.tap(ADA, "5")
    await bot.tap(ADA, "5")
    text = text_of(bot.last(ADA))
    assert "#3 fit is now 10" in text
    assert text.index("Unrated") < text.index("High")


async def test_two_users_are_isolated(bot: Harness) -> None:
    """Bob's #1 is his own; Ada's commands never touch it."""
    await bot.send(ADA, "/add Acme - SRE")
    await bot.send(BOB, "/add Bobco - Dev")
    await bot.send(ADA, "/delete 1")
    await bot.tap(ADA, "Yes, delete")
    assert bot.repo.get_application(ADA, 1) is None
    assert bot.repo.get_application(BOB, 1).company == "Bobco"  # type: ignore[union-attr]
    replies = await bot.send(BOB, "/list")
    assert "Bobco" in text_of(replies[0]) and "Acme" not in text_of(replies[0])


async def test_forged_callback_cannot_reach_another_user(bot: Harness) -> None:
    """A hand-made callback for #2 looks only in the presser's own data."""
    await bot.send(BOB, "/add Bobco - Dev applied")
    await bot.send(BOB, "/add Bobco2 - Dev applied")
    await bot.send(ADA, "/add Acme - SRE applied")
    card = bot.last(ADA)
    await bot.press(ADA, card.message_id, "app:adv:2:1", force=True)
    assert bot.tg.callback_answers[-1]["text"] == "That application no longer exists."
    assert bot.repo.get_application(BOB, 2).stage == Stage.APPLIED  # type: ignore[union-attr]
    await bot.press(ADA, card.message_id, "app:zzz", force=True)
    await bot.press(ADA, card.message_id, "fit:l:1:9:9", force=True)
    assert bot.repo.get_application(ADA, 1).fit is None  # type: ignore[union-attr]


async def test_special_characters_display_literally(bot: Harness) -> None:
    """A company called <Ben & Jerry's_*[x]> shows exactly so (the fake rejects bad HTML)."""
    await bot.send(ADA, "/add <Ben & Jerry's_*[x]> - <b>Taster</b>")
    assert "<Ben & Jerry's_*[x]> — <b>Taster</b>" in text_of(bot.last(ADA))
    await bot.send(ADA, '/note 1 ask about <script> & "quotes"')
    await bot.send(ADA, "/list")
    assert "<Ben & Jerry's_*[x]>" in text_of(bot.last(ADA))
    assert bot.tg.errors == []


async def test_bare_link_offers_to_save_a_prospect(bot: Harness) -> None:
    """Sending a job link alone offers to save it, then asks company and role (one at a time works too)."""
    replies = await bot.send(ADA, "https://jobs.example.com/123")
    assert "Save this job as a prospect?" in text_of(replies[0])
    await bot.tap(ADA, "Save as prospect")
    await bot.send(ADA, "Example Inc")
    await bot.send(ADA, "Backend Dev")
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and app.link == "https://jobs.example.com/123" and app.stage == Stage.PROSPECT


async def test_unknown_command_and_free_text_get_hints(bot: Harness) -> None:
    """Nothing is met with silence."""
    assert "I don't know /frobnicate" in text_of((await bot.send(ADA, "/frobnicate"))[0])
    assert "/add Acme - Senior SRE" in text_of((await bot.send(ADA, "hello?"))[0])


async def test_help_lists_every_command_within_limits(bot: Harness) -> None:
    """/help names each menu command and fits one message."""
    replies = await bot.send(ADA, "/help")
    assert len(replies) == 1
    for name in ("add", "list", "move", "undo", "timezone"):
        assert f"/{name}" in text_of(replies[0])
    # The menu is for private chats only (in groups the bot only points to a private chat).
    assert any(c["command"] == "add" for c in bot.tg.scoped_commands("all_private_chats"))
    assert bot.tg.commands == []


async def test_edit_fields_and_bad_values(bot: Harness) -> None:
    """/edit changes a field; a bad value is explained and changes nothing."""
    await bot.send(ADA, "/add Acme - SRE")
    await bot.send(ADA, "/edit 1 closes 2026-12-24")
    assert str(bot.repo.get_application(ADA, 1).closes_on) == "2026-12-24"  # type: ignore[union-attr]
    replies = await bot.send(ADA, "/edit 1 camp spicy")
    assert "safe, growth, adventurous" in text_of(replies[0])
    assert bot.repo.get_application(ADA, 1).camp is None  # type: ignore[union-attr]
    await bot.send(ADA, "/edit 1 role Staff SRE")
    assert bot.repo.get_application(ADA, 1).role == "Staff SRE"  # type: ignore[union-attr]


async def test_allowed_users_gate_stores_nothing(settings, repo, tg: FakeTelegram, clock) -> None:  # type: ignore[no-untyped-def]
    """With ALLOWED_USER_IDS set, a stranger is refused politely and nothing is stored."""
    from dataclasses import replace

    app = build_application(
        replace(settings, allowed_user_ids=frozenset({ADA})), repo, request=tg.request(), clock=clock
    )
    async with app:
        bot = Harness(app=app, tg=tg, repo=repo, clock=clock)
        replies = await bot.send(BOB, "/add Bobco - Dev")
        assert "private" in text_of(replies[0])
        assert repo.get_profile(BOB) is None and repo.list_applications(BOB) == []
        await bot.send(ADA, "/add Acme - SRE")
        assert repo.get_application(ADA, 1) is not None


async def test_restart_keeps_everything(settings, tg: FakeTelegram, clock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A new process on the same data dir sees every application and can undo."""
    for round_ in range(2):
        repo = Repository.open(settings.data_dir, fsync=False)
        app = build_application(settings, repo, request=tg.request(), clock=clock)
        async with app:
            bot = Harness(app=app, tg=tg, repo=repo, clock=clock)
            if round_ == 0:
                await bot.send(ADA, "/add Acme - SRE applied")
                await bot.send(ADA, "/move 1 interview")
            else:
                replies = await bot.send(ADA, "/show 1")
                assert "Stage: Interview" in text_of(replies[0])
                await bot.send(ADA, "/undo")
                assert repo.get_application(ADA, 1).stage == Stage.APPLIED  # type: ignore[union-attr]


async def test_impossible_offset_changes_nothing_and_user_keeps_working(bot: Harness) -> None:
    """/timezone UTC-13 is refused politely; the profile keeps its zone and commands still work."""
    await onboard(bot)
    replies = await bot.send(ADA, "/timezone UTC-13")
    assert "Nothing was changed" in text_of(replies[0])
    assert bot.repo.get_profile(ADA).timezone == "Europe/Berlin"  # type: ignore[union-attr]
    replies = await bot.send(ADA, "/timezone UTC+2")
    assert "Timezone set to UTC+2" in text_of(replies[0])
    assert text_of((await bot.send(ADA, "/add Acme - SRE"))[0]).startswith("Saved as prospect #1")


async def test_odd_numbers_and_stages_change_nothing(bot: Harness) -> None:
    """Negative stages, superscript digits and huge numbers get a hint, not an error or a move."""
    await bot.send(ADA, "/add Acme - SRE applied")
    assert "which stage" in text_of((await bot.send(ADA, "/move 1 -1"))[0])
    assert "Which application?" in text_of((await bot.send(ADA, "/show ²"))[0])
    assert "which stage" in text_of((await bot.send(ADA, "/move 1 ³"))[0])
    assert "Which application?" in text_of((await bot.send(ADA, "/show 99999999999999999999"))[0])
    assert bot.repo.get_application(ADA, 1).stage == Stage.APPLIED  # type: ignore[union-attr]
    assert not any("went wrong" in t for t in bot.texts(ADA))


async def test_guided_add_restarts_hints_and_skips(bot: Harness) -> None:
    """/add mid-way starts over; text at the buttons step is hinted; typing skip means no track."""
    await bot.send(ADA, "/add")
    await bot.send(ADA, "Globex")
    restarted = await bot.send(ADA, "/add")
    assert "Which <b>company</b>" not in text_of(restarted[0]) and "Which company?" in text_of(restarted[0])
    await bot.send(ADA, "Initech")
    await bot.send(ADA, "Developer")
    await bot.send(ADA, "skip")
    hint = await bot.send(ADA, "yes")
    assert "Tap one of the buttons above" in text_of(hint[0])
    await bot.tap(ADA, "Not yet")
    app = bot.repo.get_application(ADA, 1)
    assert app is not None and (app.company, app.track) == ("Initech", "")
    assert bot.repo.get_profile(ADA).tracks == []  # type: ignore[union-attr]
    assert "Nothing to cancel" in text_of((await bot.send(ADA, "/cancel"))[0])


async def test_guided_add_refuses_a_link_as_company(bot: Harness) -> None:
    """A URL is not a company name."""
    await bot.send(ADA, "/add")
    replies = await bot.send(ADA, "https://jobs.example.com/9")
    assert "looks like a link" in text_of(replies[0])


async def test_add_with_only_a_link_offers_to_save_it(bot: Harness) -> None:
    """`/add <link>` behaves like sending the link."""
    replies = await bot.send(ADA, "/add https://jobs.example.com/77")
    assert "Save this job as a prospect?" in text_of(replies[0])


async def test_duplicate_and_past_closing_date_get_a_heads_up(bot: Harness) -> None:
    """Saving the same company and role again, or a passed closing date, is flagged (and undoable)."""
    await bot.send(ADA, "/add Acme - SRE")
    replies = await bot.send(ADA, "/add acme - sre closes 2026-11-01")
    assert "already have #1" in text_of(replies[0])
    assert "closing date has already passed" in text_of(replies[0])
    assert len(bot.repo.list_applications(ADA)) == 2


async def test_edit_without_a_value_asks_and_none_clears(bot: Harness) -> None:
    """/edit N track alone changes nothing; /edit N track none clears it."""
    await bot.send(ADA, "/add Acme - SRE #ops")
    assert "What should the track be?" in text_of((await bot.send(ADA, "/edit 1 track"))[0])
    assert bot.repo.get_application(ADA, 1).track == "ops"  # type: ignore[union-attr]
    await bot.send(ADA, "/edit 1 track none")
    assert bot.repo.get_application(ADA, 1).track == ""  # type: ignore[union-attr]


async def test_list_when_everything_is_closed_points_to_list_all(bot: Harness) -> None:
    """An empty open list says where the closed ones are."""
    await bot.send(ADA, "/add Acme - SRE")
    await bot.send(ADA, "/withdraw 1")
    assert "/list all shows your 1 closed" in text_of((await bot.send(ADA, "/list"))[0])


async def test_long_history_says_how_much_is_hidden(bot: Harness) -> None:
    """A card with more than 12 events says how many earlier ones are not shown."""
    await bot.send(ADA, "/add Acme - SRE")
    for _ in range(4):
        await bot.send(ADA, "/move 1 offer")
        await bot.send(ADA, "/move 1 prospect")
    text = text_of((await bot.send(ADA, "/show 1"))[0])
    assert "earlier" in text


async def test_commands_for_other_bots_are_ignored(bot: Harness) -> None:
    """/add@otherbot in our chat is not ours to answer."""
    assert await bot.send(ADA, "/add@some_other_bot Acme - SRE") == []
    assert text_of((await bot.send(ADA, "/add@funnelbot_test Acme - SRE"))[0]).startswith("Saved")


async def test_emoji_heavy_notes_stay_within_telegram_limits(bot: Harness) -> None:
    """Long emoji notes (two UTF-16 units each) are saved, confirmed and shown without errors."""
    await bot.send(ADA, "/add Acme - SRE")
    for _ in range(2):
        replies = await bot.send(ADA, "/note 1 " + "😀" * 1500)
        assert text_of(replies[0]).startswith("Note added to #1.")
    replies = await bot.send(ADA, "/show 1")
    assert "Stage: Prospect" in text_of(replies[0])
    assert len(bot.repo.get_application(ADA, 1).notes) == 2  # type: ignore[union-attr]
    assert bot.tg.errors == []


async def test_timezone_question_does_not_swallow_other_answers(bot: Harness) -> None:
    """/start, then a guided /add: "Globex" is the company, not a timezone; /cancel cancels the add."""
    await bot.send(ADA, "/start")
    await bot.send(ADA, "/add")
    replies = await bot.send(ADA, "Globex")
    assert "Which <b>role</b>" not in text_of(replies[0]) and "Which role?" in text_of(replies[0])
    assert "Nothing was saved" in text_of((await bot.send(ADA, "/cancel"))[0])
    replies = await bot.send(ADA, "Lisbon")
    assert "Timezone set to Europe/Lisbon" in text_of(replies[0])
    replies = await bot.send(ADA, "Berlin")
    assert "not sure what to do" in text_of(replies[0])  # once chosen, free text is not a timezone
    assert bot.repo.get_profile(ADA).timezone == "Europe/Lisbon"  # type: ignore[union-attr]


async def test_skip_keeps_the_default_timezone(bot: Harness) -> None:
    """/skip after /start stores the default zone, so later text is not read as a timezone."""
    await bot.send(ADA, "/start")
    replies = await bot.send(ADA, "/skip")
    assert "Keeping Europe/London" in text_of(replies[0])
    assert bot.repo.get_profile(ADA).timezone == "Europe/London"  # type: ignore[union-attr]


async def test_another_command_abandons_the_guided_add(bot: Harness) -> None:
    """/add, Acme, then /list: the add question is over; later text is not taken as the role."""
    await bot.send(ADA, "/add")
    await bot.send(ADA, "Acme")
    await bot.send(ADA, "/list")
    replies = await bot.send(ADA, "hello")
    assert "not sure what to do" in text_of(replies[0])
    assert "Which <b>track</b>" not in text_of(replies[0]) and "Which track" not in text_of(replies[0])
    assert bot.repo.list_applications(ADA) == []


async def test_a_file_during_the_guided_add_goes_to_import(bot: Harness) -> None:
    """A CSV sent while the add question is open is imported, not answered with "please use text"."""
    await bot.send(ADA, "/add")
    await bot.send(ADA, "Acme")
    replies = await bot.upload(ADA, "jobs.csv", b"company,role,stage\nGlobex,SRE,applied\n")
    assert text_of(replies[0]).startswith("Imported 1 application")
    assert [a.company for a in bot.repo.list_applications(ADA)] == ["Globex"]


async def test_typed_note_closes_the_note_prompt(bot: Harness) -> None:
    """Tapping Note then typing /note N … leaves no prompt open to swallow the next text."""
    await bot.send(ADA, "/add Acme - SRE")
    await bot.tap(ADA, "Note")
    await bot.send(ADA, "/note 1 typed instead")
    replies = await bot.send(ADA, "just chatting")
    assert "not sure what to do" in text_of(replies[0])
    assert [n.text for n in bot.repo.get_application(ADA, 1).notes] == ["typed instead"]  # type: ignore[union-attr]


async def test_closing_date_half_read_and_odd_links_are_refused(bot: Harness) -> None:
    """`closes feb 30` and an ftp:// link are refused instead of landing in the role."""
    assert "couldn't read “feb 30”" in text_of((await bot.send(ADA, "/add Acme - SRE closes feb 30"))[0])
    assert "https://" in text_of((await bot.send(ADA, "/add Acme - SRE ftp://x.example"))[0])
    assert bot.repo.list_applications(ADA) == []


async def test_sources_as_people_write_them(bot: Harness) -> None:
    """`via LinkedIn` or `via company site` read as a job board."""
    await bot.send(ADA, "/add Acme - SRE via LinkedIn")
    await bot.send(ADA, "/add Beta - SRE via company site")
    assert [a.source.value for a in bot.repo.list_applications(ADA)] == ["job board", "job board"]  # type: ignore[union-attr]


async def _inject(bot: Harness, update: dict) -> None:  # type: ignore[type-arg]
    from telegram import Update

    await bot.process(Update.de_json(update, bot.app.bot))


async def test_channel_posts_edits_and_group_chatter_are_ignored(bot: Harness) -> None:
    """No apology into a channel, no reply to an edit, no answer to group small talk."""
    channel = {"id": -1001234, "type": "channel", "title": "Jobs"}
    await _inject(
        bot, {"update_id": 9001, "channel_post": {"message_id": 5, "date": 0, "chat": channel, "text": "/start"}}
    )
    group = {"id": -2002, "type": "supergroup", "title": "Friends"}
    sender = {"id": ADA, "is_bot": False, "first_name": "Ada"}
    chatter = {"message_id": 6, "date": 0, "chat": group, "from": sender, "text": "hello everyone"}
    await _inject(bot, {"update_id": 9002, "message": chatter})
    edited = {
        "message_id": 7,
        "date": 0,
        "chat": {"id": ADA, "type": "private", "first_name": "Ada"},
        "from": sender,
        "text": "/list",
        "edit_date": 1,
        "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
    }
    await _inject(bot, {"update_id": 9003, "edited_message": edited})
    assert [m for m, _ in bot.tg.calls if m.startswith("send")] == []
    command = {
        **chatter,
        "message_id": 8,
        "text": "/list",
        "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
    }
    await _inject(bot, {"update_id": 9004, "message": command})
    sends = [p for m, p in bot.tg.calls if m == "sendMessage"]
    assert sends[0]["chat_id"] == -2002 and "private" in sends[0]["text"]
    assert bot.repo.get_profile(ADA) is None


async def test_a_blocked_user_gets_no_apology_attempt(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    """Forbidden while answering is routine: one log line, no apology, no traceback."""
    caplog.set_level(logging.INFO)
    await bot.send(ADA, "/add Acme - SRE")
    bot.tg.send_text(ADA, "/list")
    bot.tg.block(ADA)  # blocked after writing, before the answer goes out
    bot.tg.pop_updates()
    sends = len(bot.tg.calls_to("sendMessage"))
    await _inject(
        bot,
        {
            "update_id": 900_000_100,  # after the fake's own ids: a new update, not a re-delivery
            "message": {
                "message_id": 99,
                "date": 0,
                "chat": {"id": ADA, "type": "private", "first_name": "Ada"},
                "from": {"id": ADA, "is_bot": False, "first_name": "Ada"},
                "text": "/list",
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            },
        },
    )
    assert "update.blocked user=1001" in caplog.text
    assert "Traceback" not in caplog.text and "update.failed" not in caplog.text
    assert len(bot.tg.calls_to("sendMessage")) == sends + 1  # the answer was tried once, no apology


async def test_csv_sent_without_a_csv_name_or_type_is_imported(bot: Harness) -> None:
    """Phones send CSVs as text/comma-separated-values or text/plain, sometimes without a name."""
    replies = await bot.upload(ADA, "jobs.txt", b"company,role,stage\nAcme,SRE,applied\n", mime_type="text/plain")
    assert text_of(replies[0]).startswith("Imported 1 application")
    replies = await bot.upload(
        ADA, "export", b"company,role,stage\nBeta,Dev,1\n", mime_type="text/comma-separated-values"
    )
    assert text_of(replies[0]).startswith("Imported 1 application")
    replies = await bot.upload(ADA, "photo.jpg", b"\xff\xd8\xff", mime_type="image/jpeg")
    assert "isn't a CSV file" in text_of(replies[0])


async def test_undoing_an_add_frees_its_number(bot: Harness) -> None:
    """/add #2, /undo, /add again gives #2 (not #3); a deleted application's number is never reused."""
    await bot.send(ADA, "/add Acme - SRE")
    await bot.send(ADA, "/add Typo - Rol")
    await bot.send(ADA, "/undo")
    assert text_of((await bot.send(ADA, "/add Beta - Dev"))[0]).startswith("Saved as prospect #2")
    await bot.send(ADA, "/delete 2")
    await bot.tap(ADA, "Yes, delete")
    assert text_of((await bot.send(ADA, "/add Gamma - Ops"))[0]).startswith("Saved as prospect #3")
    assert [a.number for a in bot.repo.list_applications(ADA)] == [1, 3]
