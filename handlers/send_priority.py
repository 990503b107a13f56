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
import weakref
from collections.abc import Awaitable
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

# The task whose sends are bulk. A task, not a flag: what it starts is not bulk by itself.
_bulk_task: ContextVar[asyncio.Task[Any] | None] = ContextVar("bulk_task", default=None)
# The tasks doing bulk work now, so that a stop need not wait minutes for them.
_running: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()


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
    dropped = [task for task in _running if task.get_loop() is loop and not task.done()]
    for task in dropped:
        task.cancel()
    return len(dropped)


def is_bulk() -> bool:
    """Tell whether the running task sends bulk (see `in_bulk`)."""
    task = _bulk_task.get()
    return task is not None and task is asyncio.current_task()
