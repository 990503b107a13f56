"""The inbox of updates: kept on receipt, forgotten once handled."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.driver import sqlite_driver, utc_text
from storage.models import InboxUpdate
from storage.queries.answers import _insert as upsert_into

# The table, not the class: plain Core statements, without the ORM's per-row work. A batch of
# updates goes as one executemany of a statement compiled once (a multi-row VALUES built per
# batch was coerced row by row and compiled anew for every batch size).
INBOX = cast(Table, InboxUpdate.__table__)
_KEEP = (
    "INSERT INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)"
    " ON CONFLICT (update_id) DO NOTHING"
)
_FORGET = "DELETE FROM inbox WHERE update_id = ?"


async def keep(
    session: AsyncSession, updates: Sequence[tuple[int, str]], received_at: datetime
) -> None:
    """Store updates (a redelivered one is already there: nothing changes)."""
    if not updates:
        return
    if (db := await sqlite_driver(session)) is not None:
        # One trip to the driver's thread per batch (storage/driver.py): a burst of presses
        # brings a batch every few milliseconds.
        at = utc_text(received_at)
        await db.executemany(_KEEP, [(i, p, at) for i, p in updates])
        return
    stmt = upsert_into(session, INBOX).on_conflict_do_nothing(index_elements=["update_id"])
    await session.execute(
        stmt, [{"update_id": i, "payload": p, "received_at": received_at} for i, p in updates]
    )


async def forget(session: AsyncSession, update_ids: Sequence[int]) -> None:
    """Remove handled updates."""
    if not update_ids:
        return
    if (db := await sqlite_driver(session)) is not None:
        # A second's worth under a burst is a thousand ids: one trip, not a thousand binds
        # rendered into a statement of their own every second (storage/driver.py).
        await db.executemany(_FORGET, [(i,) for i in update_ids])
        return
    await session.execute(delete(INBOX).where(INBOX.c.update_id.in_(update_ids)))


async def forget_before(session: AsyncSession, moment: datetime) -> None:
    """Remove updates received before a moment (too old to be worth handling now)."""
    await session.execute(delete(InboxUpdate).where(InboxUpdate.received_at < moment))


async def unfinished(session: AsyncSession, received_before: datetime | None = None) -> list[str]:
    """The payloads of updates not yet handled (received before a moment), oldest first."""
    query = select(InboxUpdate.payload).order_by(InboxUpdate.update_id)
    if received_before is not None:
        query = query.where(InboxUpdate.received_at < received_before)
    return list(await session.scalars(query))
