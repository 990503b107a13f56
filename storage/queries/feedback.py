"""Feedback after a check-in: stored once, sent to each target once, reminded once."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Answer,
    Chat,
    ChatStatus,
    CheckIn,
    CheckInStatus,
    DeliveryStatus,
    Feedback,
    FeedbackReminder,
    FeedbackSend,
    FollowUp,
    MemberDelivery,
    Person,
    Reminder,
)
from storage.queries.answers import _insert


async def of_checkin(session: AsyncSession, checkin_id: int) -> Feedback | None:
    """The feedback given on a check-in, if any."""
    return await session.scalar(select(Feedback).where(Feedback.checkin_id == checkin_id))


async def of_checkins(session: AsyncSession, checkin_ids: Collection[int]) -> dict[int, Feedback]:
    """The feedback of these check-ins, by check-in id."""
    if not checkin_ids:
        return {}
    rows = await session.scalars(select(Feedback).where(Feedback.checkin_id.in_(checkin_ids)))
    return {f.checkin_id: f for f in rows}


async def add(
    session: AsyncSession, checkin_id: int, text: str, written_by_id: int | None, at: datetime
) -> Feedback | None:
    """Store the feedback of a check-in; None when it already has one (unique key)."""
    stmt = (
        _insert(session, Feedback)
        .values(checkin_id=checkin_id, text=text, written_by_id=written_by_id, created_at=at)
        .on_conflict_do_nothing(index_elements=[Feedback.checkin_id])
        .returning(Feedback.id)
    )
    new_id = (await session.execute(stmt)).scalar_one_or_none()
    return None if new_id is None else await session.get(Feedback, new_id)


def add_send(
    session: AsyncSession,
    feedback_id: int,
    *,
    kind: str,
    district_id: int,
    person_id: int | None,
    telegram_chat_id: int | None,
    at: datetime,
) -> None:
    """Queue the feedback for one group (kind 'group') or one key figure ('private')."""
    target = district_id if kind == "group" else person_id
    assert target is not None
    pending = telegram_chat_id is not None
    session.add(
        FeedbackSend(
            feedback_id=feedback_id,
            kind=kind,
            target_id=target,
            district_id=district_id,
            person_id=person_id,
            telegram_chat_id=telegram_chat_id,
            status=DeliveryStatus.PENDING if pending else DeliveryStatus.FAILED,
            last_error=None if pending else "no_group",
            attempts=0,
            updated_at=at,
        )
    )


async def linked_chats(session: AsyncSession, district_ids: Collection[int]) -> dict[int, int]:
    """The Telegram chat id of each district's linked group (districts without one left out)."""
    if not district_ids:
        return {}
    rows = await session.execute(
        select(Chat.district_id, Chat.telegram_chat_id).where(
            Chat.district_id.in_(district_ids), Chat.status == ChatStatus.LINKED
        )
    )
    return {int(d): int(c) for d, c in rows if d is not None}


async def answered_privately(
    session: AsyncSession, checkin_id: int, district_ids: Collection[int]
) -> list[tuple[Person, int]]:
    """Key figures of these districts who answered and spoke with the bot privately about it.

    Privately: the check-in reached them in their private chat (its private copy, or a
    reminder with the answer buttons), or they added depth there (direction, themes, text,
    contact). With their district.
    """
    private_copy = select(MemberDelivery.person_id).where(
        MemberDelivery.checkin_id == checkin_id, MemberDelivery.status == DeliveryStatus.SENT
    )
    reminded = select(Reminder.person_id).where(
        Reminder.checkin_id == checkin_id, Reminder.status == DeliveryStatus.SENT
    )
    depth = select(FollowUp.person_id).where(FollowUp.checkin_id == checkin_id)
    rows = await session.execute(
        select(Person, Answer.district_id)
        .join(Answer, Answer.person_id == Person.id)
        .where(
            Answer.checkin_id == checkin_id,
            Answer.district_id.in_(district_ids),
            or_(Person.id.in_(private_copy), Person.id.in_(reminded), Person.id.in_(depth)),
        )
        .order_by(Person.id)
    )
    return [(p, int(d)) for p, d in rows]


async def due(
    session: AsyncSession, *, now: datetime, stale_before: datetime, feedback_id: int | None
) -> list[tuple[int, int]]:
    """(id, attempts) of pending sends that may go now: free and past any backoff, or stale."""
    free = FeedbackSend.claimed_at.is_(None) & (
        FeedbackSend.retry_at.is_(None) | (FeedbackSend.retry_at <= now)
    )
    stale = FeedbackSend.claimed_at <= stale_before
    query = select(FeedbackSend.id, FeedbackSend.attempts).where(
        FeedbackSend.status == DeliveryStatus.PENDING, free | stale
    )
    if feedback_id is not None:
        query = query.where(FeedbackSend.feedback_id == feedback_id)
    # Groups first: they are what the chief asked for; private copies follow.
    query = query.order_by(FeedbackSend.kind, FeedbackSend.id)
    return [(int(i), int(a)) for i, a in await session.execute(query)]


async def claim(session: AsyncSession, send_id: int, attempts: int, now: datetime) -> bool:
    """Take a pending send; of two racing senders only one wins (attempts as a version)."""
    result = await session.execute(
        update(FeedbackSend)
        .where(
            FeedbackSend.id == send_id,
            FeedbackSend.status == DeliveryStatus.PENDING,
            FeedbackSend.attempts == attempts,
        )
        .values(attempts=attempts + 1, claimed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def settle(session: AsyncSession, send_id: int, **values: Any) -> None:
    """Record what came of a claimed send and release the claim."""
    await session.execute(
        update(FeedbackSend)
        .where(FeedbackSend.id == send_id, FeedbackSend.status == DeliveryStatus.PENDING)
        .values(claimed_at=None, **values)
        .execution_options(synchronize_session=False)
    )


async def next_retry(session: AsyncSession, feedback_id: int | None) -> datetime | None:
    """The earliest backoff end among unclaimed pending sends."""
    query = select(func.min(FeedbackSend.retry_at)).where(
        FeedbackSend.status == DeliveryStatus.PENDING, FeedbackSend.claimed_at.is_(None)
    )
    if feedback_id is not None:
        query = query.where(FeedbackSend.feedback_id == feedback_id)
    return await session.scalar(query)


async def sends_of(session: AsyncSession, feedback_id: int) -> list[FeedbackSend]:
    """Every send of one feedback, groups first."""
    rows = await session.scalars(
        select(FeedbackSend)
        .where(FeedbackSend.feedback_id == feedback_id)
        .order_by(FeedbackSend.kind, FeedbackSend.id)
    )
    return list(rows)


async def without_feedback(
    session: AsyncSession, closed_before: datetime, closed_since: datetime
) -> list[CheckIn]:
    """Closed check-ins in a window that have neither feedback nor a reminder about it."""
    rows = await session.scalars(
        select(CheckIn)
        .outerjoin(Feedback, Feedback.checkin_id == CheckIn.id)
        .outerjoin(FeedbackReminder, FeedbackReminder.checkin_id == CheckIn.id)
        .where(
            and_(
                CheckIn.status == CheckInStatus.CLOSED,
                CheckIn.closed_at <= closed_before,
                CheckIn.closed_at > closed_since,
                Feedback.id.is_(None),
                FeedbackReminder.id.is_(None),
                CheckIn.practice.is_(False),  # practice asks for no feedback
            )
        )
        .order_by(CheckIn.closed_at, CheckIn.id)
    )
    return list(rows)


async def claim_reminder(
    session: AsyncSession, checkin_id: int, person_id: int | None, at: datetime
) -> bool:
    """Note the reminder about a check-in's feedback; True only the first time."""
    stmt = (
        _insert(session, FeedbackReminder)
        .values(checkin_id=checkin_id, person_id=person_id, at=at)
        .on_conflict_do_nothing(index_elements=[FeedbackReminder.checkin_id])
        .returning(FeedbackReminder.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None
