"""Retention: remove what has been kept long enough, per kind, counted in the audit log.

Every run works out what is due from the timestamps in the database, so it is safe to run
again at any time — after a restart, or twice in a day — and it removes only what is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.meetings.dietary import KEEP_AFTER_START
from services.outbox import Deps
from services.privacy.erasure import erase_person
from services.privacy.policy import PrivacyPolicy
from storage.queries import audit, dietary, privacy, retention

# The counts of a run, in the order the README and `bondgenoten retention` list them.
COUNTS = (
    "free_texts",  # follow-ups whose free text and contact request were cleared
    "escalations",  # records of chiefs alerted about a person
    "answers",  # answers made anonymous counts
    "private_deliveries",  # records of check-ins and reminders sent to a person privately
    "invitations",
    "audit_entries",
    "left_people",  # people erased after belonging nowhere long enough
    "dietary_needs",  # needs for a meeting that is over, not asked to be remembered
)


@dataclass(frozen=True)
class RetentionRun:
    """What one run removed (or, dry, would remove), per kind."""

    at: datetime
    dry_run: bool
    counts: dict[str, int]

    @property
    def total(self) -> int:
        """How many things went in all."""
        return sum(self.counts.values())


class RetentionService:
    """Enforce the configured retention periods."""

    def __init__(self, deps: Deps, policy: PrivacyPolicy) -> None:
        self._deps = deps
        self._policy = policy

    async def run(self, dry_run: bool = False) -> RetentionRun:
        """Remove what is due now; dry, only count it (the same work, rolled back)."""
        now = self._deps.clock.now()
        kept = self._policy.retention
        counts = dict.fromkeys(COUNTS, 0)
        async with self._deps.uow() as uow:
            s = uow.session
            texts_before = now - kept.period("free_texts")
            counts["free_texts"] = await retention.clear_free_texts(s, texts_before)
            counts["escalations"] = await retention.delete_escalations(s, texts_before)
            answers_before = now - kept.period("answers")
            due = await retention.answers_due(s, answers_before)
            counts["answers"] = await privacy.anonymise_answers(s, due, now)
            counts["private_deliveries"] = await retention.delete_member_deliveries(
                s, answers_before
            )
            counts["invitations"] = await retention.delete_invitations(
                s, now - kept.period("invitations")
            )
            counts["dietary_needs"] = await dietary.forget_past(s, now - KEEP_AFTER_START)
            await retention.mark_left_people(s, now)
            for person in await retention.left_people_due(s, now - kept.period("left_people")):
                await erase_person(s, person, self._policy.erased_answers, now)
                counts["left_people"] += 1
            # Last, so the entry counting this run is not among those removed.
            counts["audit_entries"] = await retention.delete_audit(s, now - kept.period("audit"))
            run = RetentionRun(now, dry_run, counts)
            if dry_run:
                await uow.rollback()
                return run
            if run.total:
                audit.record(
                    s,
                    at=now,
                    actor_telegram_id=None,
                    action="retention.removed",
                    subject="",
                    details=dict(counts),
                )
            await uow.commit()
        if counts["left_people"]:
            await self._deps.uow.scrub_freed()
        return run
