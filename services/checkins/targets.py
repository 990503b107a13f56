"""Which districts a check-in goes to: the actor's rights, archived districts, groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.access import Actor
from services.checkins.outcomes import AllDistricts, RefusalReason, RefusedDistrict
from services.names import name_key
from storage.models import Chat, ChatStatus, District, Role
from storage.queries import chats, checkins, districts, memberships, people

Targets = Sequence[str] | AllDistricts


@dataclass
class Plan:
    """Where a check-in can go, and where not."""

    targets: list[tuple[District, Chat]]
    refused: list[RefusedDistrict]
    # Refused districts that exist and are allowed: they get a SKIPPED delivery, so the
    # report and the summary can name them.
    skipped: list[tuple[District, RefusalReason]]


async def own_districts(s: AsyncSession, actor: Actor) -> list[District]:
    """The districts where the actor is a chief."""
    person = await people.by_telegram_id(s, actor.telegram_user_id)
    if person is None:
        return []
    pairs = await memberships.of_person(s, person.id)
    return [district for m, district in pairs if m.role is Role.CHIEF]


async def _candidates(
    s: AsyncSession, actor: Actor, own: list[District], names: Targets
) -> tuple[list[District], list[RefusedDistrict]]:
    if isinstance(names, AllDistricts):
        return (await checkins.live_districts(s) if actor.is_coordinator else own), []
    found: list[District] = []
    refused: list[RefusedDistrict] = []
    own_by_key = {d.name_key: d for d in own}
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        key = name_key(name)
        district = await districts.by_key(s, key) if actor.is_coordinator else own_by_key.get(key)
        if district is None:
            # Only coordinators may learn that a name does not exist.
            refused.append(RefusedDistrict(name, "unknown" if actor.is_coordinator else "denied"))
        elif district.id not in {d.id for d in found}:
            found.append(district)
    return found, refused


async def plan(s: AsyncSession, actor: Actor, own: list[District], names: Targets) -> Plan:
    """Split the named (or all) districts into those that can be asked and those refused."""
    candidates, refused = await _candidates(s, actor, own, names)
    found = Plan([], refused, [])
    for district in candidates:
        reason = await refusal(s, district)
        chat = await chats.of_district(s, district.id)
        if reason is None and chat is not None:
            found.targets.append((district, chat))
        else:
            found.refused.append(RefusedDistrict(district.name, reason or "no_group"))
            found.skipped.append((district, reason or "no_group"))
    return found


async def refusal(s: AsyncSession, district: District) -> RefusalReason | None:
    """Why a district cannot get a check-in now, or None when it can."""
    if district.archived_at is not None:
        return "archived"
    chat = await chats.of_district(s, district.id)
    if chat is None:
        return "no_group"
    return None if chat.status is ChatStatus.LINKED else "unreachable"
