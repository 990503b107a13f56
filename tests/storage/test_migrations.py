"""Migrations apply, revert and apply again on both backends."""

from __future__ import annotations

from sqlalchemy import inspect

from storage.engine import create_engine
from storage.migrate import current_revision, downgrade_engine, head_revision, upgrade_engine
from storage.models import Base


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade(empty_db_url: str) -> None:
    engine = create_engine(empty_db_url)
    try:
        assert await current_revision(engine) is None
        assert await upgrade_engine(engine) == head_revision()
        assert set(Base.metadata.tables) <= await _tables(empty_db_url)

        assert await downgrade_engine(engine, "base") is None
        assert await _tables(empty_db_url) <= {"alembic_version"}

        assert await upgrade_engine(engine) == head_revision()
        assert set(Base.metadata.tables) <= await _tables(empty_db_url)
        # Upgrading an up-to-date database is a no-op, not an error.
        assert await upgrade_engine(engine) == head_revision()
    finally:
        await engine.dispose()


async def test_models_match_migrations(db_url: str) -> None:
    """Autogenerate finds nothing to do: the models and the migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata
                )
            )
    finally:
        await engine.dispose()
    assert diff == []
