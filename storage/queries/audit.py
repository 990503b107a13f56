"""Write the audit log inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


def record(
    session: AsyncSession,
    *,
    at: datetime,
    actor_telegram_id: int | None,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one audit entry to the session; it commits with the change it describes."""
    entry = AuditEntry(
        at=at,
        actor_telegram_id=actor_telegram_id,
        action=action,
        subject=subject[:255],
        details=details or {},
    )
    session.add(entry)
    return entry


async def last_at(session: AsyncSession, action: str, actor_telegram_id: int) -> datetime | None:
    """When this actor last did this action, if ever."""
    latest: datetime | None = await session.scalar(
        select(func.max(AuditEntry.at)).where(
            AuditEntry.action == action, AuditEntry.actor_telegram_id == actor_telegram_id
        )
    )
    return latest
