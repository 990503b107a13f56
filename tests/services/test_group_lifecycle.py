"""Groups on their own: nobody links them in time, the bot is kicked, they migrate."""

from __future__ import annotations

from datetime import timedelta

from fakes import FakeClock, FakeNotifier
from sqlalchemy import select
from world import CORA, World

from services.container import Services
from services.group_lifecycle import ExpiredGroup, Migration
from storage.models import (
    Chat,
    ChatStatus,
    CheckIn,
    CheckInStatus,
    Delivery,
    DeliveryStatus,
    District,
    Event,
)

OLD, NEW = -100, -1001234567890


async def _chat(world: World, chat_id: int) -> Chat | None:
    found = await world.rows(select(Chat).where(Chat.telegram_chat_id == chat_id))
    return found[0] if found else None


async def _status(world: World, chat_id: int) -> ChatStatus | None:
    chat = await _chat(world, chat_id)
    return chat.status if chat else None


async def test_grace_period_boundary_then_leave_and_tell_coordinators_once(
    services: Services, world: World, clock: FakeClock, notifier: FakeNotifier
) -> None:
    await services.groups.group_added(OLD, "Vreemde groep", "group", 1001)
    clock.advance(minutes=9, seconds=59)
    assert await services.group_lifecycle.expire_unlinked_groups() == []
    assert await _status(world, OLD) is ChatStatus.PENDING

    clock.advance(seconds=1)
    expired = await services.group_lifecycle.expire_unlinked_groups()
    assert expired == [ExpiredGroup(OLD, "Vreemde groep")]
    assert await _status(world, OLD) is ChatStatus.LEFT
    assert notifier.left == [(OLD, "group.goodbye_unlinked")]
    assert notifier.to(OLD) == [("group.goodbye_unlinked", {"minutes": 10})]
    told = notifier.with_key("group.left_unlinked")
    params = {"title": "Vreemde groep", "chat_id": OLD, "minutes": 10}
    assert told == [(1001, params), (1002, params)]
    [entry] = await world.audit("group.left")
    assert entry.details["added_by"] == 1001

    clock.advance(hours=1)
    assert await services.group_lifecycle.expire_unlinked_groups() == []
    assert len(notifier.with_key("group.left_unlinked")) == 2


async def test_grace_is_configurable_and_spares_linked_groups(
    services: Services, world: World, clock: FakeClock, notifier: FakeNotifier
) -> None:
    await world.district("Overvecht")
    await world.linked_group("Overvecht", OLD, "Gekoppeld")
    await services.groups.group_added(-300, "Wacht", "group", 1001)
    await services.groups.group_added(-400, "Nog een", "group", 1001)
    clock.advance(minutes=3)
    expired = await services.group_lifecycle.expire_unlinked_groups(grace=timedelta(minutes=3))
    assert {g.chat_id for g in expired} == {-300, -400}
    assert await _status(world, OLD) is ChatStatus.LINKED
    # One notice per group per coordinator, not one per coordinator overall.
    assert len(notifier.with_key("group.left_unlinked")) == 4


async def test_unreachable_district_group_told_once(
    services: Services, world: World, notifier: FakeNotifier
) -> None:
    await world.district("Overvecht")
    await world.linked_group("Overvecht", OLD, "Groep")
    assert await services.group_lifecycle.mark_group_unreachable(OLD, "removed")
    assert not await services.group_lifecycle.mark_group_unreachable(OLD, "forbidden")
    assert not await services.group_lifecycle.mark_group_unreachable(OLD, "forbidden")
    chat = await _chat(world, OLD)
    assert chat is not None and chat.status is ChatStatus.UNREACHABLE
    assert chat.district_id is not None  # still the district's group, just unreachable
    params = {"district": "Overvecht", "title": "Groep", "chat_id": OLD, "reason": "removed"}
    assert notifier.with_key("group.unreachable") == [(1001, params), (1002, params)]
    [entry] = await world.audit("group.unreachable")
    assert entry.details["reason"] == "removed"


async def test_unlinked_or_unknown_group_lost_tells_nobody(
    services: Services, world: World, notifier: FakeNotifier
) -> None:
    await services.groups.group_added(OLD, "Los", "group", 1001)
    assert await services.group_lifecycle.mark_group_unreachable(OLD, "removed")
    assert not await services.group_lifecycle.mark_group_unreachable(-999, "removed")
    assert notifier.transcript == []


async def _delivery(world: World, chat_id: int, status: DeliveryStatus) -> None:
    async with world.services.uow() as uow:
        s = uow.session
        now = world.clock.now()
        district = await s.scalar(select(District))
        event = Event(description="Gebeurtenis", created_at=now)
        s.add(event)
        await s.flush()
        checkin = CheckIn(
            event_id=event.id, status=CheckInStatus.OPEN, opened_at=now, closes_at=now
        )
        s.add(checkin)
        await s.flush()
        assert district is not None
        s.add(
            Delivery(
                checkin_id=checkin.id,
                district_id=district.id,
                telegram_chat_id=chat_id,
                status=status,
                updated_at=now,
            )
        )
        await uow.commit()


async def test_migration_replaces_chat_id_once_and_keeps_deliveries(
    services: Services, world: World
) -> None:
    await world.district("Overvecht")
    await world.linked_group("Overvecht", OLD, "Groep")
    for status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.SENT):
        await _delivery(world, OLD, status)

    assert await services.group_lifecycle.migrate_group(OLD, NEW) is Migration.MIGRATED
    # The service message and a 400 with migrate_to_chat_id both report it.
    assert await services.group_lifecycle.migrate_group(OLD, NEW) is Migration.ALREADY_DONE

    old, new = await _chat(world, OLD), await _chat(world, NEW)
    assert old is not None and new is not None
    assert (old.status, old.district_id, old.migrated_to_chat_id) == (
        ChatStatus.MIGRATED,
        None,
        NEW,
    )
    assert new.status is ChatStatus.LINKED and new.district_id is not None
    assert new.title == "Groep"
    deliveries = await world.rows(select(Delivery).order_by(Delivery.id))
    assert [(d.status, d.telegram_chat_id) for d in deliveries] == [
        (DeliveryStatus.PENDING, NEW),
        (DeliveryStatus.FAILED, NEW),
        (DeliveryStatus.SENT, OLD),
    ]
    [entry] = await world.audit("group.migrated")
    assert entry.details == {
        "old_chat_id": OLD,
        "new_chat_id": NEW,
        "deliveries_readdressed": 2,
    }
    rows = await services.districts.list_districts(CORA)
    assert isinstance(rows, list) and rows[0].group_reachable
    # A late 403 for the old id must not mark the district unreachable.
    assert not await services.group_lifecycle.mark_group_unreachable(OLD, "forbidden")


async def test_migration_when_supergroup_was_seen_first(services: Services, world: World) -> None:
    await world.district("Overvecht")
    await world.linked_group("Overvecht", OLD, "Groep")
    await services.groups.group_added(NEW, "Groep", "supergroup", None)
    assert await services.group_lifecycle.migrate_group(OLD, NEW) is Migration.MIGRATED
    new = await _chat(world, NEW)
    assert new is not None and new.status is ChatStatus.LINKED and new.district_id is not None


async def test_migration_of_unknown_or_pending_group(services: Services, world: World) -> None:
    assert await services.group_lifecycle.migrate_group(-5, -6) is Migration.UNKNOWN
    await services.groups.group_added(OLD, "Los", "group", 1001)
    assert await services.group_lifecycle.migrate_group(OLD, NEW) is Migration.MIGRATED
    new = await _chat(world, NEW)
    assert new is not None and new.status is ChatStatus.PENDING and new.district_id is None
    assert await services.group_lifecycle.migrate_group(-7, NEW) is Migration.ALREADY_DONE


async def test_a_supergroup_a_stranger_adds_waits_in_silence_and_expires_unannounced(
    services: Services, world: World, clock: FakeClock, notifier: FakeNotifier
) -> None:
    # It may be a district group that was just upgraded: Telegram says so separately.
    await services.groups.group_added(NEW, "Geheime titel", "supergroup", 5555)
    chat = await _chat(world, NEW)
    assert (chat.status, chat.title, chat.added_by_telegram_id) == (ChatStatus.PENDING, "", None)

    clock.advance(minutes=10)
    await services.group_lifecycle.expire_unlinked_groups()

    assert notifier.left == [(NEW, None)]
    assert notifier.with_key("group.left_unlinked") == []


async def test_a_group_a_key_figure_added_is_left_quietly_and_the_coordinators_hear_of_it(
    services: Services, world: World, clock: FakeClock, notifier: FakeNotifier
) -> None:
    await world.district("Overvecht")
    await world.join("Overvecht", 3001, "Fatima")
    await services.groups.group_added(OLD, "Buurt", "group", 3001)

    clock.advance(minutes=10)
    await services.group_lifecycle.expire_unlinked_groups()

    assert notifier.left == [(OLD, None)]
    assert [to for to, _ in notifier.with_key("group.left_unlinked")] == [1001, 1002]
