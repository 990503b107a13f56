"""Insight: the latest check-ins per district, follow-up counts and audit pages; never commit."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Answer,
    AuditEntry,
    CheckIn,
    CheckInStatus,
    Delivery,
    DeliveryStatus,
    District,
    Event,
    FollowUp,
    Person,
)


@dataclass(frozen=True)
class Reached:
    """One check-in that reached one district (its group message went out, or it was answered)."""

    checkin_id: int
    event: str
    status: CheckInStatus
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    district_id: int
    district: str
    key_figures_at_close: int | None
    kind: str = "incident"  # or "pulse": an occurrence of a recurring pulse


async def latest_reached(
    session: AsyncSession,
    district_ids: Collection[int],
    per_district: int,
    *,
    closed_only: bool,
) -> list[Reached]:
    """Each district's latest check-ins, at most per_district, by district name then oldest first.

    Closed ones are ordered by closing time, otherwise by opening time. A check-in counts for a
    district when its group message was sent or when members there answered privately.
    """
    if not district_ids or per_district < 1:
        return []
    when = CheckIn.closed_at if closed_only else CheckIn.opened_at
    answered = exists().where(
        Answer.checkin_id == Delivery.checkin_id, Answer.district_id == Delivery.district_id
    )
    rank = (
        func.row_number()
        .over(partition_by=Delivery.district_id, order_by=(when.desc(), CheckIn.id.desc()))
        .label("rank")
    )
    ranked = (
        select(Delivery.checkin_id, Delivery.district_id, Delivery.key_figures_at_close, rank)
        .join(CheckIn, CheckIn.id == Delivery.checkin_id)
        .where(
            Delivery.district_id.in_(district_ids),
            or_(Delivery.status == DeliveryStatus.SENT, answered),
            CheckIn.practice.is_(False),  # practice never counts
        )
    )
    if closed_only:
        ranked = ranked.where(
            CheckIn.status == CheckInStatus.CLOSED, CheckIn.closed_at.is_not(None)
        )
    sub = ranked.subquery()
    rows = await session.execute(
        select(
            sub.c.checkin_id,
            Event.description,
            CheckIn.status,
            CheckIn.opened_at,
            CheckIn.closes_at,
            CheckIn.closed_at,
            sub.c.district_id,
            District.name,
            sub.c.key_figures_at_close,
            CheckIn.kind,
        )
        .join(CheckIn, CheckIn.id == sub.c.checkin_id)
        .join(Event, Event.id == CheckIn.event_id)
        .join(District, District.id == sub.c.district_id)
        .where(sub.c.rank <= per_district)
        .order_by(District.name_key, District.id, when, CheckIn.id)
    )
    return [Reached(*row) for row in rows]


async def directions(
    session: AsyncSession, checkin_ids: Collection[int]
) -> dict[tuple[int, int], dict[str, int]]:
    """Directions given per (check-in, district of the answer) and direction value."""
    if not checkin_ids:
        return {}
    rows = await session.execute(
        select(Answer.checkin_id, Answer.district_id, FollowUp.direction, func.count())
        .join(
            FollowUp,
            and_(FollowUp.checkin_id == Answer.checkin_id, FollowUp.person_id == Answer.person_id),
        )
        .where(Answer.checkin_id.in_(checkin_ids), FollowUp.direction.is_not(None))
        .group_by(Answer.checkin_id, Answer.district_id, FollowUp.direction)
    )
    found: dict[tuple[int, int], dict[str, int]] = {}
    for checkin_id, district_id, direction, n in rows:
        found.setdefault((checkin_id, district_id), {})[str(direction)] = int(n)
    return found


async def contact_requests(
    session: AsyncSession, district_ids: Collection[int], since: datetime
) -> dict[int, int]:
    """Contact requests per district, in check-ins opened since a moment."""
    if not district_ids:
        return {}
    rows = await session.execute(
        select(Answer.district_id, func.count())
        .join(
            FollowUp,
            and_(FollowUp.checkin_id == Answer.checkin_id, FollowUp.person_id == Answer.person_id),
        )
        .join(CheckIn, CheckIn.id == Answer.checkin_id)
        .where(
            Answer.district_id.in_(district_ids),
            FollowUp.contact_requested.is_(True),
            CheckIn.opened_at >= since,
            CheckIn.practice.is_(False),
        )
        .group_by(Answer.district_id)
    )
    return {district_id: int(n) for district_id, n in rows}


@dataclass(frozen=True)
class AuditRow:
    """An audit entry with the display name of its actor, when the bot knows them."""

    id: int
    at: datetime
    actor_telegram_id: int | None
    actor_name: str | None
    action: str
    subject: str
    details: dict[str, object]


async def audit_page(
    session: AsyncSession, *, before: int | None, after: int | None, size: int
) -> list[AuditRow]:
    """Up to size entries, newest first: those just older than `before`, or just newer than
    `after` (keyset paging on the id, so new entries do not shift the pages)."""
    query = select(
        AuditEntry.id,
        AuditEntry.at,
        AuditEntry.actor_telegram_id,
        Person.display_name,
        AuditEntry.action,
        AuditEntry.subject,
        AuditEntry.details,
    ).outerjoin(Person, Person.telegram_user_id == AuditEntry.actor_telegram_id)
    if after is not None:
        query = query.where(AuditEntry.id > after).order_by(AuditEntry.id).limit(size)
    else:
        if before is not None:
            query = query.where(AuditEntry.id < before)
        query = query.order_by(AuditEntry.id.desc()).limit(size)
    rows = [AuditRow(*row) for row in await session.execute(query)]
    return sorted(rows, key=lambda r: r.id, reverse=True)


async def audit_beyond(
    session: AsyncSession, entry_id: int, side: Literal["newer", "older"]
) -> bool:
    """Tell whether the audit log has entries newer (or older) than this one."""
    condition = AuditEntry.id > entry_id if side == "newer" else AuditEntry.id < entry_id
    return bool(await session.scalar(select(exists().where(condition))))
