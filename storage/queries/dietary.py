"""Dietary needs per person and meeting: read, remembered, counted, forgotten."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DietaryNeed, Meeting, Rsvp, RsvpAnswer


async def of(session: AsyncSession, meeting_id: int, person_id: int) -> DietaryNeed | None:
    """The person's needs for this meeting, if they gave any."""
    return await session.scalar(
        select(DietaryNeed).where(
            DietaryNeed.meeting_id == meeting_id, DietaryNeed.person_id == person_id
        )
    )


async def remembered(session: AsyncSession, person_id: int) -> DietaryNeed | None:
    """The person's latest needs that they asked to be remembered."""
    return await session.scalar(
        select(DietaryNeed)
        .where(DietaryNeed.person_id == person_id, DietaryNeed.remember.is_(True))
        .order_by(DietaryNeed.updated_at.desc(), DietaryNeed.id.desc())
        .limit(1)
    )


async def drop(session: AsyncSession, person_id: int, meeting_id: int | None = None) -> int:
    """Delete a person's needs (for one meeting, or all of them); return how many rows."""
    query = delete(DietaryNeed).where(DietaryNeed.person_id == person_id)
    if meeting_id is not None:
        query = query.where(DietaryNeed.meeting_id == meeting_id)
    result = await session.execute(query)
    assert isinstance(result, CursorResult)
    return result.rowcount


async def drop_remembered_except(session: AsyncSession, person_id: int, keep_id: int) -> None:
    """Forget older remembered needs of a person: one remembered copy is enough."""
    await session.execute(
        delete(DietaryNeed).where(
            DietaryNeed.person_id == person_id,
            DietaryNeed.remember.is_(True),
            DietaryNeed.id != keep_id,
        )
    )


async def of_attendees(
    session: AsyncSession, meeting_ids: Sequence[int]
) -> list[tuple[int, list[str], str | None]]:
    """(meeting id, needs, free text) of everyone coming or maybe — no person in it."""
    rows = await session.execute(
        select(DietaryNeed.meeting_id, DietaryNeed.needs, DietaryNeed.free_text)
        .join(
            Rsvp,
            (Rsvp.meeting_id == DietaryNeed.meeting_id)
            & (Rsvp.person_id == DietaryNeed.person_id),
        )
        .where(
            DietaryNeed.meeting_id.in_(meeting_ids),
            Rsvp.answer.in_([RsvpAnswer.YES, RsvpAnswer.MAYBE]),
        )
        .order_by(DietaryNeed.free_text)  # an order that says nothing about who
    )
    return [(int(m), list(n or []), t) for m, n, t in rows]


async def forget_past(session: AsyncSession, before: datetime) -> int:
    """Delete needs not to be remembered of meetings that started before a moment."""
    past = select(Meeting.id).where(Meeting.starts_at < before)
    stale = DietaryNeed.remember.is_(False) & DietaryNeed.meeting_id.in_(past)
    # Looked for first: the sweep runs often, and a DELETE takes SQLite's write lock even
    # when it finds nothing.
    if await session.scalar(select(DietaryNeed.id).where(stale).limit(1)) is None:
        return 0
    result = await session.execute(delete(DietaryNeed).where(stale))
    assert isinstance(result, CursorResult)
    return result.rowcount
