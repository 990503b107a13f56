"""Collect everything stored about one person, table by table as tables.py says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.privacy.tables import PERSONAL_TABLES
from storage.models import District, Person
from storage.queries import privacy

Row = dict[str, Any]


@dataclass(frozen=True)
class PersonalCopy:
    """A copy of a person's data: per table ('kind'), its rows as plain values."""

    made_at: datetime
    telegram_user_id: int
    display_name: str
    language: str | None
    sections: tuple[tuple[str, tuple[Row, ...]], ...]

    def as_json(self) -> dict[str, Any]:
        """The copy as one JSON-ready object."""
        return {
            "made_at": self.made_at.isoformat(),
            "telegram_user_id": self.telegram_user_id,
            **{kind: list(rows) for kind, rows in self.sections},
        }


async def collect(s: AsyncSession, person: Person, at: datetime) -> PersonalCopy:
    """Every row about the person in every registered table, district names added."""
    districts = {i: n for i, n in await s.execute(select(District.id, District.name))}
    sections: list[tuple[str, tuple[Row, ...]]] = []
    for entry in PERSONAL_TABLES:
        if entry.table == "audit_log":
            found: list[Row] = [
                {
                    "id": e.id,
                    "at": e.at.isoformat(),
                    "actor_telegram_id": e.actor_telegram_id,
                    "action": e.action,
                    "subject": e.subject,
                    "details": e.details,
                }
                for e in await privacy.audit_mentioning(s, person)
            ]
        else:
            columns = [c for c, _ in entry.person_columns]
            found = await privacy.rows_of(
                s, entry.table, columns, entry.telegram_columns, person, entry.not_copied
            )
        for row in found:
            district_id = row.get("district_id")
            if isinstance(district_id, int) and district_id in districts:
                row["district"] = districts[district_id]
        sections.append((entry.table, tuple(found)))
    return PersonalCopy(
        at, person.telegram_user_id, person.display_name, person.language, tuple(sections)
    )
