"""The check-in loop on both databases (SQLite and PostgreSQL), with real concurrency.

The upserts are dialect-specific SQL and the close/press race relies on row locks on
PostgreSQL, so these run on a migrated database of each backend.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from checkin_fakes import CheckInNotifier
from checkin_world import CHRIS, KANALENEILAND, KEY_FIGURES, OVERVECHT, Net, build_network
from fakes import FakeClock
from sqlalchemy import select
from world import COORDINATOR_IDS, World

from handlers.i18n import t
from services.checkins.outcomes import CheckInClosed, Closed, FollowUpState, Recorded
from services.container import Services
from storage.engine import create_engine, make_sessionmaker
from storage.models import Answer, AnswerChange, Escalation
from storage.uow import UnitOfWorkFactory


@pytest.fixture
async def backend_net(db_url: str) -> AsyncIterator[Net]:
    """The network on a migrated database of each backend."""
    engine = create_engine(db_url)
    clock = FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    notifier = CheckInNotifier()
    services = Services(
        uow=UnitOfWorkFactory(make_sessionmaker(engine)),
        clock=clock,
        notifier=notifier,
        tz=ZoneInfo("Europe/Amsterdam"),
        language="nl",
        coordinator_ids=COORDINATOR_IDS,
        texts=t,
    )
    await services.people.sync_coordinators(COORDINATOR_IDS)
    yield await build_network(World(services, clock, notifier), services.checkins, notifier)
    await engine.dispose()


async def test_upserts_history_and_escalations(backend_net: Net) -> None:
    net, world = backend_net, backend_net.world
    checkin_id = await net.sent()
    for code in (3, 3, 5, 5, 2):
        assert isinstance(await net.press(3001, checkin_id, code), Recorded)
    [answer] = await world.rows(select(Answer))
    assert (answer.code, answer.changes) == (2, 2)
    assert await world.count(AnswerChange) == 3
    for wanted in (True, True, False, True):
        state = await net.checkins.followups.set_contact(3001, checkin_id, wanted)
        assert isinstance(state, FollowUpState)
    state = await net.checkins.followups.toggle_theme(3001, checkin_id, "armoede")
    assert isinstance(state, FollowUpState) and state.themes == ("armoede",)
    kinds = sorted(e.kind for e in await world.rows(select(Escalation)))
    assert kinds == ["acute", "contact"]


async def test_concurrent_presses_make_one_answer_per_person(backend_net: Net) -> None:
    net, world = backend_net, backend_net.world
    checkin_id = await net.sent()
    people = [user for user, _ in KEY_FIGURES[OVERVECHT]]
    presses = [net.press(user, checkin_id, code) for code in (1, 2, 3) for user in people]
    outcomes = await asyncio.gather(*presses)
    assert all(isinstance(o, Recorded) for o in outcomes)
    assert sum(o.first_time for o in outcomes if isinstance(o, Recorded)) == len(people)
    rows = await world.rows(select(Answer))
    assert sorted(a.person_id for a in rows) == sorted({a.person_id for a in rows})
    assert len(rows) == len(people)


async def test_a_close_racing_presses_counts_exactly_the_acknowledged_ones(
    backend_net: Net,
) -> None:
    net, world = backend_net, backend_net.world
    checkin_id = await net.sent()
    people = [u for d in (OVERVECHT, KANALENEILAND) for u, _ in KEY_FIGURES[d]]
    tasks = [net.press(user, checkin_id, 3) for user in people]
    tasks.insert(3, net.checkins.closing.close_checkin(checkin_id, CHRIS))
    outcomes = list(await asyncio.gather(*tasks))
    closed = outcomes.pop(3)
    assert isinstance(closed, CheckInClosed)
    acknowledged = {u for u, o in zip(people, outcomes, strict=True) if isinstance(o, Recorded)}
    refused = {u for u, o in zip(people, outcomes, strict=True) if isinstance(o, Closed)}
    assert acknowledged | refused == set(people)
    assert len(await world.rows(select(Answer))) == len(acknowledged)
    assert sum(e.message.tally.responded for e in closed.edits) == len(acknowledged)
