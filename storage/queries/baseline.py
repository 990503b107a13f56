"""A district's usual level: its answers in earlier closed check-ins, and alerts claimed once."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Answer,
    BaselineAlert,
    CheckIn,
    CheckInStatus,
    Delivery,
    Direction,
    FollowUp,
    MemberDelivery,
)
from storage.queries.answers import _insert


async def earlier_codes(
    session: AsyncSession,
    district_id: int,
    *,
    before: datetime,
    exclude_id: int,
    ranked: Collection[int],
    limit: int,
) -> list[list[int]]:
    """The ranked codes of the district's last `limit` closed check-ins with any, newest first.

    Only check-ins opened before `before` count, so a summary's baseline does not shift when
    later check-ins close.
    """
    latest = (
        select(CheckIn.id, CheckIn.opened_at)
        .join(Answer, Answer.checkin_id == CheckIn.id)
        .where(
            Answer.district_id == district_id,
            Answer.code.in_(ranked),
            CheckIn.status == CheckInStatus.CLOSED,
            CheckIn.opened_at < before,
            CheckIn.id != exclude_id,
            CheckIn.practice.is_(False),  # practice never counts
        )
        .group_by(CheckIn.id, CheckIn.opened_at)
        .order_by(CheckIn.opened_at.desc(), CheckIn.id.desc())
        .limit(limit)
    )
    ids = [row.id for row in await session.execute(latest)]
    if not ids:
        return []
    rows = await session.execute(
        select(Answer.checkin_id, Answer.code).where(
            Answer.checkin_id.in_(ids),
            Answer.district_id == district_id,
            Answer.code.in_(ranked),
        )
    )
    codes: dict[int, list[int]] = {checkin_id: [] for checkin_id in ids}
    for checkin_id, code in rows:
        codes[checkin_id].append(code)
    return [codes[checkin_id] for checkin_id in ids]


async def earlier_codes_of(
    session: AsyncSession,
    district_ids: Collection[int],
    *,
    before: datetime,
    exclude_id: int,
    ranked: Collection[int],
    limit: int,
) -> dict[int, list[list[int]]]:
    """`earlier_codes` of many districts in two queries (a burst reaches hundreds at once)."""
    found: dict[int, list[list[int]]] = {district_id: [] for district_id in district_ids}
    if not district_ids:
        return found
    numbered = (
        select(
            Answer.district_id.label("district_id"),
            CheckIn.id.label("checkin_id"),
            func.row_number()
            .over(
                partition_by=Answer.district_id,
                order_by=(CheckIn.opened_at.desc(), CheckIn.id.desc()),
            )
            .label("n"),
        )
        .join(Answer, Answer.checkin_id == CheckIn.id)
        .where(
            Answer.district_id.in_(district_ids),
            Answer.code.in_(ranked),
            CheckIn.status == CheckInStatus.CLOSED,
            CheckIn.opened_at < before,
            CheckIn.id != exclude_id,
            CheckIn.practice.is_(False),  # practice never counts
        )
        .group_by(Answer.district_id, CheckIn.id, CheckIn.opened_at)
        .subquery()
    )
    latest = await session.execute(
        select(numbered.c.district_id, numbered.c.checkin_id)
        .where(numbered.c.n <= limit)
        .order_by(numbered.c.district_id, numbered.c.n)
    )
    codes: dict[tuple[int, int], list[int]] = {}
    for district_id, checkin_id in latest:
        codes[(district_id, checkin_id)] = []
        found[district_id].append(codes[(district_id, checkin_id)])
    if not codes:
        return found
    rows = await session.execute(
        select(Answer.district_id, Answer.checkin_id, Answer.code).where(
            Answer.checkin_id.in_({checkin_id for _, checkin_id in codes}),
            Answer.district_id.in_({district_id for district_id, _ in codes}),
            Answer.code.in_(ranked),
        )
    )
    for district_id, checkin_id, code in rows:
        kept = codes.get((district_id, checkin_id))
        if kept is not None:
            kept.append(code)
    return found


async def districts_of(session: AsyncSession, checkin_id: int) -> set[int]:
    """The districts a check-in went to: in a group, or privately to a member."""
    groups = select(Delivery.district_id).where(Delivery.checkin_id == checkin_id)
    members = select(MemberDelivery.district_id).where(MemberDelivery.checkin_id == checkin_id)
    return set(await session.scalars(groups.union(members)))


async def running_codes(
    session: AsyncSession, pairs: Collection[tuple[int, int]]
) -> dict[tuple[int, int], list[int]]:
    """The current answer codes per (check-in, district)."""
    found: dict[tuple[int, int], list[int]] = {pair: [] for pair in pairs}
    for checkin_id in {c for c, _ in pairs}:
        districts = [d for c, d in pairs if c == checkin_id]
        rows = await session.execute(
            select(Answer.district_id, Answer.code).where(
                Answer.checkin_id == checkin_id, Answer.district_id.in_(districts)
            )
        )
        for district_id, code in rows:
            found[(checkin_id, district_id)].append(code)
    return found


async def high_and_rising(
    session: AsyncSession, checkin_id: int, district_id: int, high: Collection[int]
) -> int:
    """How many of the district's key figures answered one of `high` and said it is rising."""
    count = await session.scalar(
        select(func.count())
        .select_from(Answer)
        .join(
            FollowUp,
            (FollowUp.checkin_id == Answer.checkin_id) & (FollowUp.person_id == Answer.person_id),
        )
        .where(
            Answer.checkin_id == checkin_id,
            Answer.district_id == district_id,
            Answer.code.in_(high),
            FollowUp.direction == Direction.RISING,
        )
    )
    return int(count or 0)


async def alerted(session: AsyncSession, checkin_id: int, district_id: int) -> bool:
    """Whether the district's chiefs already had their alert for this check-in."""
    found = await session.scalar(
        select(BaselineAlert.id).where(
            BaselineAlert.checkin_id == checkin_id, BaselineAlert.district_id == district_id
        )
    )
    return found is not None


async def claim_alert(
    session: AsyncSession,
    *,
    checkin_id: int,
    district_id: int,
    reason: str,
    median: float | None,
    baseline: float | None,
    responded: int,
    at: datetime,
) -> bool:
    """Note the district's alert for this check-in; True only the first time (unique key)."""
    stmt = (
        _insert(session, BaselineAlert)
        .values(
            checkin_id=checkin_id,
            district_id=district_id,
            reason=reason,
            median=median,
            baseline=baseline,
            responded=responded,
            at=at,
        )
        .on_conflict_do_nothing(
            index_elements=[BaselineAlert.checkin_id, BaselineAlert.district_id]
        )
        .returning(BaselineAlert.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None
