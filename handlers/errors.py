"""The error handler: log the failure, tell the person in one human line."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy.exc import DBAPIError, OperationalError
from telegram import Update
from telegram.error import TelegramError

from handlers.context import BotContext
from handlers.i18n import t

log = logging.getLogger(__name__)

# The presses answered while this update was handled. Telegram takes one answer per press:
# a handler that answered and then failed must not have the error handler answer again.
_answered: ContextVar[set[str] | None] = ContextVar("answered_presses", default=None)


@contextmanager
def answers_noted() -> Iterator[None]:
    """Note, while one update is handled (in its task), which presses get answered."""
    token = _answered.set(set())
    try:
        yield
    finally:
        _answered.reset(token)


def note_answered(callback_query_id: str) -> None:
    """Record that a press was answered (called for every answerCallbackQuery sent)."""
    answered = _answered.get()
    if answered is not None:
        answered.add(callback_query_id)


async def on_error(update: object, context: BotContext) -> None:
    """Log an unhandled error and apologise to the person whose update caused it."""
    error = context.error
    services = context.bot_data.services
    unavailable = isinstance(error, OperationalError | DBAPIError | ConnectionError | OSError)
    if unavailable and services is not None and error is not None:
        # Once per outage (the watch logs it), not once per update or job while it lasts.
        await services.database.failed(error)
    else:
        log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update):
        return
    language = (
        services.languages.of(update.effective_user.id if update.effective_user else None)
        if services
        else None
    )
    text = t("error.database_unavailable" if unavailable else "error.generic", language)
    query = update.callback_query
    private = update.effective_chat is not None and update.effective_chat.type == "private"
    try:
        if query is not None and query.id not in (_answered.get() or ()):
            await query.answer(text[:200], show_alert=True)
        elif private and update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError:
        log.warning("could not tell the person about the error", exc_info=True)
