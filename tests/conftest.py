"""Databases for the tests: every storage and end-to-end test runs on SQLite and PostgreSQL.

PostgreSQL comes from BONDGENOTEN_TEST_POSTGRES_URL (default: the local server, database
`test`). When it cannot be reached the PostgreSQL variants are skipped, except under CI=true,
where that is a failure.
"""

from __future__ import annotations

import asyncio
import os

# Opt in to PTB's timedelta durations, as the bot does (bot/app.py); else every 429 warns.
os.environ.setdefault("PTB_TIMEDELTA", "1")
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.engine import create_engine
from storage.migrate import upgrade_url

PG_URL = os.environ.get(
    "BONDGENOTEN_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgresql"]


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def _with_db(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(_plain(PG_URL), timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@dataclass
class Databases:
    """Per-backend databases of one test session: an empty-ish template and a work copy."""

    backend: str
    tmp: Path
    template: str = ""
    work: str = ""
    created: list[str] | None = None

    def fresh(self, migrated: bool = True) -> str:
        """Make a new database (migrated from the template, or empty) and return its URL."""
        name = f"bg_{uuid.uuid4().hex[:12]}"
        if self.backend == "sqlite":
            path = self.tmp / f"{name}.db"
            if migrated:
                shutil.copyfile(self.template.split("///", 1)[1], path)
            return f"sqlite+aiosqlite:///{path}"
        template = f" TEMPLATE {self.template.rsplit('/', 1)[1]}" if migrated else ""
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"{template}'))
        assert self.created is not None
        self.created.append(name)
        return _with_db(PG_URL, name)


def _pg_reachable() -> str | None:
    try:
        asyncio.run(_pg_admin("SELECT 1"))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.fixture(scope="session")
def _databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Databases]]:
    dbs: dict[str, Databases] = {}
    yield dbs
    for d in dbs.values():
        for name in d.created or []:
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
def databases(
    request: pytest.FixtureRequest,
    _databases: dict[str, Databases],
    tmp_path_factory: pytest.TempPathFactory,
) -> Databases:
    """The databases of one backend (test ids say sqlite or postgresql)."""
    backend: str = request.param
    if backend not in _databases:
        if backend == "postgresql":
            problem = _pg_reachable()
            if problem:
                if os.environ.get("CI") == "true":
                    pytest.fail(f"PostgreSQL at {PG_URL} is unreachable under CI: {problem}")
                pytest.skip(f"PostgreSQL unreachable: {problem}")
        d = Databases(backend, tmp_path_factory.mktemp(backend), created=[])
        d.template = d.fresh(migrated=False)
        asyncio.run(upgrade_url(d.template))
        d.work = d.fresh()
        _databases[backend] = d
    return _databases[backend]


@pytest.fixture
def db_url(databases: Databases) -> str:
    """A fresh, migrated database of its own for this test (for code that commits)."""
    return databases.fresh()


@pytest.fixture
def empty_db_url(databases: Databases) -> str:
    """A fresh database without any tables."""
    return databases.fresh(migrated=False)


@pytest.fixture
async def engine(databases: Databases) -> AsyncIterator[AsyncEngine]:
    """An engine on the shared migrated work database."""
    eng = create_engine(databases.work)
    yield eng
    await eng.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose commits become savepoints inside one transaction rolled back after."""
    async with engine.connect() as conn:
        trans = await conn.begin()
        maker = async_sessionmaker(
            bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        async with maker() as s:
            yield s
        await trans.rollback()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """End-to-end tests get one retry, reported as a rerun: they run real processes, sockets
    and wall-clock waits, and a loaded machine can stall one past its timeout."""
    e2e = Path(__file__).parent / "e2e"
    for item in items:
        if item.get_closest_marker("e2e") or item.path.is_relative_to(e2e):
            item.add_marker(pytest.mark.flaky(reruns=1))
