"""A new agreement version: members are asked once, across restarts, and accept it."""

from __future__ import annotations

from checkin_world import CHRIS, KEY_FIGURES, Net
from sqlalchemy import select
from world import World

from services.container import Services
from services.privacy.agreement import Accepted, AgreementService, NoMembership
from storage.models import Membership

NEW = "2099-01-v9/90-730-30-1825-90-a"


async def test_members_are_asked_once_and_accept(
    net: Net, services: Services, world: World
) -> None:
    notifier = net.notifier
    agreement = AgreementService(services.deps, NEW)
    asked = await agreement.ask_outdated()
    members = {u for people in KEY_FIGURES.values() for u, _ in people} | {2001, 2002}
    assert asked == len(members)
    told = notifier.with_key("privacy.agreement.changed")
    assert {chat for chat, _ in told} == members
    assert all(params == {"version": NEW} for _, params in told)
    # Asked once: again, or after a restart (a new service on the same database), nobody.
    notifier.clear()
    assert await agreement.ask_outdated() == 0
    assert await AgreementService(services.deps, NEW).ask_outdated() == 0
    assert notifier.with_key("privacy.agreement.changed") == []

    assert await agreement.accept(CHRIS.telegram_user_id) == Accepted(NEW, 2)
    assert await agreement.accept(CHRIS.telegram_user_id) == Accepted(NEW, 0)
    versions = {
        m.agreement_version for m in await world.rows(select(Membership))
        if m.person_id in {p.id for p in [await world.person(CHRIS.telegram_user_id)] if p}
    }  # fmt: skip
    assert versions == {NEW}
    (entry,) = await world.audit("agreement.accepted")
    assert entry.details == {"agreement_version": NEW, "memberships": 2}
    assert await agreement.accept(424242) == NoMembership()


async def test_who_joined_under_the_version_in_force_is_not_asked(
    net: Net, services: Services
) -> None:
    # The network joined under the running bot's version: nothing to ask.
    assert await services.agreement.ask_outdated() == 0
