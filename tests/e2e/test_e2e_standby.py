"""Two `bondgenoten run` against one database: one leads, the other waits or is refused.

On PostgreSQL the second process waits as a hot standby (it does not poll, so Telegram sees
no second poller) and takes over within seconds when the first is killed — with `kill -9`
in the middle of a broadcast, and again in the middle of a burst of presses. In webhook
mode every worker handles the updates the proxy sends it, and only the leader runs the jobs.
On SQLite the second process is refused with one line.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import func, insert, select, update

import seeding as seed
from bot.app import build_application
from bot.runner import running
from bot.settings import Settings
from sandbox import Sandbox
from sandbox.models import BotAccount, Chat, Message
from sandbox.people import Person, wait_answer
from storage.engine import create_engine, make_sessionmaker
from storage.models import Answer, AnswerChange, CheckIn, CheckInStatus, InboxUpdate
from storage.models import Person as PersonRow
from tests.e2e.e2e_world import ask, begin, checkin_messages, tap
from tests.e2e.processes import (
    WEBHOOK_SECRET,
    Proxy,
    bot_process,
    free_port,
    line_with,
    logged_process,
    process_env,
    webhook_env,
)

pytestmark = pytest.mark.e2e


async def welcome(sandbox: Sandbox, person: Person, bot: BotAccount) -> str:
    started = await person.start(bot)
    reply = await sandbox.next_message(started.chat, after=started, timeout=30)
    return reply.text or ""


async def test_a_second_process_waits_as_standby_and_takes_over_or_is_refused(
    sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person, db_url: str
) -> None:
    env = process_env(sandbox, db_url, coordinator)
    async with bot_process(env, capture=True) as first:
        await line_with(first, "running (polling)")
        async with bot_process(env, capture=True) as second:
            if db_url.startswith("sqlite"):
                line = await line_with(second, "cannot start")
                assert "another bondgenoten process is running on this SQLite database" in line
                assert await asyncio.wait_for(second.wait(), 30) == 1
                assert (await welcome(sandbox, coordinator, tg_bot)).startswith("Welkom")
                return
            await line_with(second, "standby: another process leads on this database")
            assert (await welcome(sandbox, coordinator, tg_bot)).startswith("Welkom")
            polls = len(sandbox.calls("getUpdates"))
            first.kill()
            await first.wait()
            await line_with(second, "running (polling)", timeout=15)
            fatima = sandbox.add_person("Fatima", language_code="nl")
            assert (await welcome(sandbox, fatima, tg_bot)).startswith("Welkom")
            # Never two pollers at once: no 409 Conflict was ever answered.
            assert [c for c in sandbox.calls("getUpdates") if c.error_code == 409] == []
            assert len(sandbox.calls("getUpdates")) > polls


LABELS = ["Rustig", "Onderwerp van gesprek", "Onrust", "Spanning loopt op", "Weet niet"]
CODES = {"Rustig": 1, "Onderwerp van gesprek": 2, "Onrust": 3, "Spanning loopt op": 4}
CODES["Weet niet"] = 0
SUMMARY = "📊 Samenvatting peiling #1"


def needs_postgres(db_url: str) -> None:
    """A standby and webhook workers beside each other need PostgreSQL's advisory lock."""
    if db_url.startswith("sqlite"):
        pytest.skip("two processes on one database need PostgreSQL (SQLite refuses: above)")


async def network(
    sandbox: Sandbox, coordinator: Person, bot: BotAccount, db_url: str, districts: int, per: int
) -> tuple[list[Chat], list[Person], seed.Network]:
    """Districts with linked groups of key figures, stored as if every invitation was used."""
    people = [
        sandbox.add_person(f"Bondgenoot {n}", language_code="nl") for n in range(districts * per)
    ]
    chats = [
        await coordinator.create_group(seed.district_name(d), people[d::districts], [bot])
        for d in range(districts)
    ]
    sandbox.world.queues[bot.id].drop_pending()  # the database says they are linked
    groups = [
        seed.Group(c.id, tuple(p.id for p in people[d::districts])) for d, c in enumerate(chats)
    ]
    return chats, people, await seed.network(db_url, groups, datetime.now(UTC))


async def start_checkin(sandbox: Sandbox, coordinator: Person, bot: BotAccount) -> None:
    """The coordinator sends a check-in to every district with the /peiling wizard."""
    await begin(sandbox, coordinator, bot)
    wizard = await ask(sandbox, coordinator, bot, "/peiling Brand bij de moskee")
    await tap(sandbox, coordinator, wizard, "▫️ Alle wijken")
    await sandbox.wait_for(lambda: "✅ Alle wijken" in wizard.button_texts, timeout=30)
    for label, then in (
        ("Verder ➡️", "Hoe lang"),
        ("2 uur", "Mogen de bondgenoten"),
        ("Live tonen", "Voorbeeld"),
        ("✅ Versturen", "verstuurd naar"),
    ):
        await tap(sandbox, coordinator, wizard, label, then)


async def close_soon(db_url: str, seconds: float) -> None:
    """Move check-in #1's deadline to a few seconds from now, as the database holds it."""
    engine = create_engine(db_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                update(CheckIn)
                .where(CheckIn.id == 1)
                .values(closes_at=datetime.now(UTC) + timedelta(seconds=seconds))
            )
    finally:
        await engine.dispose()


async def stored(db_url: str) -> tuple[dict[int, list[int]], dict[int, list[int]], CheckIn]:
    """Per person (Telegram id): their answers' codes, their answer history; and check-in #1."""
    engine = create_engine(db_url)
    try:
        async with make_sessionmaker(engine)() as session:
            answers: dict[int, list[int]] = {}
            for uid, code in await session.execute(
                select(PersonRow.telegram_user_id, Answer.code).join(
                    PersonRow, PersonRow.id == Answer.person_id
                )
            ):
                answers.setdefault(int(uid), []).append(int(code))
            history: dict[int, list[int]] = {}
            for uid, code in await session.execute(
                select(PersonRow.telegram_user_id, AnswerChange.code)
                .join(PersonRow, PersonRow.id == AnswerChange.person_id)
                .order_by(AnswerChange.id)
            ):
                history.setdefault(int(uid), []).append(int(code))
            checkin = await session.get_one(CheckIn, 1)
            assert await session.scalar(select(func.count()).select_from(CheckIn)) == 1
            return answers, history, checkin
    finally:
        await engine.dispose()


async def left_behind(db_url: str, update: dict[str, object], age: timedelta) -> None:
    """Keep an update in the inbox, received `age` ago, and never handled."""
    engine = create_engine(db_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(InboxUpdate).values(
                    update_id=update["update_id"],
                    payload=json.dumps(update),
                    received_at=datetime.now(UTC) - age,
                )
            )
    finally:
        await engine.dispose()


async def stored_for(db_url: str, person: Person, code: int, timeout: float = 30) -> None:  # noqa: ASYNC109
    """Wait until the person's answer in the database has this code."""

    async def look() -> None:
        # Another process writes it: the database is the only place to look.
        while (await stored(db_url))[0].get(person.id) != [code]:  # noqa: ASYNC110
            await asyncio.sleep(0.2)

    await asyncio.wait_for(look(), timeout)


def second_checkin_in(sandbox: Sandbox, chat: Chat, bot: BotAccount) -> list[str]:
    """Check-in #2's messages in a chat."""
    texts = [m.text or "" for m in checkin_messages(sandbox, chat, bot)]
    return [text for text in texts if "gebeurtenis 2" in text]


def summaries(sandbox: Sandbox, person: Person, bot: BotAccount) -> list[str]:
    """The summaries of check-in #1 a person got."""
    texts = [m.text or "" for m in sandbox.sent(person.chat_with(bot))]
    return [text for text in texts if text.startswith(SUMMARY)]


async def test_the_standby_carries_on_after_kill_9_in_a_broadcast_and_in_a_burst_of_presses(
    sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person, db_url: str
) -> None:
    needs_postgres(db_url)
    chats, people, _ = await network(sandbox, coordinator, tg_bot, db_url, districts=8, per=5)
    held = chats[3]  # Telegram holds the send to this group: the broadcast stops there
    env = process_env(sandbox, db_url, coordinator)

    async with logged_process(env) as (first, first_log):
        await first_log.line_with("running (polling)")
        async with logged_process(env) as (second, second_log):
            await second_log.line_with("standby: another process leads")
            sandbox.inject_fault("sendMessage", hang=120.0, chat_id=held.id)
            await start_checkin(sandbox, coordinator, tg_bot)
            # kill -9 while the check-in is on its way to the held group.
            await sandbox.wait_for(
                lambda: sandbox.calls_in_flight("sendMessage", chat_id=held.id), timeout=30
            )
            kills = [time.monotonic()]
            first.kill()
            await first.wait()
            await second_log.line_with("taking over: the other process stopped")
            await second_log.line_with("running (polling)")

            # Every group shows the check-in once; the one whose send was cut off is named.
            for chat in chats:
                await sandbox.wait_for(lambda c=chat: checkin_messages(sandbox, c, tg_bot), 30)
            report = await sandbox.next_message(
                coordinator.chat_with(tg_bot),
                predicate=lambda m: (m.text or "").startswith("📬 Verzendrapport"),
                timeout=30,
            )
            assert "✅ Verstuurd naar 8 wijken" in (report.text or "")
            assert "⚠️ In Wijk 004 antwoordde Telegram niet op tijd" in (report.text or "")
            posted = {c.id: checkin_messages(sandbox, c, tg_bot) for c in chats}
            assert [len(m) for m in posted.values()] == [1] * len(chats)

            async with logged_process(env) as (_third, third_log):
                await third_log.line_with("standby: another process leads")
                # A burst: the bot's first answers hang at Telegram, so it is killed with
                # presses answered, presses stored but unanswered, and presses not yet read.
                sandbox.inject_fault("answerCallbackQuery", count=4, hang=120.0)

                def message_of(person: Person) -> Message:
                    return next(posted[c.id][0] for c in chats if c.is_active_member(person.id))

                plan = [(p, LABELS[n % len(LABELS)]) for n, p in enumerate(people)]
                queries = [await p.tap(message_of(p), text=label) for p, label in plan]
                await sandbox.wait_for(
                    lambda: (
                        len(sandbox.calls_in_flight("answerCallbackQuery")) >= 4
                        and len(sandbox.calls("answerCallbackQuery", ok=True)) >= 10
                    ),
                    timeout=30,
                )
                again = [(p, LABELS[(n + 2) % len(LABELS)]) for n, p in enumerate(people[:8])]
                queries += [await p.tap(message_of(p), text=label) for p, label in again]
                kills.append(time.monotonic())
                second.kill()
                await second.wait()
                await third_log.line_with("taking over: the other process stopped")

                # Every press is answered, by the process that took over if need be.
                for query in queries:
                    await wait_answer(query, timeout=60)
                await close_soon(db_url, 2.0)
                for chat in chats:
                    message = posted[chat.id][0]
                    await sandbox.wait_for(lambda m=message: "Gesloten." in (m.text or ""), 60)
                await sandbox.wait_for(lambda: summaries(sandbox, coordinator, tg_bot), 30)

    # Every press stored once: one answer per person, the last one pressed; each press
    # once in the history (a press handled twice changes nothing the second time).
    answers, history, checkin = await stored(db_url)
    last = {p.id: CODES[label] for p, label in plan + again}
    assert answers == {uid: [code] for uid, code in last.items()}
    pressed: dict[int, list[int]] = {}
    for person, label in plan + again:
        pressed.setdefault(person.id, []).append(CODES[label])
    assert history == pressed
    assert checkin.status is CheckInStatus.CLOSED and checkin.closed_by_id is None
    # Nothing doubled: one check-in per group, one summary, one answer per press seen.
    assert [len(checkin_messages(sandbox, c, tg_bot)) for c in chats] == [1] * len(chats)
    assert len(summaries(sandbox, coordinator, tg_bot)) == 1
    # Never two pollers: Telegram answers 409 to the older of two polls, and the only such
    # polls were those a killed process left waiting, ended by its successor's first poll.
    conflicts = [c.monotonic for c in sandbox.calls("getUpdates") if c.error_code == 409]
    assert len(conflicts) <= len(kills)
    assert all(any(began < killed for killed in kills) for began in conflicts)


async def test_webhook_workers_each_handle_updates_and_only_the_leader_runs_the_jobs(
    sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person, db_url: str
) -> None:
    needs_postgres(db_url)
    chats, people, _ = await network(sandbox, coordinator, tg_bot, db_url, districts=2, per=4)
    env = process_env(sandbox, db_url, coordinator)
    leader_port, worker_port = free_port(), free_port()
    async with Proxy([leader_port, worker_port]) as proxy:
        # The coordinator's updates go to the worker that does not lead: the check-in's
        # deadline is started there, and must still be kept by the leader.
        proxy.pinned[coordinator.id] = worker_port
        async with logged_process(webhook_env(env, proxy.url, leader_port)) as (leader, a_log):
            await a_log.line_with("leading on this database: this worker runs the jobs")
            async with logged_process(webhook_env(env, proxy.url, worker_port)) as (_, b_log):
                await b_log.line_with("standby: another process leads on this database")
                await b_log.line_with("running (webhook)")
                await start_checkin(sandbox, coordinator, tg_bot)
                # The leader finds the new check-in's deadline in the database.
                await a_log.line_with("scheduled the deadline of check-in 1")
                for chat in chats:
                    await sandbox.wait_for(lambda c=chat: checkin_messages(sandbox, c, tg_bot), 30)
                posted = {c.id: checkin_messages(sandbox, c, tg_bot)[0] for c in chats}

                def message_of(person: Person) -> Message:
                    return next(posted[c.id] for c in chats if c.is_active_member(person.id))

                # Both workers take presses: each person's go to one of them.
                plan = [(p, LABELS[n % len(LABELS)]) for n, p in enumerate(people)]
                for person, label in plan[:4]:
                    await wait_answer(await person.tap(message_of(person), text=label), 30)
                assert {proxy.worker_of(p.id) for p, _ in plan[:4]} == {leader_port, worker_port}
                assert proxy.handled[leader_port] and proxy.handled[worker_port]
                # Until now only the leader ran the jobs.
                assert b_log.saying("scheduled the deadline") == []
                assert b_log.saying("leading on this database") == []

                # A worker kept this press and answered Telegram, then died before handling
                # it: the update waits in the inbox, kept two minutes ago.
                proxy.swallow = 1
                kept, kept_label = plan[4][0], plan[4][1]
                await kept.tap(message_of(kept), text=kept_label)
                await sandbox.wait_for(lambda: proxy.swallowed, 30)
                await left_behind(db_url, proxy.swallowed[0], timedelta(minutes=2))

                leader.kill()
                await leader.wait()
                await b_log.line_with("taking over: the other process stopped")
                await b_log.line_with("leading on this database: this worker runs the jobs")
                # The new leader handles what the dead worker left.
                await b_log.line_with("handling 1 update(s) a stopped worker left unhandled")
                # Stored (its answer may come too late: Telegram allows 15 s).
                await stored_for(db_url, kept, CODES[kept_label])
                # The presses of those the dead worker served reach the other one.
                for person, label in plan[5:]:
                    await wait_answer(await person.tap(message_of(person), text=label), 30)
                await close_soon(db_url, 2.0)
                for message in posted.values():
                    await sandbox.wait_for(lambda m=message: "Gesloten." in (m.text or ""), 60)
                await sandbox.wait_for(lambda: summaries(sandbox, coordinator, tg_bot), 30)

    answers, history, checkin = await stored(db_url)
    assert answers == {p.id: [CODES[label]] for p, label in plan}
    assert history == {p.id: [CODES[label]] for p, label in plan}
    assert checkin.status is CheckInStatus.CLOSED and checkin.closed_by_id is None
    assert [len(checkin_messages(sandbox, c, tg_bot)) for c in chats] == [1] * len(chats)
    assert len(summaries(sandbox, coordinator, tg_bot)) == 1


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_taking_the_lead_beside_webhook_workers_leaves_their_fresh_claims_alone(
    sandbox: Sandbox,
    tg_bot: BotAccount,
    coordinator: Person,
    make_settings: Callable[..., Settings],
    db_url: str,
    mode: str,
) -> None:
    chats, people, seeded = await network(sandbox, coordinator, tg_bot, db_url, 2, 1)
    groups = [seed.Group(c.id, (p.id,)) for c, p in zip(chats, people, strict=True)]
    now, later = datetime.now(UTC), datetime.now(UTC) + timedelta(hours=2)
    # Check-in 1's send to the first group was claimed a moment ago and is still in flight;
    # check-in 2 waits to be sent to both groups.
    await seed.checkins(
        db_url,
        seeded,
        groups,
        [
            seed.OpenCheckIn((0,), now - timedelta(seconds=10), later, claimed=True),
            seed.OpenCheckIn((0, 1), now - timedelta(seconds=5), later),
        ],
    )
    webhook = {"url": "https://bot.example.org", "secret_token": WEBHOOK_SECRET}
    settings = make_settings(mode=mode, webhook=webhook)
    application = build_application(settings)
    async with running(application, poll_timeout=1):
        # One pass sends check-in 2 after it has decided about check-in 1's claimed send.
        for chat in chats:
            await sandbox.wait_for(lambda c=chat: second_checkin_in(sandbox, c, tg_bot), 30)
    first = [m.text or "" for m in checkin_messages(sandbox, chats[0], tg_bot)]
    if mode == "polling":
        # Alone on the database: the claim was a stopped process's, taken over at once.
        assert len(first) == 2
    else:
        # Beside other workers: the claim may be a live worker's, left to it until stale.
        assert len(first) == 1 and "gebeurtenis 2" in first[0]


async def test_a_chiefs_wizard_goes_on_when_each_press_lands_on_the_other_webhook_worker(
    sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person, db_url: str
) -> None:
    needs_postgres(db_url)
    chats, _, _ = await network(sandbox, coordinator, tg_bot, db_url, districts=2, per=2)
    env = process_env(sandbox, db_url, coordinator)
    first_port, second_port = free_port(), free_port()
    async with Proxy([first_port, second_port]) as proxy:
        # As a real reverse proxy: one person's updates take turns between the workers.
        proxy.alternate = True
        async with logged_process(webhook_env(env, proxy.url, first_port)) as (_, a_log):
            await a_log.line_with("running (webhook)")
            async with logged_process(webhook_env(env, proxy.url, second_port)) as (_, b_log):
                await b_log.line_with("running (webhook)")
                # /start, /peiling and every press of the wizard, each on the other worker.
                await start_checkin(sandbox, coordinator, tg_bot)
                for chat in chats:
                    await sandbox.wait_for(lambda c=chat: checkin_messages(sandbox, c, tg_bot), 30)
                report = await sandbox.next_message(
                    coordinator.chat_with(tg_bot),
                    predicate=lambda m: (m.text or "").startswith("📬 Verzendrapport"),
                    timeout=30,
                )
                assert "✅ Verstuurd naar 2 wijken" in (report.text or "")

    routed = proxy.routed[coordinator.id]
    assert len(routed) >= 7  # /start, /peiling, five presses
    assert all(a != b for a, b in pairwise(routed))
    # The check-in went once to every district; the database holds one check-in.
    assert [len(checkin_messages(sandbox, c, tg_bot)) for c in chats] == [1] * len(chats)
    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(select(func.count()).select_from(CheckIn)) == 1
    finally:
        await engine.dispose()
