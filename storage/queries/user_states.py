"""A person's unfinished conversation, as webhook workers share it (bytes in, bytes out)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import UserState
from storage.queries.answers import _insert as upsert_into

STATES = cast(Table, UserState.__table__)


async def load(session: AsyncSession, telegram_user_id: int) -> bytes | None:
    """The stored state of a person, or None."""
    found = await session.scalar(
        select(STATES.c.data).where(STATES.c.telegram_user_id == telegram_user_id)
    )
    return None if found is None else bytes(found)


async def save(session: AsyncSession, telegram_user_id: int, data: bytes, at: datetime) -> None:
    """Store a person's state, replacing what was there."""
    stmt = upsert_into(session, STATES).values(
        telegram_user_id=telegram_user_id, data=data, updated_at=at
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["telegram_user_id"], set_={"data": data, "updated_at": at}
        )
    )


async def drop(session: AsyncSession, telegram_user_id: int) -> None:
    """Remove a person's state."""
    await session.execute(delete(STATES).where(STATES.c.telegram_user_id == telegram_user_id))


async def forget_before(session: AsyncSession, moment: datetime) -> int:
    """Remove states last written before a moment; return how many."""
    result = await session.execute(delete(STATES).where(STATES.c.updated_at < moment))
    return int(getattr(result, "rowcount", 0) or 0)
