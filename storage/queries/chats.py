"""Telegram groups: look-ups and the conditional status changes that make events idempotent."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, ChatStatus, Delivery, DeliveryStatus


async def by_telegram_id(session: AsyncSession, telegram_chat_id: int) -> Chat | None:
    """The group with this Telegram chat id."""
    return await session.scalar(select(Chat).where(Chat.telegram_chat_id == telegram_chat_id))


async def of_district(session: AsyncSession, district_id: int) -> Chat | None:
    """The group linked to this district, if any."""
    return await session.scalar(select(Chat).where(Chat.district_id == district_id))


async def pending_added_before(session: AsyncSession, cutoff: datetime) -> list[Chat]:
    """Groups still waiting for a link that were added at or before the cutoff."""
    rows = await session.scalars(
        select(Chat)
        .where(Chat.status == ChatStatus.PENDING, Chat.added_at <= cutoff)
        .order_by(Chat.added_at)
    )
    return list(rows)


async def change_status(
    session: AsyncSession,
    chat_id: int,
    *,
    expected: Collection[ChatStatus],
    new: ChatStatus,
    at: datetime,
) -> bool:
    """Move a chat to a new status only if it is still in an expected one; tell if it moved.

    A conditional UPDATE, so two reports of one event (a kick and a 403, a retried job)
    change the status once and only the winner tells anybody.
    """
    result = await session.execute(
        update(Chat)
        .where(Chat.id == chat_id, Chat.status.in_(list(expected)))
        .values(status=new, status_changed_at=at)
        .execution_options(synchronize_session="fetch")
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def mark_migrated(
    session: AsyncSession, chat_id: int, new_telegram_chat_id: int, at: datetime
) -> bool:
    """Retire an old group id in favour of its supergroup, once; tell if this call did it."""
    result = await session.execute(
        update(Chat)
        .where(Chat.id == chat_id, Chat.status != ChatStatus.MIGRATED)
        .values(
            status=ChatStatus.MIGRATED,
            migrated_to_chat_id=new_telegram_chat_id,
            district_id=None,
            status_changed_at=at,
        )
        .execution_options(synchronize_session="fetch")
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def readdress_unsent_deliveries(session: AsyncSession, old_id: int, new_id: int) -> int:
    """Point deliveries not yet sent at the group's new chat id; return how many."""
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.telegram_chat_id == old_id,
            Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.FAILED]),
        )
        .values(telegram_chat_id=new_id)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return int(result.rowcount)
