"""Per-bot update queue: allowed_updates filtering, offsets and long polling."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from sandbox.errors import POLL_CONFLICT, ApiError

ALL_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
DEFAULT_UPDATE_TYPES = ALL_UPDATE_TYPES - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}


def normalize_allowed(values: list[Any] | None) -> frozenset[str] | None:
    """Telegram's allowed_updates rule: None keeps the setting, [] means the default set."""
    if values is None:
        return None
    chosen = frozenset(str(v) for v in values) & ALL_UPDATE_TYPES
    return chosen or DEFAULT_UPDATE_TYPES


@dataclass
class WebhookConfig:
    """A bot's webhook as set by setWebhook."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: datetime | None = None
    last_error_message: str | None = None


class UpdateQueue:
    """The pending updates of one bot, consumed by getUpdates or by webhook delivery.

    `on_taken` is called when updates leave the queue (confirmed, delivered or dropped), so
    that a test waiting for the bot to have taken everything wakes at once.
    """

    def __init__(
        self, first_update_id: int = 1, on_taken: Callable[[], None] | None = None
    ) -> None:
        self.pending: deque[dict[str, Any]] = deque()
        self._on_taken = on_taken
        self.next_update_id = first_update_id
        self.allowed: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.webhook: WebhookConfig | None = None
        self.delivered: list[dict[str, Any]] = []
        self._poller: asyncio.Future[None] | None = None
        self._pending_event = asyncio.Event()

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update if the bot accepts this kind; return it (or None if filtered)."""
        if kind not in self.allowed:
            return None
        update = {"update_id": self.next_update_id, kind: payload}
        self.next_update_id += 1
        self.pending.append(update)
        self._pending_event.set()
        if self._poller is not None and not self._poller.done():
            self._poller.set_result(None)
        return update

    def confirm(self, offset: int) -> None:
        """Forget updates below offset; a negative offset keeps only the last -offset."""
        before = len(self.pending)
        if offset < 0:
            while len(self.pending) > -offset:
                self.pending.popleft()
        else:
            while self.pending and self.pending[0]["update_id"] < offset:
                self.pending.popleft()
        if len(self.pending) != before:
            self._taken()

    def drop_pending(self) -> None:
        """Forget every pending update (drop_pending_updates)."""
        if self.pending:
            self.pending.clear()
            self._taken()

    def _taken(self) -> None:
        if self._on_taken is not None:
            self._on_taken()

    def peek(self, limit: int) -> list[dict[str, Any]]:
        """The first pending updates, without confirming them."""
        return list(islice(self.pending, limit))

    async def poll(
        self,
        offset: int | None,
        limit: int,
        timeout: float,  # noqa: ASYNC109
    ) -> list[dict[str, Any]]:
        """getUpdates: confirm offset, then wait up to timeout for the first update."""
        if offset is not None:
            self.confirm(offset)
        if self.pending or timeout <= 0:
            return self.peek(limit)
        if self._poller is not None and not self._poller.done():
            self._poller.set_exception(ApiError(409, POLL_CONFLICT))
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._poller = future
        try:
            await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            pass
        finally:
            if self._poller is future:
                self._poller = None
            if not future.done():
                future.cancel()
        if future.done() and not future.cancelled() and future.exception() is not None:
            raise ApiError(409, POLL_CONFLICT)
        return self.peek(limit)

    def end_poll(self) -> None:
        """Let a waiting long poll return now (used when a webhook is set)."""
        if self._poller is not None and not self._poller.done():
            self._poller.set_result(None)

    async def wait_pending(self) -> None:
        """Wait until at least one update is pending (webhook delivery)."""
        while not self.pending:
            self._pending_event.clear()
            await self._pending_event.wait()

    def consume_first(self) -> None:
        """Remove the first pending update after successful webhook delivery."""
        with contextlib.suppress(IndexError):
            self.delivered.append(self.pending.popleft())
            self._taken()
