"""Service tests: the real services on a fresh SQLite file per test, with fake ports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fakes import FakeClock, FakeNotifier
from world import COORDINATOR_IDS, World

from handlers.i18n import t
from services.container import Services
from storage.engine import create_engine, make_sessionmaker
from storage.models import Base
from storage.uow import UnitOfWorkFactory

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
async def uow_factory(tmp_path: Path) -> AsyncIterator[UnitOfWorkFactory]:
    """A unit-of-work factory on an empty database of this test's own."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'services.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield UnitOfWorkFactory(make_sessionmaker(engine))
    await engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    """A clock standing at a Monday morning."""
    return FakeClock(START)


@pytest.fixture
def notifier() -> FakeNotifier:
    """A notifier that records what everybody saw."""
    return FakeNotifier()


@pytest.fixture
async def services(
    uow_factory: UnitOfWorkFactory, clock: FakeClock, notifier: FakeNotifier
) -> Services:
    """The services, with two coordinators synced from the 'config' as at start-up."""
    services = Services(
        uow=uow_factory,
        clock=clock,
        notifier=notifier,
        tz=ZoneInfo("Europe/Amsterdam"),
        language="nl",
        coordinator_ids=COORDINATOR_IDS,
        texts=t,
    )
    await services.people.sync_coordinators(COORDINATOR_IDS)
    notifier.clear()
    return services


@pytest.fixture
def world(services: Services, clock: FakeClock, notifier: FakeNotifier) -> World:
    """Helpers that build districts and people through the services."""
    return World(services, clock, notifier)
