"""The health check reads the database the bot uses: reachable, and how many sends wait."""

from __future__ import annotations

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


async def test_a_database_that_does_not_answer_is_unreachable_with_the_reason() -> None:
    # Nothing listens on port 1. (Not a broken SQLite file: aiosqlite's worker thread
    # reports a failed connect after the test's loop is gone.)
    engine = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        health = await HealthService(UnitOfWorkFactory(make_sessionmaker(engine))).database()
    finally:
        await engine.dispose()

    assert (health.reachable, health.sends_pending) == (False, None)
    assert health.problem == "ConnectionRefusedError"
