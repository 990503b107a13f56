"""`bondgenoten bench`, shrunk to a toy size: every figure is there and nothing is lost.

Timings on a shared machine say nothing, so no target is asserted here: only that the
benchmark runs end to end — sandbox, bot and bare PTB as processes — and counts right.
"""

from __future__ import annotations

import json

import pytest

from bench.report import ROWS, TARGETS, judge
from bench.scenario_answers import cpu_ratio
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
    # A tiny burst may use less CPU than one clock tick on bare PTB: then there is no ratio.
    if answers["bare_cpu_ms_per_press"] > 0:
        assert answers["cpu_ratio"] == pytest.approx(
            answers["cpu_ms_per_press"] / answers["bare_cpu_ms_per_press"]
        )
    else:
        assert answers["cpu_ratio"] is None
    [cpu] = [t for t in report["targets"] if t["figure"] == "cpu_ratio"]
    assert cpu["value"] == answers["cpu_ratio"]

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


def _cpu_target(results: dict[str, object]) -> dict[str, object]:
    [cpu] = [t for t in judge(results) if t["figure"] == "cpu_ratio"]
    return cpu


@pytest.mark.parametrize(
    ("ratio", "met"), [(0.9, True), (1.15, True), (1.151, False), (1.39, False)]
)
def test_cpu_per_press_is_judged_against_bare_ptb(ratio: float, met: bool) -> None:
    cpu = _cpu_target({"answers": {"cpu_ratio": ratio}})

    assert cpu["met"] is met
    assert (cpu["scenario"], cpu["wanted"], cpu["value"]) == ("answers", "≤ 1.15", ratio)


def test_cpu_per_press_is_not_judged_without_a_measure() -> None:
    # Not run, or bare PTB's CPU below one clock tick: n/a, neither met nor failed.
    assert _cpu_target({})["met"] is None
    assert _cpu_target({"answers": {"cpu_ratio": None}})["met"] is None
    assert cpu_ratio(0.9, 0.0) is None
    assert cpu_ratio(0.69, 0.6) == pytest.approx(1.15)


def test_the_table_shows_the_cpu_ratio() -> None:
    assert ("cpu_ratio", "CPU per press, bot / bare PTB", "{:.2f}") in ROWS["answers"]


def test_the_scenario_filter_is_documented(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["bench", "--help"])
    assert "--only SCENARIO" in capsys.readouterr().out
