"""What checking and storing a batch of answer presses reads and writes, as plain rows.

A burst of presses is the bot's hottest path: thousands a second, each acknowledged only
after the commit that holds it. On SQLite these statements go straight to the driver
(aiosqlite), in the session's own transaction: through SQLAlchemy each statement cost its
construction, compilation look-up, result machinery and four trips to the driver's thread,
about 8 ms of CPU for a batch of 26 presses whose statements themselves take under 1 ms
(`bondgenoten bench`, README Performance). On PostgreSQL the same questions go through
SQLAlchemy Core, as everything else does.

What is written is what the models would write: `tests/storage/test_press_rows.py` stores
the same presses both ways on SQLite and compares the rows, and reads them back through
the models.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any, Literal, NamedTuple, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from storage.driver import marks as _marks
from storage.driver import sqlite_driver, utc_text
from storage.driver import utc_value as _utc
from storage.models import (
    Answer,
    AnswerChange,
    CheckIn,
    CheckInStatus,
    Delivery,
    District,
    Event,
    Membership,
    Person,
    Role,
)

Stored = Literal["new", "changed", "same"]


class Sheet(NamedTuple):
    """A check-in as checking a press needs it (with its event's description)."""

    id: int
    status: CheckInStatus
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    practice: bool
    description: str


class Presser(NamedTuple):
    """A person who pressed, and the district they are a key figure of (None: none)."""

    id: int
    telegram_user_id: int
    key_figure_of: int | None


class GroupMessage(NamedTuple):
    """A check-in's group message in a district, with the district's name."""

    id: int
    checkin_id: int
    district_id: int
    telegram_chat_id: int | None
    message_id: int | None
    uncertain: bool
    district_name: str


async def sheet(session: AsyncSession, checkin_id: int, *, lock: bool) -> Sheet | None:
    """A check-in and its event's description; with lock, held against a concurrent close.

    On PostgreSQL the lock is FOR SHARE, so a close waits for presses in flight; SQLite's
    write transaction (BEGIN IMMEDIATE) already holds every writer off.
    """
    if (db := await sqlite_driver(session)) is not None:
        rows = await db.execute_fetchall(
            "SELECT c.id, c.status, c.opened_at, c.closes_at, c.closed_at, c.practice,"
            " e.description FROM checkins AS c JOIN events AS e ON e.id = c.event_id"
            " WHERE c.id = ?",
            (checkin_id,),
        )
        for id_, status, opened, closes, closed, practice, description in rows:
            return Sheet(
                id_,
                CheckInStatus(status),
                _utc(opened),
                _utc(closes),
                None if closed is None else _utc(closed),
                bool(practice),
                description,
            )
        return None
    query = (
        select(
            CheckIn.id,
            CheckIn.status,
            CheckIn.opened_at,
            CheckIn.closes_at,
            CheckIn.closed_at,
            CheckIn.practice,
            Event.description,
        )
        .join(Event, Event.id == CheckIn.event_id)
        .where(CheckIn.id == checkin_id)
    )
    if lock:
        query = query.with_for_update(read=True, of=CheckIn)
    row = (await session.execute(query)).first()
    return None if row is None else Sheet(*row)


async def pressers(session: AsyncSession, telegram_user_ids: Collection[int]) -> list[Presser]:
    """The people behind these Telegram ids, each with the district they are a key figure of.

    One row per person: a key-figure membership wins over none.
    """
    if not telegram_user_ids:
        return []
    if (db := await sqlite_driver(session)) is not None:
        ids = list(telegram_user_ids)
        rows: Iterable[Sequence[Any]] = await db.execute_fetchall(
            "SELECT p.id, p.telegram_user_id, m.district_id FROM people AS p"
            " LEFT OUTER JOIN memberships AS m ON m.person_id = p.id AND m.role = ?"
            f" WHERE p.telegram_user_id IN ({_marks(len(ids))})",
            (Role.KEY_FIGURE.value, *ids),
        )
    else:
        rows = await session.execute(
            select(Person.id, Person.telegram_user_id, Membership.district_id)
            .outerjoin(
                Membership,
                (Membership.person_id == Person.id) & (Membership.role == Role.KEY_FIGURE),
            )
            .where(Person.telegram_user_id.in_(telegram_user_ids))
        )
    found: dict[int, Presser] = {}
    for person_id, telegram_user_id, district_id in rows:
        if district_id is not None or person_id not in found:
            found[person_id] = Presser(person_id, telegram_user_id, district_id)
    return list(found.values())


async def group_messages(
    session: AsyncSession, checkin_ids: Collection[int], district_ids: Collection[int]
) -> list[GroupMessage]:
    """The group messages of these check-ins in these districts, with the districts' names."""
    if not checkin_ids or not district_ids:
        return []
    if (db := await sqlite_driver(session)) is not None:
        checkins, districts = list(checkin_ids), list(district_ids)
        rows = await db.execute_fetchall(
            "SELECT d.id, d.checkin_id, d.district_id, d.telegram_chat_id, d.message_id,"
            " d.uncertain, w.name FROM deliveries AS d JOIN districts AS w"
            " ON w.id = d.district_id"
            f" WHERE d.checkin_id IN ({_marks(len(checkins))})"
            f" AND d.district_id IN ({_marks(len(districts))})",
            (*checkins, *districts),
        )
        return [
            GroupMessage(id_, c, d, chat, message, bool(uncertain), name)
            for id_, c, d, chat, message, uncertain, name in rows
        ]
    found = await session.execute(
        select(
            Delivery.id,
            Delivery.checkin_id,
            Delivery.district_id,
            Delivery.telegram_chat_id,
            Delivery.message_id,
            Delivery.uncertain,
            District.name,
        )
        .join(District, District.id == Delivery.district_id)
        .where(Delivery.checkin_id.in_(checkin_ids), Delivery.district_id.in_(district_ids))
    )
    return [GroupMessage(*row) for row in found]


async def district_names(session: AsyncSession, district_ids: Collection[int]) -> dict[int, str]:
    """The names of these districts (unknown ids are left out)."""
    if not district_ids:
        return {}
    if (db := await sqlite_driver(session)) is not None:
        ids = list(district_ids)
        rows = await db.execute_fetchall(
            f"SELECT id, name FROM districts WHERE id IN ({_marks(len(ids))})", ids
        )
        return {id_: name for id_, name in rows}
    found = await session.execute(
        select(District.id, District.name).where(District.id.in_(district_ids))
    )
    return {id_: name for id_, name in found}


_UPSERT = (
    "INSERT INTO answers (checkin_id, person_id, district_id, code, first_answered_at,"
    " answered_at, changes) VALUES {values} ON CONFLICT (checkin_id, person_id) DO UPDATE"
    " SET code = excluded.code, answered_at = excluded.answered_at,"
    " changes = answers.changes + 1 WHERE answers.code != excluded.code"
    " RETURNING checkin_id, person_id, changes"
)
_HISTORY = "INSERT INTO answer_changes (checkin_id, person_id, code, at) VALUES (?, ?, ?, ?)"


async def store_answers(
    session: AsyncSession, rows: Sequence[tuple[int, int, int, int]], *, at: datetime
) -> dict[tuple[int, int], Stored]:
    """Set many answers in one statement, and add each change to the history.

    Rows are (check-in, person, district, code), each (check-in, person) at most once: a
    statement may not update a row it inserted itself (PostgreSQL refuses). The unique
    (check-in, person) constraint decides between insert and update, so racing presses or a
    redelivered update never make two answers; the update only fires when the code differs,
    and a repeated code returns no row ('same'). Keyed by (check-in, person).
    """
    if not rows:
        return {}
    if (db := await sqlite_driver(session)) is not None:
        when = utc_text(at)
        params: list[Any] = []
        for checkin_id, person_id, district_id, code in rows:
            params += (checkin_id, person_id, district_id, code, when, when, 0)
        returned = await db.execute_fetchall(
            _UPSERT.format(values=",".join(["(?,?,?,?,?,?,?)"] * len(rows))), params
        )
        changes = {(c, p): n for c, p, n in returned}
    else:
        changes = await _upsert_core(session, rows, at)
    stored: dict[tuple[int, int], Stored] = {}
    history = []
    for checkin_id, person_id, _, code in rows:
        n = changes.get((checkin_id, person_id))
        stored[(checkin_id, person_id)] = "same" if n is None else "new" if n == 0 else "changed"
        if n is not None:
            history.append((checkin_id, person_id, code))
    if history:
        if (db := await sqlite_driver(session)) is not None:
            when = utc_text(at)
            await db.executemany(_HISTORY, [(*row, when) for row in history])
        else:
            # The table, not the class: a plain executemany, without the ORM's bulk machinery.
            await session.execute(
                insert(cast(Table, AnswerChange.__table__)),
                [
                    {"checkin_id": c, "person_id": p, "code": code, "at": at}
                    for c, p, code in history
                ],
            )
    return stored


async def _upsert_core(
    session: AsyncSession, rows: Sequence[tuple[int, int, int, int]], at: datetime
) -> dict[tuple[int, int], int]:
    """The upsert through SQLAlchemy Core (PostgreSQL): compiled once, each batch one INSERT."""
    table = cast(Table, Answer.__table__)
    stmt = postgresql.insert(table)
    upsert = stmt.on_conflict_do_update(
        index_elements=[table.c.checkin_id, table.c.person_id],
        set_={
            "code": stmt.excluded.code,
            "answered_at": stmt.excluded.answered_at,
            "changes": table.c.changes + 1,
        },
        where=table.c.code != stmt.excluded.code,
    ).returning(table.c.checkin_id, table.c.person_id, table.c.changes)
    params = [
        {
            "checkin_id": checkin_id,
            "person_id": person_id,
            "district_id": district_id,
            "code": code,
            "first_answered_at": at,
            "answered_at": at,
            "changes": 0,
        }
        for checkin_id, person_id, district_id, code in rows
    ]
    return {(c, p): n for c, p, n in await session.execute(upsert, params)}
