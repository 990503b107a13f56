"""One refusal for everyone without the right, that never tells whether a district exists."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fakes import FakeNotifier
from world import CORA, World, stranger

from services.access import Actor
from services.container import Services
from services.invitations import InvitationCreated
from services.outcomes import DENIED, UnknownDistrict
from storage.models import AuditEntry, Chat, District, Invitation, Membership, Role

Operation = Callable[[Services, Actor, str], Awaitable[Any]]

# Every operation that takes a district name, as a non-coordinator would call it.
OPERATIONS: dict[str, Operation] = {
    "create": lambda s, a, d: s.districts.create_district(a, d),
    "rename": lambda s, a, d: s.districts.rename_district(a, d, "Nieuw"),
    "archive": lambda s, a, d: s.districts.archive_district(a, d),
    "unarchive": lambda s, a, d: s.districts.unarchive_district(a, d),
    "link": lambda s, a, d: s.groups.link_group(a, -100, "Groep", d, confirm=True),
    "invite": lambda s, a, d: s.invitations.create_invitation(a, d, Role.CHIEF),
    "roster": lambda s, a, d: s.members.roster(a, d),
    "remove": lambda s, a, d: s.members.remove_member(a, d, "Fatima"),
}


async def _state(world: World) -> tuple[int, ...]:
    models = (District, Chat, Membership, Invitation, AuditEntry)
    return tuple([await world.count(m) for m in models])


@pytest.fixture
async def network(world: World) -> dict[str, Actor]:
    """Two districts, a chief and a key figure in the first, a chief in the second."""
    await world.district("Overvecht")
    await world.district("Zuilen")
    await world.services.groups.group_added(-100, "Groep", "group", 5555)
    return {
        "key figure": await world.join("Overvecht", 2001, "Fatima"),
        "chief elsewhere": await world.join("Zuilen", 3002, "Chef Zuilen", Role.CHIEF),
        "stranger": stranger(),
    }


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("who", ["key figure", "chief elsewhere", "stranger"])
async def test_forbidden_and_unknown_districts_look_the_same(
    services: Services,
    world: World,
    notifier: FakeNotifier,
    network: dict[str, Actor],
    operation: str,
    who: str,
) -> None:
    actor = network[who]
    before = await _state(world)
    notifier.clear()
    existing = await OPERATIONS[operation](services, actor, "Overvecht")
    unknown = await OPERATIONS[operation](services, actor, "Nergensland")
    near_miss = await OPERATIONS[operation](services, actor, "Overvech")
    assert existing == unknown == near_miss == DENIED
    assert await _state(world) == before
    assert notifier.transcript == [] and notifier.menus == {} and notifier.left == []


async def test_own_chief_may_see_roster_but_not_manage(
    services: Services, world: World, network: dict[str, Actor]
) -> None:
    chief = await world.join("Overvecht", 3001, "Chef", Role.CHIEF)
    assert not isinstance(await services.members.roster(chief, "Overvecht"), type(DENIED))
    for operation in ("rename", "archive", "link", "invite", "remove"):
        assert await OPERATIONS[operation](services, chief, "Overvecht") == DENIED


async def test_only_coordinators_learn_names(
    services: Services, world: World, network: dict[str, Actor]
) -> None:
    outcome = await services.members.roster(CORA, "Overvech")
    assert outcome == UnknownDistrict("Overvech", ("Overvecht",))
    chief = network["chief elsewhere"]
    assert await services.members.roster(chief, "Overvech") == DENIED
    assert await services.districts.list_districts(network["stranger"]) == DENIED


async def test_person_operations_refuse_non_coordinators(
    services: Services, world: World, network: dict[str, Actor]
) -> None:
    chief = network["chief elsewhere"]
    made = await services.invitations.create_invitation(CORA, "Overvecht", Role.KEY_FIGURE)
    assert isinstance(made, InvitationCreated)
    for actor in network.values():
        assert await services.members.take_role(actor, "Chef Zuilen", Role.CHIEF) == DENIED
        assert await services.invitations.list_invitations(actor) == DENIED
        assert await services.invitations.revoke_invitation(actor, made.invitation_id) == DENIED
    assert (3002, "Zuilen", Role.CHIEF) in await world.memberships()
    assert chief.is_coordinator is False


def test_actor_is_coordinator_only_by_config(services: Services) -> None:
    assert services.actor(1001, "Cora") == CORA
    assert services.actor(2001, "Fatima") == Actor(2001, "Fatima", is_coordinator=False)
