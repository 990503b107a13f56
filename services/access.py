"""Who may do what, in one place: coordinators everything, chiefs their districts, key
figures their own — and a district nobody may know about looks exactly like a forbidden one."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.names import closest, name_key
from services.outcomes import DENIED, Denied, UnknownDistrict
from storage.models import District, Person
from storage.models import Role as Role  # handlers name roles through services
from storage.queries import districts, people


@dataclass(frozen=True)
class Actor:
    """The person asking: numeric Telegram id, display name, coordinator per the config."""

    telegram_user_id: int
    display_name: str
    is_coordinator: bool = False


class Need(enum.Enum):
    """The right an operation on a district asks for."""

    COORDINATOR = "coordinator"  # only coordinators
    CHIEF = "chief"  # coordinators, and chiefs of that district
    MEMBER = "member"  # coordinators, and anyone with a role in that district


_ROLES_FOR = {Need.CHIEF: (Role.CHIEF,), Need.MEMBER: (Role.CHIEF, Role.KEY_FIGURE)}


async def resolve_district(
    session: AsyncSession, actor: Actor, name: str, need: Need
) -> District | Denied | UnknownDistrict:
    """Find the district by name if the actor has the right; otherwise one refusal.

    Only coordinators may learn that a name is unknown and which names exist; everybody
    else gets Denied for an unknown district and for a forbidden one alike.
    """
    key = name_key(name)
    if actor.is_coordinator:
        district = await districts.by_key(session, key)
        if district is None:
            suggestions = closest(name, await districts.names_by_key(session))
            return UnknownDistrict(name.strip(), suggestions)
        return district
    if need is Need.COORDINATOR or not key:
        return DENIED
    found = await districts.of_member(session, actor.telegram_user_id, key, _ROLES_FOR[need])
    return found if found is not None else DENIED


async def actor_person(session: AsyncSession, actor: Actor, at: datetime) -> Person:
    """The actor's own Person row, made if a coordinator acts before ever being synced."""
    person = await people.get_or_add(
        session, actor.telegram_user_id, display_name=actor.display_name, at=at
    )
    if actor.is_coordinator:
        person.is_coordinator = True
    return person
