"""The unit of work: one session per logical operation; the service decides to commit."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.engine import READ_ONLY


class UnitOfWork:
    """Open a session on enter; roll back anything not committed on exit."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], *, read_only: bool = False
    ) -> None:
        self._sessionmaker = sessionmaker
        self._session: AsyncSession | None = None
        self._read_only = read_only

    @property
    def session(self) -> AsyncSession:
        """The session of the current unit of work."""
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside 'async with'")
        return self._session

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("UnitOfWork is not re-entrant; make a new one per operation")
        self._session = self._sessionmaker()
        if self._read_only:
            # Procure the connection now, so the option is there when the transaction begins.
            await self._session.connection(execution_options={READ_ONLY: True})
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        try:
            # Only roll back what is still open: after a commit there is nothing to undo, and a
            # rollback would expire the objects the service is about to return.
            if session.in_transaction():
                await session.rollback()
        finally:
            await session.close()

    async def commit(self) -> None:
        """Commit what this unit of work did."""
        await self.session.commit()

    async def rollback(self) -> None:
        """Throw away what this unit of work did so far."""
        await self.session.rollback()


def _checkpoint(conn: Connection) -> None:
    # On the driver's cursor, outside any transaction: SQLAlchemy's would begin one first.
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        cursor.close()


class UnitOfWorkFactory:
    """Make a fresh UnitOfWork per operation (services hold this, not a session)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.sessionmaker)

    async def scrub_freed(self) -> None:
        """Make deleted data leave the database files now, where the database allows it.

        SQLite (with secure_delete on) zeroes freed pages, but the old page images stay in
        the write-ahead log until a checkpoint: TRUNCATE copies it back and empties it. On
        PostgreSQL a row's old version stays until VACUUM (see the README's privacy section).
        """
        engine = self.sessionmaker.kw.get("bind")
        if engine is None or engine.dialect.name != "sqlite":
            return
        async with engine.connect() as conn:
            await conn.run_sync(_checkpoint)

    def read_only(self) -> UnitOfWork:
        """A unit of work that only reads: on SQLite it does not take the write lock."""
        return UnitOfWork(self.sessionmaker, read_only=True)
