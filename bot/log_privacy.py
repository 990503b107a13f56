"""Keep people's names and texts, and invitation links, out of the logs at every level.

At DEBUG, PTB logs every Bot API call with its parameters and its return value, and every
update it processes: message texts, free texts about the neighbourhood, names, and the
invitation links with their single-use tokens (whoever reads the log could join with an
unused one). Those records keep what an operator needs — which endpoint, which parameter
names, which update id — and lose the content. Whatever any logger writes also loses a
deep-link token and a /start payload. The bot token, webhook secret and pseudonym key are
masked separately (logging_setup.RedactingFilter).
"""

from __future__ import annotations

import logging
import re
from typing import Any

MASK = "[REDACTED]"
# Loggers whose records carry Bot API traffic (PTB names them by class).
TELEGRAM_LOGGERS = (
    "telegram.Bot",
    "telegram.ext.ExtBot",
    "telegram.ext.Application",
    "telegram.ext.Updater",
)
# Database drivers and SQLAlchemy's engine log statements with their values.
QUIET_LOGGERS = ("aiosqlite", "sqlalchemy.engine", "asyncpg")
_LINK = re.compile(r"(t\.me/[A-Za-z0-9_]+\?start(?:group)?=)[A-Za-z0-9_-]+")
_START = re.compile(r"(/start(?:@[A-Za-z0-9_]+)?[ \t]+)[^\s'\",}\]]+")


def _keys(data: Any) -> str:
    return "[" + ", ".join(sorted(map(str, data))) + "]" if isinstance(data, dict) else MASK


def _update_id(update: Any) -> str:
    found = getattr(update, "update_id", None)
    if found is None and isinstance(update, dict):
        found = update.get("update_id")
    return str(found) if found is not None else "?"


class PersonalDataFilter(logging.Filter):
    """Strip content from Bot API records, and invitation tokens from every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        msg, args = record.msg, record.args
        if isinstance(msg, str) and isinstance(args, tuple) and args:
            if msg.startswith("Calling Bot API endpoint"):
                record.msg = "Calling Bot API endpoint `%s` with parameters %s"
                record.args = (args[0], _keys(args[1]) if len(args) > 1 else MASK)
            elif msg.startswith("Call to Bot API endpoint"):
                record.msg = "Call to Bot API endpoint `%s` finished"
                record.args = (args[0],)
            elif msg.startswith(("Processing update", "Dropping pending update")):
                record.msg = msg.split("%s", 1)[0] + "%s (content not logged)"
                record.args = (_update_id(args[0]),)
        try:
            text = record.getMessage()
        except (TypeError, ValueError):  # a record whose arguments do not fit: leave it
            return True
        cleaned = _START.sub(r"\1" + MASK, _LINK.sub(r"\1" + MASK, text))
        if cleaned != text:
            record.msg, record.args = cleaned, None
        return True


_FILTER = PersonalDataFilter()


def protect_logs() -> None:
    """Put the filter on PTB's loggers and on every handler of the root logger (idempotent).

    On the loggers, so that a record is cleaned where it is made, whoever handles it; on the
    root's handlers for everything else (our own and third-party loggers).
    """
    for name in TELEGRAM_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    for name in QUIET_LOGGERS:
        # Their DEBUG (and SQLAlchemy's INFO) is every statement with its parameters.
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
