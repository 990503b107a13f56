"""Answers, their history, follow-ups and escalations: upserts the database keeps single."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Answer, AnswerChange, Escalation, FollowUp, Person
from storage.queries import presses

Stored = presses.Stored


def _insert(session: AsyncSession, model: Any) -> Any:
    """INSERT for this session's dialect, which has ON CONFLICT (SQLite and PostgreSQL)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"no upsert for the {dialect} dialect")


async def upsert(
    session: AsyncSession,
    *,
    checkin_id: int,
    person_id: int,
    district_id: int,
    code: int,
    at: datetime,
) -> Stored:
    """Set a person's answer to a check-in in one statement; tell what happened.

    The unique (checkin, person) constraint decides between insert and update, so two
    presses racing each other, or a redelivered update, can never make two answers. The
    update only fires when the code differs: a repeat press returns no row ('same').
    """
    stmt = _insert(session, Answer).values(
        checkin_id=checkin_id,
        person_id=person_id,
        district_id=district_id,
        code=code,
        first_answered_at=at,
        answered_at=at,
        changes=0,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[Answer.checkin_id, Answer.person_id],
        set_={"code": stmt.excluded.code, "answered_at": at, "changes": Answer.changes + 1},
        where=Answer.code != stmt.excluded.code,
    ).returning(Answer.changes)
    changes = (await session.execute(stmt)).scalar_one_or_none()
    if changes is None:
        return "same"
    # The history: every press that set or changed the answer.
    session.add(AnswerChange(checkin_id=checkin_id, person_id=person_id, code=code, at=at))
    return "new" if changes == 0 else "changed"


async def upsert_many(
    session: AsyncSession, rows: Sequence[tuple[int, int, int, int]], *, at: datetime
) -> dict[tuple[int, int], Stored]:
    """Set many answers, as `upsert` does one, in one statement; tell what happened to each.

    Rows are (check-in, person, district, code), each (check-in, person) at most once.
    Keyed by (check-in, person). The press path's statement (storage/queries/presses.py).
    """
    return await presses.store_answers(session, rows, at=at)


async def of_person(session: AsyncSession, checkin_id: int, person_id: int) -> Answer | None:
    """A person's answer to a check-in."""
    return await session.scalar(
        select(Answer).where(Answer.checkin_id == checkin_id, Answer.person_id == person_id)
    )


async def of_checkin(session: AsyncSession, checkin_id: int) -> list[Answer]:
    """Every answer to a check-in, in order of first answer (the pseudonym order)."""
    rows = await session.scalars(
        select(Answer)
        .where(Answer.checkin_id == checkin_id)
        .order_by(Answer.first_answered_at, Answer.id)
    )
    return list(rows)


async def counts(
    session: AsyncSession, checkin_ids: Sequence[int]
) -> dict[tuple[int, int], dict[int, int]]:
    """Answers per (check-in, district) and code."""
    if not checkin_ids:
        return {}
    rows = await session.execute(
        select(Answer.checkin_id, Answer.district_id, Answer.code, func.count(Answer.id))
        .where(Answer.checkin_id.in_(checkin_ids))
        .group_by(Answer.checkin_id, Answer.district_id, Answer.code)
    )
    result: dict[tuple[int, int], dict[int, int]] = {}
    for checkin_id, district_id, code, n in rows:
        result.setdefault((checkin_id, district_id), {})[code] = int(n)
    return result


async def history(session: AsyncSession, checkin_id: int, person_id: int) -> list[int]:
    """Every code a person pressed that set or changed their answer, in order."""
    rows = await session.scalars(
        select(AnswerChange.code)
        .where(AnswerChange.checkin_id == checkin_id, AnswerChange.person_id == person_id)
        .order_by(AnswerChange.at, AnswerChange.id)
    )
    return list(rows)


async def follow_up(
    session: AsyncSession, checkin_id: int, person_id: int, at: datetime
) -> FollowUp:
    """A person's follow-up row for a check-in, made if missing, locked for the change."""
    stmt = (
        _insert(session, FollowUp)
        .values(checkin_id=checkin_id, person_id=person_id, themes=[], updated_at=at)
        .on_conflict_do_nothing(index_elements=[FollowUp.checkin_id, FollowUp.person_id])
    )
    await session.execute(stmt)
    row = await session.scalar(
        select(FollowUp)
        .where(FollowUp.checkin_id == checkin_id, FollowUp.person_id == person_id)
        # Read-modify-write of the theme list: a concurrent toggle waits (PostgreSQL).
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row


async def follow_up_of(session: AsyncSession, checkin_id: int, person_id: int) -> FollowUp | None:
    """A person's follow-up row for a check-in, if they added anything."""
    return await session.scalar(
        select(FollowUp).where(FollowUp.checkin_id == checkin_id, FollowUp.person_id == person_id)
    )


async def follow_ups(session: AsyncSession, checkin_id: int) -> list[FollowUp]:
    """Every follow-up of a check-in."""
    return list(await session.scalars(select(FollowUp).where(FollowUp.checkin_id == checkin_id)))


async def claim_escalation(
    session: AsyncSession,
    *,
    checkin_id: int,
    person_id: int,
    district_id: int,
    kind: str,
    at: datetime,
) -> bool:
    """Note that chiefs are told about this person's answer of this kind; True only once."""
    stmt = (
        _insert(session, Escalation)
        .values(
            checkin_id=checkin_id, person_id=person_id, district_id=district_id, kind=kind, at=at
        )
        .on_conflict_do_nothing(
            index_elements=[Escalation.checkin_id, Escalation.person_id, Escalation.kind]
        )
        .returning(Escalation.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def people_by_id(session: AsyncSession, person_ids: Sequence[int]) -> dict[int, Person]:
    """People by their row id."""
    if not person_ids:
        return {}
    rows = await session.scalars(select(Person).where(Person.id.in_(person_ids)))
    return {p.id: p for p in rows}
