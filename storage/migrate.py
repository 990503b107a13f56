"""Apply and revert Alembic migrations, from the command line or from running code."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str = "") -> Config:
    """Build the Alembic configuration in code, so no alembic.ini is needed to run."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """The newest revision the code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade_engine(engine: AsyncEngine, revision: str = "head") -> str | None:
    """Upgrade the database behind an engine; return the revision it is at afterwards."""
    return await _on_engine(engine, "upgrade", revision)


async def downgrade_engine(engine: AsyncEngine, revision: str) -> str | None:
    """Downgrade the database behind an engine; return the revision it is at afterwards."""
    return await _on_engine(engine, "downgrade", revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


async def _on_engine(engine: AsyncEngine, action: str, revision: str) -> str | None:
    def _do(connection: Connection) -> str | None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        getattr(command, action)(cfg, revision)
        return _current(connection)

    async with engine.connect() as connection:
        result = await connection.run_sync(_do)
        await connection.commit()
    return result


async def upgrade_url(url: str, revision: str = "head") -> str | None:
    """Open the database at url, upgrade it, and close it again."""
    engine = create_engine(url)
    try:
        return await upgrade_engine(engine, revision)
    finally:
        await engine.dispose()


def upgrade(url: str) -> str | None:
    """Bring the database at url to the newest revision (blocking, for the command line)."""
    return asyncio.run(upgrade_url(url))
