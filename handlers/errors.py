"""The error handler: log the failure, tell the person in one human line."""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError, OperationalError
from telegram import Update
from telegram.error import TelegramError

from handlers.context import BotContext
from handlers.i18n import t

log = logging.getLogger(__name__)


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
    language = services.language if services else None
    text = t("error.database_unavailable" if unavailable else "error.generic", language)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text[:200], show_alert=True)
        elif update.effective_chat is not None and update.effective_chat.type == "private":
            await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError:
        log.warning("could not tell the person about the error", exc_info=True)
