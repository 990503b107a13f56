"""Roster and roles: who sees the roster, removing people, taking roles, leaving."""

from __future__ import annotations

from fakes import FakeClock, FakeNotifier
from sqlalchemy import select
from world import CORA, World

from services.container import Services
from services.members import (
    LeaveOptions,
    Left,
    MemberRemoved,
    NothingToLeave,
    RoleTaken,
    Roster,
)
from services.outcomes import (
    DENIED,
    AmbiguousPerson,
    MembershipInfo,
    PersonInfo,
    PersonNotFound,
)
from storage.models import Answer, CheckIn, CheckInStatus, District, Event, Person, Role


async def _answer(world: World, telegram_user_id: int, district: str) -> None:
    async with world.services.uow() as uow:
        s, now = uow.session, world.clock.now()
        person = await s.scalar(select(Person).where(Person.telegram_user_id == telegram_user_id))
        found = await s.scalar(select(District).where(District.name == district))
        assert person is not None and found is not None
        event = Event(description="Gebeurtenis", created_at=now)
        s.add(event)
        await s.flush()
        checkin = CheckIn(
            event_id=event.id, status=CheckInStatus.OPEN, opened_at=now, closes_at=now
        )
        s.add(checkin)
        await s.flush()
        s.add(
            Answer(
                checkin_id=checkin.id,
                person_id=person.id,
                district_id=found.id,
                code=2,
                first_answered_at=now,
                answered_at=now,
            )
        )
        await uow.commit()


async def test_roster_for_chiefs_and_coordinators(
    services: Services, world: World, clock: FakeClock
) -> None:
    await world.district("Overvecht")
    await world.district("Zuilen")
    joined_at = clock.now()
    await world.join("Overvecht", 2002, "Hasan")
    await world.join("Overvecht", 2001, "Fatima")
    chief = await world.join("Overvecht", 3001, "Chef Jansen", Role.CHIEF)
    other_chief = await world.join("Zuilen", 3002, "Chef Pietersen", Role.CHIEF)
    await services.people.mark_person_unreachable(2002)
    answered_at = clock.advance(hours=2)
    await _answer(world, 2001, "Overvecht")

    for actor in (CORA, chief):
        roster = await services.members.roster(actor, "overvecht")
        assert isinstance(roster, Roster) and roster.district == "Overvecht"
        rows = [
            (e.name, e.role, e.joined_at, e.privately_reachable, e.last_answer_at)
            for e in roster.members
        ]
        assert rows == [
            ("Chef Jansen", Role.CHIEF, joined_at, True, None),
            ("Fatima", Role.KEY_FIGURE, joined_at, True, answered_at),
            ("Hasan", Role.KEY_FIGURE, joined_at, False, None),
        ]
    assert await services.members.roster(other_chief, "Overvecht") == DENIED
    key_figure = await world.join("Zuilen", 2003, "Ayse")
    assert await services.members.roster(key_figure, "Zuilen") == DENIED


async def test_remove_member_tells_them_and_updates_menu(
    services: Services, world: World, notifier: FakeNotifier
) -> None:
    await world.district("Overvecht")
    await world.join("Overvecht", 2001, "Fatima")
    chief = await world.join("Overvecht", 3001, "Chef", Role.CHIEF)
    assert await services.members.remove_member(chief, "Overvecht", "Fatima") == DENIED
    notifier.clear()

    removed = await services.members.remove_member(CORA, "Overvecht", " fatima ")
    assert removed == MemberRemoved("Fatima", "Overvecht", Role.KEY_FIGURE)
    assert (2001, "Overvecht", Role.KEY_FIGURE) not in await world.memberships()
    assert notifier.to(2001) == [
        ("member.removed", {"district": "Overvecht", "role": "bondgenoot"})
    ]
    assert notifier.menus[2001] == ["privacy", "taal", "start", "help"]
    [entry] = await world.audit("member.removed")
    assert (entry.actor_telegram_id, entry.subject) == (CORA.telegram_user_id, "Overvecht")
    assert entry.details == {"telegram_user_id": 2001, "role": "bondgenoot"}
    again = await services.members.remove_member(CORA, "Overvecht", "Fatima")
    assert again == PersonNotFound("Fatima")


async def test_remove_member_by_id_and_ambiguous_names(services: Services, world: World) -> None:
    await world.district("Overvecht")
    await world.join("Overvecht", 2001, "Mo")
    await world.join("Overvecht", 2002, "Mo")
    ambiguous = await services.members.remove_member(CORA, "Overvecht", "mo")
    assert ambiguous == AmbiguousPerson((PersonInfo(2001, "Mo"), PersonInfo(2002, "Mo")))
    assert await services.members.remove_member(CORA, "Overvecht", 2002) == MemberRemoved(
        "Mo", "Overvecht", Role.KEY_FIGURE
    )
    assert await services.members.remove_member(CORA, "Overvecht", "2001") == MemberRemoved(
        "Mo", "Overvecht", Role.KEY_FIGURE
    )
    assert await world.memberships() == set()


async def test_take_role_everywhere(
    services: Services, world: World, notifier: FakeNotifier
) -> None:
    await world.district("Overvecht")
    await world.district("Zuilen")
    await world.join("Overvecht", 3001, "Chef", Role.CHIEF)
    chief = await world.join("Zuilen", 3001, "Chef", Role.CHIEF)
    assert await services.members.take_role(chief, "Chef", Role.CHIEF) == DENIED
    assert await services.members.take_role(CORA, "Chef", Role.KEY_FIGURE) == PersonNotFound(
        "Chef"
    )
    notifier.clear()
    taken = await services.members.take_role(CORA, 3001, Role.CHIEF)
    assert taken == RoleTaken("Chef", Role.CHIEF, ("Overvecht", "Zuilen"))
    assert await world.memberships() == set()
    assert notifier.to(3001) == [
        ("role.taken", {"role": "chef", "districts": ["Overvecht", "Zuilen"]})
    ]
    assert notifier.menus[3001] == ["privacy", "taal", "start", "help"]
    [entry] = await world.audit("role.taken")
    assert entry.details["districts"] == ["Overvecht", "Zuilen"]


async def test_leave_with_confirmation(
    services: Services, world: World, notifier: FakeNotifier
) -> None:
    await world.district("Overvecht")
    await world.join("Overvecht", 3001, "Chef", Role.CHIEF)
    await world.join("Overvecht", 2001, "Fatima")
    options = await services.members.leave(2001)
    assert options == LeaveOptions((MembershipInfo("Overvecht", Role.KEY_FIGURE),))
    assert len(await world.memberships()) == 2  # asking changes nothing
    notifier.clear()

    left = await services.members.confirm_leave(2001)
    assert left == Left((MembershipInfo("Overvecht", Role.KEY_FIGURE),))
    assert await world.memberships() == {(3001, "Overvecht", Role.CHIEF)}
    params = {"name": "Fatima", "district": "Overvecht", "role": "bondgenoot"}
    assert sorted(notifier.with_key("member.left"), key=lambda t: t[0]) == [
        (1001, params),
        (1002, params),
        (3001, params),
    ]
    assert notifier.menus[2001] == ["privacy", "taal", "start", "help"]
    [entry] = await world.audit("member.left")
    assert (entry.actor_telegram_id, entry.subject) == (2001, "Overvecht")
    assert await services.members.confirm_leave(2001) == NothingToLeave()
    assert await services.members.leave(2001) == LeaveOptions(())


async def test_leave_one_district_of_several(services: Services, world: World) -> None:
    await world.district("Overvecht")
    await world.district("Zuilen")
    await world.join("Overvecht", 3001, "Chef", Role.CHIEF)
    await world.join("Zuilen", 3001, "Chef", Role.CHIEF)
    assert await services.members.confirm_leave(3001, "Kanaleneiland") == NothingToLeave()
    left = await services.members.confirm_leave(3001, " zuilen")
    assert left == Left((MembershipInfo("Zuilen", Role.CHIEF),))
    assert await world.memberships() == {(3001, "Overvecht", Role.CHIEF)}
    assert await services.members.confirm_leave(4242) == NothingToLeave()
