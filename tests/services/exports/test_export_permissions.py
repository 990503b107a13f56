"""Who may export what: coordinators everything; chiefs their own districts, never names."""

from __future__ import annotations

from pathlib import Path

from export_files import listing, read_csv
from export_world import CHRIS, FATIMA, ExportWorld

from services.access import Actor
from services.exports import Exported, ExportRequest, ExportService, NamesNotAllowed
from services.outcomes import DENIED


async def test_a_chief_exports_their_own_districts_by_default(
    exporter: ExportService, standard: dict[str, int], export_world: ExportWorld, out: Path
) -> None:
    done = await exporter.export(CHRIS, ExportRequest("csv"), out / "a.csv")

    assert isinstance(done, Exported) and done.rows == 5
    assert {r["district"] for r in read_csv(out / "a.csv")[1]} == {"Overvecht"}
    [entry] = await export_world.audit("export.answers")
    assert entry.details["districts"] == ["Overvecht"]  # not "all": a chief never gets all


async def test_a_chief_may_name_their_own_district(
    exporter: ExportService, standard: dict[str, int], out: Path
) -> None:
    done = await exporter.export(
        CHRIS, ExportRequest("csv", "summaries", districts=("overvecht",)), out / "a.csv"
    )

    assert isinstance(done, Exported) and done.rows == 2


async def test_a_chief_cannot_export_another_district(
    exporter: ExportService, standard: dict[str, int], export_world: ExportWorld, out: Path
) -> None:
    for districts in [("Kanaleneiland",), ("Overvecht", "Kanaleneiland"), ("Nergens",)]:
        request = ExportRequest("csv", districts=districts)
        # An unknown district looks exactly like a forbidden one: no names leak to chiefs.
        assert await exporter.export(CHRIS, request, out / "a.csv") == DENIED
    assert listing(out) == []
    assert await export_world.audit() == []


async def test_a_chief_cannot_export_names(
    exporter: ExportService, standard: dict[str, int], out: Path
) -> None:
    for kind in ("answers", "summaries"):
        request = ExportRequest("xlsx", kind, names=True)
        assert await exporter.export(CHRIS, request, out / "a.xlsx") == NamesNotAllowed()
    assert listing(out) == []


async def test_a_chief_cannot_export_the_audit_log(
    exporter: ExportService, standard: dict[str, int], out: Path
) -> None:
    assert await exporter.export(CHRIS, ExportRequest("csv", "audit"), out / "a.csv") == DENIED


async def test_key_figures_and_strangers_cannot_export(
    exporter: ExportService, standard: dict[str, int], out: Path
) -> None:
    for actor in (FATIMA, Actor(9999, "Onbekend")):
        for request in (ExportRequest("csv"), ExportRequest("csv", districts=("Overvecht",))):
            assert await exporter.export(actor, request, out / "a.csv") == DENIED
    assert listing(out) == []
