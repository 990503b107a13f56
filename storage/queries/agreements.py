"""Members whose accepted agreement is older than the one in force."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AgreementRequest, Membership, Person


async def not_yet_asked(session: AsyncSession, version: str) -> list[Person]:
    """Members holding a membership under another version, not yet asked about this one."""
    outdated = exists().where(
        Membership.person_id == Person.id,
        (Membership.agreement_version.is_(None)) | (Membership.agreement_version != version),
    )
    asked = exists().where(
        AgreementRequest.person_id == Person.id, AgreementRequest.version == version
    )
    rows = await session.scalars(
        select(Person).where(outdated, ~asked, Person.telegram_user_id > 0).order_by(Person.id)
    )
    return list(rows)


def mark_asked(session: AsyncSession, person_id: int, version: str, at: datetime) -> None:
    """Record that the person was asked about this version (once: the key says so)."""
    session.add(AgreementRequest(person_id=person_id, version=version, asked_at=at))


async def accept(session: AsyncSession, person_id: int, version: str) -> int:
    """Put the person's memberships under this version; return how many changed."""
    result = await session.execute(
        update(Membership)
        .where(
            Membership.person_id == person_id,
            (Membership.agreement_version.is_(None)) | (Membership.agreement_version != version),
        )
        .values(agreement_version=version)
    )
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


async def has_membership(session: AsyncSession, person_id: int) -> bool:
    """Tell whether the person belongs to any district."""
    found = await session.scalar(select(exists().where(Membership.person_id == person_id)))
    return bool(found)
