"""The summaries export: one row per check-in and district, n of N, levels, median, k."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from export_files import read_csv, read_jsonl, read_xlsx
from export_world import CORA, ExportWorld, utc

from services.exports import Exported, ExportRequest, ExportService
from storage.models import DeliveryStatus, Feedback, FeedbackSend
from storage.queries import exports as export_queries

HEADER = [
    "checkin_id", "event", "opened_at", "district", "responses", "key_figures",
    "level_1", "level_2", "level_3", "level_4", "level_5", "level_0", "median", "suppressed",
    "feedback", "feedback_sent_at", "kind",
]  # fmt: skip


async def test_one_row_per_checkin_and_district(
    exporter: ExportService, standard: dict[str, int], out: Path
) -> None:
    # k = 1 hides nothing: every figure, to check the figures themselves.
    everything = ExportRequest("csv", "summaries", min_respondents=1)
    done = await exporter.export(CORA, everything, out / "s.csv")

    assert isinstance(done, Exported) and done.rows == 3
    header, rows = read_csv(out / "s.csv")
    assert header == HEADER
    first, second = str(standard["first"]), str(standard["second"])
    assert [list(r.values()) for r in rows] == [
        # Overvecht: 3 of its current 3 (the check-in is still open); 'weet niet' counts as
        # a response but not in the median of 3 and 4.
        [first, "Aanslag op een moskee in Canada", "2026-03-28T22:00:00+01:00", "Kanaleneiland",
         "1", "2", "0", "1", "0", "0", "0", "0", "2.0", "false", "", "", "incident"],
        [first, "Aanslag op een moskee in Canada", "2026-03-28T22:00:00+01:00", "Overvecht",
         "3", "3", "0", "0", "1", "1", "0", "1", "3.5", "false", "", "", "incident"],
        # Closed: N is the 4 frozen at closing. Kanaleneiland's group never got it and
        # nobody there answered: no row.
        [second, "Mislukte staatsgreep in Turkije", "2026-04-10T12:00:00+02:00", "Overvecht",
         "2", "4", "1", "1", "0", "0", "0", "0", "1.5", "false", "", "", "incident"],
    ]  # fmt: skip


async def test_the_configured_k_applies_when_the_request_names_none(
    exporter: ExportService, standard: dict[str, int], out: Path
) -> None:
    # The exporter's configured k is 2 (conftest): Kanaleneiland's single answer is hidden.
    await exporter.export(CORA, ExportRequest("csv", "summaries"), out / "s.csv")

    rows = read_csv(out / "s.csv")[1]
    assert [(r["district"], r["responses"], r["suppressed"]) for r in rows] == [
        ("Kanaleneiland", "", "true"),
        ("Overvecht", "3", "false"),
        ("Overvecht", "2", "false"),
    ]


async def test_rows_under_k_respondents_are_blanked_and_marked(
    exporter: ExportService, standard: dict[str, int], out: Path
) -> None:
    request = ExportRequest("jsonl", "summaries", min_respondents=2)
    await exporter.export(CORA, request, out / "s.jsonl")

    rows = read_jsonl(out / "s.jsonl")
    kanaleneiland = rows[0]
    assert kanaleneiland["district"] == "Kanaleneiland" and kanaleneiland["suppressed"] is True
    assert kanaleneiland["key_figures"] == 2
    figures = ["responses", "median"] + [f"level_{c}" for c in (1, 2, 3, 4, 5, 0)]
    assert all(kanaleneiland[name] is None for name in figures)
    assert [r["suppressed"] for r in rows[1:]] == [False, False]
    assert [r["responses"] for r in rows[1:]] == [3, 2]


async def test_suppressed_rows_are_blank_in_xlsx(
    exporter: ExportService, standard: dict[str, int], out: Path
) -> None:
    request = ExportRequest("xlsx", "summaries", min_respondents=3)
    await exporter.export(CORA, request, out / "s.xlsx")

    rows = read_xlsx(out / "s.xlsx")["samenvattingen"]
    assert rows[0] == HEADER
    assert [(r[3], r[4], r[12], r[13]) for r in rows[1:]] == [
        ("Kanaleneiland", None, None, True),
        ("Overvecht", 3, 3.5, False),
        ("Overvecht", None, None, True),
    ]


async def test_summaries_filter_by_district_and_period(
    exporter: ExportService, standard: dict[str, int], out: Path
) -> None:
    request = ExportRequest(
        "csv", "summaries", since=date(2026, 4, 1), districts=("Overvecht", "Kanaleneiland")
    )
    await exporter.export(CORA, request, out / "s.csv")

    rows = read_csv(out / "s.csv")[1]
    assert [(r["district"], r["responses"]) for r in rows] == [("Overvecht", "2")]


async def test_a_group_that_missed_the_message_counts_when_members_answered_privately(
    exporter: ExportService, export_world: ExportWorld, standard: dict[str, int], out: Path
) -> None:
    await export_world.answer(
        standard["second"], "Youssef", "Kanaleneiland", 5, utc("2026-04-10T12:00")
    )

    request = ExportRequest("csv", "summaries", min_respondents=1)
    await exporter.export(CORA, request, out / "s.csv")

    rows = read_csv(out / "s.csv")[1]
    assert [(r["district"], r["responses"], r["key_figures"], r["level_5"]) for r in rows[2:]] == [
        ("Kanaleneiland", "1", "2", "1"),
        ("Overvecht", "2", "4", "0"),
    ]


async def test_groups_are_folded_right_across_batch_boundaries(
    exporter: ExportService,
    standard: dict[str, int],
    out: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await exporter.export(CORA, ExportRequest("csv", "summaries"), out / "whole.csv")
    monkeypatch.setattr(export_queries, "BATCH", 1)  # every count row its own batch

    await exporter.export(CORA, ExportRequest("csv", "summaries"), out / "split.csv")

    assert read_csv(out / "split.csv") == read_csv(out / "whole.csv")


async def test_feedback_to_the_groups_is_in_both_exports(
    exporter: ExportService, export_world: ExportWorld, standard: dict[str, int], out: Path
) -> None:
    second, at = standard["second"], utc("2026-04-13T08:00")
    [given] = await export_world.add(
        Feedback(checkin_id=second, text="Extra surveillance bij de moskee", created_at=at)
    )
    await export_world.add(
        FeedbackSend(
            feedback_id=given.id,
            kind="group",
            target_id=export_world.districts["Overvecht"],
            district_id=export_world.districts["Overvecht"],
            telegram_chat_id=-100,
            status=DeliveryStatus.SENT,
            attempts=1,
            updated_at=at,
            sent_at=at,
        )
    )

    await exporter.export(CORA, ExportRequest("csv", "summaries"), out / "s.csv")
    rows = read_csv(out / "s.csv")[1]
    assert [(r["district"], r["feedback"], r["feedback_sent_at"]) for r in rows] == [
        ("Kanaleneiland", "", ""),
        ("Overvecht", "", ""),
        ("Overvecht", "Extra surveillance bij de moskee", "2026-04-13T10:00:00+02:00"),
    ]
    await exporter.export(CORA, ExportRequest("csv", "answers"), out / "a.csv")
    answers = read_csv(out / "a.csv")[1]
    assert {(r["checkin_id"], r["feedback"]) for r in answers} == {
        (str(standard["first"]), ""),
        (str(second), "Extra surveillance bij de moskee"),
    }
