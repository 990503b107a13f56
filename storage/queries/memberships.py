"""Memberships: who holds which role in which district, and when they last answered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Answer, District, Membership, Person, Role


async def of_person(session: AsyncSession, person_id: int) -> list[tuple[Membership, District]]:
    """A person's memberships with their districts, ordered by district name."""
    rows = await session.execute(
        select(Membership, District)
        .join(District, District.id == Membership.district_id)
        .where(Membership.person_id == person_id)
        .order_by(District.name_key)
    )
    return list(rows)


async def get(session: AsyncSession, person_id: int, district_id: int) -> Membership | None:
    """The person's membership in this district, if any."""
    return await session.scalar(
        select(Membership).where(
            Membership.person_id == person_id, Membership.district_id == district_id
        )
    )


async def roles_of(session: AsyncSession, person_id: int) -> set[Role]:
    """Every role the person holds in any district."""
    rows = await session.scalars(
        select(Membership.role).where(Membership.person_id == person_id).distinct()
    )
    return set(rows)


async def of_district(
    session: AsyncSession, district_id: int, roles: Sequence[Role] | None = None
) -> list[tuple[Membership, Person]]:
    """A district's members with their people: chiefs first, then by name."""
    query = (
        select(Membership, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.district_id == district_id)
    )
    if roles is not None:
        query = query.where(Membership.role.in_(roles))
    # 'chef' sorts before 'bondgenoot' descending: chiefs first.
    query = query.order_by(Membership.role.desc(), Person.display_name, Person.id)
    return list(await session.execute(query))


async def holding_role(session: AsyncSession, role: Role) -> list[tuple[Membership, Person]]:
    """Every membership with this role, with its person."""
    rows = await session.execute(
        select(Membership, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.role == role)
    )
    return list(rows)


async def last_answers(session: AsyncSession, district_id: int) -> dict[int, datetime]:
    """Each person's most recent answer time in this district, by person id."""
    rows = await session.execute(
        select(Answer.person_id, func.max(Answer.answered_at))
        .where(Answer.district_id == district_id)
        .group_by(Answer.person_id)
    )
    # max() keeps the column's type, so the values come back aware in UTC.
    return {person_id: at for person_id, at in rows if at is not None}


async def remove(session: AsyncSession, membership_ids: Sequence[int]) -> None:
    """Delete these memberships (their answers and history stay)."""
    if membership_ids:
        await session.execute(delete(Membership).where(Membership.id.in_(membership_ids)))
