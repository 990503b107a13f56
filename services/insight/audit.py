"""The audit log page by page, newest first, for coordinators."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.insight.views import AuditLine, AuditPage
from storage.queries import insight


async def audit_page(
    session: AsyncSession, *, before: int | None, after: int | None, size: int
) -> AuditPage:
    """The entries just older than `before`, just newer than `after`, or the latest.

    A cursor that leads nowhere (say, everything newer was asked for from the newest page)
    gives the latest page rather than an empty one.
    """
    rows = await insight.audit_page(session, before=before, after=after, size=size)
    if not rows and (before is not None or after is not None):
        rows = await insight.audit_page(session, before=None, after=None, size=size)
    if not rows:
        return AuditPage((), None, None)
    top, bottom = rows[0].id, rows[-1].id
    newer = top if await insight.audit_beyond(session, top, "newer") else None
    older = bottom if await insight.audit_beyond(session, bottom, "older") else None
    lines = tuple(
        AuditLine(
            id=r.id,
            at=r.at,
            actor_telegram_id=r.actor_telegram_id,
            actor_name=r.actor_name,
            action=r.action,
            subject=r.subject,
            details=dict(r.details or {}),
        )
        for r in rows
    )
    return AuditPage(lines, newer, older)
