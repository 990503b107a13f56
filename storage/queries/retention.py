"""What retention finds due, and removes, inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, Select, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Answer,
    AuditEntry,
    CheckIn,
    Escalation,
    FollowUp,
    Invitation,
    LeftPerson,
    MemberDelivery,
    Membership,
    Person,
    Reminder,
)


def _rowcount(result: object) -> int:
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


def _closed_before(before: datetime) -> Select[int]:
    return select(CheckIn.id).where(CheckIn.closed_at.is_not(None), CheckIn.closed_at < before)


async def clear_free_texts(session: AsyncSession, before: datetime) -> int:
    """Clear free texts and contact requests of check-ins closed before then; count them."""
    result = await session.execute(
        update(FollowUp)
        .where(
            FollowUp.checkin_id.in_(_closed_before(before)),
            (FollowUp.free_text.is_not(None)) | (FollowUp.contact_requested.is_not(None)),
        )
        .values(free_text=None, contact_requested=None)
    )
    return _rowcount(result)


async def delete_escalations(session: AsyncSession, before: datetime) -> int:
    """Delete the record of chiefs alerted about a person, for check-ins closed before then."""
    result = await session.execute(
        delete(Escalation).where(Escalation.checkin_id.in_(_closed_before(before)))
    )
    return _rowcount(result)


async def answers_due(session: AsyncSession, before: datetime) -> list[int]:
    """Answers of real people to check-ins closed before then (not yet anonymous)."""
    rows = await session.scalars(
        select(Answer.id)
        .join(Person, Person.id == Answer.person_id)
        .where(Answer.checkin_id.in_(_closed_before(before)), Person.telegram_user_id > 0)
        .order_by(Answer.id)
    )
    return list(rows)


async def delete_member_deliveries(session: AsyncSession, before: datetime) -> int:
    """Delete the record of private sends and reminders, for check-ins closed before then."""
    closed = _closed_before(before)
    result = await session.execute(
        delete(MemberDelivery).where(MemberDelivery.checkin_id.in_(closed))
    )
    reminded = await session.execute(delete(Reminder).where(Reminder.checkin_id.in_(closed)))
    return _rowcount(result) + _rowcount(reminded)


async def delete_invitations(session: AsyncSession, before: datetime) -> int:
    """Delete invitations used, revoked or expired before then."""
    ended = func.coalesce(Invitation.used_at, Invitation.revoked_at, Invitation.expires_at)
    result = await session.execute(delete(Invitation).where(ended < before))
    return _rowcount(result)


async def delete_audit(session: AsyncSession, before: datetime) -> int:
    """Delete audit entries written before then."""
    result = await session.execute(delete(AuditEntry).where(AuditEntry.at < before))
    return _rowcount(result)


async def mark_left_people(session: AsyncSession, at: datetime) -> None:
    """Note who belongs nowhere (from now), and forget the note of those who rejoined."""
    await session.execute(
        delete(LeftPerson).where(exists().where(Membership.person_id == LeftPerson.person_id))
    )
    new = await session.scalars(
        select(Person.id).where(
            ~exists().where(Membership.person_id == Person.id),
            ~exists().where(LeftPerson.person_id == Person.id),
            Person.is_coordinator.is_(False),
            Person.telegram_user_id > 0,
        )
    )
    session.add_all(LeftPerson(person_id=person_id, noticed_at=at) for person_id in new)
    await session.flush()


async def left_people_due(session: AsyncSession, before: datetime) -> list[Person]:
    """People noticed belonging nowhere before then, still nowhere and no coordinator."""
    rows = await session.scalars(
        select(Person)
        .join(LeftPerson, LeftPerson.person_id == Person.id)
        .where(
            LeftPerson.noticed_at < before,
            ~exists().where(Membership.person_id == Person.id),
            Person.is_coordinator.is_(False),
        )
        .order_by(Person.id)
    )
    return list(rows)
