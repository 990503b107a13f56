"""Every export is in the audit log; the audit log exports too; failures leave no file."""

from __future__ import annotations

import errno
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from export_files import listing, read_csv, read_jsonl, text_of
from export_world import CORA, ExportWorld
from fakes import FakeClock

from services.exports import (
    BadPeriod,
    Exported,
    ExportRequest,
    ExportService,
    Unwritable,
    WriteFailed,
)
from services.exports import writers as writers_module


async def test_each_export_writes_one_audit_entry_after_the_file(
    exporter: ExportService,
    standard: dict[str, int],
    export_world: ExportWorld,
    out: Path,
    clock: FakeClock,
) -> None:
    request = ExportRequest(
        "xlsx", since=date(2026, 3, 1), until=date(2026, 3, 31), districts=("Overvecht",),
        names=True,
    )  # fmt: skip
    await exporter.export(CORA, request, out / "a.xlsx")
    await exporter.export(
        None, ExportRequest("csv", "summaries", min_respondents=5), out / "s.csv"
    )

    named, cli = await export_world.audit()
    assert (named.actor_telegram_id, named.action, named.subject) == (
        1001,
        "export.answers",
        "chat",
    )
    assert named.at == clock.now()
    assert named.details == {
        "kind": "answers", "format": "xlsx", "since": "2026-03-01", "until": "2026-03-31",
        "districts": ["Overvecht"], "names": True, "min_respondents": None, "rows": 3,
        "file": "a.xlsx",
    }  # fmt: skip
    assert (cli.actor_telegram_id, cli.action, cli.subject) == (None, "export.summaries", "cli")
    assert cli.details["districts"] == "all" and cli.details["min_respondents"] == 5
    assert cli.details["names"] is False and cli.details["rows"] == 3


async def test_the_audit_log_exports_with_its_details(
    exporter: ExportService, standard: dict[str, int], out: Path
) -> None:
    await exporter.export(CORA, ExportRequest("csv"), out / "a.csv")

    done = await exporter.export(None, ExportRequest("jsonl", "audit"), out / "audit.jsonl")
    await exporter.export(None, ExportRequest("csv", "audit"), out / "audit.csv")

    assert isinstance(done, Exported) and done.rows == 1  # not yet itself
    [entry] = read_jsonl(out / "audit.jsonl")
    assert entry["action"] == "export.answers" and entry["actor_telegram_id"] == 1001
    assert entry["details"]["rows"] == 6 and entry["at"] == "2026-11-30T10:00:00+01:00"
    header, rows = read_csv(out / "audit.csv")
    assert header == ["id", "at", "actor_telegram_id", "action", "subject", "details"]
    assert [r["action"] for r in rows] == ["export.answers", "export.audit"]
    assert rows[0]["details"].startswith('{"districts": "all"')


async def test_a_period_that_ends_before_it_starts_is_refused(
    exporter: ExportService, standard: dict[str, int], out: Path
) -> None:
    request = ExportRequest("csv", since=date(2026, 4, 2), until=date(2026, 4, 1))

    assert await exporter.export(None, request, out / "a.csv") == BadPeriod(
        "2026-04-02", "2026-04-01"
    )


async def test_a_path_that_cannot_be_written_is_refused_before_any_work(
    exporter: ExportService, standard: dict[str, int], export_world: ExportWorld, out: Path
) -> None:
    missing = await exporter.export(None, ExportRequest("csv"), out / "nope" / "a.csv")
    directory = await exporter.export(None, ExportRequest("csv"), out)

    assert isinstance(missing, Unwritable) and "does not exist" in missing.reason
    assert directory == Unwritable(out, "is a directory")
    assert await export_world.audit() == []


async def test_a_failure_part_way_leaves_no_file_and_no_audit_entry(
    exporter: ExportService,
    standard: dict[str, int],
    export_world: ExportWorld,
    out: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = out / "a.csv"
    await exporter.export(None, ExportRequest("csv"), old)
    before = text_of(old)
    real_write = writers_module.CsvWriter.write

    def full_disk(self: Any, rows: Any) -> None:
        real_write(self, rows)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writers_module.CsvWriter, "write", full_disk)

    outcome = await exporter.export(None, ExportRequest("csv"), old)

    assert outcome == WriteFailed(old, "No space left on device")
    assert listing(out) == ["a.csv"]  # the temporary file is gone
    assert text_of(old) == before  # the earlier export is untouched
    assert len(await export_world.audit()) == 1
