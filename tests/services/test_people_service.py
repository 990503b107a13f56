"""People: coordinators from the config, reachability, and the command menu per role."""

from __future__ import annotations

from fakes import FakeNotifier
from world import CORA, World

from services.commands import commands_for
from services.container import Services
from services.members import MemberRemoved
from services.people import CoordinatorSync
from storage.models import Person, Role


async def test_sync_coordinators_grants_revokes_and_audits(
    services: Services, world: World, notifier: FakeNotifier
) -> None:
    await world.district("Overvecht")
    await world.join("Overvecht", 3001, "Chef", Role.CHIEF)
    notifier.clear()
    synced = await services.people.sync_coordinators({1001, 3001})
    assert synced == CoordinatorSync(granted=(3001,), revoked=(1002,))
    chief, former = await world.person(3001), await world.person(1002)
    assert chief is not None and chief.is_coordinator and chief.display_name == "Chef"
    assert former is not None and not former.is_coordinator
    assert "koppel" in notifier.menus[3001] and "peiling" in notifier.menus[3001]
    assert notifier.menus[1002] == ["privacy", "taal", "start", "help"]
    actions = [(e.action, e.subject) for e in await world.audit() if "coordinator" in e.action]
    assert actions[-2:] == [("coordinator.granted", "3001"), ("coordinator.revoked", "1002")]
    again = await services.people.sync_coordinators({1001, 3001})
    assert again == CoordinatorSync((), ())


async def test_startup_sync_created_the_configured_coordinators(world: World) -> None:
    cora = await world.person(1001)
    assert cora is not None and cora.is_coordinator
    assert await world.count(Person) == 2


async def test_blocked_person_is_marked_and_skipped_until_they_write(
    services: Services, world: World, notifier: FakeNotifier
) -> None:
    await world.district("Overvecht")
    await world.join("Overvecht", 2001, "Fatima")
    await world.join("Overvecht", 2002, "Hasan")
    notifier.blocked.add(2001)
    removed = await services.members.remove_member(CORA, "Overvecht", "Fatima")
    assert isinstance(removed, MemberRemoved)
    person = await world.person(2001)
    assert person is not None and not person.privately_reachable  # the 403 was noted
    assert not await services.people.mark_person_unreachable(2001)  # already known

    notifier.blocked.clear()
    assert await services.people.mark_person_unreachable(2002)
    notifier.clear()
    await services.members.remove_member(CORA, "Overvecht", "Hasan")
    assert notifier.attempts == []  # known to have blocked the bot: not written to

    assert await services.people.person_seen(2001, "Fatima A.")
    person = await world.person(2001)
    assert person is not None and person.privately_reachable
    assert person.display_name == "Fatima A."
    assert notifier.menus[2001] == ["privacy", "taal", "start", "help"]
    assert not await services.people.person_seen(2001, "Fatima A.")


async def test_strangers_are_not_stored_when_seen(services: Services, world: World) -> None:
    assert not await services.people.person_seen(5555, "Vreemde")
    assert await world.person(5555) is None


async def test_commands_per_role() -> None:
    assert commands_for(False, ()) == ["privacy", "taal", "start", "help"]
    assert commands_for(False, {Role.KEY_FIGURE}) == [
        "peilingen", "acties", "afwezig", "terug", "dieet", "privacy", "mijngegevens",
        "vergeetmij", "akkoord", "taal", "stoppen", "help",
    ]  # fmt: skip
    assert commands_for(False, {Role.CHIEF}) == [
        "leden", "peiling", "puls", "sluit", "peilingen", "terugkoppeling", "bijeenkomst",
        "bijeenkomsten", "actie", "acties", "dieet", "export", "trend", "overzicht", "privacy",
        "mijngegevens", "vergeetmij", "akkoord", "taal", "stoppen", "help",
    ]  # fmt: skip
    assert commands_for(True, ()) == [
        "wijk", "wijken", "koppel", "uitnodigen", "uitnodigingen", "intrekken", "leden",
        "verwijderen", "rolweg", "peiling", "puls", "sluit", "peilingen", "oefening",
        "terugkoppeling", "bijeenkomst", "bijeenkomsten", "actie", "acties", "export", "trend",
        "overzicht", "audit", "privacy", "mijngegevens", "vergeetmij", "akkoord", "taal",
        "stoppen", "help",
    ]  # fmt: skip


async def test_commands_for_and_refresh(
    services: Services, world: World, notifier: FakeNotifier
) -> None:
    await world.district("Overvecht")
    await world.join("Overvecht", 3001, "Chef", Role.CHIEF)
    assert await services.people.commands_for(3001) == commands_for(False, {Role.CHIEF})
    assert await services.people.commands_for(5555) == ["privacy", "taal", "start", "help"]
    notifier.clear()
    assert await services.people.refresh_commands(1001) == commands_for(True, ())
    assert notifier.menus == {1001: commands_for(True, ())}
