"""Check-ins: look-ups, deadlines, and the conditional updates that make closing idempotent."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    CheckIn,
    CheckInStatus,
    Delivery,
    DeliveryStatus,
    District,
    Event,
    Membership,
    Role,
)
from storage.queries.reminders import is_away


async def with_event(
    session: AsyncSession, checkin_id: int, *, lock: bool = False
) -> tuple[CheckIn, Event] | None:
    """The check-in and its event; with lock, held against a concurrent close.

    The shared lock (PostgreSQL FOR SHARE; SQLite serialises writers anyway) makes a close
    wait for presses in flight, so the final tally contains every acknowledged answer.
    """
    query = (
        select(CheckIn, Event)
        .join(Event, Event.id == CheckIn.event_id)
        .where(CheckIn.id == checkin_id)
    )
    if lock:
        query = query.with_for_update(read=True, of=CheckIn)
    row = (await session.execute(query)).first()
    return None if row is None else (row[0], row[1])


async def close(session: AsyncSession, checkin_id: int, at: datetime, by_id: int | None) -> bool:
    """Close a check-in that is still open; only one caller ever gets True."""
    result = await session.execute(
        update(CheckIn)
        .where(CheckIn.id == checkin_id, CheckIn.status == CheckInStatus.OPEN)
        .values(status=CheckInStatus.CLOSED, closed_at=at, closed_by_id=by_id)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def claim_summary(session: AsyncSession, checkin_id: int, at: datetime) -> bool:
    """Mark a closed check-in's summary as sent, once; tell if this call did it."""
    result = await session.execute(
        update(CheckIn)
        .where(
            CheckIn.id == checkin_id,
            CheckIn.status == CheckInStatus.CLOSED,
            CheckIn.summary_sent_at.is_(None),
        )
        .values(summary_sent_at=at)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def open_ones(session: AsyncSession, due_by: datetime | None = None) -> list[CheckIn]:
    """Open check-ins by deadline (only those due at or before due_by, if given)."""
    query = select(CheckIn).where(CheckIn.status == CheckInStatus.OPEN)
    if due_by is not None:
        query = query.where(CheckIn.closes_at <= due_by)
    return list(await session.scalars(query.order_by(CheckIn.closes_at, CheckIn.id)))


async def closed_without_summary(session: AsyncSession) -> list[int]:
    """Closed check-ins whose summary has not gone out (a crash right after closing)."""
    rows = await session.scalars(
        select(CheckIn.id).where(
            CheckIn.status == CheckInStatus.CLOSED, CheckIn.summary_sent_at.is_(None)
        )
    )
    return list(rows)


async def previous_closed(
    session: AsyncSession, district_id: int, before: datetime, exclude_id: int
) -> tuple[CheckIn, Event] | None:
    """The district's latest closed check-in that reached it, opened before a moment."""
    row = (
        await session.execute(
            select(CheckIn, Event)
            .join(Event, Event.id == CheckIn.event_id)
            .join(Delivery, Delivery.checkin_id == CheckIn.id)
            .where(
                Delivery.district_id == district_id,
                Delivery.status == DeliveryStatus.SENT,
                CheckIn.status == CheckInStatus.CLOSED,
                CheckIn.opened_at < before,
                CheckIn.id != exclude_id,
                CheckIn.practice.is_(False),  # practice never counts
            )
            .order_by(CheckIn.opened_at.desc(), CheckIn.id.desc())
            .limit(1)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def recent(
    session: AsyncSession, district_ids: Collection[int] | None, since: datetime, limit: int
) -> list[tuple[CheckIn, Event]]:
    """Open check-ins and those opened since a moment, newest first (of these districts)."""
    query = (
        select(CheckIn, Event)
        .join(Event, Event.id == CheckIn.event_id)
        .where((CheckIn.status == CheckInStatus.OPEN) | (CheckIn.opened_at >= since))
    )
    if district_ids is not None:
        reached = select(Delivery.checkin_id).where(Delivery.district_id.in_(district_ids))
        query = query.where(CheckIn.id.in_(reached))
    query = query.order_by(CheckIn.opened_at.desc(), CheckIn.id.desc()).limit(limit)
    return [(c, e) for c, e in await session.execute(query)]


async def key_figure_counts(
    session: AsyncSession, district_ids: Sequence[int], now: datetime | None = None
) -> dict[int, int]:
    """The current number of key figures per district (N of 'n of N').

    Given the time, those away then are left out: they are not expected to answer.
    """
    if not district_ids:
        return {}
    query = select(Membership.district_id, func.count(Membership.id)).where(
        Membership.district_id.in_(district_ids), Membership.role == Role.KEY_FIGURE
    )
    if now is not None:
        query = query.where(~is_away(Membership.person_id, now))
    rows = await session.execute(query.group_by(Membership.district_id))
    counts = {district_id: int(n) for district_id, n in rows}
    return {district_id: counts.get(district_id, 0) for district_id in district_ids}


async def live_districts(session: AsyncSession) -> list[District]:
    """Every district that is not archived, by name."""
    rows = await session.scalars(
        select(District).where(District.archived_at.is_(None)).order_by(District.name_key)
    )
    return list(rows)
