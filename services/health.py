"""Whether the database answers: one error line per outage, and coordinators told of a long one;
and what GET /healthz reports of it (reachable, sends pending).

When the database is down every update fails the same way. The person is told at once (the
error handler); the operators should hear it once, not once per update, and the coordinators
when it lasts long enough to matter. The database cannot hold this state, so it is memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from services.outbox import Deps
from services.ports import Notice
from storage.queries import deliveries
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

# How long an outage lasts before the coordinators hear of it.
TELL_AFTER = timedelta(minutes=3)
# A health probe that hangs is no answer: a database that takes longer counts as down.
DATABASE_TIMEOUT = 5.0


class DatabaseWatch:
    """Notice outages of the database and their end, once each."""

    def __init__(
        self,
        deps: Deps,
        coordinator_ids: Iterable[int],
        language: str | Callable[[int], str],
        tell_after: timedelta = TELL_AFTER,
    ) -> None:
        self._deps = deps
        self._coordinators = sorted(coordinator_ids)
        self._language = language
        self._tell_after = tell_after
        self.down_since: datetime | None = None
        self._told = False
        # Beside other webhook workers only the leading one tells the coordinators (once,
        # not once per worker); the others still log the outage.
        self.tells_coordinators = True

    async def probe(self) -> bool:
        """Ask the database whether it answers, and note an outage or its end."""
        try:
            async with self._deps.uow() as uow:
                await uow.session.execute(text("SELECT 1"))
        except Exception as exc:  # whatever the driver raises, it is down for us
            await self.failed(exc)
            return False
        await self.recovered()
        return True

    async def failed(self, error: BaseException) -> bool:
        """Note a failure to reach the database; True when it starts an outage."""
        now = self._deps.clock.now()
        if self.down_since is None:
            self.down_since = now
            # The driver's first line only: a URL or a query with people's data stays out.
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
            log.error("database unreachable: %s: %s", type(error).__name__, reason)
            return True
        if (
            self.tells_coordinators
            and not self._told
            and now - self.down_since >= self._tell_after
        ):
            self._told = True
            await self._tell("health.database_down", {"since": self.down_since})
        return False

    async def recovered(self) -> None:
        """Note that the database answers again; end an outage if there was one."""
        if self.down_since is None:
            return
        now = self._deps.clock.now()
        log.warning("database reachable again after %s", now - self.down_since)
        if self._told:
            await self._tell("health.database_back", {"since": self.down_since, "back": now})
        self.down_since, self._told = None, False

    async def _tell(self, key: str, params: dict[str, object]) -> None:
        # Straight to the configured coordinators: the database that knows them is down.
        for chat_id in self._coordinators:
            # Their languages come from memory (services/languages.py), not the database.
            of = self._language
            language = of if isinstance(of, str) else of(chat_id)
            await self._deps.notifier.notify(chat_id, Notice(key, params), language)


@dataclass(frozen=True)
class DatabaseHealth:
    """The database's part of the health report."""

    reachable: bool
    sends_pending: int | None = None
    problem: str = ""


class HealthService:
    """Look at the database the way the bot uses it, without changing anything."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def database(self) -> DatabaseHealth:
        """Read the number of pending sends; a failure or a time-out means unreachable."""
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT), self._uow.read_only() as uow:
                pending = await deliveries.count_pending(uow.session)
        except TimeoutError:
            return DatabaseHealth(False, problem=f"no answer within {DATABASE_TIMEOUT:g} s")
        except (SQLAlchemyError, OSError) as exc:
            return DatabaseHealth(False, problem=type(exc).__name__)
        return DatabaseHealth(True, pending)
