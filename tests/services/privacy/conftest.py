"""Privacy service tests: the check-in network of tests/services/checkins, on SQLite."""

from __future__ import annotations

import sys
from pathlib import Path

# The check-in network (checkin_world, checkin_fakes) is shared with the check-in tests;
# pytest puts only this folder and tests/services on the path.
sys.path.insert(0, str(Path(__file__).parent.parent / "checkins"))

import pytest
from checkin_fakes import CheckInNotifier
from checkin_world import Net, build_network
from world import World

from services.checkins import CheckIns
from services.container import Services


@pytest.fixture
def notifier() -> CheckInNotifier:
    """A notifier that also posts and edits check-ins."""
    return CheckInNotifier()


@pytest.fixture
def checkins(services: Services) -> CheckIns:
    """The running services' check-ins."""
    return services.checkins


@pytest.fixture
async def net(world: World, checkins: CheckIns, notifier: CheckInNotifier) -> Net:
    """Three districts with linked groups, two chiefs and nine key figures."""
    return await build_network(world, checkins, notifier)
