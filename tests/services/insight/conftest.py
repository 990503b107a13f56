"""Insight service tests: the service on a fresh SQLite file per test, filled by InsightWorld."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from fakes import FakeClock, FakeNotifier
from insight_world import InsightWorld, build_standard

from services.checkins import CheckInSettings
from services.insight import InsightService
from services.outbox import Deps
from storage.uow import UnitOfWorkFactory

TZ = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def insight_world(uow_factory: UnitOfWorkFactory) -> InsightWorld:
    """An empty world on this test's database."""
    return InsightWorld(uow_factory)


@pytest.fixture
async def standard(insight_world: InsightWorld) -> dict[str, int]:
    """The standard world; returns the check-in ids by name."""
    return await build_standard(insight_world)


@pytest.fixture
def insight(
    uow_factory: UnitOfWorkFactory, clock: FakeClock, notifier: FakeNotifier
) -> InsightService:
    """The insight service with k = 3 (the clock stands at Monday 30 November 2026)."""
    return InsightService(
        Deps(uow_factory, clock, notifier), TZ, CheckInSettings(), min_respondents=3
    )
