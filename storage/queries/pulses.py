"""Recurring pulses: their schedules, the districts they ask, and claiming an occurrence."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import District, PulseDistrict, PulseSchedule


async def add(
    session: AsyncSession, schedule: PulseSchedule, district_ids: Collection[int]
) -> PulseSchedule:
    """Store a new schedule with the districts it asks."""
    session.add(schedule)
    await session.flush()
    for district_id in district_ids:
        session.add(PulseDistrict(schedule_id=schedule.id, district_id=district_id))
    await session.flush()
    return schedule


async def get(session: AsyncSession, schedule_id: int) -> PulseSchedule | None:
    """One schedule by id."""
    return await session.get(PulseSchedule, schedule_id)


async def listed(session: AsyncSession, created_by_id: int | None) -> Sequence[PulseSchedule]:
    """Schedules in the order they were made: all of them (None), or one person's."""
    query = select(PulseSchedule).order_by(PulseSchedule.id)
    if created_by_id is not None:
        query = query.where(PulseSchedule.created_by_id == created_by_id)
    return (await session.scalars(query)).all()


async def due(session: AsyncSession, now: datetime) -> Sequence[PulseSchedule]:
    """Running schedules whose next occurrence has come."""
    query = (
        select(PulseSchedule)
        .where(PulseSchedule.next_due_at <= now, PulseSchedule.paused_at.is_(None))
        .order_by(PulseSchedule.next_due_at, PulseSchedule.id)
    )
    return (await session.scalars(query)).all()


async def claim(
    session: AsyncSession, schedule_id: int, due_at: datetime, next_due_at: datetime, now: datetime
) -> bool:
    """Take the occurrence due at `due_at` by moving the schedule on; False if another did.

    The first statement of its transaction: on PostgreSQL a second claimer waits for the
    row and then finds next_due_at moved; on SQLite writers take turns.
    """
    result = await session.execute(
        update(PulseSchedule)
        .where(
            PulseSchedule.id == schedule_id,
            PulseSchedule.next_due_at == due_at,
            PulseSchedule.paused_at.is_(None),
        )
        .values(next_due_at=next_due_at, last_occurrence_at=now)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def district_names(
    session: AsyncSession, schedule_ids: Collection[int]
) -> dict[int, list[str]]:
    """The names of the districts each schedule asks (none for an all-districts one)."""
    if not schedule_ids:
        return {}
    rows = await session.execute(
        select(PulseDistrict.schedule_id, District.name)
        .join(District, District.id == PulseDistrict.district_id)
        .where(PulseDistrict.schedule_id.in_(schedule_ids))
        .order_by(District.name)
    )
    found: dict[int, list[str]] = {i: [] for i in schedule_ids}
    for schedule_id, name in rows:
        found[schedule_id].append(name)
    return found


async def remove(session: AsyncSession, schedule_id: int) -> None:
    """Delete a schedule; its past check-ins stay, their reference to it cleared."""
    await session.execute(delete(PulseSchedule).where(PulseSchedule.id == schedule_id))
