"""Export service tests: a fresh SQLite file per test, filled by ExportWorld."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_world import KEY, TZ, ExportWorld, build_standard
from fakes import FakeClock

from handlers.i18n import t
from services.exports import ExportService
from storage.uow import UnitOfWorkFactory


@pytest.fixture
def export_world(uow_factory: UnitOfWorkFactory) -> ExportWorld:
    """An empty world on this test's database."""
    return ExportWorld(uow_factory)


@pytest.fixture
async def standard(export_world: ExportWorld) -> dict[str, int]:
    """The standard world; returns the check-in ids by name."""
    return await build_standard(export_world)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty directory for the export files (the database lives next to it)."""
    directory = tmp_path / "exports"
    directory.mkdir()
    return directory


@pytest.fixture
def exporter(uow_factory: UnitOfWorkFactory, clock: FakeClock) -> ExportService:
    """The export service with the test key and k = 2."""
    return ExportService(uow_factory, clock, TZ, pseudonym_key=KEY, min_respondents=2, texts=t)
