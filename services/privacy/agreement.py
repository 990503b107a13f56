"""A new version of the agreement: members are asked once to accept it, and accept it."""

from __future__ import annotations

from dataclasses import dataclass

from services.outbox import Deps, Outbox
from services.ports import Notice
from storage.queries import agreements, audit, people


@dataclass(frozen=True)
class Accepted:
    """The person's memberships are under the new version now (or already were)."""

    version: str
    changed: int


@dataclass(frozen=True)
class NoMembership:
    """The person belongs to no district: there is nothing to accept."""


class AgreementService:
    """Ask members with an older agreement, once, to accept the one in force."""

    def __init__(self, deps: Deps, version: str) -> None:
        self._deps = deps
        self.version = version

    async def ask_outdated(self) -> int:
        """Ask every member not yet asked about this version; return how many were asked."""
        now = self._deps.clock.now()
        outbox = Outbox()
        async with self._deps.uow() as uow:
            s = uow.session
            asked = await agreements.not_yet_asked(s, self.version)
            for person in asked:
                agreements.mark_asked(s, person.id, self.version, now)
                outbox.tell(person, Notice("privacy.agreement.changed", {"version": self.version}))
            await uow.commit()
        # Sent after the commit: a crash in between loses a question, never asks twice.
        await outbox.deliver(self._deps)
        return len(asked)

    async def accept(self, telegram_user_id: int) -> Accepted | NoMembership:
        """Accept the agreement in force for all of the person's memberships."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            person = await people.by_telegram_id(s, telegram_user_id)
            if person is None or telegram_user_id <= 0:
                return NoMembership()
            changed = await agreements.accept(s, person.id, self.version)
            if changed:
                audit.record(
                    s,
                    at=now,
                    actor_telegram_id=telegram_user_id,
                    action="agreement.accepted",
                    subject="",
                    details={"agreement_version": self.version, "memberships": changed},
                )
                await uow.commit()
                return Accepted(self.version, changed)
            roles = await agreements.has_membership(s, person.id)
        return Accepted(self.version, 0) if roles else NoMembership()
