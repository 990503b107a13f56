"""Logging and output that never show a secret (httpx logs request URLs, which hold the token)."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Literal, TextIO

LogFormat = Literal["text", "json"]
MASK = "[REDACTED]"


class Redactor:
    """Replace every secret in a text with a mask."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first, so that a secret containing another is masked whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def __bool__(self) -> bool:
        return bool(self._secrets)


class RedactingStream:
    """A text stream that masks secrets in whatever is written to it: print, tracebacks, logs."""

    def __init__(self, stream: TextIO, redact: Redactor) -> None:
        self.wrapped = stream
        self._redact = redact

    def write(self, text: str) -> int:
        """Write text with every secret masked."""
        self.wrapped.write(self._redact(text))
        return len(text)

    def flush(self) -> None:
        """Flush the wrapped stream."""
        self.wrapped.flush()

    def __getattr__(self, name: str) -> object:
        return getattr(self.wrapped, name)


class RedactingFilter(logging.Filter):
    """Replace every secret in a log record with a mask, before any handler formats it."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._redact = Redactor(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, redact it, and keep the record."""
        if self._redact:
            record.msg = self._redact(record.getMessage())
            record.args = None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = self._redact(record.exc_text)
        return True


class OneLineFilter(logging.Filter):
    """Fold a record's traceback into one line: what failed, and the exception's first line.

    Above DEBUG a failure is one line, ours or a library's (PTB logs a whole traceback when,
    say, its last poll on the way out finds no network); DEBUG keeps the tracebacks.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the traceback with the exception's type and first line."""
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            lines = str(exc).strip().splitlines()
            record.msg = (
                f"{record.getMessage()} ({type(exc).__name__}: {lines[0] if lines else ''})"
            )
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers: time, level, logger, message (+ traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        """Render a record as one line of JSON."""
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["traceback"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class SkippedRunFilter(logging.Filter):
    """Drop APScheduler's warning that a job's run was skipped while its last still ran.

    Our repeating jobs allow one run at a time on purpose (max_instances=1, coalesce): a
    look that takes longer than its interval simply waits for the next. APScheduler warns
    of every such skip, which filled the demo's output and a quiet log with noise.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every record but the skip warning."""
        return "maximum number of running instances reached" not in record.getMessage()


def quiet_skipped_runs() -> None:
    """Filter the skip warning out of APScheduler's scheduler log (once)."""
    scheduler = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, SkippedRunFilter) for f in scheduler.filters):
        scheduler.addFilter(SkippedRunFilter())


def configure_logging(level: str, secrets: list[str], log_format: LogFormat = "text") -> None:
    """Log to stderr at level, with secrets redacted from every record of every logger."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_bondgenoten", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    debug = level == "DEBUG"
    if not debug:
        handler.addFilter(OneLineFilter())
    handler.addFilter(RedactingFilter(secrets))
    handler._bondgenoten = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request at INFO; that is noise at INFO and a URL with the token in it.
    logging.getLogger("httpx").setLevel(logging.DEBUG if debug else logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    quiet_skipped_runs()
    # aiosqlite logs every statement at DEBUG with its parameters — names and message texts —
    # and, for a bot whose jobs look at the database every few seconds, hundreds of kilobytes
    # a minute: enough to fill a pipe that nobody reads and stall the process.
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
    # Alembic tells at INFO which migration context it uses, on every start: detail for DEBUG.
    logging.getLogger("alembic").setLevel(logging.DEBUG if debug else logging.WARNING)
