"""Refused presses and commands in the audit log, so coordinators can see someone probing.

A forged button or a coordinator's command tried by someone else is answered with one line
and changes nothing; without a trace nobody would notice a person trying again and again.
Each person gets at most one audit entry per window, counting every refusal since the last.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from services.outbox import Deps
from storage.queries import audit

WINDOW = timedelta(minutes=10)
# Forget people whose window ended, once this many are remembered (memory stays bounded).
PRUNE_AT = 10_000


class Refusals:
    """Note refusals; write them to the audit log, rate-limited per person."""

    def __init__(self, deps: Deps, window: timedelta = WINDOW) -> None:
        self._deps = deps
        self._window = window
        # Person → (when their current window began, refusals not yet written).
        self._seen: dict[int, tuple[datetime, int]] = {}

    async def refused(self, telegram_user_id: int, what: str) -> None:
        """Count one refusal ('press', or a command's name); write it unless just written."""
        now = self._deps.clock.now()
        began, held = self._seen.get(telegram_user_id, (None, 0))
        if began is not None and now - began < self._window:
            self._seen[telegram_user_id] = (began, held + 1)
            return
        if len(self._seen) >= PRUNE_AT:
            self._seen = {k: v for k, v in self._seen.items() if now - v[0] < self._window}
        self._seen[telegram_user_id] = (now, 0)
        async with self._deps.uow() as uow:
            audit.record(
                uow.session,
                at=now,
                actor_telegram_id=telegram_user_id,
                action="refused",
                subject=what,
                details={"count": held + 1},
            )
            await uow.commit()
