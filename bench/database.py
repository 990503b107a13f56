"""A fresh, migrated database per scenario: a file on SQLite, a temporary one on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from storage.engine import is_sqlite
from storage.migrate import upgrade_url


def backend(url: str | None) -> str:
    """'sqlite' or 'postgresql': which kind of database the benchmark runs on."""
    return "sqlite" if url is None or is_sqlite(url) else "postgresql"


@asynccontextmanager
async def fresh_database(base_url: str | None, workdir: Path, name: str) -> AsyncIterator[str]:
    """Yield the URL of a new, migrated database; drop it afterwards.

    For SQLite (the default) a file in the work directory; for a PostgreSQL URL a temporary
    database on that server, made and dropped through the URL's own database.
    """
    if backend(base_url) == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / f'{name}.db'}"
        await upgrade_url(url)
        yield url
        return
    assert base_url is not None
    server = make_url(base_url)
    temp = f"bench_{name}_{uuid.uuid4().hex[:8]}"
    await _admin(server.render_as_string(hide_password=False), f'CREATE DATABASE "{temp}"')
    try:
        url = server.set(database=temp).render_as_string(hide_password=False)
        await upgrade_url(url)
        yield url
    finally:
        await _admin(
            server.render_as_string(hide_password=False),
            f'DROP DATABASE IF EXISTS "{temp}" WITH (FORCE)',
        )


async def _admin(url: str, sql: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
    plain = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    connection = await asyncpg.connect(plain, timeout=10)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()
