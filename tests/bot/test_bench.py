"""`bondgenoten bench`, shrunk to a toy size: every figure is there and nothing is lost.

Timings on a shared machine say nothing, so no target is asserted here: only that the
benchmark runs end to end — sandbox, bot and bare PTB as processes — and counts right.
"""

from __future__ import annotations

import json

import pytest

from bench.report import ROWS, TARGETS
from bot.cli import main


@pytest.mark.e2e  # the sandbox and the real bot, as processes, over HTTP
def test_a_tiny_bench_reports_every_figure_and_loses_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["bench", "--tiny", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)

    for scenario, rows in ROWS.items():
        only_postgresql = {"csv_sqlite_s"}
        missing = [k for k, _, _ in rows if k not in report[scenario] and k not in only_postgresql]
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
    # On SQLite there is nothing to compare SQLite with: that target says n/a, not met.
    [compare] = [t for t in report["targets"] if t["figure"] == "csv_vs_sqlite"]
    assert compare["met"] is None and "csv_sqlite_s" not in export

    restart = report["restart"]
    assert restart["lost"] == 0 and restart["resumed_exactly_once"]
    assert restart["resumed_sends"] == restart["pending"] + restart["claimed"]
    assert restart["still_open"] == restart["checkins"] - restart["overdue"] - restart["due_soon"]


def test_an_unknown_scenario_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--tiny", "--only", "everything"]) == 2
    assert "unknown scenario 'everything'" in capsys.readouterr().err


@pytest.mark.parametrize("databases", ["postgresql"], indirect=True)
def test_on_postgresql_the_export_is_compared_with_sqlite(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "--tiny", "--only", "export", "--json", "--database", db_url]) == 0
    report = json.loads(capsys.readouterr().out)

    assert report["database"] == "postgresql"
    export = report["export"]
    assert export["rows"] == 2000 and export["csv_sqlite_s"] > 0
    assert export["csv_vs_sqlite"] == pytest.approx(export["csv_s"] / export["csv_sqlite_s"])
    [compare] = [t for t in report["targets"] if t["figure"] == "csv_vs_sqlite"]
    assert compare["met"] is (export["csv_vs_sqlite"] < 1)
