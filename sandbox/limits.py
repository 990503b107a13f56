"""Telegram's flood limits as sliding windows, and the wall-time bound they imply."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sandbox.errors import too_many_requests


@dataclass(frozen=True)
class Window:
    """At most `count` messages within any `seconds` long sliding window."""

    count: int
    seconds: float

    def min_span(self, messages: int) -> float:
        """Shortest time from the first to the last of `messages` sends under this window."""
        if messages <= 0:
            return 0.0
        return (math.ceil(messages / self.count) - 1) * self.seconds


@dataclass(frozen=True)
class FloodLimits:
    """Per-bot limits: overall, per private chat (short bursts allowed), per group."""

    overall: Window = field(default_factory=lambda: Window(30, 1.0))
    private_chat: Window = field(default_factory=lambda: Window(3, 3.0))
    group: Window = field(default_factory=lambda: Window(20, 60.0))

    def for_chat(self, chat_id: int) -> Window:
        """The window that applies to a chat (negative ids are groups)."""
        return self.group if chat_id < 0 else self.private_chat


def min_wall_time(
    messages_per_chat: Mapping[int, int], limits: FloodLimits | None = None
) -> float:
    """Lower bound in seconds on sending these per-chat message counts under the limits."""
    limits = limits or FloodLimits()
    total = sum(messages_per_chat.values())
    bound = limits.overall.min_span(total)
    for chat_id, count in messages_per_chat.items():
        bound = max(bound, limits.for_chat(chat_id).min_span(count))
    return bound


class FloodLimiter:
    """Counts sends per bot and per chat; raises 429 past the limits when enabled."""

    def __init__(
        self,
        limits: FloodLimits | None = None,
        enabled: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits or FloodLimits()
        self.enabled = enabled
        self.clock = clock
        self._sent: dict[tuple[int, int | None], deque[float]] = {}

    def configure(self, enabled: bool, limits: FloodLimits | None = None) -> None:
        """Switch limits on or off, optionally with new numbers; resets the counters."""
        self.enabled = enabled
        if limits is not None:
            self.limits = limits
        self._sent.clear()

    def _retry_after(self, key: tuple[int, int | None], window: Window, now: float) -> float:
        """Seconds until the window has room again (0 when it has room now)."""
        stamps = self._sent.get(key)
        if stamps is None:
            return 0.0
        while stamps and stamps[0] <= now - window.seconds:
            stamps.popleft()
        if len(stamps) < window.count:
            return 0.0
        return stamps[len(stamps) - window.count] + window.seconds - now

    def check(self, bot_id: int, chat_id: int) -> None:
        """Record a send, or raise 429 with retry_after if it would break a limit."""
        if not self.enabled:
            return
        now = self.clock()
        overall_key: tuple[int, int | None] = (bot_id, None)
        chat_key: tuple[int, int | None] = (bot_id, chat_id)
        wait = max(
            self._retry_after(overall_key, self.limits.overall, now),
            self._retry_after(chat_key, self.limits.for_chat(chat_id), now),
        )
        if wait > 0:
            raise too_many_requests(math.ceil(wait))
        self._sent.setdefault(overall_key, deque()).append(now)
        self._sent.setdefault(chat_key, deque()).append(now)
