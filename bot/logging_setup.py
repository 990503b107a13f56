"""Logging that never shows the bot token (httpx logs request URLs, which contain it)."""

from __future__ import annotations

import logging
import sys


class RedactingFilter(logging.Filter):
    """Replace every secret in a log record with a mask, before any handler formats it."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[REDACTED]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, redact it, and keep the record."""
        if self._secrets:
            record.msg = self._redact(record.getMessage())
            record.args = None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = self._redact(record.exc_text)
        return True


def configure_logging(level: str, secrets: list[str]) -> None:
    """Log to stderr at level, with secrets redacted from every record of every logger."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_bondgenoten", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    handler._bondgenoten = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request at INFO; that is noise at INFO and a URL with the token in it.
    logging.getLogger("httpx").setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # aiosqlite logs every statement at DEBUG with its parameters — names and message texts —
    # and, for a bot whose jobs look at the database every few seconds, hundreds of kilobytes
    # a minute: enough to fill a pipe that nobody reads and stall the process.
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
