"""Groups: the bot added, linked by coordinators only, one group per district."""

from __future__ import annotations

from fakes import FakeClock, FakeNotifier
from sqlalchemy import select
from world import COEN, CORA, World, stranger

from services.container import Services
from services.groups import (
    AlreadyLinked,
    GroupAdded,
    GroupLinked,
    GroupLinkedElsewhere,
    GroupState,
    NeedsConfirmation,
)
from services.outcomes import DENIED, UnknownDistrict
from storage.models import Chat, ChatStatus, Role

OLD, NEW = -100, -200


async def _chat(world: World, chat_id: int) -> Chat:
    [chat] = await world.rows(select(Chat).where(Chat.telegram_chat_id == chat_id))
    return chat


async def test_added_group_waits_for_a_link(
    services: Services, world: World, clock: FakeClock
) -> None:
    await world.district("Overvecht")
    await world.join("Overvecht", 3001, "Fatima")
    added = await services.groups.group_added(OLD, "Buurtgroep", "group", 3001)
    assert added == GroupAdded(GroupState.PENDING, None, False, 10)
    chat = await _chat(world, OLD)
    assert (chat.status, chat.added_by_telegram_id, chat.added_at) == (
        ChatStatus.PENDING,
        3001,
        clock.now(),
    )
    by_coordinator = await services.groups.group_added(NEW, "Andere", "group", 1001)
    assert by_coordinator.added_by_coordinator


async def test_a_group_a_stranger_adds_is_left_at_once_and_nothing_is_kept(
    services: Services, world: World, notifier: FakeNotifier
) -> None:
    added = await services.groups.group_added(OLD, "Buurtgroep", "group", 5555)

    assert added.state is GroupState.LEFT_AT_ONCE
    assert notifier.left == [(OLD, None)]
    assert notifier.to(OLD) == []
    assert await world.rows(select(Chat).where(Chat.telegram_chat_id == OLD)) == []


async def test_only_coordinators_link(services: Services, world: World) -> None:
    await world.district("Overvecht")
    chief = await world.join("Overvecht", 3001, "Chef", Role.CHIEF)
    await services.groups.group_added(OLD, "Buurtgroep", "group", 3001)
    for actor in (chief, stranger()):
        assert await services.groups.link_group(actor, OLD, "Buurtgroep", "Overvecht") == DENIED
    assert (await _chat(world, OLD)).status is ChatStatus.PENDING

    linked = await services.groups.link_group(CORA, OLD, "Buurtgroep", " overvecht ")
    assert linked == GroupLinked("Overvecht")
    chat = await _chat(world, OLD)
    assert chat.status is ChatStatus.LINKED and chat.district_id is not None
    [entry] = await world.audit("group.linked")
    assert entry.subject == "Overvecht" and entry.details["chat_id"] == OLD
    again = await services.groups.link_group(CORA, OLD, "Buurtgroep", "Overvecht")
    assert again == AlreadyLinked("Overvecht")


async def test_unknown_district_when_linking(services: Services, world: World) -> None:
    await world.district("Overvecht")
    outcome = await services.groups.link_group(CORA, OLD, "Groep", "Overvech")
    assert outcome == UnknownDistrict("Overvech", ("Overvecht",))


async def test_link_without_added_update_records_the_group(
    services: Services, world: World
) -> None:
    await world.district("Overvecht")
    linked = await services.groups.link_group(CORA, OLD, "Groep", "Overvecht", chat_type="group")
    assert linked == GroupLinked("Overvecht")
    assert (await _chat(world, OLD)).status is ChatStatus.LINKED


async def test_replacing_a_districts_group_asks_first(
    services: Services, world: World, notifier: FakeNotifier
) -> None:
    await world.district("Overvecht")
    await world.linked_group("Overvecht", OLD, "Oude groep")
    await services.groups.group_added(NEW, "Nieuwe groep", "supergroup", 1001)

    asked = await services.groups.link_group(CORA, NEW, "Nieuwe groep", "Overvecht")
    assert asked == NeedsConfirmation("Overvecht", "Oude groep", OLD)
    assert (await _chat(world, OLD)).status is ChatStatus.LINKED
    assert (await _chat(world, NEW)).status is ChatStatus.PENDING
    assert notifier.left == []

    done = await services.groups.link_group(COEN, NEW, "Nieuwe groep", "Overvecht", confirm=True)
    assert done == GroupLinked("Overvecht", OLD, "Oude groep")
    old, new = await _chat(world, OLD), await _chat(world, NEW)
    assert (old.status, old.district_id) == (ChatStatus.LEFT, None)
    assert new.status is ChatStatus.LINKED and new.district_id is not None
    assert notifier.left == [(OLD, "group.replaced_goodbye")]
    assert notifier.to(OLD) == [("group.replaced_goodbye", {"district": "Overvecht"})]
    actions = [e.action for e in await world.audit() if e.action.startswith("group.")]
    assert actions == ["group.linked", "group.unlinked", "group.linked"]


async def test_group_of_another_district_is_refused(services: Services, world: World) -> None:
    await world.district("Overvecht")
    await world.district("Zuilen")
    await world.linked_group("Overvecht", OLD, "Groep")
    outcome = await services.groups.link_group(CORA, OLD, "Groep", "Zuilen", confirm=True)
    assert outcome == GroupLinkedElsewhere("Overvecht")
    assert len(await world.audit("group.linked")) == 1


async def test_readded_linked_group_is_reachable_again(
    services: Services, world: World, notifier: FakeNotifier
) -> None:
    await world.district("Overvecht")
    await world.linked_group("Overvecht", OLD, "Groep")
    await services.group_lifecycle.mark_group_unreachable(OLD, "removed")
    notifier.clear()

    back = await services.groups.group_added(OLD, "Groep", "group", 1001)
    assert back == GroupAdded(GroupState.REACHABLE_AGAIN, "Overvecht", True, 10)
    assert (await _chat(world, OLD)).status is ChatStatus.LINKED
    told = notifier.with_key("group.reachable_again")
    assert sorted(cid for cid, _ in told) == [1001, 1002]
    duplicate = await services.groups.group_added(OLD, "Groep", "group", 1001)
    assert duplicate.state is GroupState.LINKED
    assert len(notifier.with_key("group.reachable_again")) == 2
    assert len(await world.audit("group.reachable")) == 1


async def test_left_group_readded_gets_a_fresh_grace_period(
    services: Services, world: World, clock: FakeClock
) -> None:
    await services.groups.group_added(OLD, "Groep", "group", 1001)
    clock.advance(minutes=10)
    await services.group_lifecycle.expire_unlinked_groups()
    later = clock.advance(hours=1)
    await world.district("Overvecht")
    await world.join("Overvecht", 3001, "Fatima")
    await services.groups.group_added(OLD, "Groep", "group", 3001)
    chat = await _chat(world, OLD)
    assert (chat.status, chat.added_at, chat.added_by_telegram_id) == (
        ChatStatus.PENDING,
        later,
        3001,
    )
