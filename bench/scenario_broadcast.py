"""Broadcast: a coordinator sends a check-in to every district group and, privately, to
every key figure — how close to the flood limits' lower bound does it all arrive?

The coordinator goes through /peiling as a person would (event, 'Alle wijken', 2 uur, live
tally, preview) and the clock starts at the press on '✅ Versturen'. It stops at the last
delivery the sandbox accepted. The bound is what the sandbox's limits allow for exactly the
messages it accepted from the bot in that time, per chat (the wizard's own edit included).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import seeding as seed
from bench import Sizes, world
from bench.database import fresh_database
from bench.processes import (
    BenchError,
    SandboxClient,
    bot_env,
    start_bot,
    start_sandbox,
    wait_polling,
)
from storage.models import Delivery, DeliveryStatus, MemberDelivery

EVENT = "Benchmark: aanslag op een gebedshuis"
REPORT = "📬 Verzendrapport"
# Telegram counts sends and edits against its limits; so does the sandbox.
FLOOD_COUNTED = ("send", "edit", "copy", "forward")


async def run(sizes: Sizes, workdir: Path, database: str | None) -> dict[str, Any]:
    """Set up the network, send the check-in through /peiling, and measure its delivery."""
    ids = world.person_ids(sizes.broadcast_key_figures)
    members = world.split(ids, sizes.broadcast_groups)
    sb_proc, sandbox = await start_sandbox([world.BOT], workdir / "broadcast-sandbox.log")
    try:
        await world.add_coordinator(sandbox, world.BOT)
        await world.add_people(sandbox, ids, started=world.BOT)
        chat_ids = await world.add_groups(sandbox, members, world.BOT, "Bondgenoten")
        groups = [seed.Group(c, tuple(m)) for c, m in zip(chat_ids, members, strict=True)]
        async with fresh_database(database, workdir, "broadcast") as url:
            await seed.network(url, groups, datetime.now(UTC), ask_privately=True)
            await sandbox.drain_updates(world.BOT.token)
            env = bot_env(sandbox.url, world.BOT.token, url, [world.COORDINATOR])
            process = await start_bot(env, workdir / "broadcast-bot.log")
            try:
                await wait_polling(sandbox, process, world.BOT.token)
                started = await _send_through_the_wizard(sandbox)
                limit = 60 + 2 * (len(ids) + len(chat_ids)) / 30
                await sandbox.wait_until(
                    "the delivery report", lambda: _reported(sandbox, process), limit, 0.5
                )
                calls = await sandbox.calls(bot=world.BOT.token, since=started)
                not_sent = 0
                for model in (Delivery, MemberDelivery):
                    not_sent += await seed.count(url, model)
                    not_sent -= await seed.count(url, model, status=DeliveryStatus.SENT)
            finally:
                await process.stop()
        return await _figures(sandbox, calls, started, set(chat_ids) | set(ids), not_sent)
    finally:
        await sb_proc.stop()
        await sandbox.close()


async def _send_through_the_wizard(sandbox: SandboxClient) -> float:
    """/peiling as the coordinator: every district, 2 hours, live tally; return the moment
    of the press on 'Versturen'."""
    coordinator = world.COORDINATOR
    await sandbox.post("send", person=coordinator, bot=world.BOT.token, text=f"/peiling {EVENT}")
    wizard = await _wait_button(sandbox, None, "▫️ Alle wijken")
    for step, then in (
        ("▫️ Alle wijken", "✅ Alle wijken"),
        ("Verder ➡️", "2 uur"),
        ("2 uur", "Live tonen"),
        ("Live tonen", "✅ Versturen"),
    ):
        await _press(sandbox, wizard, step)
        await _wait_button(sandbox, wizard, then)
    started = time.monotonic()
    await _press(sandbox, wizard, "✅ Versturen")
    return started


async def _press(sandbox: SandboxClient, message_id: int, text: str) -> None:
    await sandbox.post(
        "press",
        person=world.COORDINATOR,
        chat_id=world.COORDINATOR,
        bot=world.BOT.token,
        message_id=message_id,
        text=text,
        timeout=30,
    )


async def _wait_button(sandbox: SandboxClient, message_id: int | None, text: str) -> int:
    """Wait until the wizard (or, with None, any bot message) shows a button; its id."""

    async def shown() -> int | None:
        messages = await sandbox.get(
            "messages", chat_id=world.COORDINATOR, bot=world.BOT.token, only_bot="true"
        )
        for message in reversed(messages):
            if message_id is not None and message["message_id"] != message_id:
                continue
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            if any(button.get("text") == text for row in rows for button in row):
                return int(message["message_id"])
        return None

    found: int = await sandbox.wait_until(f"the button {text!r}", shown, 30, 0.05)
    return found


async def _reported(sandbox: SandboxClient, process: Any) -> bool:
    process.check_alive()
    messages = await sandbox.get(
        "messages", chat_id=world.COORDINATOR, bot=world.BOT.token, only_bot="true"
    )
    return any(str(m.get("text", "")).startswith(REPORT) for m in messages)


async def _figures(
    sandbox: SandboxClient,
    calls: Sequence[dict[str, Any]],
    started: float,
    expected: set[int],
    not_sent: int,
) -> dict[str, Any]:
    ok = [c for c in calls if c["ok"]]
    deliveries = [c for c in ok if c["method"] == "sendMessage" and c["chat_id"] in expected]
    per_chat = Counter(c["chat_id"] for c in deliveries)
    if not deliveries:
        raise BenchError("the sandbox saw no delivery of the check-in")
    last = max(c["monotonic"] for c in deliveries)
    counted = Counter(
        c["chat_id"]
        for c in ok
        if c["method"].lower().startswith(FLOOD_COUNTED) and c["monotonic"] <= last
    )
    bound = float(
        await sandbox.post("min_wall_time", counts={str(k): v for k, v in counted.items()})
    )
    wall = last - started
    rejected = [c for c in calls if c["error_code"] == 429]
    # A 429 is handled when the same call to the same chat went through afterwards.
    unhandled = {
        (c["method"], c["chat_id"])
        for c in rejected
        if not any(
            o["method"] == c["method"]
            and o["chat_id"] == c["chat_id"]
            and o["monotonic"] > c["monotonic"]
            for o in ok
        )
    }
    return {
        "groups": sum(1 for chat in expected if chat < 0),
        "key_figures": sum(1 for chat in expected if chat > 0),
        "messages": len(deliveries),
        "wall_s": wall,
        "bound_s": bound,
        "ratio": wall / bound if bound else None,
        "flood_429s": len(rejected),
        "unhandled_429s": len(unhandled),
        "duplicates": sum(n - 1 for n in per_chat.values() if n > 1),
        "missing": len(expected - per_chat.keys()),
        "not_sent_in_database": not_sent,
        "exactly_once": all(per_chat[chat] == 1 for chat in expected)
        and len(per_chat) == len(expected)
        and not_sent == 0,
    }
