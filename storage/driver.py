"""SQLite's driver under a session: for the few hot statements that skip SQLAlchemy.

Through SQLAlchemy's aiosqlite adapter every statement takes three or four trips to the
driver's thread (cursor, execute, fetch, close), and a trip costs about 85 µs of CPU on a
small virtual machine: more than the statement. The hottest paths (a burst of answer
presses, the inbox of updates) send their statements to the aiosqlite connection itself,
one trip each, inside the session's own transaction. What they write must be what the
models write: datetimes as storage.types.UTCDateTime keeps them, enums as their values.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession


def translated(statement: str, error: sqlite3.Error) -> StatementError:
    """The driver's error as SQLAlchemy would have raised it (OperationalError for a full disk
    or a locked database, IntegrityError for a broken constraint), parameters hidden: callers
    tell an outage from a bug by those types (handlers/errors.py)."""
    return DBAPIError.instance(statement, None, error, sqlite3.Error, hide_parameters=True)


class Driver:
    """The aiosqlite connection under a session, raising SQLAlchemy's errors."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    async def execute_fetchall(self, sql: str, parameters: Sequence[Any]) -> Iterable[Any]:
        """Run one statement and return its rows."""
        try:
            rows: Iterable[Any] = await self._connection.execute_fetchall(sql, parameters)
            return rows
        except sqlite3.Error as exc:
            raise translated(sql, exc) from exc

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each row."""
        try:
            await self._connection.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise translated(sql, exc) from exc


async def sqlite_driver(session: AsyncSession) -> Driver | None:
    """The aiosqlite connection under the session's transaction (begun now if it was not).

    None on any other database: the caller then goes through SQLAlchemy.
    """
    if session.get_bind().dialect.name != "sqlite":
        return None
    connection = await session.connection()  # BEGIN (IMMEDIATE) as storage/engine.py says
    raw = await connection.get_raw_connection()
    return Driver(raw.driver_connection)


def marks(n: int) -> str:
    """n question marks for an IN list or a row of VALUES."""
    return ",".join("?" * n)


def utc_value(value: Any) -> datetime:
    """A stored SQLite datetime (naive UTC text), aware, as UTCDateTime reads it."""
    found = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


def utc_text(at: datetime) -> str:
    """An aware datetime as SQLite keeps it through UTCDateTime (naive UTC, microseconds)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime refused by the database layer: {at!r}")
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
