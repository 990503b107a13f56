"""Handle updates concurrently, but each person's (and each group's messages) in order.

PTB handles one update at a time by default: a burst of presses then waits press by press
for the database, and presses that arrive together can never share a transaction. With
`concurrent_updates`, PTB runs them side by side in no particular order — which would let a
chief's typed event overtake the /peiling press before it, or a person's second press
overtake the first. This processor keeps the order where it matters: updates of the same
person run one after another, as do messages and membership changes of the same group;
different people's updates (a whole district pressing the same group message) run together.
Membership changes (someone blocks or unblocks the bot, the bot is added to or removed from
a group) are barriers: every update that comes after one waits for it, so a coordinator's
next /leden already sees that someone blocked the bot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine
from typing import Any

from telegram import Chat, Update
from telegram.ext import BaseUpdateProcessor

# Enough for a burst of presses to wait for one commit together; see handlers/checkins/answers.py.
MAX_CONCURRENT_UPDATES = 256


def order_keys(update: object) -> tuple[tuple[str, int], ...]:
    """What an update must wait its turn for: its person, and its group unless it is a press."""
    if not isinstance(update, Update):
        return ()
    keys: list[tuple[str, int]] = []
    if update.effective_user is not None:
        keys.append(("user", update.effective_user.id))
    chat = update.effective_chat
    # Presses in a group are the people's own (and come in bursts); group messages, members
    # joining and leaving, and migrations change the group, so they go one by one.
    if chat is not None and chat.type != Chat.PRIVATE and update.callback_query is None:
        keys.append(("chat", chat.id))
    return tuple(keys)


def is_barrier(update: object) -> bool:
    """Tell whether every later update must wait for this one: a membership change."""
    return isinstance(update, Update) and (
        update.my_chat_member is not None or update.chat_member is not None
    )


class PerPersonOrder(BaseUpdateProcessor):
    """Run updates concurrently, each after the earlier ones that share a key with it."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        # The last update seen per key: whoever comes next with that key waits for it.
        self._last: dict[tuple[str, int], asyncio.Event] = {}
        self._barrier: asyncio.Event | None = None  # the last membership change

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the earlier updates of the same person or group, then handle this one."""
        # PTB calls this in the order the updates came (its semaphore is first come, first
        # served), and nothing below awaits before the keys are taken: the order holds.
        keys = order_keys(update)
        done = asyncio.Event()
        earlier = [self._last[key] for key in keys if key in self._last]
        if self._barrier is not None and not self._barrier.is_set():
            earlier.append(self._barrier)
        for key in keys:
            self._last[key] = done
        if is_barrier(update):
            self._barrier = done
        started = False
        try:
            for event in earlier:
                await event.wait()
            started = True
            await coroutine
        finally:
            if not started and isinstance(coroutine, Coroutine):
                coroutine.close()  # cancelled while waiting: never awaited, never warned about
            done.set()
            for key in keys:
                if self._last.get(key) is done:
                    del self._last[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""
