"""What keeps an export safe to open and to share: neutralised formulas, pseudonyms, XLSX."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest
from export_files import listing, read_csv, read_jsonl, read_xlsx
from export_world import CORA, FATIMA, TZ, ExportWorld, utc
from fakes import FakeClock
from openpyxl import load_workbook

from handlers.i18n import t
from services.exports import Exported, ExportRequest, ExportService, NoPseudonymKey
from services.exports import xlsx as xlsx_module
from services.exports.answers import COLUMNS
from services.exports.neutralise import neutralise
from services.exports.pseudonyms import Pseudonyms
from storage.models import DeliveryStatus
from storage.uow import UnitOfWorkFactory

RISKY = ["=1+2", "+31 6 12345678", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("text", RISKY)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Rustig", "", "06-12345678", "a=b", " =1", "'=1", "p-3f9a"])
def test_other_text_stays_as_it_is(text: str) -> None:
    assert neutralise(text) == text


def test_a_pseudonym_is_a_shortened_hmac_of_the_telegram_id() -> None:
    key = b"k" * 32
    expected = "p-" + hmac.new(key, b"3001", hashlib.sha256).hexdigest()[:12]

    assert Pseudonyms(key)(3001) == expected
    assert Pseudonyms(key)(3001) != Pseudonyms(b"j" * 32)(3001)
    with pytest.raises(ValueError):
        Pseudonyms(b"")


async def risky_world(world: ExportWorld) -> None:
    """One answer whose every text field starts like a formula."""
    await world.district("=Wijk")
    await world.person(CORA)
    await world.person(FATIMA, "=Wijk")
    checkin = await world.checkin("@evil", utc("2026-05-01T10:00"), {"=Wijk": DeliveryStatus.SENT})
    await world.answer(
        checkin,
        "Fatima",
        "=Wijk",
        3,
        utc("2026-05-01T10:05"),
        themes=("-anders",),
        free_text="+31 6 12345678",
        contact=False,
    )


async def test_formulas_are_neutralised_in_csv(
    exporter: ExportService, export_world: ExportWorld, out: Path
) -> None:
    await risky_world(export_world)
    await exporter.export(CORA, ExportRequest("csv"), out / "a.csv")

    [row] = read_csv(out / "a.csv")[1]
    assert (row["event"], row["district"]) == ("'@evil", "'=Wijk")
    assert (row["themes"], row["free_text"]) == ("'-anders", "'+31 6 12345678")
    assert row["contact_requested"] == "false"


async def test_formulas_are_neutralised_in_xlsx_as_explicit_strings(
    exporter: ExportService, export_world: ExportWorld, out: Path
) -> None:
    await risky_world(export_world)
    await exporter.export(CORA, ExportRequest("xlsx", names=True), out / "a.xlsx")

    book = load_workbook(out / "a.xlsx")  # not read-only: the cells carry their data type
    sheet = book["antwoorden"]
    header = [c.value for c in sheet[1]]
    cells = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    for name, shown in [
        ("event", "'@evil"),
        ("district", "'=Wijk"),
        ("themes", "'-anders"),
        ("free_text", "'+31 6 12345678"),
    ]:
        assert (cells[name].value, cells[name].data_type) == (shown, "s"), name
    assert (cells["level_code"].value, cells["level_code"].data_type) == (3, "n")
    assert cells["contact_requested"].value is False
    assert cells["telegram_id"].value == 3001
    assert cells["answered_at"].value == "2026-05-01T12:05:00+02:00"
    book.close()


async def test_jsonl_is_not_neutralised(
    exporter: ExportService, export_world: ExportWorld, out: Path
) -> None:
    await risky_world(export_world)
    await exporter.export(CORA, ExportRequest("jsonl"), out / "a.jsonl")

    [row] = read_jsonl(out / "a.jsonl")
    assert (row["event"], row["district"], row["themes"]) == ("@evil", "=Wijk", ["-anders"])
    assert row["free_text"] == "+31 6 12345678"


async def test_xlsx_continues_on_a_next_sheet_with_the_header_repeated(
    exporter: ExportService,
    standard: dict[str, int],
    out: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(xlsx_module, "MAX_SHEET_ROWS", 3)  # a header and two rows a sheet

    done = await exporter.export(CORA, ExportRequest("xlsx"), out / "a.xlsx")

    assert isinstance(done, Exported) and done.rows == 6
    sheets = read_xlsx(out / "a.xlsx")
    assert list(sheets) == ["antwoorden", "antwoorden (2)", "antwoorden (3)"]
    assert all(rows[0] == list(COLUMNS) and len(rows) == 3 for rows in sheets.values())
    codes = [row[4] for rows in sheets.values() for row in rows[1:]]
    assert codes == [3, 0, 4, 2, 1, 2]


async def test_xlsx_drops_characters_xml_cannot_hold(
    exporter: ExportService, export_world: ExportWorld, out: Path
) -> None:
    await risky_world(export_world)
    checkin = await export_world.checkin(
        "bel\x07", utc("2026-05-02T10:00"), {"=Wijk": DeliveryStatus.SENT}
    )
    await export_world.answer(
        checkin, "Fatima", "=Wijk", 1, utc("2026-05-02T10:01"), free_text="\x01=cmd"
    )

    await exporter.export(CORA, ExportRequest("xlsx"), out / "a.xlsx")

    rows = read_xlsx(out / "a.xlsx")["antwoorden"]
    assert rows[2][1] == "bel"
    assert rows[2][8] == "'=cmd"  # the control character cannot hide a formula


async def test_without_a_pseudonym_key_there_is_no_answers_export(
    uow_factory: UnitOfWorkFactory, clock: FakeClock, standard: dict[str, int], out: Path
) -> None:
    keyless = ExportService(uow_factory, clock, TZ, pseudonym_key=None, min_respondents=2, texts=t)

    assert await keyless.export(CORA, ExportRequest("csv"), out / "a.csv") == NoPseudonymKey()
    assert listing(out) == []
    # Summaries and the audit log name nobody: they need no key.
    summaries = await keyless.export(CORA, ExportRequest("csv", "summaries"), out / "s.csv")
    assert isinstance(summaries, Exported)
