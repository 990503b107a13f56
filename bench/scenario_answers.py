"""Answer burst: thousands of key figures press at once — the bot, and bare PTB as its ceiling.

Both run as their own process against the same sandbox, and get the same burst: every key
figure presses once, at a steady rate, in a shuffled order. A press's moment is taken just
before the benchmark asks the sandbox to press; its acknowledgement is the sandbox's record
of answerCallbackQuery. The bot answers only after the commit that holds the press, so the
last acknowledgement marks the last commit.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

import seeding as seed
from bench import Sizes, world
from bench.database import fresh_database
from bench.processes import (
    BenchError,
    Process,
    SandboxClient,
    bot_env,
    spawn,
    start_bot,
    start_sandbox,
    wait_polling,
)
from bench.report import percentile
from handlers.i18n import t
from storage.engine import create_engine
from storage.models import Answer, Delivery, DeliveryStatus

# The presses of a burst in flight at once (people do not wait for each other).
PRESS_CONNECTIONS = 64
# How long after the burst the tally edits are still counted.
TALLY_WATCH = 6.0
# How long closing may take to show the final tally everywhere (plus 0.1 s per group).
FINAL_WAIT = 60.0


@dataclass(frozen=True)
class Tap:
    """One planned press: who, on which message, which button."""

    person: int
    chat_id: int
    message_id: int
    text: str


@dataclass(frozen=True)
class Burst:
    """What one burst showed, from the sandbox's records."""

    pressed: int
    answered: int
    wrong: int
    first_press: float
    last_answer: float
    latencies: list[float]
    cpu_s: float  # CPU time the receiving process used from the first press to the last answer
    thread_cpu_s: list[float]  # the same per thread, most first (the event loop's, usually)
    polls: int  # getUpdates calls from the first press to the last answer

    @property
    def rate(self) -> float:
        """Presses per second from the first press to the last acknowledgement."""
        return self.answered / max(self.last_answer - self.first_press, 1e-9)


async def burst(
    sandbox: SandboxClient,
    receiver: Process,
    token: str,
    taps: Sequence[Tap],
    rate: float,
    expected: Callable[[Tap, str], bool],
) -> Burst:
    """Press every tap at `rate` per second; wait for every answer; measure."""
    presser = SandboxClient(sandbox.url, connections=PRESS_CONNECTIONS)
    pressed: dict[str, tuple[Tap, float]] = {}
    start = time.monotonic() + 0.1
    cpu_before = receiver.cpu_seconds()
    threads_before = receiver.thread_cpu_seconds()
    receiver.profile(on=True)

    async def press(n: int, tap: Tap) -> None:
        await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
        at = time.monotonic()
        result = await presser.post(
            "press",
            person=tap.person,
            chat_id=tap.chat_id,
            message_id=tap.message_id,
            text=tap.text,
            wait=False,
        )
        pressed[str(result["query_id"])] = (tap, at)

    try:
        await asyncio.gather(*(press(n, tap) for n, tap in enumerate(taps)))
    finally:
        await presser.close()
    last_query = max(pressed, key=lambda q: pressed[q][1])
    limit = 30.0 + len(taps) / 50

    async def last_answered() -> bool:
        return bool(await sandbox.get(f"callback_answers/{last_query}"))

    await sandbox.wait_until("the last press to be answered", last_answered, limit)
    cpu_used = receiver.cpu_seconds() - cpu_before
    receiver.profile(on=False)
    threads = {
        tid: cpu - threads_before.get(tid, 0.0)
        for tid, cpu in receiver.thread_cpu_seconds().items()
    }

    async def all_answered() -> list[dict[str, Any]] | None:
        calls = await sandbox.calls(method="answerCallbackQuery", bot=token, since=start)
        mine = [c for c in calls if c["params"].get("callback_query_id") in pressed]
        return mine if len(mine) >= len(pressed) else None

    answers = await sandbox.wait_until("every press to be answered", all_answered, limit, 0.5)
    last_answer = max(c["monotonic"] for c in answers)
    # How many presses each getUpdates brought: what is paid per poll (and, in the bot, per
    # transaction) is shared by that many.
    polls = await sandbox.calls(method="getUpdates", bot=token, since=start)
    polled = sum(1 for call in polls if call["monotonic"] <= last_answer)
    latencies, wrong = [], 0
    for call in answers:
        tap, at = pressed[call["params"]["callback_query_id"]]
        latencies.append(call["monotonic"] - at)
        wrong += not (call["ok"] and expected(tap, str(call["params"].get("text", ""))))
    return Burst(
        pressed=len(taps),
        answered=len(answers),
        wrong=wrong,
        first_press=min(at for _, at in pressed.values()),
        last_answer=last_answer,
        latencies=latencies,
        cpu_s=cpu_used,
        polls=polled,
        thread_cpu_s=sorted((cpu for cpu in threads.values() if cpu > 0), reverse=True),
    )


def _labels() -> dict[int, str]:
    return {code: t(f"scale.{code}", "nl") for code in (1, 2, 3, 4, 0)}


async def run(sizes: Sizes, workdir: Path, database: str | None) -> dict[str, Any]:
    """The burst on bare PTB, then on the bot; the figures of both."""
    rng = random.Random(5)
    ids = world.person_ids(sizes.burst_key_figures)
    members = world.split(ids, -(-len(ids) // sizes.burst_group_size))
    log = workdir / "answers-sandbox.log"
    sb_proc, sandbox = await start_sandbox([world.BOT, world.BARE], log)
    try:
        await world.add_coordinator(sandbox, world.BOT)
        await world.add_people(sandbox, ids, started=world.BOT)
        chat_ids = await world.add_groups(sandbox, members, world.BOT, "Bondgenoten")
        bare = await _bare(sandbox, workdir, ids, sizes.burst_rate, rng)
        async with fresh_database(database, workdir, "answers") as url:
            bot = await _bot(sandbox, workdir, url, members, chat_ids, sizes.burst_rate, rng)
    finally:
        await sb_proc.stop()
        await sandbox.close()
    bare_figures = {f"bare_{key}": value for key, value in _figures(bare).items()}
    return {
        **bot,
        **bare_figures,
        "ingest_ratio": bot["rate_per_s"] / bare.rate,
        "cpu_ratio": cpu_ratio(bot["cpu_ms_per_press"], bare_figures["bare_cpu_ms_per_press"]),
    }


def cpu_ratio(bot_ms: float, bare_ms: float) -> float | None:
    """The bot's CPU per press over bare PTB's; None when bare PTB's was too small to measure.

    CPU time comes in clock ticks (10 ms): a burst of a few dozen presses may show none.
    """
    return bot_ms / bare_ms if bare_ms > 0 else None


def _figures(b: Burst) -> dict[str, Any]:
    return {
        "pressed": b.pressed,
        "answered": b.answered,
        "wrong_answers": b.wrong,
        "rate_per_s": b.rate,
        "ack_p50_ms": percentile(b.latencies, 50) * 1000,
        "ack_p95_ms": percentile(b.latencies, 95) * 1000,
        "ack_p99_ms": percentile(b.latencies, 99) * 1000,
        "cpu_ms_per_press": b.cpu_s * 1000 / max(b.answered, 1),
        "cpu_ms_per_press_by_thread": [cpu * 1000 / max(b.answered, 1) for cpu in b.thread_cpu_s],
        "presses_per_poll": b.answered / max(b.polls, 1),
    }


async def _bare(
    sandbox: SandboxClient, workdir: Path, ids: list[int], rate: float, rng: random.Random
) -> Burst:
    """Everybody presses one button of the bare app's message in one big group."""
    await sandbox.post(
        "groups", creator=world.COORDINATOR, title="Kaal", members=ids, bots=[world.BARE.token]
    )
    groups = await sandbox.bot_api(world.BARE.token, "getUpdates", timeout=0)
    chat_id = next(u["my_chat_member"]["chat"]["id"] for u in groups if "my_chat_member" in u)
    await sandbox.drain_updates(world.BARE.token)
    keyboard = {"inline_keyboard": [[{"text": "Druk", "callback_data": "druk"}]]}
    message = await sandbox.bot_api(
        world.BARE.token, "sendMessage", chat_id=chat_id, text="Druk", reply_markup=keyboard
    )
    process = await spawn(
        "bare PTB",
        ["-m", "bench.bare", world.BARE.token, f"{sandbox.url}/bot"],
        workdir / "answers-bare.log",
    )
    try:
        await wait_polling(sandbox, process, world.BARE.token)
        taps = [Tap(uid, chat_id, message["message_id"], "Druk") for uid in ids]
        rng.shuffle(taps)
        return await burst(
            sandbox, process, world.BARE.token, taps, rate, lambda _, text: text == "ok"
        )
    finally:
        await process.stop()


async def _bot(
    sandbox: SandboxClient,
    workdir: Path,
    url: str,
    members: list[list[int]],
    chat_ids: list[int],
    rate: float,
    rng: random.Random,
) -> dict[str, Any]:
    """The bot sends an open check-in to every group, then every key figure answers it."""
    now = datetime.now(UTC)
    groups = [seed.Group(c, tuple(m)) for c, m in zip(chat_ids, members, strict=True)]
    network = await seed.network(url, groups, now)
    every = tuple(range(len(groups)))
    [checkin_id] = await seed.checkins(
        url, network, groups, [seed.OpenCheckIn(every, now, now + timedelta(hours=2))]
    )
    await sandbox.drain_updates(world.BOT.token)
    env = bot_env(sandbox.url, world.BOT.token, url, [world.COORDINATOR])
    process = await start_bot(env, workdir / "answers-bot.log")
    try:
        await wait_polling(sandbox, process, world.BOT.token)
        # The bot resumes the pending deliveries at start-up: wait until every group has it.
        messages = await sandbox.wait_until(
            "the check-in to reach every group",
            lambda: _sent_messages(url, checkin_id, len(groups)),
            30 + len(groups) / 10,
            0.2,
        )
        labels = _labels()
        taps = [
            Tap(uid, group.chat_id, messages[group.chat_id], labels[rng.choice(seed.CODES)])
            for group in groups
            for uid in group.members
        ]
        rng.shuffle(taps)
        process.check_alive()
        result = await burst(
            sandbox,
            process,
            world.BOT.token,
            taps,
            rate,
            lambda tap, text: text.startswith(f"Genoteerd: {tap.text} —"),
        )
        await asyncio.sleep(TALLY_WATCH)
        process.check_alive()
        edits = await sandbox.calls(method="editMessageText", bot=world.BOT.token, ok="true")
        errors = await sandbox.calls(bot=world.BOT.token, since=result.first_press, ok="false")
        stored = await seed.count(url, Answer, checkin_id=checkin_id)
        final = await _close_and_check(sandbox, process, url, checkin_id)
    finally:
        await process.stop()
    return {
        **_figures(result),
        "stored": stored,
        "stored_equals_pressed": stored == result.pressed,
        "rate_offered_per_s": rate,
        "flood_429s": sum(1 for c in errors if c["error_code"] == 429),
        **_tally(edits, set(chat_ids), result.first_press),
        **final,
    }


async def _close_and_check(
    sandbox: SandboxClient, process: Process, url: str, checkin_id: int
) -> dict[str, Any]:
    """A coordinator closes the check-in; wait until every group shows the final tally.

    Final means: the closed line, how many answered, and each level with its count as
    stored. Figures: whether every group got there, and how long after /sluit the last did.
    """
    expected = await _final_parts(url, checkin_id)
    sent = time.monotonic()
    await sandbox.post(
        "send", person=world.COORDINATOR, bot=world.BOT.token, text=f"/sluit {checkin_id}"
    )

    async def shown() -> float | None:
        process.check_alive()
        calls = await sandbox.calls(method="editMessageText", bot=world.BOT.token, since=sent)
        last: dict[int, tuple[float, str]] = {}
        for call in calls:
            if call["ok"] and call["chat_id"] in expected:
                last[call["chat_id"]] = (call["monotonic"], str(call["params"].get("text", "")))
        if set(last) != set(expected):
            return None
        if any(not all(part in last[c][1] for part in expected[c]) for c in expected):
            return None
        return max(at for at, _ in last.values())

    try:
        done = await sandbox.wait_until(
            "every group to show the final tally", shown, FINAL_WAIT + len(expected) / 10, 0.5
        )
    except BenchError:
        return {"tally_exact_after_closing": False, "tally_final_s": None}
    return {"tally_exact_after_closing": True, "tally_final_s": done - sent}


async def _final_parts(url: str, checkin_id: int) -> dict[int, list[str]]:
    """Per group chat, what its message must say once closed (in Dutch, as the bot writes)."""
    labels = _labels()
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(Delivery.district_id, Delivery.telegram_chat_id).where(
                    Delivery.checkin_id == checkin_id, Delivery.telegram_chat_id.is_not(None)
                )
            )
            chats: dict[int, int] = {district: int(chat or 0) for district, chat in rows}
            counts = (
                await conn.execute(
                    select(Answer.district_id, Answer.code, func.count())
                    .where(Answer.checkin_id == checkin_id)
                    .group_by(Answer.district_id, Answer.code)
                )
            ).all()
    finally:
        await engine.dispose()
    per_chat: dict[int, list[str]] = {chat: [] for chat in chats.values()}
    answered: dict[int, int] = defaultdict(int)
    for district, code, n in counts:
        chat = chats[district]
        per_chat[chat].append(f"{labels[code]} {n}")
        answered[chat] += n
    closed = t("checkin.message.closed", "nl")
    for chat, parts in per_chat.items():
        parts += [closed, f"{answered[chat]} van "]
    return per_chat


async def _sent_messages(url: str, checkin_id: int, groups: int) -> dict[int, int] | None:
    """The check-in's message id per group chat, once it went to all of them."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(Delivery.telegram_chat_id, Delivery.message_id).where(
                        Delivery.checkin_id == checkin_id,
                        Delivery.status == DeliveryStatus.SENT,
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    if len(rows) < groups:
        return None
    return {int(chat): int(message) for chat, message in rows if chat and message}


def _tally(edits: list[dict[str, Any]], groups: set[int], since: float) -> dict[str, Any]:
    """How often each group message was edited: the most in any minute, the shortest gap."""
    moments: dict[tuple[int, int], list[float]] = defaultdict(list)
    for call in edits:
        if call["chat_id"] in groups and call["monotonic"] >= since:
            moments[(call["chat_id"], int(call["params"]["message_id"]))].append(call["monotonic"])
    most, gap = 0, None
    for times in moments.values():
        times.sort()
        for n, at in enumerate(times):
            most = max(most, sum(1 for later in times[n:] if later < at + 60.0))
            if n:
                step = at - times[n - 1]
                gap = step if gap is None else min(gap, step)
    return {
        "tally_edits": sum(len(times) for times in moments.values()),
        "tally_messages_edited": len(moments),
        "tally_max_edits_per_message_per_minute": most,
        "tally_min_gap_s": gap,
    }
