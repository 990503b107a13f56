"""People: look-ups by Telegram user id, coordinators, reachability."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person


async def by_telegram_id(session: AsyncSession, telegram_user_id: int) -> Person | None:
    """The person with this numeric Telegram user id."""
    return await session.scalar(select(Person).where(Person.telegram_user_id == telegram_user_id))


async def by_id(session: AsyncSession, person_id: int) -> Person | None:
    """One person by their row id."""
    return await session.get(Person, person_id)


async def by_telegram_ids(session: AsyncSession, ids: Collection[int]) -> list[Person]:
    """The people with these Telegram user ids (unknown ids are skipped)."""
    if not ids:
        return []
    return list(await session.scalars(select(Person).where(Person.telegram_user_id.in_(ids))))


async def coordinators(session: AsyncSession) -> list[Person]:
    """Everyone marked as coordinator, in a stable order."""
    rows = await session.scalars(
        select(Person).where(Person.is_coordinator.is_(True)).order_by(Person.telegram_user_id)
    )
    return list(rows)


async def get_or_add(
    session: AsyncSession,
    telegram_user_id: int,
    *,
    display_name: str,
    at: datetime,
    language: str | None = None,
) -> Person:
    """The person with this id, added (and flushed) if new; the display name is refreshed."""
    person = await by_telegram_id(session, telegram_user_id)
    if person is None:
        person = Person(
            telegram_user_id=telegram_user_id,
            display_name=display_name,
            language=language,
            is_coordinator=False,
            privately_reachable=True,
            created_at=at,
        )
        session.add(person)
        await session.flush()
        return person
    if display_name:
        person.display_name = display_name
    if language:
        person.language = language
    return person


async def set_reachable(session: AsyncSession, telegram_user_id: int, reachable: bool) -> bool:
    """Record whether a private send works; tell whether that changed anything."""
    result = await session.execute(
        update(Person)
        .where(
            Person.telegram_user_id == telegram_user_id,
            Person.privately_reachable.is_not(reachable),
        )
        .values(privately_reachable=reachable)
        .execution_options(synchronize_session="fetch")
    )
    assert isinstance(result, CursorResult)
    return result.rowcount > 0
