"""Reminders and absences: who is still to be reminded, claims, and who is away."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Absence,
    Answer,
    Delivery,
    DeliveryStatus,
    MemberDelivery,
    Membership,
    Person,
    Reminder,
    Role,
)
from storage.queries.answers import _insert


def away_at(now: datetime) -> ColumnElement[bool]:
    """An absence in force at this moment (away ends by itself at `until`)."""
    return (Absence.since <= now) & (Absence.until.is_(None) | (Absence.until > now))


def is_away(person_id: Any, now: datetime) -> ColumnElement[bool]:
    """Whether this person (a column or an id) is away at this moment."""
    return select(Absence.person_id).where(Absence.person_id == person_id, away_at(now)).exists()


async def to_remind(
    session: AsyncSession, checkin_id: int, round_: int, most: int, now: datetime
) -> list[tuple[int, int]]:
    """Key figures of the reached districts still to be reminded in this round.

    Those who answered, cannot be written to, are away, had this round or had `most`
    reminders already are left out. (person id, district id), by person id.
    """
    had = (
        select(func.count(Reminder.id))
        .where(Reminder.checkin_id == checkin_id, Reminder.person_id == Person.id)
        .scalar_subquery()
    )
    this_round = (
        select(Reminder.id)
        .where(
            Reminder.checkin_id == checkin_id,
            Reminder.person_id == Person.id,
            Reminder.round == round_,
        )
        .exists()
    )
    answered = (
        select(Answer.id)
        .where(Answer.checkin_id == checkin_id, Answer.person_id == Person.id)
        .exists()
    )
    rows = await session.execute(
        select(Person.id, Membership.district_id)
        .join(Membership, Membership.person_id == Person.id)
        .join(
            Delivery,
            (Delivery.district_id == Membership.district_id) & (Delivery.checkin_id == checkin_id),
        )
        .where(
            Membership.role == Role.KEY_FIGURE,
            Delivery.status == DeliveryStatus.SENT,
            Person.privately_reachable.is_(True),
            ~answered,
            ~this_round,
            ~is_away(Person.id, now),
            had < most,
        )
        .order_by(Person.id)
    )
    return [(int(person_id), int(district_id)) for person_id, district_id in rows]


async def has_answered(session: AsyncSession, checkin_id: int, person_id: int) -> bool:
    """Whether the person has answered this check-in."""
    found = await session.scalar(
        select(Answer.id).where(Answer.checkin_id == checkin_id, Answer.person_id == person_id)
    )
    return found is not None


async def claim(
    session: AsyncSession,
    *,
    checkin_id: int,
    person_id: int,
    district_id: int,
    round_: int,
    now: datetime,
) -> int | None:
    """Insert the reminder of this round as claimed; its id, or None when it already exists."""
    stmt = (
        _insert(session, Reminder)
        .values(
            checkin_id=checkin_id,
            person_id=person_id,
            district_id=district_id,
            round=round_,
            status=DeliveryStatus.PENDING,
            claimed_at=now,
        )
        .on_conflict_do_nothing(
            index_elements=[Reminder.checkin_id, Reminder.person_id, Reminder.round]
        )
        .returning(Reminder.id)
    )
    return await session.scalar(stmt)


async def mark_reminded(
    session: AsyncSession, checkin_id: int, person_id: int, at: datetime
) -> None:
    """Note the reminder on the person's private copy of the check-in, if they have one."""
    await session.execute(
        update(MemberDelivery)
        .where(MemberDelivery.checkin_id == checkin_id, MemberDelivery.person_id == person_id)
        .values(reminded_at=at)
        .execution_options(synchronize_session=False)
    )


async def settle(session: AsyncSession, reminder_id: int, **values: Any) -> None:
    """Record what came of a reminder's send."""
    await session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def message_ids(
    session: AsyncSession, checkin_id: int, person_id: int
) -> tuple[set[int], bool]:
    """The private reminder messages of a check-in to one person (their buttons answer).

    And whether one is in flight: claimed, its message id not stored yet. Someone quick
    can press its button before the send is settled.
    """
    rows = await session.execute(
        select(Reminder.message_id, Reminder.status).where(
            Reminder.checkin_id == checkin_id, Reminder.person_id == person_id
        )
    )
    ids: set[int] = set()
    in_flight = False
    for message_id, status in rows:
        if message_id is not None:
            ids.add(int(message_id))
        in_flight = in_flight or status is DeliveryStatus.PENDING
    return ids, in_flight


async def sent_count(session: AsyncSession, checkin_id: int) -> int:
    """How many reminders of a check-in went out."""
    n = await session.scalar(
        select(func.count(Reminder.id)).where(
            Reminder.checkin_id == checkin_id, Reminder.status == DeliveryStatus.SENT
        )
    )
    return int(n or 0)


async def claim_nudge(session: AsyncSession, delivery_id: int, now: datetime) -> bool:
    """Take the group nudge of one delivery; of two senders only one gets True."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.nudged_at.is_(None))
        .values(nudged_at=now)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def absence(session: AsyncSession, person_id: int, now: datetime) -> Absence | None:
    """The person's absence in force now, if any."""
    return await session.scalar(
        select(Absence).where(Absence.person_id == person_id, away_at(now))
    )


async def set_away(
    session: AsyncSession, person_id: int, since: datetime, until: datetime | None
) -> None:
    """Say the person is away from now until a moment (or until they say they are back)."""
    stmt = _insert(session, Absence).values(person_id=person_id, since=since, until=until)
    stmt = stmt.on_conflict_do_update(
        index_elements=[Absence.person_id], set_={"since": since, "until": until}
    )
    await session.execute(stmt)


async def end_away(session: AsyncSession, person_id: int) -> bool:
    """Say the person is back; tell whether they were away."""
    result = await session.execute(delete(Absence).where(Absence.person_id == person_id))
    assert isinstance(result, CursorResult)
    return result.rowcount > 0


async def away_among(
    session: AsyncSession, person_ids: Sequence[int], now: datetime
) -> dict[int, datetime | None]:
    """Who of these people is away now, with when it ends (None: until they are back)."""
    if not person_ids:
        return {}
    rows = await session.execute(
        select(Absence.person_id, Absence.until).where(
            Absence.person_id.in_(person_ids), away_at(now)
        )
    )
    return {int(p): until for p, until in rows}


async def away_counts(
    session: AsyncSession, district_ids: Sequence[int], now: datetime
) -> dict[int, int]:
    """How many key figures of each district are away now."""
    if not district_ids:
        return {}
    rows = await session.execute(
        select(Membership.district_id, func.count(Membership.id))
        .join(Absence, Absence.person_id == Membership.person_id)
        .where(
            Membership.district_id.in_(district_ids),
            Membership.role == Role.KEY_FIGURE,
            away_at(now),
        )
        .group_by(Membership.district_id)
    )
    counts = {int(d): int(n) for d, n in rows}
    return {d: counts.get(d, 0) for d in district_ids}
