"""Invitations: found by token hash, claimed once with a conditional UPDATE."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import District, Invitation, Person


async def by_hash(session: AsyncSession, token_hash: str) -> Invitation | None:
    """The invitation whose token hashes to this."""
    return await session.scalar(select(Invitation).where(Invitation.token_hash == token_hash))


async def by_id(session: AsyncSession, invitation_id: int) -> Invitation | None:
    """The invitation with this id."""
    return await session.get(Invitation, invitation_id)


def _still_open(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        Invitation.used_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > now,
    )


async def claim(session: AsyncSession, invitation_id: int, now: datetime) -> bool:
    """Mark an invitation used if it is still open; only one caller ever gets True.

    The WHERE clause repeats every validity rule, so of two concurrent accepts the second
    matches no row (PostgreSQL re-checks it after the first commits; SQLite serialises).
    """
    result = await session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, *_still_open(now))
        .values(used_at=now)
        .execution_options(synchronize_session="fetch")
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def revoke(session: AsyncSession, invitation_id: int, now: datetime) -> bool:
    """Revoke an invitation that is neither used nor revoked; tell if this call did it."""
    result = await session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation_id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def revoke_open_of_district(session: AsyncSession, district_id: int, now: datetime) -> int:
    """Revoke every open invitation of a district; return how many."""
    result = await session.execute(
        update(Invitation)
        .where(Invitation.district_id == district_id, *_still_open(now))
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


async def open_with_context(
    session: AsyncSession, now: datetime
) -> list[tuple[Invitation, str, str | None]]:
    """Open invitations with their district's name and their creator's name, oldest first."""
    creator = aliased(Person)
    rows = await session.execute(
        select(Invitation, District.name, creator.display_name)
        .join(District, District.id == Invitation.district_id)
        .outerjoin(creator, creator.id == Invitation.created_by_id)
        .where(*_still_open(now))
        .order_by(Invitation.created_at, Invitation.id)
    )
    return list(rows)
