"""One process leads on a database: it polls Telegram and runs the jobs; another waits.

PostgreSQL: a session-level advisory lock, held on a connection of its own. A process that
dies loses the connection and with it the lock; a waiting process asks every two seconds and
takes over. With webhooks every worker handles the updates it receives, and only the leader
runs the jobs (deadlines, reminders, sweeps, broadcasts, recovery).
SQLite: one process only. An exclusive lock on a file beside the database refuses a second
process with one line, instead of two pollers fighting over Telegram (409) and the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

# The advisory lock's key: "Bond" in ASCII; advisory locks are per database.
LOCK_KEY = 0x426F6E64
# How often a waiting process asks for the lead, and the leader checks it still has it.
POLL_SECONDS = 2.0


class AnotherProcess(Exception):
    """Another bot process already uses this database, and it cannot be shared."""


class Lead:
    """The right to poll and to run jobs on one database."""

    async def take(self, stop: asyncio.Event) -> bool:
        """Wait until this process leads (True), or until `stop` (False)."""
        raise NotImplementedError

    async def lost(self) -> None:
        """Return when the lead is lost (the database went away); never, if it cannot be."""
        await asyncio.Event().wait()

    async def release(self) -> None:
        """Give the lead up (at a stop)."""


class FileLead(Lead):
    """SQLite: an exclusive lock on `<database>.lock`; a second process is refused."""

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".lock")
        self._fd: int | None = None

    async def take(self, stop: asyncio.Event) -> bool:
        """Lock the file at once, or refuse: SQLite has no standby."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise AnotherProcess(
                f"another bondgenoten process is running on this SQLite database ({self.path} "
                "is locked); stop it first, or use PostgreSQL to run a standby beside it"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    async def release(self) -> None:
        """Unlock (the operating system does it too when the process dies)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None


class PostgresLead(Lead):
    """PostgreSQL: an advisory lock on a connection of its own; others wait as standby."""

    def __init__(self, url: str, poll_seconds: float = POLL_SECONDS) -> None:
        self._dsn = make_url(url).set(drivername="postgresql").render_as_string(False)
        self._poll = poll_seconds
        self._conn: asyncpg.Connection | None = None
        self._unreachable = False  # said once per outage
        self._taken_by_another = False

    async def take(self, stop: asyncio.Event) -> bool:
        """Ask for the lock until it is ours; log once that this process waits."""
        said = False
        while not stop.is_set():
            try:
                if self._conn is None or self._conn.is_closed():
                    self._conn = await asyncpg.connect(self._dsn, timeout=10)
                if await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY):
                    if said:
                        log.info("taking over: the other process stopped")
                    return True
                if not said:
                    log.info(
                        "standby: another process leads on this database; "
                        "this one takes over within %.0f s when it stops",
                        self._poll * 2,
                    )
                    said = True
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("cannot ask the database for the lead: %s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._poll)
        return False

    async def lost(self) -> None:
        """Return once another process has taken the lead (see `still_leads`)."""
        while True:
            await asyncio.sleep(self._poll)
            if not await self.still_leads():
                return

    async def still_leads(self) -> bool:
        """Whether this process still leads; after a broken connection, take the lock again.

        The lock goes with its connection (a restart of the database, a network hiccup). A
        new connection takes it again unless another process took it meanwhile: then the lead
        is lost. While the database cannot be reached at all this process goes on (nothing it
        does gets stored, and people are told so) and asks again at the next look.
        """
        if self._taken_by_another:
            return False
        if self._conn is not None and not self._conn.is_closed():
            try:
                await self._conn.fetchval("SELECT 1", timeout=self._poll * 2)
                return True
            except Exception:  # whatever broke it, the lock went with it
                pass
        await self.release()
        try:
            self._conn = await asyncpg.connect(self._dsn, timeout=self._poll * 2)
            if not await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY):
                self._taken_by_another = True  # meanwhile
                await self.release()
                return False
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            if not self._unreachable:
                log.warning(
                    "the database connection that holds the lead broke (%s); going on, "
                    "and taking the lead again once the database answers",
                    type(exc).__name__,
                )
            self._unreachable = True
            return True
        log.warning("the database connection that holds the lead broke; lead taken again")
        self._unreachable = False
        return True

    async def release(self) -> None:
        """Close the connection: the lock goes with it."""
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None


def lead_for(database_url: str) -> Lead:
    """The lead that fits the database: a file lock for SQLite, an advisory lock otherwise."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        name = url.database or ""
        if not name or name == ":memory:" or name.startswith("file:"):
            return _Solo()
        return FileLead(Path(name).expanduser().absolute())
    return PostgresLead(database_url)


class _Solo(Lead):
    """An in-memory database: nobody else can share it."""

    async def take(self, stop: asyncio.Event) -> bool:
        """Lead at once."""
        return True
