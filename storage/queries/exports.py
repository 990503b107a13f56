"""Exports: answers, per-district counts and the audit log, streamed in batches; never commit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Executable,
    String,
    Text,
    and_,
    cast,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from storage.models import (
    Answer,
    AuditEntry,
    CheckIn,
    Delivery,
    DeliveryStatus,
    District,
    Event,
    Feedback,
    FeedbackSend,
    FollowUp,
    Membership,
    Person,
    Role,
)

# Rows per fetch: enough to amortise the round trips, yet under the 700 new objects that set
# off a garbage collection at Python's default threshold (gc.get_threshold()); each row keeps
# about one alive until its batch is written. A batch then comes and goes between
# collections. Bigger ones get promoted to the old generation by the thousand, and every full
# collection that follows rescans the whole heap: at 2,000 rows a batch, a million-row export
# took a quarter more CPU time. (The bot and `bondgenoten export` collect less often, see
# bot/gc_tuning.py; tests and other callers may not.)
BATCH = 500
# On PostgreSQL each fetch is a round trip to the server: fewer, bigger ones, with the next
# fetched while one is written (see _stream). Measured on a million rows, with the tuned
# collector: 500 rows a fetch 5.5 s, 5,000 rows 4.3 s.
POSTGRESQL_BATCH = 5000


@dataclass(frozen=True)
class Window:
    """Which rows: a half-open UTC interval [start, end) and districts (None: all)."""

    start: datetime | None = None
    end: datetime | None = None
    district_ids: frozenset[int] | None = None
    # Practice check-ins (issue 17) are left out unless asked for; then they come along.
    practice: bool = False


# Batches of SQLAlchemy Rows (typed Any: Row's type parameters differ between 2.0 and 2.1);
# an async generator, so the caller can close it (and its cursor) when it stops early.
Batches = AsyncGenerator[Sequence[Any], None]


async def _stream(session: AsyncSession, query: Executable, batch: int | None) -> Batches:
    # yield_per makes each driver fetch in batches — asyncpg through a server-side cursor,
    # aiosqlite by stepping the statement — so no more than one batch is ever in memory.
    # On the session's connection, in its transaction: plain Core rows skip the ORM's
    # per-row loading, which costs about a third of the time on a million rows.
    connection = await session.connection()
    # PostgreSQL computes the next batch while this one is written (the caller writes in a
    # thread): a server a round trip away otherwise keeps the export waiting a second and a
    # half per million rows. SQLite's reads are in-process already; there, overlapping only
    # makes two threads take turns.
    overlap = connection.dialect.name == "postgresql"
    size = batch or (POSTGRESQL_BATCH if overlap else BATCH)
    result = await connection.stream(query.execution_options(yield_per=size))
    parts = result.partitions()
    ahead: asyncio.Future[Sequence[Any] | None] | None = None
    try:
        if overlap:
            ahead = asyncio.ensure_future(anext(parts, None))
            while (part := await ahead) is not None:
                ahead = asyncio.ensure_future(anext(parts, None))
                yield part
        else:
            async for part in parts:
                yield part
    finally:
        if ahead is not None and not ahead.done():
            # Let a fetch in flight finish (one batch) rather than cut the connection's
            # conversation short; then the cursor can be closed cleanly.
            with suppress(Exception):
                await asyncio.shield(ahead)
        await result.close()


class NaiveUTC(FunctionElement[datetime]):
    """A timestamp column as naive UTC, straight from the driver on every backend."""

    type = DateTime()
    inherit_cache = True


@compiles(NaiveUTC)
def _naive_utc(element: NaiveUTC, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps UTC text without a zone: its driver gives naive datetimes already.
    return compiler.process(element.clauses, **kw)


@compiles(NaiveUTC, "postgresql")
def _naive_utc_postgresql(element: NaiveUTC, compiler: SQLCompiler, **kw: Any) -> str:
    # timestamptz in UTC, then without the zone: asyncpg hands over naive datetimes.
    return f"timezone('UTC', {compiler.process(element.clauses, **kw)})"


def _within(column: Any, window: Window) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if window.start is not None:
        found.append(column >= window.start)
    if window.end is not None:
        found.append(column < window.end)
    return found


def answers(session: AsyncSession, window: Window, batch: int | None = None) -> Batches:
    """Every current answer answered within the window, with its follow-up, in batches.

    Three columns come as the driver hands them over, without their types' Python step per
    row (a million rows): answered_at as a naive datetime in UTC, direction as its stored
    value string, themes as JSON text.
    """
    query = (
        select(
            Answer.checkin_id,
            Event.description.label("event"),
            District.name.label("district"),
            NaiveUTC(Answer.answered_at).label("answered_at"),
            Answer.code,
            type_coerce(FollowUp.direction, String()).label("direction"),
            # A cast, not a coercion: asyncpg would decode JSON itself.
            cast(FollowUp.themes, Text()).label("themes"),
            FollowUp.free_text,
            FollowUp.contact_requested,
            Person.telegram_user_id,
            Person.display_name,
            Feedback.text.label("feedback"),
            CheckIn.kind,
            CheckIn.practice,
        )
        .join(CheckIn, CheckIn.id == Answer.checkin_id)
        .join(Event, Event.id == CheckIn.event_id)
        .join(District, District.id == Answer.district_id)
        .join(Person, Person.id == Answer.person_id)
        .outerjoin(
            FollowUp,
            and_(FollowUp.checkin_id == Answer.checkin_id, FollowUp.person_id == Answer.person_id),
        )
        .outerjoin(Feedback, Feedback.checkin_id == Answer.checkin_id)
        .where(*_within(Answer.answered_at, window))
        .order_by(Answer.checkin_id, Answer.answered_at, Answer.id)
    )
    if window.district_ids is not None:
        query = query.where(Answer.district_id.in_(window.district_ids))
    if not window.practice:
        query = query.where(CheckIn.practice.is_(False))
    return _stream(session, query, batch)


def district_counts(session: AsyncSession, window: Window, batch: int | None = None) -> Batches:
    """Per check-in opened within the window and district: one row per answered code.

    A district with no answers gives one row with code and n NULL. Rows of one check-in and
    district come together, ordered by check-in and district name, so they can be folded
    while streaming.
    """
    counts = (
        select(Answer.checkin_id, Answer.district_id, Answer.code, func.count().label("n"))
        .group_by(Answer.checkin_id, Answer.district_id, Answer.code)
        .subquery()
    )
    query = (
        select(
            Delivery.checkin_id,
            Event.description.label("event"),
            CheckIn.opened_at,
            District.id.label("district_id"),
            District.name.label("district"),
            Delivery.key_figures_at_close,
            counts.c.code,
            counts.c.n,
            Feedback.text.label("feedback"),
            FeedbackSend.sent_at.label("feedback_sent_at"),
            CheckIn.kind,
            CheckIn.practice,
        )
        .join(CheckIn, CheckIn.id == Delivery.checkin_id)
        .join(Event, Event.id == CheckIn.event_id)
        .join(District, District.id == Delivery.district_id)
        .outerjoin(
            counts,
            and_(
                counts.c.checkin_id == Delivery.checkin_id,
                counts.c.district_id == Delivery.district_id,
            ),
        )
        .outerjoin(Feedback, Feedback.checkin_id == Delivery.checkin_id)
        # The feedback's message to this district's group: when it arrived, if it did.
        .outerjoin(
            FeedbackSend,
            and_(
                FeedbackSend.feedback_id == Feedback.id,
                FeedbackSend.kind == "group",
                FeedbackSend.target_id == Delivery.district_id,
                FeedbackSend.status == DeliveryStatus.SENT,
            ),
        )
        # A group message that never arrived still counts when members answered privately.
        .where(or_(Delivery.status == DeliveryStatus.SENT, counts.c.n.is_not(None)))
        .where(*_within(CheckIn.opened_at, window))
        .order_by(Delivery.checkin_id, District.name_key, District.id, counts.c.code)
    )
    if window.district_ids is not None:
        query = query.where(Delivery.district_id.in_(window.district_ids))
    if not window.practice:
        query = query.where(CheckIn.practice.is_(False))
    return _stream(session, query, batch)


def audit_entries(session: AsyncSession, window: Window, batch: int | None = None) -> Batches:
    """The audit log within the window, oldest first, in batches (districts do not apply)."""
    query = (
        select(
            AuditEntry.id,
            AuditEntry.at,
            AuditEntry.actor_telegram_id,
            AuditEntry.action,
            AuditEntry.subject,
            AuditEntry.details,
        )
        .where(*_within(AuditEntry.at, window))
        .order_by(AuditEntry.id)
    )
    return _stream(session, query, batch)


async def roster_sizes(session: AsyncSession) -> dict[int, int]:
    """The current number of key figures per district (one small row per district)."""
    rows = await session.execute(
        select(Membership.district_id, func.count(Membership.id))
        .where(Membership.role == Role.KEY_FIGURE)
        .group_by(Membership.district_id)
    )
    return {district_id: int(n) for district_id, n in rows}


async def chief_districts(session: AsyncSession, telegram_user_id: int) -> list[District]:
    """The districts in which this person is a chief, by name."""
    rows = await session.scalars(
        select(District)
        .join(Membership, Membership.district_id == District.id)
        .join(Person, Person.id == Membership.person_id)
        .where(Person.telegram_user_id == telegram_user_id, Membership.role == Role.CHIEF)
        .order_by(District.name_key)
    )
    return list(rows)
