"""Apply and revert Alembic migrations, from the command line or from running code."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine, sqlite_file

MIGRATIONS = Path(__file__).with_name("migrations")


class DatabaseProblem(Exception):
    """The database cannot be used as it is; the message says what to do, in one line."""


class NewerDatabase(DatabaseProblem):
    """The database is at a revision this version does not know: it was upgraded by newer
    software (and this one was rolled back), or belongs to something else."""

    def __init__(self, revision: str) -> None:
        super().__init__(
            f"the database is at revision {revision!r}, which this version of Bondgenoten does "
            "not know: the database is newer than the software. Run the newer version again, "
            "or restore the backup made before its upgrade"
        )
        self.revision = revision


def check_location(url: str, *, must_exist: bool) -> None:
    """Refuse a SQLite file in a folder that does not exist, or (must_exist) a missing file,
    before SQLite would create it or aiosqlite fail in its worker thread."""
    path = sqlite_file(url)
    if path is None:
        return
    if not path.parent.is_dir():
        raise DatabaseProblem(
            f"the folder {path.parent} of the SQLite database does not exist: create it, "
            "or set database_url to a file in a folder that does"
        )
    if must_exist and not path.exists():
        raise DatabaseProblem(
            f"there is no database at {path}: check database_url (a relative path is relative "
            "to the working directory), or create it with `bondgenoten db upgrade`"
        )


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
        _refuse_unknown(cfg, _current(connection))
        getattr(command, action)(cfg, revision)
        return _current(connection)

    async with engine.connect() as connection:
        result = await connection.run_sync(_do)
        await connection.commit()
    return result


def _refuse_unknown(cfg: Config, current: str | None) -> None:
    if current is None:
        return
    try:
        ScriptDirectory.from_config(cfg).get_revision(current)
    except CommandError:
        raise NewerDatabase(current) from None


async def check_at_head(engine: AsyncEngine) -> None:
    """Refuse a database that is not at the revision this version writes (for readers)."""
    current = await current_revision(engine)
    _refuse_unknown(alembic_config(), current)
    if current != head_revision():
        raise DatabaseProblem(
            "the database is not set up for this version "
            f"(revision {current or 'none'}, needs {head_revision()}): "
            "run `bondgenoten db upgrade` first"
        )


async def holds_data(url: str) -> bool:
    """Tell whether the database at url has districts or people in it (a migrated but unused
    database does not); a missing SQLite file holds nothing and is not created."""
    from sqlalchemy import inspect, select

    from storage.models import District, Person

    path = sqlite_file(url)
    if path is not None and not path.exists():
        return False
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            tables = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
            for model in (District, Person):
                if model.__tablename__ not in tables:
                    continue
                if await connection.scalar(select(model.id).limit(1)) is not None:
                    return True
        return False
    finally:
        await engine.dispose()


async def upgrade_url(url: str, revision: str = "head") -> str | None:
    """Open the database at url, upgrade it, and close it again."""
    check_location(url, must_exist=False)
    engine = create_engine(url)
    try:
        return await upgrade_engine(engine, revision)
    finally:
        await engine.dispose()


def upgrade(url: str) -> str | None:
    """Bring the database at url to the newest revision (blocking, for the command line)."""
    return asyncio.run(upgrade_url(url))
