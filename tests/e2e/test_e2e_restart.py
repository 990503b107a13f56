"""Restarts end to end: the database is the source of truth, so a new bot carries on.

Each test runs the real bot, stops it, and starts a new one on the same database — as a
killed and restarted process would. A send still waiting on Telegram when the process dies
never finishes; the test gets that by cancelling the broadcast tasks before stopping.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import AnyApp, build_application
from bot.runner import running
from bot.settings import Settings
from sandbox import Sandbox
from sandbox.models import BotAccount, Message
from sandbox.people import Person
from storage.engine import create_engine, make_sessionmaker
from storage.models import CheckIn, CheckInStatus, Delivery, DeliveryStatus, District
from tests.e2e.e2e_world import (
    ShiftedClock,
    ask,
    begin,
    build_network,
    checkin_messages,
    find_in,
    next_in,
    tap,
    texts,
)
from tests.e2e.idle import idle

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam
EVENT = "Aanslag op moskee in Québec"

BotRunner = Callable[[], AbstractAsyncContextManager[AnyApp]]


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock(START)


@pytest.fixture
def bot_on(make_settings: Callable[..., Settings], clock: ShiftedClock) -> BotRunner:
    """Start a fresh bot on this test's database and clock (again and again)."""
    settings = make_settings()

    @asynccontextmanager
    async def run() -> AsyncIterator[AnyApp]:
        application = build_application(settings, clock=clock, tally_interval=0.2)
        async with running(application, poll_timeout=1):
            yield application

    return run


def kill_sends_in_flight() -> None:
    """What dying does to the sends a process was waiting on: they never finish."""
    for task in asyncio.all_tasks():
        if task.get_name().startswith("broadcast-"):
            task.cancel()


async def start_checkin(sandbox: Sandbox, bot: BotAccount, person: Person, all_: bool) -> None:
    """/peiling with the event inline, 2 uur, live tally, send (all districts, if all_)."""
    wizard = await ask(sandbox, person, bot, f"/peiling {EVENT}")
    if all_:
        await tap(sandbox, person, wizard, "▫️ Alle wijken")
        await sandbox.wait_for(lambda: "✅ Alle wijken" in wizard.button_texts)
        await tap(sandbox, person, wizard, "Verder ➡️", "Hoe lang")
    await tap(sandbox, person, wizard, "2 uur", "Mogen de bondgenoten")
    await tap(sandbox, person, wizard, "Live tonen", "Voorbeeld")
    await tap(sandbox, person, wizard, "✅ Versturen", "verstuurd naar")


async def stored(db_url: str) -> tuple[CheckIn, dict[str, Delivery]]:
    """The one check-in and its deliveries by district name, read while no bot runs, too."""
    engine = create_engine(db_url)
    try:
        async with make_sessionmaker(engine)() as session:
            [checkin] = list(await session.scalars(select(CheckIn)))
            rows = await session.execute(
                select(Delivery, District.name).join(District, District.id == Delivery.district_id)
            )
            return checkin, {name: d for d, name in rows}
    finally:
        await engine.dispose()


async def test_killed_mid_broadcast_every_district_gets_exactly_one_message(
    bot_on: BotRunner, db_url: str, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    names = {"Kanaleneiland": 1, "Overvecht": 1, "Zuilen": 1}
    async with bot_on():
        net = await build_network(sandbox, tg_bot, coordinator, names, chiefs=False)
        groups = net.groups
        # Telegram is slow for Overvecht (and then fails): the bot dies while it waits.
        sandbox.inject_fault(
            "sendMessage", hang=3.0, error_code=502, chat_id=groups["Overvecht"].id
        )
        await start_checkin(sandbox, tg_bot, coordinator, all_=True)
        await next_in(sandbox, groups["Kanaleneiland"], "📣 Peiling")
        overvecht = groups["Overvecht"].id
        await sandbox.wait_for(lambda: sandbox.calls_in_flight("sendMessage", chat_id=overvecht))
        kill_sends_in_flight()
    assert [len(checkin_messages(sandbox, g, tg_bot)) for g in groups.values()] == [1, 0, 0]
    _, before = await stored(db_url)
    # Overvecht was claimed when the process died, Zuilen not even that.
    assert before["Kanaleneiland"].status is DeliveryStatus.SENT
    assert before["Overvecht"].status is DeliveryStatus.PENDING
    assert before["Overvecht"].claimed_at is not None
    assert before["Zuilen"].status is DeliveryStatus.PENDING
    assert before["Zuilen"].claimed_at is None

    async with bot_on() as app:
        for name in ("Overvecht", "Zuilen"):
            await next_in(sandbox, groups[name], "📣 Peiling")
        report = await find_in(sandbox, coordinator.chat_with(tg_bot), "📬 Verzendrapport")
        assert "✅ Verstuurd naar 3 wijken: Kanaleneiland, Overvecht, Zuilen" in (
            report.text or ""
        )
        await idle(app, sandbox, tg_bot)  # a double, had there been one, would be here now
        assert [len(checkin_messages(sandbox, g, tg_bot)) for g in groups.values()] == [1, 1, 1]
        checkin, after = await stored(db_url)
        assert {n: d.status for n, d in after.items()} == dict.fromkeys(names, DeliveryStatus.SENT)
        for name, group in groups.items():
            [message] = checkin_messages(sandbox, group, tg_bot)
            assert after[name].message_id == message.message_id
        assert checkin.status is CheckInStatus.OPEN


async def test_a_check_in_open_across_a_restart_still_closes_at_its_deadline(
    bot_on: BotRunner,
    db_url: str,
    sandbox: Sandbox,
    tg_bot: BotAccount,
    coordinator: Person,
    clock: ShiftedClock,
) -> None:
    async with bot_on() as app:
        net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 1})
        chief, group = net["Overvecht"].chief, net["Overvecht"].group
        assert chief is not None
        await start_checkin(sandbox, tg_bot, chief, all_=False)
        message = await next_in(sandbox, group, "📣 Peiling")
    checkin, _ = await stored(db_url)

    # Down until just before the deadline; the new bot schedules the close from the database.
    clock.set(checkin.closes_at - timedelta(seconds=1.5))
    async with bot_on() as app:
        assert app.job_queue is not None
        [job] = app.job_queue.get_jobs_by_name(f"close-{checkin.id}")
        assert job.next_t is not None
        assert timedelta(0) < job.next_t - datetime.now(UTC) <= timedelta(seconds=1.5)
        assert "Gesloten." not in (message.text or "")
        await sandbox.wait_for(lambda: "Gesloten." in (message.text or ""), timeout=10)
        summary = await find_in(sandbox, chief.chat_with(tg_bot), "📊 Samenvatting peiling #1")
        assert "Open van ma 2 nov 10:00 tot 12:00." in (summary.text or "")
        closed, _ = await stored(db_url)
        assert closed.status is CheckInStatus.CLOSED and closed.closed_by_id is None
        assert closed.closed_at is not None and closed.closed_at >= checkin.closes_at


async def test_an_overdue_check_in_is_closed_at_start_up_once(
    bot_on: BotRunner,
    db_url: str,
    sandbox: Sandbox,
    tg_bot: BotAccount,
    coordinator: Person,
    clock: ShiftedClock,
) -> None:
    async with bot_on():
        net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 1})
        chief, group = net["Overvecht"].chief, net["Overvecht"].group
        assert chief is not None
        await start_checkin(sandbox, tg_bot, chief, all_=False)
        message: Message = await next_in(sandbox, group, "📣 Peiling")

    clock.advance(timedelta(hours=3))  # the bot was down past the deadline
    async with bot_on() as app:
        # Closed right after start (by a job: the bot takes updates meanwhile).
        await sandbox.wait_for(lambda: "Gesloten." in (message.text or ""), timeout=10)
        assert message.button_texts == []
        await find_in(sandbox, chief.chat_with(tg_bot), "📊 Samenvatting peiling #1")
        closed, _ = await stored(db_url)
        assert closed.status is CheckInStatus.CLOSED and closed.closed_by_id is None
        assert app.job_queue is not None and app.job_queue.get_jobs_by_name("close-1") == ()

    edits = len(message.edits)
    async with bot_on() as app:  # and again: nothing more happens
        await idle(app, sandbox, tg_bot)  # the start-up closing and resuming have run
    said = texts(sandbox, chief.chat_with(tg_bot), tg_bot)
    summaries = [t for t in said if t.startswith("📊 Samenvatting")]
    assert len(summaries) == 1
    assert len(message.edits) == edits


async def test_a_stop_while_closing_the_overdue_leaves_the_rest_to_the_next_start(
    bot_on: BotRunner,
    db_url: str,
    sandbox: Sandbox,
    tg_bot: BotAccount,
    coordinator: Person,
    clock: ShiftedClock,
) -> None:
    async with bot_on():
        net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 1})
        chief, group = net["Overvecht"].chief, net["Overvecht"].group
        assert chief is not None
        chat = chief.chat_with(tg_bot)
        messages = []
        for _ in range(3):
            await start_checkin(sandbox, tg_bot, chief, all_=False)
            messages.append(await next_in(sandbox, group, "📣 Peiling"))
            # Its delivery report comes after the send: not to be taken for the next wizard.
            await next_in(sandbox, chat, "📬 Verzendrapport")

    def closed() -> list[Message]:
        return [m for m in messages if "Gesloten." in (m.text or "")]

    clock.advance(timedelta(hours=3))  # the bot was down past all three deadlines
    # Telegram is slow with the first summary: the bot is asked to stop meanwhile.
    sandbox.inject_fault("sendMessage", hang=2.0, chat_id=chat.id)
    newcomer = sandbox.add_person("Nina", "Nieuw", language_code="nl")
    async with bot_on():
        await sandbox.wait_for(lambda: len(closed()) == 1, timeout=10)
        await begin(sandbox, newcomer, tg_bot)  # answered while the closing waits
        assert not any(t.startswith("📊") for t in texts(sandbox, chat, tg_bot))
    # The closing under way finished (its summary too); the other two were left alone.
    assert len(closed()) == 1
    assert sum(t.startswith("📊 Samenvatting") for t in texts(sandbox, chat, tg_bot)) == 1

    async with bot_on() as app:
        await sandbox.wait_for(lambda: len(closed()) == 3, timeout=10)
        for number in (1, 2, 3):
            await find_in(sandbox, chat, f"📊 Samenvatting peiling #{number}")
        await idle(app, sandbox, tg_bot)  # a double, had there been one, would be here now
    summaries = [t for t in texts(sandbox, chat, tg_bot) if t.startswith("📊 Samenvatting")]
    assert len(summaries) == 3


async def test_a_wizard_left_open_across_a_restart_says_it_expired(
    bot_on: BotRunner, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    async with bot_on():
        net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 1})
        chief = net["Overvecht"].chief
        assert chief is not None
        wizard = await ask(sandbox, chief, tg_bot, f"/peiling {EVENT}")
        shown = wizard.text
    async with bot_on() as app:
        answer = await tap(sandbox, chief, wizard, "2 uur")
        assert answer.text == "Dit concept is verlopen, begin opnieuw met /peiling"
        assert answer.show_alert
        await idle(app, sandbox, tg_bot)
        assert wizard.text == shown
