"""Erase one person inside the caller's transaction, table by table as tables.py says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.privacy.policy import ErasedAnswers
from services.privacy.tables import PERSONAL_TABLES
from storage.models import Person
from storage.queries import privacy


@dataclass(frozen=True)
class ErasureCounts:
    """What an erasure removed or anonymised, as numbers only (for the audit log)."""

    answers_anonymised: int
    answers_deleted: int
    rows_deleted: int
    rows_detached: int
    audit_entries_scrubbed: int

    def as_details(self) -> dict[str, int]:
        """The counts as audit details."""
        return {
            "answers_anonymised": self.answers_anonymised,
            "answers_deleted": self.answers_deleted,
            "rows_deleted": self.rows_deleted,
            "rows_detached": self.rows_detached,
            "audit_entries_scrubbed": self.audit_entries_scrubbed,
        }


async def erase_person(
    s: AsyncSession, person: Person, answers_mode: ErasedAnswers, at: datetime
) -> ErasureCounts:
    """Erase the person: answers per configuration, every registered table, then the row."""
    # Answers first: anonymised ones move to stand-ins before the person's row cascades.
    anonymised = deleted_answers = 0
    if answers_mode == "anonymise":
        ids = await privacy.answer_ids_of(s, person.id)
        anonymised = await privacy.anonymise_answers(s, ids, at)
    # Whatever is left of them (follow-ups without an answer; everything when deleting).
    deleted_answers = await privacy.delete_answers(s, person.id)
    deleted = detached = 0
    for entry in PERSONAL_TABLES:
        for column, policy in entry.person_columns:
            if policy == "delete":
                deleted += await privacy.delete_rows(s, entry.table, column, person.id)
            elif policy == "detach":
                detached += await privacy.detach(s, entry.table, column, person.id)
        if entry.table in ("people", "audit_log"):
            continue  # the row itself goes last; the audit log is scrubbed, not cleared
        telegram_id = person.telegram_user_id
        for column in entry.telegram_columns:
            if entry.telegram_policy == "delete":
                deleted += await privacy.delete_rows(s, entry.table, column, telegram_id)
            else:
                detached += await privacy.detach(s, entry.table, column, telegram_id)
    scrubbed = privacy.scrub_audit(await privacy.audit_mentioning(s, person), person)
    # The inbox keeps updates as Telegram sent them (names included) until they are handled
    # and its job forgets them; the person's go now, the one being handled among them.
    deleted += await privacy.forget_inbox_of(s, person.telegram_user_id)
    await s.delete(person)
    await s.flush()
    return ErasureCounts(anonymised, deleted_answers, deleted + 1, detached, scrubbed)
