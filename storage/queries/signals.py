"""The signals of districts in a period, for a meeting's talking points."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Answer,
    CheckIn,
    Escalation,
    Event,
    FollowUp,
    Meeting,
    MeetingDelivery,
    MeetingStatus,
)


async def previous_meeting(
    session: AsyncSession, district_id: int, before: datetime
) -> datetime | None:
    """When the district last met (not cancelled) before a moment."""
    return await session.scalar(
        select(func.max(Meeting.starts_at))
        .join(MeetingDelivery, MeetingDelivery.meeting_id == Meeting.id)
        .where(
            MeetingDelivery.district_id == district_id,
            Meeting.status == MeetingStatus.PLANNED,
            Meeting.starts_at < before,
        )
    )


async def checkin_codes(
    session: AsyncSession, district_id: int, until: datetime
) -> list[tuple[int, str, datetime, list[int]]]:
    """Every check-in the district answered before a moment: id, event, opened, codes."""
    rows = await session.execute(
        select(CheckIn.id, Event.description, CheckIn.opened_at, Answer.code)
        .join(Event, Event.id == CheckIn.event_id)
        .join(Answer, Answer.checkin_id == CheckIn.id)
        .where(
            Answer.district_id == district_id,
            CheckIn.opened_at < until,
            CheckIn.practice.is_(False),  # practice never counts
        )
        .order_by(CheckIn.opened_at, CheckIn.id)
    )
    found: dict[int, tuple[int, str, datetime, list[int]]] = {}
    for checkin_id, event, opened_at, code in rows:
        found.setdefault(checkin_id, (checkin_id, event, opened_at, []))[3].append(int(code))
    return list(found.values())


async def themes(
    session: AsyncSession, district_id: int, since: datetime, until: datetime
) -> Counter[str]:
    """How often each theme came up in the district's follow-ups of a period."""
    rows = await session.scalars(
        select(FollowUp.themes)
        .join(
            Answer,
            and_(Answer.checkin_id == FollowUp.checkin_id, Answer.person_id == FollowUp.person_id),
        )
        .join(CheckIn, CheckIn.id == FollowUp.checkin_id)
        .where(
            Answer.district_id == district_id,
            CheckIn.opened_at >= since,
            CheckIn.opened_at < until,
            CheckIn.practice.is_(False),
        )
    )
    counted: Counter[str] = Counter()
    for chosen in rows:
        counted.update(chosen or [])
    return counted


async def escalations(
    session: AsyncSession, district_ids: Collection[int], since: datetime, until: datetime
) -> dict[tuple[int, str], int]:
    """Acute alerts and contact requests per (district, kind) in a period."""
    rows = await session.execute(
        select(Escalation.district_id, Escalation.kind, func.count(Escalation.id))
        .where(
            Escalation.district_id.in_(district_ids),
            Escalation.at >= since,
            Escalation.at < until,
        )
        .group_by(Escalation.district_id, Escalation.kind)
    )
    return {(d, k): int(n) for d, k, n in rows}
