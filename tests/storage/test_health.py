"""The health check reads the database the bot uses: reachable, and how many sends wait."""

from __future__ import annotations

from pathlib import Path

from services.health import HealthService
from storage.engine import create_engine, make_sessionmaker
from storage.uow import UnitOfWorkFactory


async def test_a_migrated_database_is_reachable_with_nothing_pending(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        health = await HealthService(UnitOfWorkFactory(make_sessionmaker(engine))).database()
    finally:
        await engine.dispose()

    assert (health.reachable, health.sends_pending, health.problem) == (True, 0, "")


async def test_a_database_that_cannot_be_read_is_unreachable_with_the_reason(
    tmp_path: Path,
) -> None:
    (tmp_path / "db").mkdir()  # a directory where the SQLite file should be
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db'}")
    try:
        health = await HealthService(UnitOfWorkFactory(make_sessionmaker(engine))).database()
    finally:
        await engine.dispose()

    assert (health.reachable, health.sends_pending) == (False, None)
    assert health.problem == "OperationalError"
