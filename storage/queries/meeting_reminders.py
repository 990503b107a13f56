"""Meeting reminders: who is due one, and marking it sent before it goes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import CursorResult, and_, delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    DeliveryStatus,
    Meeting,
    MeetingInvite,
    MeetingReminder,
    MeetingStatus,
    Person,
    Rsvp,
    RsvpAnswer,
)
from storage.queries.meetings import insert_for_dialect

RSVP, DAY_BEFORE = "rsvp", "day_before"


async def upcoming(session: AsyncSession, now: datetime) -> list[Meeting]:
    """Planned meetings that have not begun."""
    rows = await session.scalars(
        select(Meeting)
        .where(Meeting.status == MeetingStatus.PLANNED, Meeting.starts_at > now)
        .order_by(Meeting.id)
    )
    return list(rows)


def _not_reminded(meeting_id: int, kind: str) -> object:
    return ~exists().where(
        MeetingReminder.meeting_id == meeting_id,
        MeetingReminder.person_id == Person.id,
        MeetingReminder.kind == kind,
    )


async def without_answer(session: AsyncSession, meeting_id: int) -> list[Person]:
    """Key figures invited privately who have not answered and were not reminded yet."""
    rows = await session.scalars(
        select(Person)
        .join(MeetingInvite, MeetingInvite.person_id == Person.id)
        .where(
            MeetingInvite.meeting_id == meeting_id,
            MeetingInvite.status == DeliveryStatus.SENT,
            Person.privately_reachable.is_(True),
            ~exists().where(and_(Rsvp.meeting_id == meeting_id, Rsvp.person_id == Person.id)),
            _not_reminded(meeting_id, RSVP),  # type: ignore[arg-type]
        )
        .order_by(Person.id)
    )
    return list(rows)


async def coming(
    session: AsyncSession, meeting_id: int, *, not_reminded: str | None = None
) -> list[Person]:
    """Who said yes or maybe (and, if asked, has not had this kind of reminder yet)."""
    query = (
        select(Person)
        .join(Rsvp, Rsvp.person_id == Person.id)
        .where(
            Rsvp.meeting_id == meeting_id,
            Rsvp.answer.in_([RsvpAnswer.YES, RsvpAnswer.MAYBE]),
        )
        .order_by(Person.id)
    )
    if not_reminded is not None:
        query = query.where(
            Person.privately_reachable.is_(True),
            _not_reminded(meeting_id, not_reminded),  # type: ignore[arg-type]
        )
    return list(await session.scalars(query))


async def mark(
    session: AsyncSession, meeting_id: int, person_ids: Sequence[int], kind: str, at: datetime
) -> list[int]:
    """Mark these people reminded; return those this call marked (not someone else's)."""
    marked: list[int] = []
    for person_id in person_ids:
        result = await session.execute(
            insert_for_dialect(session, MeetingReminder)
            .values(meeting_id=meeting_id, person_id=person_id, kind=kind, at=at)
            .on_conflict_do_nothing(
                index_elements=[
                    MeetingReminder.meeting_id,
                    MeetingReminder.person_id,
                    MeetingReminder.kind,
                ]
            )
        )
        assert isinstance(result, CursorResult)
        if result.rowcount == 1:
            marked.append(person_id)
    return marked


async def forget(session: AsyncSession, meeting_id: int, kind: str) -> None:
    """Forget who had this kind of reminder (a moved meeting reminds anew)."""
    await session.execute(
        delete(MeetingReminder).where(
            MeetingReminder.meeting_id == meeting_id, MeetingReminder.kind == kind
        )
    )
