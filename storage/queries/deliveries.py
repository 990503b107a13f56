"""Deliveries of check-ins to groups and to members: due sends, claims, outcomes, edits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    CheckIn,
    CheckInStatus,
    Delivery,
    DeliveryCopy,
    DeliveryStatus,
    District,
    Event,
    MemberDelivery,
    Person,
)

# The dialect's INSERT with ON CONFLICT, as answers are upserted.
from storage.queries.answers import _insert as upsert_into

AnyDelivery = type[Delivery] | type[MemberDelivery]


async def due(
    session: AsyncSession,
    model: AnyDelivery,
    *,
    now: datetime,
    stale_before: datetime | None,
    checkin_id: int | None = None,
) -> list[tuple[int, int, int]]:
    """(id, attempts, check-in id) of pending sends that may go now, oldest first.

    Free ones wait for no backoff; claimed ones count only once their claim is older than
    stale_before (their sender is taken to be dead). None: resume every claimed one.
    """
    free = model.claimed_at.is_(None) & (model.retry_at.is_(None) | (model.retry_at <= now))
    stale = (
        model.claimed_at.is_not(None)
        if stale_before is None
        else model.claimed_at <= stale_before  # NULL never compares: only claimed ones
    )
    query = select(model.id, model.attempts, model.checkin_id).where(
        model.status == DeliveryStatus.PENDING, free | stale
    )
    if model is MemberDelivery:  # private copies held by quiet hours wait for their end
        query = query.where(
            MemberDelivery.held_until.is_(None) | (MemberDelivery.held_until <= now)
        )
    if checkin_id is not None:
        query = query.where(model.checkin_id == checkin_id)
    rows = await session.execute(query.order_by(model.id))
    return [(int(i), int(a), int(c)) for i, a, c in rows]


async def claim(
    session: AsyncSession, model: AnyDelivery, delivery_id: int, attempts: int, now: datetime
) -> bool:
    """Take a pending send for this sender; of two racing senders only one gets True.

    The attempt count seen when it was found doubles as a version: whoever claimed it in
    between has raised it, and this UPDATE then matches nothing. Taking over a claim (its
    sender died mid-send) makes the delivery uncertain: Telegram may have posted it.
    """
    result = await session.execute(
        update(model)
        .where(
            model.id == delivery_id,
            model.status == DeliveryStatus.PENDING,
            model.attempts == attempts,
        )
        .values(
            attempts=attempts + 1,
            claimed_at=now,
            updated_at=now,
            uncertain=or_(model.uncertain, model.claimed_at.is_not(None)),
        )
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def settle(
    session: AsyncSession, model: AnyDelivery, delivery_id: int, **values: Any
) -> None:
    """Record what came of a claimed send (and release the claim)."""
    await session.execute(
        update(model)
        .where(model.id == delivery_id, model.status == DeliveryStatus.PENDING)
        .values(claimed_at=None, **values)
        .execution_options(synchronize_session=False)
    )


async def next_retry(
    session: AsyncSession, model: AnyDelivery, checkin_id: int | None
) -> datetime | None:
    """The earliest backoff end among pending sends (None: nothing waits)."""
    query = select(func.min(model.retry_at)).where(
        model.status == DeliveryStatus.PENDING, model.claimed_at.is_(None)
    )
    if checkin_id is not None:
        query = query.where(model.checkin_id == checkin_id)
    return await session.scalar(query)


async def in_flight(
    session: AsyncSession, model: AnyDelivery, checkin_id: int, stale_before: datetime
) -> int:
    """How many of a check-in's sends another sender holds now (a claim newer than stale)."""
    count = await session.scalar(
        select(func.count())
        .select_from(model)
        .where(
            model.checkin_id == checkin_id,
            model.status == DeliveryStatus.PENDING,
            model.claimed_at > stale_before,
        )
    )
    return int(count or 0)


async def group_send(
    session: AsyncSession, delivery_id: int
) -> tuple[Delivery, CheckIn, Event, District] | None:
    """A group delivery with its check-in, event and district."""
    row = (
        await session.execute(
            select(Delivery, CheckIn, Event, District)
            .join(CheckIn, CheckIn.id == Delivery.checkin_id)
            .join(Event, Event.id == CheckIn.event_id)
            .join(District, District.id == Delivery.district_id)
            .where(Delivery.id == delivery_id)
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


async def member_send(
    session: AsyncSession, delivery_id: int
) -> tuple[MemberDelivery, CheckIn, Event, District, Person] | None:
    """A private delivery with its check-in, event, district and person."""
    row = (
        await session.execute(
            select(MemberDelivery, CheckIn, Event, District, Person)
            .join(CheckIn, CheckIn.id == MemberDelivery.checkin_id)
            .join(Event, Event.id == CheckIn.event_id)
            .join(District, District.id == MemberDelivery.district_id)
            .join(Person, Person.id == MemberDelivery.person_id)
            .where(MemberDelivery.id == delivery_id)
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2], row[3], row[4])


async def of_checkin(session: AsyncSession, checkin_id: int) -> list[tuple[Delivery, District]]:
    """A check-in's group deliveries with their districts, by district name."""
    rows = await session.execute(
        select(Delivery, District)
        .join(District, District.id == Delivery.district_id)
        .where(Delivery.checkin_id == checkin_id)
        .order_by(District.name_key)
    )
    return [(d, district) for d, district in rows]


async def for_district(
    session: AsyncSession, checkin_id: int, district_id: int
) -> Delivery | None:
    """The check-in's delivery to one district."""
    return await session.scalar(
        select(Delivery).where(
            Delivery.checkin_id == checkin_id, Delivery.district_id == district_id
        )
    )


async def for_member(
    session: AsyncSession, checkin_id: int, person_id: int
) -> MemberDelivery | None:
    """The check-in's private delivery to one person."""
    return await session.scalar(
        select(MemberDelivery).where(
            MemberDelivery.checkin_id == checkin_id, MemberDelivery.person_id == person_id
        )
    )


async def member_statuses(session: AsyncSession, checkin_id: int) -> dict[DeliveryStatus, int]:
    """How many private deliveries of a check-in are in each status.

    Those skipped because the person said they are away are no failure and not counted.
    """
    rows = await session.execute(
        select(MemberDelivery.status, func.count(MemberDelivery.id))
        .where(
            MemberDelivery.checkin_id == checkin_id,
            func.coalesce(MemberDelivery.last_error, "") != "away",
        )
        .group_by(MemberDelivery.status)
    )
    return {status: int(n) for status, n in rows}


async def shown_in_groups(
    session: AsyncSession, closed_since: datetime, edited_before: datetime | None = None
) -> list[tuple[Delivery, CheckIn, Event, District]]:
    """Sent group messages of open check-ins, and of ones closed since a moment.

    With `edited_before`, only those not edited after it (or never).
    """
    query = (
        select(Delivery, CheckIn, Event, District)
        .join(CheckIn, CheckIn.id == Delivery.checkin_id)
        .join(Event, Event.id == CheckIn.event_id)
        .join(District, District.id == Delivery.district_id)
        .where(
            Delivery.status == DeliveryStatus.SENT,
            Delivery.message_id.is_not(None),
            Delivery.telegram_chat_id.is_not(None),
            (CheckIn.status == CheckInStatus.OPEN) | (CheckIn.closed_at >= closed_since),
        )
        .order_by(Delivery.id)
    )
    if edited_before is not None:
        query = query.where(
            Delivery.last_edited_at.is_(None) | (Delivery.last_edited_at <= edited_before)
        )
    rows = await session.execute(query)
    return [(d, c, e, district) for d, c, e, district in rows]


async def mark_shown_many(
    session: AsyncSession, shown: Sequence[tuple[int, str | None, datetime]]
) -> None:
    """Record what many group messages show, in at most two statements.

    Rows are (delivery, hash, when); a hash of None is unknown: edit again when due. One
    statement for the known hashes and one for the unknown, each sent with every row as
    parameters: the tally job edits up to hundreds of groups, and a transaction per edit
    cost more than the edit.
    """
    known = [{"b_id": d, "b_hash": h, "b_at": at} for d, h, at in shown if h is not None]
    unknown = [{"b_id": d, "b_at": at} for d, h, at in shown if h is None]
    where = Delivery.id == bindparam("b_id")
    # On the connection: the ORM would take a list of parameters for an update by primary key.
    conn = await session.connection()
    if known:
        await conn.execute(
            update(Delivery)
            .where(where)
            .values(last_edited_at=bindparam("b_at"), shown_text_hash=bindparam("b_hash")),
            known,
        )
    if unknown:
        await conn.execute(
            update(Delivery).where(where).values(last_edited_at=bindparam("b_at")), unknown
        )


async def adopt_copy(
    session: AsyncSession, delivery_id: int, message_id: int, now: datetime
) -> None:
    """Record another copy of a group's check-in message (once, however often pressed)."""
    stmt = upsert_into(session, DeliveryCopy).values(
        delivery_id=delivery_id, message_id=message_id, adopted_at=now
    )
    await session.execute(
        stmt.on_conflict_do_nothing(index_elements=["delivery_id", "message_id"])
    )


async def forget_shown(session: AsyncSession, delivery_id: int) -> None:
    """Forget what a group message shows, so the tally job edits it (and its copies) again."""
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(shown_text_hash=None)
        .execution_options(synchronize_session=False)
    )


async def copies_of(session: AsyncSession, delivery_ids: Sequence[int]) -> dict[int, list[int]]:
    """The adopted copies' message ids of these deliveries, oldest first."""
    found: dict[int, list[int]] = {}
    if delivery_ids:
        rows = await session.execute(
            select(DeliveryCopy.delivery_id, DeliveryCopy.message_id)
            .where(DeliveryCopy.delivery_id.in_(delivery_ids))
            .order_by(DeliveryCopy.id)
        )
        for delivery_id, message_id in rows:
            found.setdefault(int(delivery_id), []).append(int(message_id))
    return found


async def count_pending(session: AsyncSession) -> int:
    """How many group and private check-in messages still wait to be sent."""
    total = 0
    for model in (Delivery, MemberDelivery):
        pending = model.status == DeliveryStatus.PENDING
        query = select(func.count()).select_from(model).where(pending)
        total += int(await session.scalar(query) or 0)
    return total
