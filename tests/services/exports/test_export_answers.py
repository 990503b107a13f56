"""The answers export: one row per answer, what each column says, filters and pseudonyms."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from export_files import listing, read_csv, read_jsonl, text_of
from export_world import CORA, KEY, OTHER_KEY, TZ, ExportWorld
from fakes import FakeClock

from handlers.i18n import t
from services.exports import Exported, ExportRequest, ExportService
from services.exports.answers import COLUMNS, NAME_COLUMNS
from services.outcomes import UnknownDistrict
from storage.models import CheckIn
from storage.queries import exports as export_queries
from storage.uow import UnitOfWorkFactory


async def export_csv(
    exporter: ExportService, path: Path, **request: object
) -> list[dict[str, str]]:
    """Export answers as a coordinator to CSV and read the rows back."""
    done = await exporter.export(CORA, ExportRequest("csv", **request), path)  # type: ignore[arg-type]
    assert isinstance(done, Exported), done
    _, rows = read_csv(path)
    assert len(rows) == done.rows
    return rows


async def test_one_row_per_answer_with_every_column(
    exporter: ExportService, standard: dict[str, int], out: Path
) -> None:
    rows = await export_csv(exporter, out / "answers.csv")

    header, _ = read_csv(out / "answers.csv")
    assert tuple(header) == COLUMNS
    assert len(rows) == 6
    fatima = rows[0]
    assert fatima["checkin_id"] == str(standard["first"])
    assert fatima["event"] == "Aanslag op een moskee in Canada"
    assert fatima["district"] == "Overvecht"
    assert (fatima["level_code"], fatima["level_label"]) == ("3", "Onrust")
    assert fatima["direction"] == "rising"
    assert fatima["themes"] == "polarisatie; discriminatie"
    assert fatima["free_text"] == "'+31 6 12345678 graag bellen"
    assert fatima["contact_requested"] == "true"
    assert [r["level_label"] for r in rows[1:4]] == [
        "Weet niet",
        "Spanning loopt op",
        "Onderwerp van gesprek",
    ]
    ahmed = rows[1]
    assert (
        ahmed["direction"],
        ahmed["themes"],
        ahmed["free_text"],
        ahmed["contact_requested"],
    ) == ("", "", "", "")


async def test_times_are_local_with_their_offset_across_the_clock_change(
    exporter: ExportService, standard: dict[str, int], out: Path
) -> None:
    rows = await export_csv(exporter, out / "answers.csv")

    assert [r["answered_at"] for r in rows[:4]] == [
        "2026-03-28T23:30:00+01:00",
        "2026-03-29T01:30:00+01:00",
        "2026-03-29T03:30:00+02:00",  # 01:30 UTC, after clocks went forward
        "2026-03-30T00:30:00+02:00",
    ]


async def test_period_is_whole_local_days_both_ends_included(
    exporter: ExportService, standard: dict[str, int], out: Path
) -> None:
    # 29 March in Amsterdam is 23 hours long: 28 March 23:00 UTC to 29 March 22:00 UTC.
    day = date(2026, 3, 29)
    rows = await export_csv(exporter, out / "a.csv", since=day, until=day)

    assert [r["answered_at"][:16] for r in rows] == ["2026-03-29T01:30", "2026-03-29T03:30"]
    since = await export_csv(exporter, out / "b.csv", since=date(2026, 3, 30))
    assert [r["event"] for r in since] == ["Aanslag op een moskee in Canada"] + [
        "Mislukte staatsgreep in Turkije"
    ] * 2
    until = await export_csv(exporter, out / "c.csv", until=date(2026, 3, 28))
    assert [r["answered_at"] for r in until] == ["2026-03-28T23:30:00+01:00"]


async def test_districts_filter_by_name_regardless_of_case(
    exporter: ExportService, standard: dict[str, int], out: Path
) -> None:
    rows = await export_csv(exporter, out / "a.csv", districts=(" kanaleneiland",))

    assert [(r["district"], r["level_code"]) for r in rows] == [("Kanaleneiland", "2")]
    both = await export_csv(
        exporter, out / "b.csv", districts=("Kanaleneiland", "overvecht", "Overvecht")
    )
    assert len(both) == 6


async def test_an_unknown_district_is_refused_with_the_closest_names(
    exporter: ExportService, standard: dict[str, int], out: Path
) -> None:
    outcome = await exporter.export(
        CORA, ExportRequest("csv", districts=("Overvecht", "Overvect")), out / "a.csv"
    )

    assert outcome == UnknownDistrict("Overvect", ("Overvecht",))
    assert listing(out) == []


async def test_pseudonyms_are_stable_across_exports_and_differ_with_another_key(
    exporter: ExportService,
    standard: dict[str, int],
    out: Path,
    uow_factory: UnitOfWorkFactory,
    clock: FakeClock,
) -> None:
    once = await export_csv(exporter, out / "once.csv")
    again = await export_csv(exporter, out / "again.csv")
    other = ExportService(
        uow_factory, clock, TZ, pseudonym_key=OTHER_KEY, min_respondents=2, texts=t
    )
    rekeyed = await export_csv(other, out / "other.csv")

    people = [r["person"] for r in once]
    assert people == [r["person"] for r in again]
    assert all(p.startswith("p-") and len(p) == 14 for p in people)
    # Fatima answered both check-ins: rows 0 and 4; everybody else is someone else.
    assert people[0] == people[4] and len(set(people)) == 4
    assert not set(people) & {r["person"] for r in rekeyed}
    assert KEY != OTHER_KEY


async def test_names_and_telegram_ids_only_when_asked(
    exporter: ExportService, standard: dict[str, int], out: Path
) -> None:
    await export_csv(exporter, out / "plain.csv")
    named = await export_csv(exporter, out / "named.csv", names=True)

    plain_text = text_of(out / "plain.csv")
    assert "Fatima" not in plain_text and "3001" not in plain_text
    header, _ = read_csv(out / "named.csv")
    assert tuple(header) == COLUMNS + NAME_COLUMNS
    assert (named[0]["display_name"], named[0]["telegram_id"]) == ("Fatima", "3001")


async def test_jsonl_keeps_values_as_they_are(
    exporter: ExportService, standard: dict[str, int], out: Path
) -> None:
    done = await exporter.export(CORA, ExportRequest("jsonl"), out / "a.jsonl")
    assert isinstance(done, Exported)

    rows = read_jsonl(out / "a.jsonl")
    assert len(rows) == 6
    assert list(rows[0]) == list(COLUMNS)
    assert rows[0]["themes"] == ["polarisatie", "discriminatie"]
    assert rows[0]["free_text"] == "+31 6 12345678 graag bellen"
    assert rows[0]["contact_requested"] is True
    assert rows[0]["level_code"] == 3
    assert rows[1]["themes"] == [] and rows[1]["direction"] is None
    assert rows[2]["free_text"] == "=1+2"


async def test_an_empty_export_still_has_its_header(
    exporter: ExportService, export_world: ExportWorld, out: Path
) -> None:
    rows = await export_csv(exporter, out / "empty.csv")

    assert rows == []
    assert tuple(read_csv(out / "empty.csv")[0]) == COLUMNS


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
async def test_a_batch_a_row_gives_the_same_file(
    exporter: ExportService,
    standard: dict[str, int],
    out: Path,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
) -> None:
    # What the shaping and the writers remember (times, labels, pseudonyms, converted text)
    # must not depend on where one batch ends.
    request = ExportRequest(fmt, names=True)  # type: ignore[arg-type]
    await exporter.export(CORA, request, out / f"whole.{fmt}")
    monkeypatch.setattr(export_queries, "BATCH", 1)
    await exporter.export(CORA, request, out / f"rows.{fmt}")

    assert (out / f"rows.{fmt}").read_bytes() == (out / f"whole.{fmt}").read_bytes()


async def test_the_kind_column_tells_a_pulse_from_an_incident(
    exporter: ExportService,
    standard: dict[str, int],
    uow_factory: UnitOfWorkFactory,
    out: Path,
) -> None:
    async with uow_factory() as uow:
        checkin = await uow.session.get(CheckIn, standard["second"])
        assert checkin is not None
        checkin.kind, checkin.pulse_weeks = "pulse", 0
        await uow.commit()

    rows = await export_csv(exporter, out / "answers.csv")
    kinds = {(r["checkin_id"], r["kind"]) for r in rows}
    assert kinds == {(str(standard["first"]), "incident"), (str(standard["second"]), "pulse")}
    await exporter.export(CORA, ExportRequest("csv", "summaries"), out / "s.csv")
    summaries = read_csv(out / "s.csv")[1]
    assert {r["kind"] for r in summaries if r["checkin_id"] == str(standard["second"])} == {
        "pulse"
    }


async def test_an_export_in_a_readers_language_has_its_labels_and_headers(
    exporter: ExportService, standard: dict[str, int], out: Path
) -> None:
    """From the chat: labels and CSV headers in the reader's language; JSON Lines keeps codes."""
    path = out / "answers-en.csv"
    done = await exporter.export(CORA, ExportRequest("csv"), path, "en")
    assert isinstance(done, Exported), done
    header, rows = read_csv(path)
    assert header[:6] == [
        "Check-in",
        "Event",
        "District",
        "Answered at",
        "Answer (code)",
        "Answer",
    ]
    assert len(header) == len(COLUMNS)
    assert (rows[0]["Answer (code)"], rows[0]["Answer"]) == ("3", "Unrest")
    assert [r["Answer"] for r in rows[1:4]] == ["Don't know", "Tension rising", "Talked about"]
    dutch = out / "answers-nl.csv"
    assert isinstance(await exporter.export(CORA, ExportRequest("csv"), dutch, "nl"), Exported)
    assert read_csv(dutch)[0][:3] == ["Peiling", "Gebeurtenis", "Wijk"]
    lines = out / "answers-en.jsonl"
    assert isinstance(await exporter.export(CORA, ExportRequest("jsonl"), lines, "en"), Exported)
    first = read_jsonl(lines)[0]
    assert tuple(first) == COLUMNS and first["level_label"] == "Unrest"
