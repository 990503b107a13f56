"""Answer presses that arrive together are stored in one transaction.

Committing each press on its own tops out at a few hundred a second, and every press would
wait for the commits of all the presses before it. `AnswerService.record_answers` gives each
press the outcome it would have had alone; each caller gets its outcome only after that commit,
so what the person is told is stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from services.checkins.answers import AnswerService
from services.checkins.outcomes import AnswerOutcome, Press

# A press in a quiet moment waits this long (seconds) for others to share its transaction;
# under load the presses that come while one is committed go together in the next.
BATCH_WINDOW = 0.002
BATCH_LIMIT = 200


class PressBatch:
    """Collect presses that arrive together and record them in one transaction, in order.

    The first press of a quiet moment starts a drain that waits BATCH_WINDOW for company;
    presses arriving while a batch commits wait for the next one (at most BATCH_LIMIT).
    One batch at a time: they would only queue for the same write lock anyway.
    """

    def __init__(self, answers: AnswerService) -> None:
        self.answers = answers
        self._waiting: list[tuple[Press, asyncio.Future[AnswerOutcome]]] = []
        self._drain: asyncio.Task[None] | None = None

    async def record(self, press: Press) -> AnswerOutcome:
        """Record one press with whatever arrives with it; return once it is committed."""
        outcome: asyncio.Future[AnswerOutcome] = asyncio.get_running_loop().create_future()
        self._waiting.append((press, outcome))
        if self._drain is None or self._drain.done():
            self._drain = asyncio.create_task(self._record_waiting())
        return await outcome

    async def _record_waiting(self) -> None:
        await asyncio.sleep(BATCH_WINDOW)
        while self._waiting:
            batch = self._waiting[:BATCH_LIMIT]
            del self._waiting[:BATCH_LIMIT]
            await self._store(batch)

    async def _store(self, batch: Sequence[tuple[Press, asyncio.Future[AnswerOutcome]]]) -> None:
        try:
            outcomes = await self.answers.record_answers([press for press, _ in batch])
        except Exception as exc:
            if len(batch) > 1:
                # One press must not sink the others: try each alone, so only its own fails.
                for item in batch:
                    await self._store([item])
            elif not batch[0][1].done():
                batch[0][1].set_exception(exc)
            return
        for (_, waiting), outcome in zip(batch, outcomes, strict=True):
            if not waiting.done():  # its handler may have been cancelled meanwhile
                waiting.set_result(outcome)
