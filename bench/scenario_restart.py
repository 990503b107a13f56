"""Restart: the bot starts on a database with many open check-ins and unfinished sends.

The database says what a stopped bot left behind: open check-ins with deadlines (a few
already past, a few due within seconds, the rest later), and group messages still to send
(some never tried, some claimed by a send that was in flight). The clock starts when the
process is started; someone new presses Start at that moment, and the bot is ready when
the sandbox records its welcome. Then the benchmark waits until every overdue check-in is
closed, every one due soon is closed at its deadline, and every pending message was sent
exactly once — and the rest are still open.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

import seeding as seed
from bench import Sizes, world
from bench.database import fresh_database
from bench.processes import (
    SandboxClient,
    bot_env,
    start_bot,
    start_sandbox,
    wait_polling,
)
from storage.engine import create_engine
from storage.models import CheckIn, CheckInStatus, Delivery, DeliveryStatus

KEY_FIGURES_PER_DISTRICT = 5
# When the check-ins "due soon" close: after the bot is up, before the benchmark gives up.
DUE_IN = timedelta(seconds=5)
NEWCOMER = world.FIRST_PERSON - 1


async def run(sizes: Sizes, workdir: Path, database: str | None) -> dict[str, Any]:
    """Seed what a stopped bot left, start it, and check that nothing is lost."""
    n = sizes.restart_checkins
    districts = max(10, n // 20)
    plan = {
        "overdue": max(1, n // 100),
        "due_soon": max(1, n // 100),
        "pending": max(1, n // 10),
        "claimed": max(1, n // 50),
    }
    ids = world.person_ids(districts * KEY_FIGURES_PER_DISTRICT)
    members = world.split(ids, districts)
    sb_proc, sandbox = await start_sandbox([world.BOT], workdir / "restart-sandbox.log")
    try:
        await world.add_coordinator(sandbox, world.BOT)
        await world.add_people(sandbox, ids)
        await sandbox.post("people", first_name="Nieuw", id=NEWCOMER, language_code="nl")
        chat_ids = await world.add_groups(sandbox, members, world.BOT, "Bondgenoten")
        groups = [seed.Group(c, tuple(m)) for c, m in zip(chat_ids, members, strict=True)]
        async with fresh_database(database, workdir, "restart") as url:
            kinds = await _seed(sandbox, url, groups, n, plan)
            await sandbox.drain_updates(world.BOT.token)
            env = bot_env(sandbox.url, world.BOT.token, url, [world.COORDINATOR])
            process = await start_bot(env, workdir / "restart-bot.log")
            try:
                await sandbox.post("start", person=NEWCOMER, bot=world.BOT.token)
                ready = await _ready(sandbox, process)
                polling = await wait_polling(sandbox, process, world.BOT.token)
                limit = 60 + (plan["pending"] + plan["claimed"]) / 10
                await sandbox.wait_until(
                    "every overdue, due and pending piece of work",
                    lambda: _all_done(url, kinds, process),
                    limit,
                    0.5,
                )
                figures = await _check(sandbox, url, kinds, process.started)
            finally:
                await process.stop()
        return {
            "checkins": n,
            **plan,
            "polling_s": polling - process.started,
            "ready_s": ready - process.started,
            **figures,
        }
    finally:
        await sb_proc.stop()
        await sandbox.close()


async def _seed(
    sandbox: SandboxClient, url: str, groups: list[seed.Group], n: int, plan: dict[str, int]
) -> dict[str, list[int]]:
    """Store the check-ins; return their ids by kind."""
    now = datetime.now(UTC)
    kinds = [kind for kind, count in plan.items() for _ in range(count)]
    kinds += ["later"] * (n - len(kinds))
    # Only the messages a closing edits must really be there; setup is not measured.
    await sandbox.post("flood", enabled=False)
    specs = []
    for i, kind in enumerate(kinds):
        district = i % len(groups)
        opened = now - timedelta(hours=1)
        closes = {
            "overdue": now - timedelta(minutes=5),
            "due_soon": now + DUE_IN,
        }.get(kind, now + timedelta(hours=2 + i % 46))
        sent: dict[int, int] = {}
        if kind in ("overdue", "due_soon"):
            message = await sandbox.bot_api(
                world.BOT.token,
                "sendMessage",
                chat_id=groups[district].chat_id,
                text=f"📣 Peiling {i + 1}",
            )
            sent = {district: int(message["message_id"])}
        elif kind == "later":
            sent = {district: 1_000_000 + i}  # never edited while the benchmark looks
        specs.append(
            seed.OpenCheckIn((district,), opened, closes, sent, claimed=kind == "claimed")
        )
    await sandbox.post("flood", enabled=True)
    network = await seed.network(url, groups, now)
    ids = await seed.checkins(url, network, groups, specs)
    await seed.mark_shown(url, now)
    by_kind: dict[str, list[int]] = {}
    for kind, checkin_id in zip(kinds, ids, strict=True):
        by_kind.setdefault(kind, []).append(checkin_id)
    return by_kind


async def _ready(sandbox: SandboxClient, process: Any) -> float:
    """When the bot's welcome to the newcomer reached the sandbox."""

    async def welcomed() -> float | None:
        process.check_alive()
        calls = await sandbox.calls(method="sendMessage", chat_id=NEWCOMER, ok="true")
        return float(calls[0]["monotonic"]) if calls else None

    found: float = await sandbox.wait_until("the bot to answer /start", welcomed, 60, 0.02)
    return found


async def _rows(url: str) -> tuple[dict[int, Any], list[Any]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            checkins = {
                row.id: row
                for row in await conn.execute(
                    select(CheckIn.id, CheckIn.status, CheckIn.closes_at, CheckIn.closed_at)
                )
            }
            deliveries = list(
                await conn.execute(
                    select(Delivery.checkin_id, Delivery.telegram_chat_id, Delivery.status)
                )
            )
        return checkins, deliveries
    finally:
        await engine.dispose()


async def _all_done(url: str, kinds: dict[str, list[int]], process: Any) -> bool:
    process.check_alive()
    checkins, deliveries = await _rows(url)
    closing = kinds.get("overdue", []) + kinds.get("due_soon", [])
    closed = all(checkins[c].status is CheckInStatus.CLOSED for c in closing)
    sent = all(d.status is DeliveryStatus.SENT for d in deliveries)
    return closed and sent


async def _check(
    sandbox: SandboxClient, url: str, kinds: dict[str, list[int]], since: float
) -> dict[str, Any]:
    """What came of each kind of unfinished work."""
    checkins, deliveries = await _rows(url)
    resumed = set(kinds.get("pending", []) + kinds.get("claimed", []))
    expected = Counter(d.telegram_chat_id for d in deliveries if d.checkin_id in resumed)
    calls = await sandbox.calls(method="sendMessage", bot=world.BOT.token, since=since, ok="true")
    got = Counter(c["chat_id"] for c in calls if c["chat_id"] in expected)
    late = [
        (checkins[c].closed_at - checkins[c].closes_at).total_seconds()
        for c in kinds.get("due_soon", [])
    ]
    stay_open = kinds.get("later", []) + list(resumed)
    still_open = sum(1 for c in stay_open if checkins[c].status is CheckInStatus.OPEN)
    closing = kinds.get("overdue", []) + kinds.get("due_soon", [])
    lost = (
        sum(expected[chat] != got[chat] for chat in expected)
        + sum(checkins[c].status is not CheckInStatus.CLOSED for c in closing)
        + (len(stay_open) - still_open)
    )
    return {
        "resumed_sends": sum(got.values()),
        "resumed_exactly_once": got == expected,
        "due_closed_late_max_s": max(late, default=0.0),
        "still_open": still_open,
        "lost": lost,
    }
