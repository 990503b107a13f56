"""Meeting service tests: the real services on SQLite with a notifier that posts invitations."""

from __future__ import annotations

import pytest
from meeting_world import (
    CHIEF,
    FATIMA,
    KANALENEILAND_GROUP,
    MEHMET,
    OVERVECHT_GROUP,
    SANNE,
    MeetingNotifier,
    Net,
)
from world import CORA, World

from services.container import Services
from storage.models import Role


@pytest.fixture
def notifier() -> MeetingNotifier:
    """A notifier that also posts invitations (replaces the plain fake here)."""
    return MeetingNotifier()


@pytest.fixture
async def net(world: World, services: Services, notifier: MeetingNotifier) -> Net:
    """Two districts with linked groups, a chief and three key figures."""
    await world.district("Overvecht")
    await world.district("Kanaleneiland")
    await world.linked_group("Overvecht", OVERVECHT_GROUP, "Bondgenoten Overvecht")
    await world.linked_group("Kanaleneiland", KANALENEILAND_GROUP, "Bondgenoten Kanaleneiland")
    await world.join("Overvecht", CHIEF.telegram_user_id, CHIEF.display_name, role=Role.CHIEF)
    await world.join("Overvecht", FATIMA, "Fatima")
    await world.join("Overvecht", MEHMET, "Mehmet")
    await world.join("Kanaleneiland", SANNE, "Sanne")
    options = await services.meetings.planner.district_options(CORA)
    assert isinstance(options, list)
    ids = {o.name: o.district_id for o in options}
    notifier.clear()
    return Net(ids["Overvecht"], ids["Kanaleneiland"])
