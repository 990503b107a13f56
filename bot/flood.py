"""Pace sends to Telegram's flood limits: sliding windows, counted so they can never overflow.

Telegram counts messages (sends and edits) in sliding windows: about 30 a second in all,
20 a minute per group, a short burst and then about one a second per private chat. PTB's
AIORateLimiter approximates those with leaky buckets, which let a full bucket go at once
and then keep dripping: at its defaults the second second already starts with a 429. And a
429 there halts every request of the bot — callback answers too — and then lets all the
held sends go at once, which draws the next 429. The benchmark (bench/) measured both.

Here a send takes a place in each window that applies, keeps it while in flight and for a
window's length after Telegram answered, and waits when there is none free. Telegram saw the
send before it answered, so its window can never hold more than ours. Only sends and edits
are paced; other calls (callback answers, getUpdates) go straight through. A private chat is
paced only after it answered 429 once (its burst allowance is not published). A 429 is
waited out by that one request alone, up to `max_retries` times.

A person waiting for an answer goes first: sends made while handling an update (see
`urgently`) take the next free place before any send of a job or broadcast, and those go
before bulk (the follow-up panels after a burst, see handlers/send_priority); within each
kind, first come, first served. No kind ever gets more places than the windows allow.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from datetime import timedelta
from typing import Any, TypeVar

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from handlers.send_priority import is_bulk

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
PACED = ("send", "edit", "copy", "forward")  # method names that post into a chat
T = TypeVar("T")
# The order in which waiting sends get a place: lowest first.
URGENT, NORMAL, BULK = 0, 1, 2

# The task whose sends are urgent. A task, not a flag: a task started from it (a broadcast a
# coordinator's press starts, a job it schedules) copies its context, not its urgency.
_urgent_task: ContextVar[asyncio.Task[Any] | None] = ContextVar("urgent_task", default=None)


async def urgently(work: Awaitable[T]) -> T:
    """Await `work` with the sends it makes (in this task) ahead of background sends."""
    token = _urgent_task.set(asyncio.current_task())
    try:
        return await work
    finally:
        _urgent_task.reset(token)


def is_urgent() -> bool:
    """Tell whether the running task sends for a person waiting (see `urgently`)."""
    task = _urgent_task.get()
    return task is not None and task is asyncio.current_task()


class Window:
    """At most `count` sends in any `seconds`, each counted until `seconds` after its answer.

    Places go to the waiting requests in order: by priority (urgent, normal, bulk), then
    first come, first served. A request that stops waiting (cancelled) gives its turn, or its
    place, back.
    """

    def __init__(self, count: int, seconds: float) -> None:
        self.count = count
        self.seconds = seconds
        self._running = 0
        self._answered: deque[float] = deque()  # when each recent send was answered, in order
        # (priority, arrival, resolved when the place is given): a heap.
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()
        self._timer: asyncio.TimerHandle | None = None  # when the oldest place frees up

    def idle(self, now: float) -> bool:
        """Tell whether nothing counts here any more (the window can be forgotten)."""
        return (
            not self._running
            and all(granted.done() for _, _, granted in self._waiting)
            and (not self._answered or self._answered[-1] <= now - self.seconds)
        )

    async def acquire(self, priority: int = NORMAL) -> None:
        """Wait for a free place and take it (URGENT, NORMAL or BULK)."""
        granted = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._arrivals), granted))
        self._grant()
        try:
            await granted  # no wait at all when a place was free
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():  # given, but too late: give it back
                self._running -= 1
                self._grant()
            raise

    def release(self) -> None:
        """The send was answered (or failed): its place frees up a window's length from now."""
        self._running -= 1
        self._answered.append(asyncio.get_running_loop().time())
        self._grant()

    def _grant(self) -> None:
        """Give the free places to the first waiting; look again when the oldest frees up."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        while self._answered and self._answered[0] <= now - self.seconds:
            self._answered.popleft()
        while self._waiting and self._running + len(self._answered) < self.count:
            _, _, granted = heapq.heappop(self._waiting)
            if not granted.done():  # not cancelled while it waited
                self._running += 1
                granted.set_result(None)
        # With every place in flight, the next release looks again instead.
        if self._waiting and self._answered and self._timer is None:
            self._timer = loop.call_at(self._answered[0] + self.seconds, self._wake)

    def _wake(self) -> None:
        self._timer = None
        self._grant()


class FloodLimiter(BaseRateLimiter[int]):
    """PTB's rate limiter, with sliding windows overall, per group and per private chat."""

    # Past this many chat windows, the idle ones are forgotten.
    KEEP_CHATS = 512

    def __init__(
        self,
        overall: tuple[int, float] = (30, 1.0),
        group: tuple[int, float] = (20, 60.0),
        private: tuple[int, float] | None = (3, 3.0),  # once a chat answered 429
        max_retries: int = 3,
    ) -> None:
        self._overall_limits = overall
        self._group = group
        self._private = private
        self._max_retries = max_retries
        self._overall = Window(*overall)
        self._chats: dict[int | str, Window] = {}
        # Private chats that answered 429: only these are paced (see _chat).
        self._flooded: set[int | str] = set()

    async def initialize(self) -> None:
        """Start with empty windows."""
        self._overall = Window(*self._overall_limits)
        self._chats = {}
        self._flooded = set()

    async def shutdown(self) -> None:
        """Nothing to free."""

    def _chat(self, chat_id: int | str) -> Window | None:
        group = isinstance(chat_id, str) or chat_id < 0
        # Telegram lets a private chat have short bursts and does not say how long: such a
        # chat is paced only once it answered 429, so no one waits for a rule not enforced.
        limits = self._group if group else self._private if chat_id in self._flooded else None
        if limits is None:
            return None
        window = self._chats.get(chat_id)
        if window is None:
            if len(self._chats) > self.KEEP_CHATS:
                now = asyncio.get_running_loop().time()
                self._chats = {k: w for k, w in self._chats.items() if not w.idle(now)}
            window = self._chats[chat_id] = Window(*limits)
        return window

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Run the request once there is room in its windows; wait out a 429 and retry."""
        chat_id = data.get("chat_id")
        if chat_id is None or not endpoint.startswith(PACED):
            return await callback(*args, **kwargs)
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        windows = [w for w in (self._chat(chat_id), self._overall) if w is not None]
        priority = URGENT if is_urgent() else BULK if is_bulk() else NORMAL
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        for attempt in range(retries + 1):
            taken: list[Window] = []
            try:
                # Waiting for a chat's window holds no place in the overall one.
                for window in windows:
                    await window.acquire(priority)
                    taken.append(window)
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == retries:
                    raise
                wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
                log.info("429 on %s in chat %s: retrying in %.1f s", endpoint, chat_id, seconds)
                self._flooded.add(chat_id)
                windows = [w for w in (self._chat(chat_id), self._overall) if w is not None]
            finally:
                for window in taken:
                    window.release()
            await asyncio.sleep(seconds)
        raise AssertionError("unreachable: the last attempt returns or raises")
