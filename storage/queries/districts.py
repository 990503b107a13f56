"""Districts: look-ups by normalised name, and the overview rows of `/wijken`."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, ChatStatus, District, Membership, Person, Role


async def by_key(session: AsyncSession, name_key: str) -> District | None:
    """The district with this normalised name, archived or not."""
    return await session.scalar(select(District).where(District.name_key == name_key))


async def by_id(session: AsyncSession, district_id: int | None) -> District | None:
    """The district with this id (None for no id, e.g. an unlinked group's)."""
    return None if district_id is None else await session.get(District, district_id)


async def names_by_key(session: AsyncSession) -> dict[str, str]:
    """Every district's normalised name mapped to its display name."""
    rows = await session.execute(select(District.name_key, District.name))
    return {key: name for key, name in rows}


async def of_member(
    session: AsyncSession, telegram_user_id: int, name_key: str, roles: Sequence[Role]
) -> District | None:
    """The district with this name if the person holds one of these roles in it."""
    return await session.scalar(
        select(District)
        .join(Membership, Membership.district_id == District.id)
        .join(Person, Person.id == Membership.person_id)
        .where(
            District.name_key == name_key,
            Person.telegram_user_id == telegram_user_id,
            Membership.role.in_(roles),
        )
    )


@dataclass(frozen=True)
class OverviewRow:
    """One district with its group and its people, as counted by the database."""

    district: District
    chat_title: str | None
    chat_status: ChatStatus | None
    key_figures: int
    chiefs: tuple[str, ...]


async def overview(
    session: AsyncSession, district_ids: Sequence[int] | None = None
) -> list[OverviewRow]:
    """Overview rows for all districts (or these), ordered by name."""
    query = select(District, Chat.title, Chat.status).outerjoin(
        Chat, Chat.district_id == District.id
    )
    if district_ids is not None:
        query = query.where(District.id.in_(district_ids))
    rows = (await session.execute(query.order_by(District.name_key))).all()
    ids = [d.id for d, _, _ in rows]
    count_rows = await session.execute(
        select(Membership.district_id, func.count(Membership.id))
        .where(Membership.district_id.in_(ids), Membership.role == Role.KEY_FIGURE)
        .group_by(Membership.district_id)
    )
    counts = {district_id: count for district_id, count in count_rows}
    chiefs: dict[int, list[str]] = {}
    chief_rows = await session.execute(
        select(Membership.district_id, Person.display_name)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.district_id.in_(ids), Membership.role == Role.CHIEF)
        .order_by(Person.display_name)
    )
    for district_id, name in chief_rows:
        chiefs.setdefault(district_id, []).append(name)
    return [
        OverviewRow(d, title, status, counts.get(d.id, 0), tuple(chiefs.get(d.id, ())))
        for d, title, status in rows
    ]


async def languages(session: AsyncSession, district_ids: Collection[int]) -> dict[int, str]:
    """The language set for each of these districts' groups (districts without one left out)."""
    if not district_ids:
        return {}
    rows = await session.execute(
        select(District.id, District.language).where(
            District.id.in_(district_ids), District.language.is_not(None)
        )
    )
    return {district_id: language for district_id, language in rows if language}
