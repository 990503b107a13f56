"""Sends that may wait for all others: the bulk a burst of presses leaves behind.

Telegram takes about 30 messages a second from a bot; under a burst the bot's sends queue
for that (bot/flood.py). Replies to the person whose update is being handled go first;
then jobs and broadcasts (the groups' tallies, a new check-in, alerts to chiefs); the
follow-up panels offered after a first answer go last — thousands of them after a burst,
and each is only an invitation to say more, which must not hold up a group's tally or a
closing for minutes.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

# The task whose sends are bulk. A task, not a flag: what it starts is not bulk by itself.
_bulk_task: ContextVar[asyncio.Task[Any] | None] = ContextVar("bulk_task", default=None)
# The tasks doing bulk work now, so that a stop need not wait minutes for them.
_running: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()
# The queues of bulk work not started yet (see BulkQueue), dropped at a stop too.
_queues: weakref.WeakSet[BulkQueue] = weakref.WeakSet()


async def in_bulk(work: Awaitable[T]) -> T:
    """Await `work` with the sends it makes (in this task) after every other send."""
    task = asyncio.current_task()
    token = _bulk_task.set(task)
    if task is not None:
        _running.add(task)
    try:
        return await work
    finally:
        _bulk_task.reset(token)
        _running.discard(task)  # type: ignore[arg-type]


def drop_bulk() -> int:
    """Cancel the bulk work of this event loop (the bot stops); return how much there was.

    A follow-up panel still waiting its turn is only an invitation: the answer it follows is
    stored. Waiting for thousands of them (30 a second) would make a stop take minutes.
    """
    loop = asyncio.get_running_loop()
    queued = sum(queue.clear() for queue in list(_queues) if queue.loop is loop)
    # A queue's workers are bulk tasks too; each counts as the work it was doing.
    dropped = [task for task in _running if task.get_loop() is loop and not task.done()]
    for task in dropped:
        task.cancel()
    return queued + len(dropped)


class BulkQueue:
    """Bulk work waiting for a few workers, instead of a task each.

    A burst of first answers leaves thousands of follow-up panels, sent 30 a second: a task
    per panel, each preparing its request and taking a place in the flood limiter's queue at
    once, cost every press CPU that only the last of them needed minutes later. Here a press
    only appends; `workers` bulk tasks (started with `start`, e.g. Application.create_task)
    take the work in order. A failure is logged and the next goes on.
    """

    def __init__(
        self, start: Callable[[Coroutine[Any, Any, None]], object], workers: int = 8
    ) -> None:
        self._start = start
        self._most = workers
        self._workers = 0
        self._waiting: deque[Callable[[], Awaitable[object]]] = deque()
        self.loop: asyncio.AbstractEventLoop | None = None
        _queues.add(self)

    def __len__(self) -> int:
        return len(self._waiting)

    def put(self, work: Callable[[], Awaitable[object]]) -> None:
        """Queue `work` (called when its turn comes); start a worker if one is free."""
        self.loop = asyncio.get_running_loop()
        self._waiting.append(work)
        if self._workers < self._most:
            self._workers += 1
            self._start(in_bulk(self._work()))

    def clear(self) -> int:
        """Drop the work not started; return how much."""
        dropped = len(self._waiting)
        self._waiting.clear()
        return dropped

    async def _work(self) -> None:
        try:
            while self._waiting:
                work = self._waiting.popleft()
                try:
                    await work()
                except Exception:
                    log.exception("bulk work failed")
        finally:
            self._workers -= 1


def is_bulk() -> bool:
    """Tell whether the running task sends bulk (see `in_bulk`)."""
    task = _bulk_task.get()
    return task is not None and task is asyncio.current_task()
