"""A person's unfinished conversation, shared by webhook workers through the database.

Several webhook workers behind one reverse proxy each handle the updates they receive, so a
chief's next press in a wizard may land on another worker than the last. What the
conversation holds (opaque bytes here) is stored per Telegram user and read back before the
next update is handled; after a day an unfinished conversation is forgotten.
"""

from __future__ import annotations

from datetime import timedelta

from services.outbox import Deps
from storage.queries import user_states

# An unfinished wizard older than this is not worth resuming (and is personal data).
KEPT_FOR = timedelta(days=1)


class UserStates:
    """Load, store and drop each person's conversation state (bytes)."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    async def load(self, telegram_user_id: int) -> bytes | None:
        """The person's stored state, or None."""
        async with self._deps.uow() as uow:
            return await user_states.load(uow.session, telegram_user_id)

    async def save(self, telegram_user_id: int, data: bytes) -> None:
        """Store the person's state (replacing the last)."""
        async with self._deps.uow() as uow:
            await user_states.save(uow.session, telegram_user_id, data, self._deps.clock.now())
            await uow.commit()

    async def drop(self, telegram_user_id: int) -> None:
        """Forget the person's state."""
        async with self._deps.uow() as uow:
            await user_states.drop(uow.session, telegram_user_id)
            await uow.commit()

    async def forget_old(self) -> int:
        """Remove the states not written for a day; return how many."""
        async with self._deps.uow() as uow:
            gone = await user_states.forget_before(uow.session, self._deps.clock.now() - KEPT_FOR)
            await uow.commit()
        return gone
