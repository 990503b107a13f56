"""The roster of a district, and people leaving it: removed, role taken, or by themselves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from services.access import Actor, Need, resolve_district
from services.names import name_key
from services.outbox import Deps, Outbox
from services.outcomes import (
    DENIED,
    AmbiguousPerson,
    Denied,
    MembershipInfo,
    PersonInfo,
    PersonNotFound,
    UnknownDistrict,
)
from services.ports import Notice
from storage.models import District, Membership, Person, Role
from storage.queries import audit, memberships, people, reminders

# A person is named by their numeric Telegram id or by their display name.
PersonRef = int | str


@dataclass(frozen=True)
class RosterEntry:
    """One member of a district as a chief or coordinator sees them."""

    telegram_user_id: int
    name: str
    role: Role
    joined_at: datetime
    privately_reachable: bool
    last_answer_at: datetime | None
    # Away (/afwezig): `away` says so; away_until None means until they say they are back.
    away: bool = False
    away_until: datetime | None = None


@dataclass(frozen=True)
class Roster:
    """A district's members: chiefs first, then key figures, by name."""

    district: str
    archived: bool
    members: tuple[RosterEntry, ...]


@dataclass(frozen=True)
class MemberRemoved:
    """The person no longer belongs to the district."""

    name: str
    district: str
    role: Role


@dataclass(frozen=True)
class RoleTaken:
    """The person no longer holds the role, in any of these districts."""

    name: str
    role: Role
    districts: tuple[str, ...]


@dataclass(frozen=True)
class LeaveOptions:
    """What a person could leave; empty when they belong nowhere."""

    memberships: tuple[MembershipInfo, ...]


@dataclass(frozen=True)
class Left:
    """What the person left."""

    memberships: tuple[MembershipInfo, ...]


@dataclass(frozen=True)
class NothingToLeave:
    """The person holds no (such) membership."""


def _folded(name: str) -> str:
    return " ".join(name.casefold().split())


def _pick(
    pairs: Sequence[tuple[Membership, Person]], ref: PersonRef
) -> list[tuple[Membership, Person]] | PersonNotFound | AmbiguousPerson:
    """The memberships of the one person the reference names (ids win over look-alike names)."""
    text = str(ref).strip()
    found = [p for p in pairs if _folded(p[1].display_name) == _folded(text)]
    if isinstance(ref, int) or (not found and text.lstrip("-").isdigit()):
        found = [p for p in pairs if p[1].telegram_user_id == int(text)]
    persons = {person.id: person for _, person in found}
    if not persons:
        return PersonNotFound(text)
    if len(persons) > 1:
        infos = (PersonInfo(p.telegram_user_id, p.display_name) for p in persons.values())
        return AmbiguousPerson(tuple(sorted(infos, key=lambda i: i.telegram_user_id)))
    return found


class MemberService:
    """Show who belongs to a district, and let people go."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    async def roster(self, actor: Actor, district_name: str) -> Roster | Denied | UnknownDistrict:
        """List a district's members for its chiefs and for coordinators."""
        async with self._deps.uow() as uow:
            district = await resolve_district(uow.session, actor, district_name, Need.CHIEF)
            if not isinstance(district, District):
                return district
            pairs = await memberships.of_district(uow.session, district.id)
            last = await memberships.last_answers(uow.session, district.id)
            now = self._deps.clock.now()
            away = await reminders.away_among(uow.session, [p.id for _, p in pairs], now)
            # Built inside: leaving the unit of work expires what it loaded.
            entries = tuple(
                RosterEntry(
                    p.telegram_user_id,
                    p.display_name,
                    m.role,
                    m.joined_at,
                    p.privately_reachable,
                    last.get(p.id),
                    p.id in away,
                    away.get(p.id),
                )
                for m, p in pairs
            )
            return Roster(district.name, district.archived_at is not None, entries)

    async def remove_member(
        self, actor: Actor, district_name: str, person: PersonRef
    ) -> MemberRemoved | Denied | UnknownDistrict | PersonNotFound | AmbiguousPerson:
        """Remove a person from a district (coordinators); the person is told."""
        now = self._deps.clock.now()
        outbox = Outbox()
        async with self._deps.uow() as uow:
            s = uow.session
            district = await resolve_district(s, actor, district_name, Need.COORDINATOR)
            if not isinstance(district, District):
                return district
            picked = _pick(await memberships.of_district(s, district.id), person)
            if not isinstance(picked, list):
                return picked
            membership, member = picked[0]
            await memberships.remove(s, [membership.id])
            details = {"telegram_user_id": member.telegram_user_id, "role": membership.role.value}
            audit.record(
                s,
                at=now,
                actor_telegram_id=actor.telegram_user_id,
                action="member.removed",
                subject=district.name,
                details=details,
            )
            params = {"district": district.name, "role": membership.role.value}
            outbox.tell(member, Notice("member.removed", params))
            await outbox.push_commands(s, member)
            await uow.commit()
        await outbox.deliver(self._deps)
        return MemberRemoved(member.display_name, district.name, membership.role)

    async def take_role(
        self, actor: Actor, person: PersonRef, role: Role
    ) -> RoleTaken | Denied | PersonNotFound | AmbiguousPerson:
        """Take a role away from a person in every district (coordinators); they are told."""
        if not actor.is_coordinator:
            return DENIED
        now = self._deps.clock.now()
        outbox = Outbox()
        async with self._deps.uow() as uow:
            s = uow.session
            picked = _pick(await memberships.holding_role(s, role), person)
            if not isinstance(picked, list):
                return picked
            member = picked[0][1]
            mine = await memberships.of_person(s, member.id)
            names = tuple(d.name for m, d in mine if m.role is role)
            await memberships.remove(s, [m.id for m, _ in picked])
            details = {
                "telegram_user_id": member.telegram_user_id,
                "role": role.value,
                "districts": list(names),
            }
            audit.record(
                s,
                at=now,
                actor_telegram_id=actor.telegram_user_id,
                action="role.taken",
                subject=member.display_name,
                details=details,
            )
            params = {"role": role.value, "districts": list(names)}
            outbox.tell(member, Notice("role.taken", params))
            await outbox.push_commands(s, member)
            await uow.commit()
        await outbox.deliver(self._deps)
        return RoleTaken(member.display_name, role, names)

    async def leave(self, telegram_user_id: int) -> LeaveOptions:
        """Tell a person what they could leave (the first step of /stoppen)."""
        async with self._deps.uow() as uow:
            person = await people.by_telegram_id(uow.session, telegram_user_id)
            mine = await memberships.of_person(uow.session, person.id) if person else []
            return LeaveOptions(tuple(MembershipInfo(d.name, m.role) for m, d in mine))

    async def confirm_leave(
        self, telegram_user_id: int, district_name: str | None = None
    ) -> Left | NothingToLeave:
        """Leave one district (by name) or all; chiefs there and coordinators are told."""
        now = self._deps.clock.now()
        outbox = Outbox()
        async with self._deps.uow() as uow:
            s = uow.session
            person = await people.by_telegram_id(s, telegram_user_id)
            mine = await memberships.of_person(s, person.id) if person else []
            if district_name is not None:
                # Only their own districts match, so nothing is revealed about others.
                mine = [(m, d) for m, d in mine if d.name_key == name_key(district_name)]
            if person is None or not mine:
                return NothingToLeave()
            await memberships.remove(s, [m.id for m, _ in mine])
            coordinators = await people.coordinators(s)
            for m, d in mine:
                details = {"telegram_user_id": telegram_user_id, "role": m.role.value}
                audit.record(
                    s,
                    at=now,
                    actor_telegram_id=telegram_user_id,
                    action="member.left",
                    subject=d.name,
                    details=details,
                )
                chiefs = [p for _, p in await memberships.of_district(s, d.id, [Role.CHIEF])]
                told = [p for p in [*chiefs, *coordinators] if p.id != person.id]
                params = {"name": person.display_name, "district": d.name, "role": m.role.value}
                outbox.tell_many(told, Notice("member.left", params))
            await outbox.push_commands(s, person)
            await uow.commit()
        await outbox.deliver(self._deps)
        return Left(tuple(MembershipInfo(d.name, m.role) for m, d in mine))
