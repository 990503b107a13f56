"""`bondgenoten bench`, shrunk to a toy size: every figure is there and nothing is lost.

Timings on a shared machine say nothing, so no target is asserted here: only that the
benchmark runs end to end — sandbox, bot and bare PTB as processes — and counts right.
"""

from __future__ import annotations

import json

import pytest

from bot.bench.report import ROWS, TARGETS
from bot.cli import main


def test_a_tiny_bench_reports_every_figure_and_loses_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["bench", "--tiny", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)

    for scenario, rows in ROWS.items():
        missing = [key for key, _, _ in rows if key not in report[scenario]]
        assert not missing, f"{scenario} lacks {missing}"
    assert [t["target"] for t in report["targets"]] == [t.name for t in TARGETS]
    assert report["machine"]["cpus"] >= 1 and report["sizes"] == "tiny"

    broadcast = report["broadcast"]
    assert (broadcast["groups"], broadcast["key_figures"]) == (3, 12)
    assert broadcast["exactly_once"] and broadcast["messages"] == 15
    assert broadcast["unhandled_429s"] == broadcast["missing"] == broadcast["duplicates"] == 0

    answers = report["answers"]
    assert answers["pressed"] == answers["answered"] == answers["stored"] == 60
    assert answers["stored_equals_pressed"] and answers["wrong_answers"] == 0
    assert answers["bare_answered"] == 60 and answers["bare_wrong_answers"] == 0
    assert answers["ingest_ratio"] > 0

    export = report["export"]
    assert export["rows"] == export["xlsx_rows"] == 2000
    assert export["csv_bytes"] > 0

    restart = report["restart"]
    assert restart["lost"] == 0 and restart["resumed_exactly_once"]
    assert restart["resumed_sends"] == restart["pending"] + restart["claimed"]
    assert restart["still_open"] == restart["checkins"] - restart["overdue"] - restart["due_soon"]


def test_an_unknown_scenario_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--tiny", "--only", "everything"]) == 2
    assert "unknown scenario 'everything'" in capsys.readouterr().err
