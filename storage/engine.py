"""Async engine and session factory, made at start-up and disposed at shut-down."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from storage.driver import translated

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Execution option of a transaction that only reads (see UnitOfWorkFactory.read_only).
READ_ONLY = "bondgenoten_read_only"


def is_sqlite(url: str) -> bool:
    """Tell whether a database URL points at SQLite."""
    return url.startswith("sqlite")


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL points at (absolute), or None for PostgreSQL or an in-memory one."""
    if not is_sqlite(url):
        return None
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser().absolute()


def describe_location(url: str) -> str:
    """Where the database is, for a person or a log line: a SQLite file's absolute path, or the
    URL without its password."""
    path = sqlite_file(url)
    return f"SQLite file {path}" if path else make_url(url).render_as_string(hide_password=True)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine, with SQLite tuned for a bot that writes while it reads."""
    # A statement's parameters are people's names and texts: never in a log or an error.
    kwargs.setdefault("hide_parameters", True)
    if is_sqlite(url):
        engine = _create_async_engine(url, **kwargs)
        _tune_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    return _create_async_engine(url, **kwargs)


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # pysqlite's own transaction handling breaks SAVEPOINTs; SQLAlchemy's documented
        # recipe is to switch it off and emit BEGIN ourselves (see _on_begin).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted rows are overwritten with zeros, so an erased name is not left in the
        # file's free pages (the privacy rights: erasure really erases).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: a deferred transaction that later writes
        # fails with "database is locked" at once instead of waiting for busy_timeout. A
        # long read (an export) must not hold that lock, so read-only work begins deferred.
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"
        # Straight to the driver: one trip to its thread, where exec_driver_sql takes three
        # and SQLAlchemy's statement machinery besides (every transaction pays this).
        try:
            conn.connection.dbapi_connection.run_async(lambda driver: driver.execute(begin))
        except sqlite3.Error as exc:  # locked past busy_timeout, a full disk: as SQLAlchemy says
            raise translated(begin, exc) from exc


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Create the session factory: one session per logical operation, no expiry on commit."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
