"""Updates kept until handled, so a crash between confirming and handling loses none.

Telegram confirms an update when the bot asks for the next ones (polling) or answers the
webhook. A process killed after that but before the update's handlers committed would lose
it: the person's press acknowledged by nobody and stored nowhere. So an update is kept here
before it is confirmed (an answer press only if it is not handled by then: bot/inbox.py
waits a moment for those), and a kept one is handled at the next start.
Handling twice is safe: answers are upserts, and a redelivered update was always possible.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from services.outbox import Deps
from storage.queries import inbox

# An update older than this at start-up is not handled any more: a day-old press or command
# would only confuse (and Telegram keeps its own unconfirmed updates for a day too).
MAX_AGE = timedelta(hours=24)


class Inbox:
    """Keep updates on receipt; forget them once handled (in batches)."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._handled: list[int] = []

    async def keep(self, updates: Sequence[tuple[int, str]]) -> None:
        """Store updates (id, JSON) durably; only then may Telegram forget them."""
        async with self._deps.uow() as uow:
            await inbox.keep(uow.session, updates, self._deps.clock.now())
            await uow.commit()

    def handled(self, update_id: int) -> None:
        """Note an update as handled; `forget_handled` removes it."""
        self._handled.append(update_id)

    async def forget_handled(self) -> int:
        """Remove the updates handled since the last call; return how many."""
        done, self._handled = self._handled, []
        if done:
            async with self._deps.uow() as uow:
                await inbox.forget(uow.session, done)
                await uow.commit()
        return len(done)

    async def unfinished(self, older_than: timedelta | None = None) -> list[str]:
        """The updates kept but not handled (the last process died first), oldest first.

        older_than: only those kept at least this long (beside other webhook workers, a
        recent one is most likely still being handled by the worker that received it).
        """
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            await inbox.forget_before(uow.session, now - MAX_AGE)
            found = await inbox.unfinished(
                uow.session, None if older_than is None else now - older_than
            )
            await uow.commit()
        return found
