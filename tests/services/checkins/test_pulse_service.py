"""Recurring pulses as services: scheduling rules, occurrences as check-ins, once each."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from checkin_fakes import CheckInNotifier
from checkin_world import (
    CARLA,
    CHRIS,
    GROUPS,
    KANALENEILAND,
    OVERVECHT,
    ZUILEN,
    Net,
    build_network,
)
from fakes import FakeClock
from sqlalchemy import select
from world import COORDINATOR_IDS, CORA, World

from handlers.checkins.render import render_checkin, render_summary
from handlers.i18n import t
from services.access import Actor
from services.checkins.outcomes import CheckInClosed, NothingToSend, RefusedDistrict
from services.container import Services
from services.outcomes import Denied
from services.pulse.outcomes import (
    InsideQuietHours,
    PulseChanged,
    PulseRequest,
    PulseScheduled,
    PulseTooLong,
)
from storage.engine import create_engine, make_sessionmaker
from storage.models import CheckIn, Delivery, PulseSchedule
from storage.uow import UnitOfWorkFactory

AMS = ZoneInfo("Europe/Amsterdam")
MON = 0
# The fixtures' clock: Monday 30 November 2026, 10:00 in Amsterdam.
FIRST_MONDAY_DEC = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # 11:00 local


def monthly(at: time = time(11, 0), **kw: object) -> PulseRequest:
    """A monthly pulse on the first Monday, 24 hours open, in all the chief's districts."""
    values: dict[str, object] = {
        "every_weeks": 0,
        "weekday": MON,
        "at": at,
        "duration": timedelta(hours=24),
        "question": "Hoe is de stemming deze maand?",
    }
    values.update(kw)
    return PulseRequest(**values)  # type: ignore[arg-type]


async def _checkins(world: World) -> list[CheckIn]:
    return list(await world.rows(select(CheckIn).order_by(CheckIn.id)))


async def test_a_chief_schedules_for_own_districts_and_it_starts_once_when_due(
    net: Net, services: Services, clock: FakeClock, notifier: CheckInNotifier
) -> None:
    scheduled = await services.pulses.schedule(CHRIS, monthly())
    assert isinstance(scheduled, PulseScheduled)
    assert scheduled.line.next_due_at == FIRST_MONDAY_DEC
    assert scheduled.line.districts == ()  # all of Chris's own, whichever they are then
    assert await services.pulses.start_due() == []
    clock.set(FIRST_MONDAY_DEC)
    (started,) = await services.pulses.start_due()
    assert await services.pulses.start_due() == []  # claimed: never twice
    (checkin,) = await _checkins(net.world)
    assert (checkin.kind, checkin.pulse_schedule_id, checkin.pulse_weeks) == (
        "pulse",
        scheduled.line.schedule_id,
        0,
    )
    assert started.closes_at == FIRST_MONDAY_DEC + timedelta(hours=24)
    await net.checkins.broadcast.broadcast(started.checkin_id)
    assert {c for c, _, _ in notifier.posts} == {GROUPS[OVERVECHT], GROUPS[KANALENEILAND]}
    (_, message) = notifier.posted_to(GROUPS[OVERVECHT])[0]
    text, keyboard = render_checkin(message, AMS, "nl")
    assert text.splitlines()[:2] == [
        "📣 <b>Peiling</b> — Hoe is de stemming deze maand?",
        "🔁 Maandelijkse peiling",
    ]
    assert "Hoe is de stemming deze maand?" in text and keyboard is not None
    (line,) = await services.pulses.listing(CHRIS)  # type: ignore[misc]
    assert line.next_due_at == datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
    assert line.last_occurrence_at == FIRST_MONDAY_DEC
    # An answer, the deadline, and the summary says it was a pulse.
    await net.press(3001, started.checkin_id, 2)
    clock.set(started.closes_at)
    assert isinstance(
        await net.checkins.closing.close_checkin(started.checkin_id, None), CheckInClosed
    )
    summary = next(s for chat, s in notifier.summaries if chat == CHRIS.telegram_user_id)
    head = render_summary(summary, AMS, "nl")[0].splitlines()
    assert (
        head[0].startswith("📊 <b>Samenvatting peiling") and head[1] == "🔁 Maandelijkse peiling"
    )


async def test_a_time_inside_quiet_hours_is_refused(services: Services, net: Net) -> None:
    refused = await services.pulses.schedule(CHRIS, monthly(time(23, 0)))
    assert refused == InsideQuietHours(time(22, 0), time(8, 0))
    assert await services.pulses.schedule(CHRIS, monthly(time(7, 59))) == refused
    assert isinstance(await services.pulses.schedule(CHRIS, monthly(time(8, 0))), PulseScheduled)


async def test_who_may_schedule_what(services: Services, net: Net) -> None:
    # Carla is chief of Zuilen only: Overvecht is refused as not hers, nothing is stored.
    outcome = await services.pulses.schedule(CARLA, monthly(districts=(OVERVECHT,)))
    assert outcome == NothingToSend((RefusedDistrict(OVERVECHT, "denied"),))
    assert await services.pulses.schedule(Actor(3001, "Fatima"), monthly()) == Denied()
    assert await services.pulses.listing(Actor(3001, "Fatima")) == Denied()
    # A coordinator may name any district.
    done = await services.pulses.schedule(CORA, monthly(districts=(ZUILEN, OVERVECHT)))
    assert isinstance(done, PulseScheduled)
    assert done.line.districts == (OVERVECHT, ZUILEN)
    # A weekly pulse cannot stay open into the next one.
    weekly = monthly(every_weeks=1, duration=timedelta(days=8))
    assert await services.pulses.schedule(CHRIS, weekly) == PulseTooLong(timedelta(weeks=1))
    # Chiefs see their own schedules; they cannot change a coordinator's.
    assert await services.pulses.listing(CARLA) == []
    assert await services.pulses.change(CARLA, done.line.schedule_id, "pause") != PulseChanged(
        "paused", None
    )
    assert [p.schedule_id for p in await services.pulses.listing(CORA)] == [  # type: ignore[union-attr]
        done.line.schedule_id
    ]


async def test_missed_during_downtime_goes_late_once(
    net: Net, services: Services, clock: FakeClock
) -> None:
    scheduled = await services.pulses.schedule(CHRIS, monthly())
    assert isinstance(scheduled, PulseScheduled)
    # Down from before the first Monday of December until mid-February: three missed.
    clock.set(datetime(2027, 2, 16, 12, 0, tzinfo=UTC))
    assert len(await services.pulses.start_due()) == 1
    assert await services.pulses.start_due() == []
    assert len(await _checkins(net.world)) == 1
    (line,) = await services.pulses.listing(CHRIS)  # type: ignore[misc]
    assert line.next_due_at == datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


async def test_a_late_occurrence_waits_for_the_end_of_quiet_hours(
    net: Net, services: Services, clock: FakeClock
) -> None:
    assert isinstance(await services.pulses.schedule(CHRIS, monthly()), PulseScheduled)
    clock.set(datetime(2026, 12, 7, 22, 30, tzinfo=UTC))  # the bot back at 23:30 local
    assert await services.pulses.start_due() == []
    clock.set(datetime(2026, 12, 8, 7, 0, tzinfo=UTC))  # 08:00 local: quiet hours end
    (started,) = await services.pulses.start_due()
    (checkin,) = await _checkins(net.world)
    assert checkin.opened_at == datetime(2026, 12, 8, 7, 0, tzinfo=UTC)
    assert started.closes_at == checkin.opened_at + timedelta(hours=24)


async def test_pause_resume_delete(net: Net, services: Services, clock: FakeClock) -> None:
    scheduled = await services.pulses.schedule(CHRIS, monthly())
    assert isinstance(scheduled, PulseScheduled)
    sid = scheduled.line.schedule_id
    paused = await services.pulses.change(CHRIS, sid, "pause")
    assert isinstance(paused, PulseChanged) and paused.line is not None and paused.line.paused
    clock.set(FIRST_MONDAY_DEC + timedelta(days=1))
    assert await services.pulses.start_due() == []
    resumed = await services.pulses.change(CHRIS, sid, "resume")
    assert isinstance(resumed, PulseChanged) and resumed.line is not None
    # What was missed while paused is not sent; the next one to come is.
    assert resumed.line.next_due_at == datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
    assert await services.pulses.start_due() == []
    assert await services.pulses.change(CARLA, sid, "delete") != PulseChanged("deleted", None)
    assert await services.pulses.change(CHRIS, sid, "delete") == PulseChanged("deleted", None)
    assert await net.world.count(PulseSchedule) == 0
    assert await _checkins(net.world) == []


async def test_nowhere_to_ask_passes_the_turn(
    net: Net, services: Services, clock: FakeClock, world: World
) -> None:
    scheduled = await services.pulses.schedule(CORA, monthly(districts=(ZUILEN,)))
    assert isinstance(scheduled, PulseScheduled)
    await services.districts.archive_district(CORA, ZUILEN)
    clock.set(FIRST_MONDAY_DEC)
    assert await services.pulses.start_due() == []
    assert await _checkins(net.world) == []
    (skipped,) = await world.audit("pulse.skipped")
    assert skipped.details["why"] == "NothingToSend"
    (line,) = await services.pulses.listing(CORA)  # type: ignore[misc]
    assert line.next_due_at == datetime(2027, 1, 4, 10, 0, tzinfo=UTC)  # on to the next turn


@pytest.fixture
async def backend(db_url: str) -> AsyncIterator[tuple[Services, Net, FakeClock]]:
    """Services and the network on a migrated database of each backend."""
    engine = create_engine(db_url)
    clock = FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    notifier = CheckInNotifier()
    services = Services(
        uow=UnitOfWorkFactory(make_sessionmaker(engine)),
        clock=clock,
        notifier=notifier,
        tz=AMS,
        language="nl",
        coordinator_ids=COORDINATOR_IDS,
        texts=t,
    )
    await services.people.sync_coordinators(COORDINATOR_IDS)
    net = await build_network(World(services, clock, notifier), services.checkins, notifier)
    yield services, net, clock
    await engine.dispose()


async def test_racing_looks_start_an_occurrence_once_on_each_backend(
    backend: tuple[Services, Net, FakeClock],
) -> None:
    services, net, clock = backend
    scheduled = await services.pulses.schedule(CHRIS, monthly())
    assert isinstance(scheduled, PulseScheduled)
    clock.set(FIRST_MONDAY_DEC)
    results = await asyncio.gather(*(services.pulses.start_due() for _ in range(4)))
    assert sum(len(r) for r in results) == 1
    (checkin,) = await _checkins(net.world)
    assert checkin.kind == "pulse"
    assert await net.world.count(Delivery) == 2  # Overvecht and Kanaleneiland, once each


async def test_a_district_without_its_group_yet_is_kept_and_named(
    net: Net, services: Services, world: World, clock: FakeClock
) -> None:
    await world.district("Noord")
    done = await services.pulses.schedule(CORA, monthly(districts=("Noord", "Nergens")))
    assert isinstance(done, PulseScheduled)
    assert done.line.districts == ("Noord",)
    assert done.refused == (
        RefusedDistrict("Nergens", "unknown"),
        RefusedDistrict("Noord", "no_group"),
    )
    clock.set(FIRST_MONDAY_DEC)
    assert await services.pulses.start_due() == []  # nowhere to ask yet: the turn passes
    assert len(await world.audit("pulse.skipped")) == 1
