"""The unit of work commits only when told to and rolls back everything else."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.engine import create_engine, make_sessionmaker
from storage.models import District
from storage.uow import UnitOfWorkFactory

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


async def _count(uow_factory: UnitOfWorkFactory) -> int:
    async with uow_factory() as uow:
        return int(await uow.session.scalar(select(func.count(District.id))) or 0)


async def test_commit_keeps_and_exit_without_commit_discards(db_url: str) -> None:
    engine = create_engine(db_url)
    uow_factory = UnitOfWorkFactory(make_sessionmaker(engine))
    try:
        async with uow_factory() as uow:
            uow.session.add(District(name="A", name_key="a", created_at=NOW))
            await uow.commit()
        async with uow_factory() as uow:
            uow.session.add(District(name="B", name_key="b", created_at=NOW))
        with pytest.raises(RuntimeError):
            async with uow_factory() as uow:
                uow.session.add(District(name="C", name_key="c", created_at=NOW))
                await uow.session.flush()
                raise RuntimeError("boom")
        assert await _count(uow_factory) == 1
    finally:
        await engine.dispose()


async def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    try:
        async with engine.connect() as conn:
            assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
            assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
            assert (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar() == 10_000
    finally:
        await engine.dispose()


async def test_a_long_read_does_not_block_writers_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"
    from storage.migrate import upgrade_url

    await upgrade_url(url)
    engine = create_engine(url)
    uow_factory = UnitOfWorkFactory(make_sessionmaker(engine))
    try:
        async with uow_factory.read_only() as reader:
            await reader.session.scalar(select(func.count(District.id)))

            async def write() -> None:
                async with uow_factory() as writer:
                    writer.session.add(District(name="W", name_key="w", created_at=NOW))
                    await writer.commit()

            # With the write lock held by the reader this would wait for busy_timeout (10 s).
            await asyncio.wait_for(write(), timeout=3)
        assert await _count(uow_factory) == 1
    finally:
        await engine.dispose()
