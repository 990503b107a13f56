"""The one ordered list of update handlers. Order matters where a comment says so."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, BaseHandler, CommandHandler

from handlers.errors import on_error
from handlers.filters import NEW_MESSAGE, PRIVATE
from handlers.start import help_command, start


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """Return every update handler, in the order they must be tried."""
    return [
        # --- people: deep links (/start <token>) must come before the plain /start ---
        # --- districts and groups ---
        CommandHandler("start", start, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler("help", help_command, filters=NEW_MESSAGE),
    ]


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every handler and the error handler to the application."""
    application.add_handlers(handlers())
    application.add_error_handler(on_error)
