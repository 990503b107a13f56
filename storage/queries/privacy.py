"""Personal data by table: copy a person's rows, erase them, anonymise answers, scrub audit.

The services name tables and columns (services/privacy/tables.py); these functions only run
the statements, inside the caller's transaction.
"""

from __future__ import annotations

import enum
import json
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, Table, cast, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.models import Answer, AnswerChange, AuditEntry, Base, FollowUp, InboxUpdate, Person

# Telegram user ids are positive; an anonymous stand-in for erased answers gets a negative one,
# drawn at random from a range no real account or group id reaches.
_ANONYMOUS_LOW, _ANONYMOUS_HIGH = 2**53, 2**62


def table(name: str) -> Table:
    """The table of this name in the models' metadata."""
    return Base.metadata.tables[name]


def is_anonymous(person: Person) -> bool:
    """Tell whether a person row is an anonymous stand-in for erased answers."""
    return person.telegram_user_id < 0


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _matching(
    t: Table, person_columns: Sequence[str], telegram_columns: Sequence[str], person: Person
) -> ColumnElement[bool]:
    tests = [t.c[c] == person.id for c in person_columns]
    tests += [t.c[c] == person.telegram_user_id for c in telegram_columns]
    return or_(*tests)


async def rows_of(
    session: AsyncSession,
    name: str,
    person_columns: Sequence[str],
    telegram_columns: Sequence[str],
    person: Person,
    not_copied: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """The rows of a table that refer to the person, as plain values (JSON-ready)."""
    t = table(name)
    shown = [c for c in t.c if c.name not in not_copied]
    query = select(*shown).where(_matching(t, person_columns, telegram_columns, person))
    rows = await session.execute(query.order_by(t.c[t.primary_key.columns.keys()[0]]))
    return [{k: _plain(v) for k, v in row._mapping.items()} for row in rows]


async def delete_rows(session: AsyncSession, name: str, column: str, person_id: int) -> int:
    """Delete a table's rows where this column is the person; return how many."""
    t = table(name)
    result = await session.execute(delete(t).where(t.c[column] == person_id))
    return int(getattr(result, "rowcount", 0) or 0)


async def detach(session: AsyncSession, name: str, column: str, value: int) -> int:
    """Set this column to NULL where it holds the value; return how many rows changed."""
    t = table(name)
    result = await session.execute(update(t).where(t.c[column] == value).values({column: None}))
    return int(getattr(result, "rowcount", 0) or 0)


async def delete_answers(session: AsyncSession, person_id: int) -> int:
    """Delete a person's answers, their history and follow-ups; return the answers deleted."""
    await session.execute(delete(AnswerChange).where(AnswerChange.person_id == person_id))
    await session.execute(delete(FollowUp).where(FollowUp.person_id == person_id))
    result = await session.execute(delete(Answer).where(Answer.person_id == person_id))
    return int(getattr(result, "rowcount", 0) or 0)


async def anonymise_answers(session: AsyncSession, answer_ids: Sequence[int], at: datetime) -> int:
    """Give each answer its own anonymous stand-in, keeping code, direction and themes.

    The history of changes, free texts and contact requests go; what stays counts in
    summaries and trends as before, and no two answers share a stand-in, so nothing ties
    them back to one person. Returns how many answers were anonymised.
    """
    done = 0
    for answer in await session.scalars(select(Answer).where(Answer.id.in_(answer_ids))):
        old = answer.person_id
        stand_in = Person(
            telegram_user_id=-secrets.randbelow(_ANONYMOUS_HIGH - _ANONYMOUS_LOW) - _ANONYMOUS_LOW,
            display_name="",
            language="nl",
            is_coordinator=False,
            privately_reachable=False,
            created_at=at,
        )
        session.add(stand_in)
        await session.flush()
        where = (FollowUp.checkin_id == answer.checkin_id, FollowUp.person_id == old)
        await session.execute(
            update(FollowUp)
            .where(*where)
            .values(person_id=stand_in.id, free_text=None, contact_requested=None)
        )
        await session.execute(
            delete(AnswerChange).where(
                AnswerChange.checkin_id == answer.checkin_id, AnswerChange.person_id == old
            )
        )
        answer.person_id = stand_in.id
        answer.first_answered_at = answer.answered_at
        answer.changes = 0
        done += 1
    await session.flush()
    return done


async def answer_ids_of(session: AsyncSession, person_id: int) -> list[int]:
    """The ids of a person's answers."""
    return list(await session.scalars(select(Answer.id).where(Answer.person_id == person_id)))


async def audit_mentioning(session: AsyncSession, person: Person) -> list[AuditEntry]:
    """Audit entries by the person or naming them (by Telegram id, or as their subject)."""
    tid = person.telegram_user_id
    names = [str(tid), *([person.display_name] if person.display_name else [])]
    candidates = await session.scalars(
        select(AuditEntry)
        .where(
            or_(
                AuditEntry.actor_telegram_id == tid,
                AuditEntry.subject.in_(names),
                cast(AuditEntry.details, String).contains(str(tid)),
            )
        )
        .order_by(AuditEntry.id)
    )
    return [e for e in candidates if _mentions(e, tid, names)]


def _mentions(entry: AuditEntry, tid: int, names: Sequence[str]) -> bool:
    return (
        entry.actor_telegram_id == tid
        or entry.subject in names
        or any(v == tid for v in (entry.details or {}).values())
    )


def scrub_audit(entries: Sequence[AuditEntry], person: Person) -> int:
    """Remove the person's Telegram id and name from these entries; keep what happened."""
    tid = person.telegram_user_id
    names = [str(tid), *([person.display_name] if person.display_name else [])]
    for entry in entries:
        if entry.actor_telegram_id == tid:
            entry.actor_telegram_id = None
        if entry.subject in names:
            entry.subject = ""
        details = entry.details or {}
        if any(v == tid for v in details.values()):
            # A new dict: JSON columns notice assignment, not changes inside.
            entry.details = {k: (None if v == tid else v) for k, v in details.items()}
    return len(entries)


def _sent_by(payload: str, telegram_user_id: int) -> bool:
    """Tell whether an update names this person as a user (sender, presser, member)."""
    try:
        stack: list[Any] = [json.loads(payload)]
    except ValueError:
        return False
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            # A User object (is_bot) or the person's private chat (type private).
            person = "is_bot" in item or item.get("type") == "private"
            if person and item.get("id") == telegram_user_id:
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


async def forget_inbox_of(session: AsyncSession, telegram_user_id: int) -> int:
    """Delete the updates the inbox still keeps from or about the person; return how many."""
    candidates = await session.execute(
        select(InboxUpdate.update_id, InboxUpdate.payload).where(
            InboxUpdate.payload.contains(str(telegram_user_id))
        )
    )
    ids = [i for i, payload in candidates if _sent_by(payload, telegram_user_id)]
    if ids:
        await session.execute(delete(InboxUpdate).where(InboxUpdate.update_id.in_(ids)))
    return len(ids)
