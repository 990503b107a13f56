"""Practice check-ins ("oefening", issue 17): a coordinator wipes one's data at once.

A practice check-in goes out, is answered and summarised like any other, but never counts
(the queries behind trends, baselines, overviews, comparisons and exports leave it out) and
alerts nobody. Once the district has practised, a coordinator deletes all of it: answers,
follow-ups, deliveries, the check-in itself. The audit log keeps only that it happened.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.access import Actor
from services.checkins.outcomes import Unknown
from services.outbox import Deps
from services.outcomes import DENIED, Denied
from storage.models import CheckInStatus
from storage.queries import audit, checkins, practice


@dataclass(frozen=True)
class PracticeFound:
    """A closed practice check-in that may be wiped, and how much it holds."""

    checkin_id: int
    event: str
    answers: int
    follow_ups: int
    deliveries: int


@dataclass(frozen=True)
class Wiped(PracticeFound):
    """The practice check-in and all its data are gone."""


@dataclass(frozen=True)
class NotPractice:
    """A real check-in: it counts, and cannot be wiped this way."""

    checkin_id: int


@dataclass(frozen=True)
class StillOpen:
    """A practice check-in that is still open: close it first (its group messages change)."""

    checkin_id: int


WipeRefusal = Denied | Unknown | NotPractice | StillOpen


class PracticeService:
    """Look up and wipe practice check-ins (coordinators only)."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    async def find(self, actor: Actor, checkin_id: int) -> PracticeFound | WipeRefusal:
        """What wiping this check-in would delete, or why it cannot be; nothing changes."""
        if not actor.is_coordinator:
            return DENIED
        async with self._deps.uow() as uow:
            s = uow.session
            found = await checkins.with_event(s, checkin_id)
            if found is None:
                return Unknown()
            checkin, event = found
            if not checkin.practice:
                return NotPractice(checkin_id)
            if checkin.status is CheckInStatus.OPEN:
                return StillOpen(checkin_id)
            n_answers, n_follow, n_deliveries = await practice.counts(s, checkin_id)
            return PracticeFound(checkin_id, event.description, n_answers, n_follow, n_deliveries)

    async def wipe(self, actor: Actor, checkin_id: int) -> Wiped | WipeRefusal:
        """Delete the practice check-in with its answers, follow-ups and deliveries, at once."""
        if not actor.is_coordinator:
            return DENIED
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            found = await checkins.with_event(s, checkin_id, lock=True)
            if found is None:
                return Unknown()
            checkin, event = found
            if not checkin.practice:
                return NotPractice(checkin_id)
            if checkin.status is CheckInStatus.OPEN:
                return StillOpen(checkin_id)
            n_answers, n_follow, n_deliveries = await practice.counts(s, checkin_id)
            await practice.wipe(s, checkin)
            # No event text, no names: only which check-in and how much went.
            audit.record(
                s,
                at=now,
                actor_telegram_id=actor.telegram_user_id,
                action="practice.wiped",
                subject=f"#{checkin_id}",
                details={
                    "checkin_id": checkin_id,
                    "answers": n_answers,
                    "follow_ups": n_follow,
                    "deliveries": n_deliveries,
                },
            )
            await uow.commit()
            return Wiped(checkin_id, event.description, n_answers, n_follow, n_deliveries)
