"""Recurring pulses end to end: a chief schedules one with /puls, the test clock brings it
round, the group gets an ordinary check-in marked as a pulse, and it runs its course.

The bot looks for due pulses every 0.2 s here (sweep_interval). That a pulse did *not* go is
shown by asking the pulse service itself once more (it starts nothing) after the bot is idle.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import AnyApp, build_application
from bot.runner import running
from bot.settings import Settings
from handlers.checkins.jobs import schedule_close
from sandbox import Sandbox
from sandbox.models import BotAccount
from sandbox.people import Person
from storage.models import CheckIn
from tests.e2e.e2e_world import (
    ShiftedClock,
    ask,
    build_network,
    checkin_messages,
    find_in,
    next_in,
    services_of,
    tap,
)
from tests.e2e.idle import idle

pytestmark = pytest.mark.e2e

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam
DUE = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # Monday 11:00 in Amsterdam

BotRunner = Callable[[], AbstractAsyncContextManager[AnyApp]]


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock(START)


@pytest.fixture
def bot_on(make_settings: Callable[..., Settings], clock: ShiftedClock) -> BotRunner:
    """Start a fresh bot on this test's database and clock, looking for work every 0.2 s."""
    settings = make_settings()

    @asynccontextmanager
    async def run() -> AsyncIterator[AnyApp]:
        application = build_application(
            settings, clock=clock, tally_interval=0.2, sweep_interval=0.2
        )
        async with running(application, poll_timeout=1):
            yield application

    return run


async def pulse_checkins(app: AnyApp) -> list[CheckIn]:
    """Every stored check-in, oldest first (read, then detached with what was read)."""
    async with services_of(app).uow() as uow:
        found = list(await uow.session.scalars(select(CheckIn).order_by(CheckIn.id)))
        uow.session.expunge_all()
        return found


async def test_a_chief_schedules_a_pulse_it_runs_its_course_and_pause_stops_it(
    bot_on: BotRunner,
    sandbox: Sandbox,
    tg_bot: BotAccount,
    coordinator: Person,
    clock: ShiftedClock,
) -> None:
    async with bot_on() as app:
        net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 2})
        chief, group = net["Overvecht"].chief, net["Overvecht"].group
        assert chief is not None
        fatima = net["Overvecht"].key_figures[0]

        refused = await ask(sandbox, chief, tg_bot, "/puls wekelijks maandag 23:00")
        assert (refused.text or "").startswith("Die tijd valt in de stille uren (22:00–08:00)")
        done = await ask(sandbox, chief, tg_bot, "/puls wekelijks maandag 11:00 2u")
        text = done.text or ""
        assert text.startswith("✅ Gepland.")
        assert "#1 Wekelijkse peiling: Hoe is de stemming deze week?" in text
        assert "elke maandag om 11:00, 2 uur open · al je wijken" in text
        assert "Volgende keer: ma 2 nov 11:00" in text
        listed = await ask(sandbox, chief, tg_bot, "/puls")
        assert listed.button_texts == ["⏸ Pauzeer #1", "🗑 Verwijder #1"]

        clock.set(DUE)
        message = await next_in(sandbox, group, "📣 Peiling")
        lines = (message.text or "").splitlines()
        assert lines[:2] == ["📣 Peiling — Hoe is de stemming deze week?", "🔁 Wekelijkse peiling"]
        assert "Rustig" in message.button_texts
        await tap(sandbox, fatima, message, "Rustig")
        await sandbox.wait_for(lambda: "1 van 2" in (message.text or ""), timeout=10)
        [checkin] = await pulse_checkins(app)
        assert (checkin.kind, checkin.pulse_weeks) == ("pulse", 1)
        assert checkin.closes_at == checkin.opened_at + timedelta(hours=2)

        # The deadline: its job was set by the clock of the moment it started; with the clock
        # moved, set it again as the bot does after a restart.
        clock.set(checkin.closes_at - timedelta(seconds=1))
        assert app.job_queue is not None
        schedule_close(app.job_queue, checkin.id, checkin.closes_at, services_of(app))
        await sandbox.wait_for(lambda: "Gesloten." in (message.text or ""), timeout=10)
        summary = await find_in(sandbox, chief.chat_with(tg_bot), "📊 Samenvatting peiling #1")
        assert (summary.text or "").splitlines()[1] == "🔁 Wekelijkse peiling"
        recent = await ask(sandbox, chief, tg_bot, "/peilingen")
        assert "#1 Hoe is de stemming deze week?\n🔁 Wekelijkse peiling" in (recent.text or "")

        # Paused from the list: next Monday comes and goes without a check-in.
        await tap(sandbox, chief, listed, "⏸ Pauzeer #1", "⏸ Gepauzeerd")
        assert listed.button_texts == ["▶️ Hervat #1", "🗑 Verwijder #1"]
        clock.set(DUE + timedelta(weeks=1, minutes=1))
        await idle(app, sandbox, tg_bot)
        assert await services_of(app).pulses.start_due() == []
        assert len(checkin_messages(sandbox, group, tg_bot)) == 1
        assert len(await pulse_checkins(app)) == 1

        # Resumed: the one after comes, not the one missed while paused.
        await tap(sandbox, chief, listed, "▶️ Hervat #1", "Volgende keer: ma 16 nov 11:00")


async def test_a_pulse_missed_while_down_is_sent_once_after_the_restart(
    bot_on: BotRunner,
    sandbox: Sandbox,
    tg_bot: BotAccount,
    coordinator: Person,
    clock: ShiftedClock,
) -> None:
    async with bot_on():
        net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 1})
        chief, group = net["Overvecht"].chief, net["Overvecht"].group
        assert chief is not None
        done = await ask(sandbox, chief, tg_bot, "/puls wekelijks maandag 11:00 24u")
        assert (done.text or "").startswith("✅ Gepland.")

    # Down for three Mondays; back on a Tuesday afternoon.
    clock.set(DUE + timedelta(weeks=2, days=1, hours=3))
    async with bot_on() as app:
        message = await next_in(sandbox, group, "📣 Peiling")
        assert "🔁 Wekelijkse peiling" in (message.text or "")
        await idle(app, sandbox, tg_bot)
        assert await services_of(app).pulses.start_due() == []
        assert len(checkin_messages(sandbox, group, tg_bot)) == 1
        [line] = await services_of(app).pulses.listing(services_of(app).actor(chief.id, "Chef"))  # type: ignore[misc]
        assert line.next_due_at == DUE + timedelta(weeks=3)

    async with bot_on() as app:  # and again: nothing more
        await idle(app, sandbox, tg_bot)
        assert len(checkin_messages(sandbox, group, tg_bot)) == 1
        assert len(await pulse_checkins(app)) == 1
