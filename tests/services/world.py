"""A small world for service tests: coordinators, and helpers to build districts and people."""

from __future__ import annotations

from typing import Any

from fakes import FakeClock, FakeNotifier
from sqlalchemy import func, select

from services.access import Actor
from services.container import Services
from services.districts import DistrictCreated
from services.groups import GroupLinked
from services.intake import Joined
from services.invitations import InvitationCreated
from storage.models import AuditEntry, District, Membership, Person, Role

CORA = Actor(1001, "Cora", is_coordinator=True)
COEN = Actor(1002, "Coen", is_coordinator=True)
COORDINATOR_IDS = frozenset({CORA.telegram_user_id, COEN.telegram_user_id})


def stranger(telegram_user_id: int = 9999, name: str = "Onbekend") -> Actor:
    """Someone without any role."""
    return Actor(telegram_user_id, name, is_coordinator=False)


class World:
    """Build the network through the services themselves, and read the database back."""

    def __init__(self, services: Services, clock: FakeClock, notifier: FakeNotifier) -> None:
        self.services, self.clock, self.notifier = services, clock, notifier

    async def district(self, name: str) -> str:
        """Create a district as coordinator; return its name."""
        created = await self.services.districts.create_district(CORA, name)
        assert isinstance(created, DistrictCreated), created
        return created.name

    async def invite(self, district: str, role: Role = Role.KEY_FIGURE) -> str:
        """Make an invitation as coordinator; return the token."""
        made = await self.services.invitations.create_invitation(CORA, district, role)
        assert isinstance(made, InvitationCreated), made
        return made.token

    async def join(
        self, district: str, telegram_user_id: int, name: str, role: Role = Role.KEY_FIGURE
    ) -> Actor:
        """Invite and accept; return the new member as an actor."""
        token = await self.invite(district, role)
        joined = await self.services.intake.accept_invitation(token, telegram_user_id, name, "nl")
        assert isinstance(joined, Joined), joined
        return Actor(telegram_user_id, name)

    async def linked_group(self, district: str, chat_id: int, title: str) -> None:
        """Add the bot to a group and link it as coordinator."""
        await self.services.groups.group_added(chat_id, title, "group", CORA.telegram_user_id)
        linked = await self.services.groups.link_group(CORA, chat_id, title, district)
        assert isinstance(linked, GroupLinked), linked

    async def audit(self, action: str | None = None) -> list[AuditEntry]:
        """Audit entries (of one action), oldest first."""
        async with self.services.uow() as uow:
            query = select(AuditEntry).order_by(AuditEntry.id)
            if action is not None:
                query = query.where(AuditEntry.action == action)
            entries = list(await uow.session.scalars(query))
            uow.session.expunge_all()  # keep them readable after the unit of work
            return entries

    async def rows(self, query: Any) -> list[Any]:
        """Run a query and return its objects, detached so they stay readable."""
        async with self.services.uow() as uow:
            found = list(await uow.session.scalars(query))
            uow.session.expunge_all()
            return found

    async def memberships(self) -> set[tuple[int, str, Role]]:
        """Every membership as (telegram user id, district name, role)."""
        async with self.services.uow() as uow:
            rows = await uow.session.execute(
                select(Person.telegram_user_id, District.name, Membership.role)
                .join(Person, Person.id == Membership.person_id)
                .join(District, District.id == Membership.district_id)
            )
            return {(user_id, name, role) for user_id, name, role in rows}

    async def person(self, telegram_user_id: int) -> Person | None:
        """The stored person with this id."""
        async with self.services.uow() as uow:
            person = await uow.session.scalar(
                select(Person).where(Person.telegram_user_id == telegram_user_id)
            )
            if person is not None:
                uow.session.expunge(person)  # keep it readable after the unit of work
            return person

    async def count(self, model: Any) -> int:
        """How many rows a table holds."""
        async with self.services.uow() as uow:
            return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)
