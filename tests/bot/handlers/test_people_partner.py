"""An accountability partner through the offline Bot API, with two and three users: invites
(accept, expire, reuse, forged), the weekly short review with and without names, encouragement,
removal from either side, and a partner who blocked the bot."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.app import build_application
from bot.config import Settings
from bot.context import services
from bot.domain.people import hash_code
from bot.faketelegram import FakeMessage
from bot.handlers.partner import shared_of
from storage import Repository
from tests.conftest import ADA, BOB
from tests.harness import Harness, text_of

CARL = 3003
SUNDAY_EVENING = datetime(2026, 11, 29, 18, 5, tzinfo=UTC)  # Ada's review: Sunday 18:00, London


async def invite(bot: Harness) -> str:
    replies = await bot.send(ADA, "/partner invite", first_name="Ada")
    match = re.search(r"https://t\.me/funnelbot_test\?start=([A-Za-z0-9_-]+)", text_of(replies[0]))
    assert match is not None, text_of(replies[0])
    return match.group(1)


async def partnered(bot: Harness) -> None:
    code = await invite(bot)
    await bot.send(BOB, f"/start {code}", first_name="Bob")
    await bot.tap(BOB, "Accept")


async def run_partner_job(bot: Harness) -> None:
    [job] = bot.app.job_queue.get_jobs_by_name("people:partner")  # type: ignore[union-attr]
    await job.run(bot.app)


async def test_invite_is_a_long_one_time_link_stored_hashed(bot: Harness) -> None:
    """The invite carries ≥128 random bits, and only its hash is on disk."""
    code = await invite(bot)
    assert len(code) >= 32
    raw = (services(bot.app).settings.data_dir / "shared" / "invites.json").read_text()
    assert code not in raw and hash_code(code) in raw


async def test_accept_makes_a_partner_and_tells_the_inviter(bot: Harness) -> None:
    """Bob opens the link, sees what he'd get, accepts; Ada is told; /partner shows it on both sides."""
    code = await invite(bot)
    replies = await bot.send(BOB, f"/start {code}", first_name="Bob")
    assert "Ada invites you to be their accountability partner" in text_of(replies[0])
    await bot.tap(BOB, "Accept")
    assert "You're now Ada's accountability partner" in text_of(bot.last(BOB))
    assert "Bob accepted" in text_of(bot.last(ADA))
    assert "Bob gets your weekly summary (without company names)" in text_of((await bot.send(ADA, "/partner"))[0])
    assert "You are partner for Ada" in text_of((await bot.send(BOB, "/partner"))[0])


async def test_reused_expired_forged_and_own_invites_are_refused(bot: Harness) -> None:
    """A used, an expired, a forged and one's own code each get a clear refusal and change nothing."""
    code = await invite(bot)
    assert "your own invite" in text_of((await bot.send(ADA, f"/start {code}"))[0])
    await bot.send(BOB, f"/start {code}", first_name="Bob")
    await bot.tap(BOB, "Accept")
    assert "already been used" in text_of((await bot.send(CARL, f"/start {code}", first_name="Carl"))[0])
    fresh = await invite(bot)
    bot.clock.advance(days=7, minutes=1)
    assert "has expired" in text_of((await bot.send(CARL, f"/start {fresh}"))[0])
    forged = fresh[:-4] + ("AAAA" if not fresh.endswith("AAAA") else "BBBB")
    assert "isn't valid" in text_of((await bot.send(CARL, f"/start {forged}"))[0])
    assert "I'm Funnelbot" in text_of((await bot.send(CARL, "/start short-payload"))[0])  # not an invite's shape
    assert (shared_of(bot.app).partner(ADA) or {}).get("partner") == BOB
    assert shared_of(bot.app).partnering(CARL) == []


async def test_invite_accepted_after_it_expired_on_screen_is_refused(bot: Harness) -> None:
    """An Accept tapped after the invite expired (the offer was shown in time) makes no partner."""
    code = await invite(bot)
    await bot.send(BOB, f"/start {code}", first_name="Bob")
    bot.clock.advance(days=8)
    await bot.tap(BOB, "Accept")
    assert "has expired" in text_of(bot.last(BOB))
    assert shared_of(bot.app).partner(ADA) is None


async def test_weekly_summary_without_then_with_names_and_only_once(bot: Harness) -> None:
    """At Ada's review Bob gets her numbers without companies; after 'share names' he sees them; never twice."""
    await partnered(bot)
    await bot.send(ADA, "/target 2")
    await bot.send(ADA, "/add Acme - SRE applied")
    await bot.send(ADA, "/add Globex - SRE applied")
    bot.clock.set(SUNDAY_EVENING)
    await run_partner_job(bot)
    text = text_of(bot.last(BOB))
    assert "Ada's week (23 Nov – 29 Nov)" in text and "target of 2 met" in text
    assert "Applications: 2 · Interviews: 0 · Offers: 0" in text and "Streak: 1 week in a row" in text
    assert "Acme" not in text and "Globex" not in text
    count = len(bot.tg.bot_messages(BOB))
    await run_partner_job(bot)
    assert len(bot.tg.bot_messages(BOB)) == count
    await bot.send(ADA, "/partner share names")
    bot.clock.advance(days=7)
    await bot.send(ADA, "/add Initech - <SRE> applied")
    await run_partner_job(bot)
    assert "Companies: Initech" in text_of(bot.last(BOB)) and "target of 2 not met" in text_of(bot.last(BOB))


async def test_partner_asked_for_a_nudge_only_when_the_user_chose(bot: Harness) -> None:
    """Two missed weeks add a 'kind nudge' line only after /partner tell on."""
    await partnered(bot)
    bot.clock.set(SUNDAY_EVENING)
    await run_partner_job(bot)
    bot.clock.advance(days=7)
    await run_partner_job(bot)
    assert "kind nudge" not in text_of(bot.last(BOB))
    await bot.send(ADA, "/partner tell on")
    bot.clock.advance(days=7)
    await run_partner_job(bot)
    assert "missed the target two weeks running" in text_of(bot.last(BOB))


async def test_encouragement_presets_and_own_words_reach_the_user(bot: Harness) -> None:
    """Bob taps Send encouragement and a preset, then sends his own words; Ada gets both, escaped."""
    await partnered(bot)
    bot.clock.set(SUNDAY_EVENING)
    await run_partner_job(bot)
    await bot.tap(BOB, "Send encouragement")
    await bot.tap(BOB, "Rooting for you")
    assert "Bob sends encouragement" in text_of(bot.last(ADA)) and "Rooting for you!" in text_of(bot.last(ADA))
    await bot.tap(BOB, "My own words")
    await bot.send(BOB, "You <b>rock</b> & roll")
    assert "“You <b>rock</b> & roll”" in text_of(bot.last(ADA))
    assert "Sent" in text_of(bot.last(BOB))


async def test_removal_by_either_side_stops_the_summary_and_encouragement(bot: Harness) -> None:
    """After Ada removes Bob, the due summary isn't sent and his old buttons send nothing; Bob can also leave."""
    await partnered(bot)
    bot.clock.set(SUNDAY_EVENING)
    await run_partner_job(bot)
    await bot.send(ADA, "/partner remove")
    await bot.tap(ADA, "Stop sharing with Bob")
    assert "no longer gets your weekly summary" in text_of(bot.last(ADA))
    assert "ended your accountability partnership" in text_of(bot.last(BOB))
    count = len(bot.tg.bot_messages(BOB))
    bot.clock.advance(days=7)
    await run_partner_job(bot)
    assert len(bot.tg.bot_messages(BOB)) == count
    await bot.tap(BOB, "Send encouragement")
    assert "no longer their partner" in bot.tg.callback_answers[-1]["text"]
    await partnered(bot)
    await bot.send(BOB, "/partner remove")
    await bot.tap(BOB, "Stop getting Ada")
    assert shared_of(bot.app).partner(ADA) is None and "stepped back" in text_of(bot.last(ADA))


async def test_partner_who_blocked_the_bot_is_cleaned_up_quietly(bot: Harness) -> None:
    """A summary to a partner who blocked the bot ends the partnership without an error."""
    await partnered(bot)
    bot.tg.block(BOB)
    await bot.pump()
    bot.clock.set(SUNDAY_EVENING)
    await run_partner_job(bot)
    assert shared_of(bot.app).partner(ADA) is None


async def test_forget_ends_partnerships_both_ways(bot: Harness) -> None:
    """/forget by the partner removes the partnership; /privacy says what a partner sees."""
    await partnered(bot)
    await bot.send(BOB, "/forget")
    await bot.tap(BOB, "Delete everything")
    assert shared_of(bot.app).partner(ADA) is None
    assert "Partner" in text_of((await bot.send(ADA, "/privacy"))[0])


async def test_partner_bad_input_changes_nothing(bot: Harness) -> None:
    """Unknown /partner words, and options without a partner, get a hint and store nothing."""
    assert "didn't get that" in text_of((await bot.send(ADA, "/partner dance"))[0])
    assert "no partner yet" in text_of((await bot.send(ADA, "/partner share names"))[0])
    assert "no partnership to end" in text_of((await bot.send(ADA, "/partner remove"))[0])
    assert shared_of(bot.app).partnerships() == []


async def test_a_new_partner_replaces_the_old_one_who_is_told(bot: Harness) -> None:
    """When Ada's second invite is accepted by Carl, Bob stops getting her summary and is told."""
    await partnered(bot)
    code = await invite(bot)
    await bot.send(CARL, f"/start {code}", first_name="Carl")
    await bot.tap(CARL, "Accept")
    assert (shared_of(bot.app).partner(ADA) or {}).get("partner") == CARL
    assert "no longer get their summary" in text_of(bot.last(BOB))


async def test_removal_while_the_weekly_summaries_go_out_is_honoured(bot: Harness) -> None:
    """Bob partners Ada and Carl; Carl ends it while Ada's summary is being sent: Carl's never goes."""
    await partnered(bot)
    code = text_of((await bot.send(CARL, "/partner invite", first_name="Carl"))[0]).split("?start=")[1].split()[0]
    await bot.send(BOB, f"/start {code}")
    await bot.tap(BOB, "Accept")
    ended: list[int | None] = []

    def remove_carls_partner_on_first_summary(message: FakeMessage, event: str) -> None:
        if event == "sent" and message.chat_id == BOB and "'s week" in (message.text or "") and not ended:
            ended.append(shared_of(bot.app).end_partnership(CARL))

    bot.tg.subscribe(remove_carls_partner_on_first_summary)
    bot.clock.set(SUNDAY_EVENING)
    await run_partner_job(bot)
    summaries = [text_of(m) for m in bot.tg.bot_messages(BOB) if "'s week" in (m.text or "")]
    assert ended == [BOB] and len(summaries) == 1 and summaries[0].startswith("📬 Ada's week")


async def test_a_restart_never_sends_a_summary_or_board_twice(bot: Harness, settings: Settings) -> None:
    """A new process on the same data, ticking in the same window, sends neither again."""
    await partnered(bot)
    bot.tg.add_to_group(-100900, "Club", by_user=ADA)
    await bot.pump()
    bot.tg.send_group_text(-100900, ADA, "/join")
    await bot.pump()
    await bot.tap(ADA, "✅ Share")
    bot.tg.send_group_text(-100900, ADA, "/groupreview sun 18:00")
    await bot.pump()
    bot.clock.set(SUNDAY_EVENING)
    for name in ("people:partner", "people:groups"):
        [job] = bot.app.job_queue.get_jobs_by_name(name)  # type: ignore[union-attr]
        await job.run(bot.app)
    sent = (len(bot.tg.bot_messages(BOB)), len(bot.tg.bot_messages(-100900)))
    repo = Repository.open(settings.data_dir, fsync=False)
    app = build_application(settings, repo, request=bot.tg.request(), clock=bot.clock)
    async with app:
        await app.post_init(app)  # type: ignore[misc]
        for name in ("people:partner", "people:groups"):
            [job] = app.job_queue.get_jobs_by_name(name)  # type: ignore[union-attr]
            await job.run(app)
    repo.close()
    assert (len(bot.tg.bot_messages(BOB)), len(bot.tg.bot_messages(-100900))) == sent
    assert "Ada's week" in text_of(bot.last(BOB)) and "Together" in text_of(bot.tg.bot_messages(-100900)[-1])
