"""Free text in the private chat: which feature asked for it, and who gets it.

A feature that asks a question ("Wat is er gebeurd?", "Wat hoor je in je achterban?") calls
`expect(context, kind, **data)`; the next plain text in that person's private chat goes to the
consumer registered for that kind. Only one question is open per person: a newer one replaces
an older one. The state lives in PTB's user_data (memory): after a restart the person gets a
friendly line instead, and nothing half-done is stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update

from handlers.context import BotContext
from handlers.i18n import t

Consumer = Callable[[Update, BotContext, dict[str, Any]], Awaitable[None]]
_CONSUMERS: dict[str, Consumer] = {}
KEY = "awaiting"


def consumer(kind: str) -> Callable[[Consumer], Consumer]:
    """Register the function that takes the free text a feature asked for."""

    def register(func: Consumer) -> Consumer:
        if kind in _CONSUMERS:
            raise ValueError(f"text consumer {kind!r} registered twice")
        _CONSUMERS[kind] = func
        return func

    return register


def expect(context: BotContext, kind: str, **data: Any) -> None:
    """Route the person's next plain text to the consumer of kind."""
    if context.user_data is not None:
        context.user_data[KEY] = {"kind": kind, **data}


def clear(context: BotContext) -> None:
    """Forget any open question."""
    if context.user_data is not None:
        context.user_data.pop(KEY, None)


def pending(context: BotContext) -> dict[str, Any] | None:
    """The open question of this person, if any."""
    return None if context.user_data is None else context.user_data.get(KEY)


async def on_private_text(update: Update, context: BotContext) -> None:
    """Hand a plain private text to whichever feature asked for it."""
    message = update.effective_message
    if message is None:
        return
    waiting = pending(context)
    handler = _CONSUMERS.get(str(waiting.get("kind"))) if waiting else None
    if waiting is None or handler is None:
        await message.reply_text(t("awaiting.nothing_asked", context.language))
        return
    clear(context)
    await handler(update, context, waiting)
