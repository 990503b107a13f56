"""Check-in service tests: the real services on SQLite with a notifier that posts check-ins."""

from __future__ import annotations

import asyncio

import pytest
from checkin_fakes import CheckInNotifier
from checkin_world import Net, build_network
from fakes import FakeClock
from world import World

from services.checkins import CheckIns
from services.container import Services


@pytest.fixture
def notifier() -> CheckInNotifier:
    """A notifier that also posts and edits check-ins (replaces the plain fake here)."""
    return CheckInNotifier()


@pytest.fixture
def checkins(services: Services, clock: FakeClock) -> CheckIns:
    """The check-in services, with backoff waits that move the fake clock instead."""

    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)
        await asyncio.sleep(0)  # a wait still lets the other tasks run

    return CheckIns.build(
        services.deps, services.checkin_settings, services.group_lifecycle, services.people, sleep
    )


@pytest.fixture
async def net(world: World, checkins: CheckIns, notifier: CheckInNotifier) -> Net:
    """Three districts with linked groups, two chiefs and nine key figures."""
    return await build_network(world, checkins, notifier)
