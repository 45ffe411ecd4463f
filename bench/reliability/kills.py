"""SIGKILL at random moments while several users write; then compare the disk with what they saw.

Each simulated user acts one step at a time (think time ~1 s, under Telegram's per-chat limit):
``/add`` with a unique company, a tap on "➡ Applied", ``/note N <unique token>``, and ``/undo``
right after an acknowledged move. A reply the user saw is an acknowledgement. After a kill the
user's pending step is of unknown outcome, so the user first sends ``/help`` and waits for it
(updates are handled in order, so everything older has then been handled) before going on.

Afterwards, with the bot stopped: every data file must open (``Repository.open``); every
acknowledged add and note must be on disk (lost writes); no company or note token may be stored
twice (a change applied twice, e.g. a re-delivered update); application numbers must have no holes
(``/undo`` here never removes an add); and every restart must reach polling (failed restarts).
"""

from __future__ import annotations

import asyncio
import random
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.reliability.common import TOKEN, BotProcess, Row, Scale, wait_until
from bot.domain.stages import Stage
from bot.faketelegram import FakeMessage, FakeTelegram
from bot.faketelegram.server import serve
from storage import CorruptDataError, Repository

REPLY_TIMEOUT = 30.0
_SAVED = re.compile(r"Saved as (?:prospect|applied) #(\d+)\.")
_CARD = re.compile(r"#(\d+) (Co\d+n\d+) ")
_HELP = re.compile(r"Funnelbot.{0,40}commands")  # the /help header, whatever its exact wording


@dataclass
class Acks:
    """What one user saw acknowledged."""

    adds: dict[str, int] = field(default_factory=dict)  # company token -> number
    notes: list[tuple[int, str]] = field(default_factory=list)  # (number, note token)
    applied: dict[int, bool] = field(default_factory=dict)  # number -> expected at Applied
    steps: int = 0
    unknown: int = 0  # steps a kill interrupted before their reply


@dataclass
class World:
    tg: FakeTelegram
    bot: BotProcess
    rng: random.Random
    generation: int = 0
    startup_kills: int = 0  # kills before the process first polled
    running: bool = True
    seen: dict[int, list[str]] = field(default_factory=dict)  # chat -> every text sent or edited in

    def replies(self) -> int:
        return sum(len(texts) for texts in self.seen.values())

    async def next_reply(self, within: float) -> bool:
        count = self.replies()
        return await wait_until(lambda: self.replies() > count, within, step=0.002)

    def listen(self, message: FakeMessage, event: str) -> None:
        if event in ("sent", "edited") and message.text:
            self.seen.setdefault(message.chat_id, []).append(message.text)


async def _await_reply(world: World, user: int, mark: int, pattern: re.Pattern[str]) -> re.Match[str] | None:
    """The first text since ``mark`` in the chat matching ``pattern``; None if a kill came first."""
    generation = world.generation
    found: list[re.Match[str]] = []

    def arrived() -> bool:
        if world.generation != generation:
            return True
        for text in world.seen.get(user, [])[mark:]:
            match = pattern.search(text)
            if match:
                found.append(match)
                return True
        return False

    await wait_until(arrived, REPLY_TIMEOUT, step=0.01)
    return found[0] if found and world.generation == generation else None


def _prospect_card(tg: FakeTelegram, user: int) -> tuple[int, str] | None:
    """(message id, callback data) of the newest "➡ Applied" button in the chat, if any."""
    for message in reversed(tg.bot_messages(user)):
        for row in message.buttons:
            for text, data in row:
                if "➡ Applied" in text and data:
                    return message.message_id, data
    return None


async def _user(world: World, user: int, acks: Acks) -> None:
    rng, tg = world.rng, world.tg
    seq = 0
    barrier = False
    move_generation: int | None = None  # set right after an acknowledged move
    moved = 0  # the number that move was about
    while world.running:
        await asyncio.sleep(rng.uniform(0.6, 1.4))
        if not world.running:
            return
        mark = len(world.seen.get(user, []))
        seq += 1
        if barrier:
            tg.send_text(user, "/help")
            if await _await_reply(world, user, mark, _HELP):
                barrier = False
            continue
        roll = rng.random()
        card = _prospect_card(tg, user)
        numbers = sorted(acks.adds.values())
        if roll < 0.15 and move_generation == world.generation:
            move_generation = None
            acks.applied.pop(moved, None)  # unknown until the undo's reply is seen
            tg.send_text(user, "/undo")
            match = await _await_reply(world, user, mark, re.compile(r"Undone: moved #(\d+)"))
            if match:
                acks.applied[int(match.group(1))] = False
        elif roll < 0.40 and card is not None:
            message_id, data = card
            tg.press(user, message_id, data)
            match = await _await_reply(world, user, mark, re.compile(r"Moved #(\d+) to Applied"))
            if match:
                moved = int(match.group(1))
                acks.applied[moved] = True
                move_generation = world.generation
        elif roll < 0.65 and numbers:
            number = rng.choice(numbers)
            token = f"Nt{user}x{seq}"
            tg.send_text(user, f"/note {number} {token}")
            match = await _await_reply(world, user, mark, re.compile(rf"Note added to #{number}\."))
            if match:
                acks.notes.append((number, token))
            move_generation = None
        else:
            company = f"Co{user}n{seq}"
            tg.send_text(user, f"/add {company} - Engineer")
            match = await _await_reply(world, user, mark, _SAVED)
            card_match = _CARD.search(match.string) if match else None
            if match and card_match and card_match.group(2) == company:
                acks.adds[company] = int(match.group(1))
            move_generation = None
        acks.steps += 1
        if match is None:  # a kill (or a 30 s silence) came first: outcome unknown
            acks.unknown += 1
            barrier = True


async def _killer(world: World, kills: int, failed: list[str]) -> int:
    """kill -9 ``kills`` times at random moments (some during start-up); returns kills done."""
    rng, bot = world.rng, world.bot
    done = 0
    while done < kills:
        if rng.random() < 0.25:  # during start-up: anywhere from exec to the first poll
            before = bot.polls()
            await bot.spawn()
            await asyncio.sleep(rng.uniform(0.0, 1.0))
            if not bot.alive():
                failed.append(f"start-up {done}: exited by itself ({bot.output()[-200:]!r})")
                return done
            world.startup_kills += bot.polls() == before
            await bot.kill()
            world.generation += 1
            done += 1
            continue
        if not await bot.start():
            failed.append(f"restart {bot.spawns}: did not reach polling: {bot.output()[-300:]!r}")
            return done
        if rng.random() < 0.5:
            await asyncio.sleep(rng.uniform(0.2, 2.5))
        else:  # right after a reply: the bot has written and answered, maybe not yet confirmed the update
            await asyncio.sleep(rng.uniform(0.2, 1.0))
            await world.next_reply(5.0)
            await asyncio.sleep(rng.uniform(0.0, 0.03))
        await bot.kill()
        world.generation += 1
        done += 1
    return done


def _audit(data_dir: Path, users: list[int], acks: dict[int, Acks]) -> tuple[int, int, int, int, list[str]]:
    """(corrupt files, lost acknowledged writes, duplicated changes, number holes, details)."""
    details: list[str] = []
    try:
        repo = Repository.open(data_dir, fsync=False)
    except CorruptDataError as error:
        return 1, 0, 0, 0, [f"corrupt: {error}"]
    lost = duplicated = holes = 0
    try:
        for user in users:
            apps = repo.list_applications(user)
            profile = repo.get_profile(user)
            by_company = Counter(app.company for app in apps)
            by_number = {app.number: app for app in apps}
            seen = acks[user]
            for company, number in seen.adds.items():
                app = by_number.get(number)
                if app is None or app.company != company:
                    lost += 1
                    details.append(f"lost add {company} #{number}")
            extra = sum(count - 1 for count in by_company.values() if count > 1)
            duplicated += extra
            if extra:
                details.append(f"user {user}: {extra} application(s) stored twice")
            note_tokens = Counter(note.text for app in apps for note in app.notes)
            extra = sum(count - 1 for count in note_tokens.values() if count > 1)
            duplicated += extra
            if extra:
                details.append(f"user {user}: {extra} note(s) stored twice")
            for number, token in seen.notes:
                app = by_number.get(number)
                if app is None or token not in {note.text for note in app.notes}:
                    lost += 1
                    details.append(f"lost note {token} on #{number}")
            for number, applied in seen.applied.items():
                app = by_number.get(number)
                if applied and (app is None or app.stage < Stage.APPLIED):
                    lost += 1
                    details.append(f"lost move of #{number}")
            top = (profile.next_number - 1) if profile else max(by_number, default=0)
            missing = sorted(set(range(1, max(top, max(by_number, default=0)) + 1)) - set(by_number))
            holes += len(missing)
            if missing:
                details.append(f"user {user}: numbers missing {missing[:8]}")
    finally:
        repo.close()
    return 0, lost, duplicated, holes, details


async def run(scale: Scale) -> list[Row]:
    kills = scale.pick(200, 20)
    users = list(range(7001, 7001 + scale.pick(8, 4)))
    rng = random.Random(scale.seed)
    tg = FakeTelegram(token=TOKEN, bot_username="funnelbot_bench_bot")  # FloodLimits() defaults
    runner, base_url, _ = await serve(tg)
    with tempfile.TemporaryDirectory(prefix="rbench-kills-") as tmp:
        data_dir = Path(tmp) / "data"
        bot = BotProcess(tg, base_url, data_dir, Path(tmp) / "logs")
        world = World(tg, bot, rng)
        tg.subscribe(world.listen)
        acks = {user: Acks() for user in users}
        failed: list[str] = []
        try:
            actors = [asyncio.create_task(_user(world, user, acks[user])) for user in users]
            done = await _killer(world, kills, failed)
            if not failed and not await bot.start():
                failed.append("final start did not reach polling")
            world.running = False  # the users finish their last step against the running bot
            await asyncio.gather(*actors)
            # Let the last run handle whatever is still queued (a /help answered means every
            # older update of that chat was handled), then stop cleanly.
            for user in users:
                mark = len(world.seen.get(user, []))
                tg.send_text(user, "/help")
                await _await_reply(world, user, mark, _HELP)
            await bot.stop()
        finally:
            await bot.kill()
            await runner.cleanup()
        corrupt, lost, duplicated, holes, details = _audit(data_dir, users, acks)
    corrupt_details = [d for d in details if d.startswith("corrupt")]
    steps = sum(a.steps for a in acks.values())
    acked = sum(len(a.adds) + len(a.notes) + len(a.applied) for a in acks.values())
    startup = f"{world.startup_kills} before the first poll"
    return [
        Row("kill -9: corrupt files", done, corrupt, f"{done} kills ({startup}), {steps} user steps", corrupt_details),
        Row("kill -9: failed restarts", bot.spawns, len(failed), details=failed),
        Row("kill -9: lost acknowledged writes", acked, lost, details=[d for d in details if "lost" in d]),
        Row("kill -9: duplicated changes", acked, duplicated, details=[d for d in details if "twice" in d]),
        Row(
            "kill -9: skipped numbers",
            sum(len(a.adds) for a in acks.values()),
            holes,
            details=[d for d in details if "missing" in d],
        ),
    ]
