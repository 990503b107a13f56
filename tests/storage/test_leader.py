"""One process leads on a database: SQLite refuses a second one, PostgreSQL keeps it waiting."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.leader import LOCK_KEY, AnotherProcess, FileLead, PostgresLead, lead_for

# The lock in this test's own database: pg_locks shows the whole server, where other tests
# (each with its own database, in parallel) hold the same key.
_THIS_DATABASE = (
    "locktype = 'advisory' AND objid = $1 "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


async def test_a_second_process_is_refused_on_sqlite_and_waits_on_postgresql(db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        await _standby_takes_over(db_url)
        return
    first, second = lead_for(db_url), lead_for(db_url)
    assert isinstance(first, FileLead)
    stop = asyncio.Event()
    assert await first.take(stop)
    with pytest.raises(AnotherProcess, match="another bondgenoten process is running"):
        await second.take(stop)
    await first.release()
    assert await second.take(stop)
    await second.release()


async def _standby_takes_over(db_url: str) -> None:
    """PostgreSQL: the standby takes over once the leader's connection (and lock) is gone."""
    first, second = PostgresLead(db_url, 0.05), PostgresLead(db_url, 0.05)
    stop = asyncio.Event()
    assert await first.take(stop)
    waiting = asyncio.create_task(second.take(stop))
    dsn = make_url(db_url).set(drivername="postgresql").render_as_string(False)
    admin = await asyncpg.connect(dsn)
    try:
        # The standby asks and is told no (its session shows up waiting for nothing else).
        async def asked() -> bool:
            count = await admin.fetchval(
                f"SELECT count(*) FROM pg_locks WHERE {_THIS_DATABASE}", LOCK_KEY
            )
            return bool(count == 1)

        assert await asked()
        assert not waiting.done()
        # The leader's connection, and so its lock, goes (as with kill -9).
        await _cut(admin)
        assert await asyncio.wait_for(waiting, 10)
        # Were the old leader still alive, it would find the lead taken, and stop.
        assert await first.still_leads() is False
        await asyncio.wait_for(first.lost(), 10)
    finally:
        await admin.close()
        await first.release()
        await second.release()


async def test_a_standby_stops_waiting_when_told_to(db_url: str) -> None:
    if db_url.startswith("sqlite"):  # no standby on SQLite: the refusal is tested above
        assert isinstance(lead_for(db_url), FileLead)
        return
    first, second = PostgresLead(db_url, 0.05), PostgresLead(db_url, 0.05)
    stop = asyncio.Event()
    assert await first.take(stop)
    waiting = asyncio.create_task(second.take(stop))
    stop.set()
    assert await asyncio.wait_for(waiting, 10) is False
    await first.release()
    await second.release()


async def _cut(admin: asyncpg.Connection) -> None:
    """Break the connection that holds the lock, as a database restart or a kill would."""
    await admin.fetchval(
        f"SELECT pg_terminate_backend(pid) FROM pg_locks WHERE {_THIS_DATABASE}", LOCK_KEY
    )


async def _holders(admin: asyncpg.Connection) -> list[int]:
    rows = await admin.fetch(
        f"SELECT pid FROM pg_locks WHERE {_THIS_DATABASE} AND granted", LOCK_KEY
    )
    return [row["pid"] for row in rows]


async def test_a_leader_whose_connection_broke_takes_the_lead_again_if_nobody_did(
    db_url: str,
) -> None:
    if db_url.startswith("sqlite"):  # no connection to lose
        return
    leader = PostgresLead(db_url, 0.05)
    assert await leader.take(asyncio.Event())
    admin = await asyncpg.connect(_dsn(db_url))
    try:
        [before] = await _holders(admin)
        await _cut(admin)
        # The database restarted, say: nobody took the lead meanwhile, so it goes on leading.
        assert await leader.still_leads() is True
        [after] = await _holders(admin)
        assert after != before
        # Asked again with the database out of reach: it goes on (nobody else can take it).
        leader._dsn = "postgresql://postgres@127.0.0.1:1/nowhere"
        await _cut(admin)
        assert await leader.still_leads() is True
        assert await _holders(admin) == []
    finally:
        await admin.close()
        await leader.release()


def _dsn(db_url: str) -> str:
    return make_url(db_url).set(drivername="postgresql").render_as_string(False)
