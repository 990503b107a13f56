"""Meetings: their group and private invitations (claimed, settled), RSVPs and counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    DeliveryStatus,
    District,
    Meeting,
    MeetingDelivery,
    MeetingInvite,
    MeetingReminder,
    MeetingStatus,
    Membership,
    Person,
    Rsvp,
    RsvpAnswer,
)

AnySend = type[MeetingDelivery] | type[MeetingInvite]


def insert_for_dialect(session: AsyncSession, model: Any) -> Any:
    """INSERT for this session's dialect, which has ON CONFLICT (SQLite and PostgreSQL)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"no upsert for the {dialect} dialect")


async def due(
    session: AsyncSession,
    model: AnySend,
    *,
    now: datetime,
    stale_before: datetime,
    meeting_id: int | None = None,
) -> list[tuple[int, int]]:
    """(id, attempts) of pending sends that may go now: free, or claimed by a dead sender."""
    free = model.claimed_at.is_(None) & (model.retry_at.is_(None) | (model.retry_at <= now))
    stale = model.claimed_at <= stale_before  # NULL never compares: only claimed ones
    query = select(model.id, model.attempts).where(
        model.status == DeliveryStatus.PENDING, free | stale
    )
    if meeting_id is not None:
        query = query.where(model.meeting_id == meeting_id)
    rows = await session.execute(query.order_by(model.id))
    return [(int(i), int(a)) for i, a in rows]


async def claim(
    session: AsyncSession, model: AnySend, send_id: int, attempts: int, now: datetime
) -> bool:
    """Take a pending send; of two racing senders only one gets True (attempts as version)."""
    result = await session.execute(
        update(model)
        .where(
            model.id == send_id,
            model.status == DeliveryStatus.PENDING,
            model.attempts == attempts,
        )
        .values(attempts=attempts + 1, claimed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def settle(session: AsyncSession, model: AnySend, send_id: int, **values: Any) -> None:
    """Record what came of a claimed send (and release the claim)."""
    await session.execute(
        update(model)
        .where(model.id == send_id, model.status == DeliveryStatus.PENDING)
        .values(claimed_at=None, **values)
        .execution_options(synchronize_session=False)
    )


async def next_retry(session: AsyncSession, meeting_id: int | None) -> datetime | None:
    """The earliest backoff end among a meeting's (or all) pending sends."""
    found: list[datetime] = []
    for model in (MeetingDelivery, MeetingInvite):
        query = select(func.min(model.retry_at)).where(
            model.status == DeliveryStatus.PENDING, model.claimed_at.is_(None)
        )
        if meeting_id is not None:
            query = query.where(model.meeting_id == meeting_id)
        at = await session.scalar(query)
        if at is not None:
            found.append(at)
    return min(found, default=None)


async def group_send(
    session: AsyncSession, send_id: int
) -> tuple[MeetingDelivery, Meeting, District] | None:
    """A group invitation with its meeting and district."""
    row = (
        await session.execute(
            select(MeetingDelivery, Meeting, District)
            .join(Meeting, Meeting.id == MeetingDelivery.meeting_id)
            .join(District, District.id == MeetingDelivery.district_id)
            .where(MeetingDelivery.id == send_id)
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2])


async def private_send(
    session: AsyncSession, send_id: int
) -> tuple[MeetingInvite, Meeting, District, Person] | None:
    """A private invitation with its meeting, district and person."""
    row = (
        await session.execute(
            select(MeetingInvite, Meeting, District, Person)
            .join(Meeting, Meeting.id == MeetingInvite.meeting_id)
            .join(District, District.id == MeetingInvite.district_id)
            .join(Person, Person.id == MeetingInvite.person_id)
            .where(MeetingInvite.id == send_id)
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


async def district_names(
    session: AsyncSession, meeting_ids: Sequence[int]
) -> dict[int, list[str]]:
    """The invited districts' names per meeting, by name."""
    rows = await session.execute(
        select(MeetingDelivery.meeting_id, District.name)
        .join(District, District.id == MeetingDelivery.district_id)
        .where(MeetingDelivery.meeting_id.in_(meeting_ids))
        .order_by(District.name_key)
    )
    names: dict[int, list[str]] = {m: [] for m in meeting_ids}
    for meeting_id, name in rows:
        names[meeting_id].append(name)
    return names


async def invited_districts(session: AsyncSession, meeting_id: int) -> list[int]:
    """The ids of the districts a meeting invites."""
    rows = await session.scalars(
        select(MeetingDelivery.district_id).where(MeetingDelivery.meeting_id == meeting_id)
    )
    return list(rows)


async def membership_in(
    session: AsyncSession, person_id: int, district_ids: Sequence[int]
) -> list[int]:
    """Which of these districts the person belongs to (any role)."""
    rows = await session.scalars(
        select(Membership.district_id).where(
            Membership.person_id == person_id, Membership.district_id.in_(district_ids)
        )
    )
    return sorted(rows)


async def upsert_rsvp(
    session: AsyncSession,
    *,
    meeting_id: int,
    person_id: int,
    district_id: int,
    answer: RsvpAnswer,
    at: datetime,
) -> RsvpAnswer | None:
    """Set a person's RSVP; return the answer it had before (None: the first one).

    The unique (meeting, person) constraint decides between insert and update, so a double
    press or a redelivered update cannot count twice.
    """
    before = await session.scalar(
        select(Rsvp.answer).where(Rsvp.meeting_id == meeting_id, Rsvp.person_id == person_id)
    )
    stmt = insert_for_dialect(session, Rsvp).values(
        meeting_id=meeting_id,
        person_id=person_id,
        district_id=district_id,
        answer=answer,
        first_answered_at=at,
        answered_at=at,
        changes=0,
    )
    changed = stmt.excluded.answer != Rsvp.__table__.c.answer
    stmt = stmt.on_conflict_do_update(
        index_elements=[Rsvp.meeting_id, Rsvp.person_id],
        set_={
            "answer": stmt.excluded.answer,
            "answered_at": stmt.excluded.answered_at,
            "changes": Rsvp.__table__.c.changes + changed.cast(Rsvp.changes.type),
        },
    )
    await session.execute(stmt)
    return before


async def rsvp_counts(
    session: AsyncSession, meeting_ids: Sequence[int]
) -> dict[tuple[int, int], dict[RsvpAnswer, int]]:
    """How many answered what, per (meeting, district)."""
    rows = await session.execute(
        select(Rsvp.meeting_id, Rsvp.district_id, Rsvp.answer, func.count(Rsvp.id))
        .where(Rsvp.meeting_id.in_(meeting_ids))
        .group_by(Rsvp.meeting_id, Rsvp.district_id, Rsvp.answer)
    )
    counts: dict[tuple[int, int], dict[RsvpAnswer, int]] = {}
    for meeting_id, district_id, answer, n in rows:
        counts.setdefault((meeting_id, district_id), {})[answer] = int(n)
    return counts


async def shown_in_groups(
    session: AsyncSession, since: datetime
) -> list[tuple[MeetingDelivery, Meeting, District]]:
    """Sent group invitations of meetings that have not yet taken place (since: a moment)."""
    rows = await session.execute(
        select(MeetingDelivery, Meeting, District)
        .join(Meeting, Meeting.id == MeetingDelivery.meeting_id)
        .join(District, District.id == MeetingDelivery.district_id)
        .where(
            MeetingDelivery.status == DeliveryStatus.SENT,
            MeetingDelivery.message_id.is_not(None),
            MeetingDelivery.telegram_chat_id.is_not(None),
            Meeting.starts_at >= since,
        )
        .order_by(MeetingDelivery.id)
    )
    return [(d, m, district) for d, m, district in rows]


async def mark_shown(
    session: AsyncSession, send_id: int, shown_hash: str | None, at: datetime
) -> None:
    """Record what a group invitation shows now (None: unknown, edit again when due)."""
    values: dict[str, Any] = {"last_edited_at": at}
    if shown_hash is not None:
        values["shown_text_hash"] = shown_hash
    await session.execute(
        update(MeetingDelivery)
        .where(MeetingDelivery.id == send_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def claim_headcount(session: AsyncSession, now: datetime) -> list[int]:
    """Mark every planned meeting past its RSVP deadline whose headcount is unsent; return them.

    A conditional UPDATE: of two processes only one marks a meeting, and once committed a
    restart does not send it again.
    """
    ids = list(
        await session.scalars(
            select(Meeting.id).where(
                Meeting.status == MeetingStatus.PLANNED,
                Meeting.rsvp_deadline <= now,
                Meeting.headcount_sent_at.is_(None),
            )
        )
    )
    claimed: list[int] = []
    for meeting_id in ids:
        result = await session.execute(
            update(Meeting)
            .where(Meeting.id == meeting_id, Meeting.headcount_sent_at.is_(None))
            .values(headcount_sent_at=now)
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        if result.rowcount == 1:
            claimed.append(meeting_id)
    return claimed


async def pressed_on_invitation(
    session: AsyncSession,
    meeting_id: int,
    person_id: int,
    telegram_user_id: int,
    chat_id: int,
    message_id: int,
) -> bool:
    """Tell whether a press is on this meeting's invitation: in a group, or the person's own."""
    groups = await session.execute(
        select(MeetingDelivery.message_id).where(
            MeetingDelivery.meeting_id == meeting_id, MeetingDelivery.telegram_chat_id == chat_id
        )
    )
    # A send in flight has no stored message id yet: its press in that very chat counts.
    if any(stored in (None, message_id) for (stored,) in groups):
        return True
    # A private invitation lives in the person's own chat, whose id is theirs.
    if chat_id != telegram_user_id:
        return False
    invite = (
        await session.execute(
            select(MeetingInvite.message_id).where(
                MeetingInvite.meeting_id == meeting_id, MeetingInvite.person_id == person_id
            )
        )
    ).first()
    if invite is not None and invite[0] in (None, message_id):
        return True
    # A reminder carries the same buttons and its message id is not kept: in the person's
    # own chat it counts (the person and meeting are checked all the same).
    reminded = await session.scalar(
        select(MeetingReminder.id)
        .where(MeetingReminder.meeting_id == meeting_id, MeetingReminder.person_id == person_id)
        .limit(1)
    )
    return reminded is not None
