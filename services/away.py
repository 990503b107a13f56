"""Away: a key figure says they are away (until a date, or until they are back).

While away they get no reminders and no private copies of check-ins, and they are left out
of the denominator of 'n of N'. Away ends by itself at the moment stored: every query asks
whether an absence is in force *now*, so nothing has to run at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.access import Actor
from services.outbox import Deps
from services.outcomes import DENIED, Denied
from storage.models import Role
from storage.queries import audit, memberships, people, reminders

# Further ahead than this is more likely a typo than a plan: ask to say it again.
LONGEST_AWAY = timedelta(days=366)


@dataclass(frozen=True)
class AwaySet:
    """The person is away from now; until None: until they say /terug."""

    until: datetime | None


@dataclass(frozen=True)
class InvalidAwayDate:
    """The date given is not ahead ('past') or too far ahead ('too_far')."""

    problem: str


@dataclass(frozen=True)
class Back:
    """The person is back; was_away says whether they had been away at all."""

    was_away: bool


class AwayService:
    """Record and end absences of key figures."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    async def set_away(
        self, actor: Actor, until: datetime | None
    ) -> AwaySet | InvalidAwayDate | Denied:
        """Say the actor is away from now until a moment (None: until /terug)."""
        now = self._deps.clock.now()
        if until is not None and until <= now:
            return InvalidAwayDate("past")
        if until is not None and until - now > LONGEST_AWAY:
            return InvalidAwayDate("too_far")
        async with self._deps.uow() as uow:
            s = uow.session
            person = await people.by_telegram_id(s, actor.telegram_user_id)
            if person is None or Role.KEY_FIGURE not in await memberships.roles_of(s, person.id):
                return DENIED
            await reminders.set_away(s, person.id, now, until)
            audit.record(
                s,
                at=now,
                actor_telegram_id=actor.telegram_user_id,
                action="person.away",
                subject="",
                details={"until": until.isoformat() if until else None},
            )
            await uow.commit()
        return AwaySet(until)

    async def set_back(self, actor: Actor) -> Back:
        """Say the actor is back: reminders and private copies reach them again."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            person = await people.by_telegram_id(s, actor.telegram_user_id)
            if person is None:
                return Back(False)
            was_away = await reminders.absence(s, person.id, now) is not None
            # An absence that already ended by itself is cleared too; it no longer counts.
            await reminders.end_away(s, person.id)
            if was_away:
                audit.record(
                    s,
                    at=now,
                    actor_telegram_id=actor.telegram_user_id,
                    action="person.back",
                    subject="",
                )
            await uow.commit()
        return Back(was_away)
