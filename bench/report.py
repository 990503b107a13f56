"""The benchmark's figures: the targets, a table for people, one JSON object for machines."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


def percentile(values: Sequence[float], pct: float) -> float:
    """The pct-th percentile (nearest rank) of the values; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(math.ceil(pct / 100 * len(ordered)), 1)
    return ordered[rank - 1]


@dataclass(frozen=True)
class Target:
    """One target of issue 6: where its figure is, and what meets it."""

    name: str
    scenario: str
    figure: str
    wanted: str
    met: Callable[[Any], bool]
    # A figure the run could not give (a bound of 0 s: too few messages to meet a limit).
    none_means: bool | None = None


TARGETS = (
    Target("broadcast time / bound", "broadcast", "ratio", "≤ 1.05", lambda v: v <= 1.05),
    Target("unhandled 429s", "broadcast", "unhandled_429s", "= 0", lambda v: v == 0),
    Target("every delivery exactly once", "broadcast", "exactly_once", "yes", bool),
    Target(
        "ingest ratio (bot / bare PTB)", "answers", "ingest_ratio", "≥ 0.75", lambda v: v >= 0.75
    ),
    Target(
        "CPU per press (bot / bare PTB)",
        "answers",
        "cpu_ratio",
        "≤ 1.15",
        lambda v: v <= 1.15,
        none_means=None,  # bare PTB's CPU too small to measure (a tiny run)
    ),
    Target("acknowledgement p99", "answers", "ack_p99_ms", "≤ 1000 ms", lambda v: v <= 1000),
    Target("answers stored = pressed", "answers", "stored_equals_pressed", "yes", bool),
    Target(
        "tally edits per message",
        "answers",
        "tally_min_gap_s",
        "≤ 1 per 5 s",
        lambda v: v >= 5.0,
        none_means=True,  # no message was edited twice
    ),
    Target("tally exact after closing", "answers", "tally_exact_after_closing", "yes", bool),
    Target("CSV export time", "export", "csv_s", "≤ 10 s", lambda v: v <= 10.0),
    Target("CSV export extra memory", "export", "csv_extra_mb", "≤ 100 MB", lambda v: v <= 100),
    Target(
        "CSV export on PostgreSQL / on SQLite",
        "export",
        "csv_vs_sqlite",
        "< 1 (PostgreSQL runs only)",
        lambda v: v < 1.0,
        none_means=None,  # a SQLite run has nothing to compare
    ),
    Target("ready after start", "restart", "ready_s", "≤ 3 s", lambda v: v <= 3.0),
    Target("nothing lost on restart", "restart", "lost", "= 0", lambda v: v == 0),
)


def judge(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with its figure and whether it is met (None: scenario not run)."""
    judged = []
    for target in TARGETS:
        scenario = results.get(target.scenario)
        value = None if scenario is None else scenario.get(target.figure)
        if scenario is None:
            met = None
        elif value is None:
            met = target.none_means
        else:
            met = bool(target.met(value))
        judged.append(
            {
                "target": target.name,
                "scenario": target.scenario,
                "figure": target.figure,
                "value": value,
                "wanted": target.wanted,
                "met": met,
            }
        )
    return judged


def as_json(report: dict[str, Any]) -> str:
    """The whole report as one JSON object."""
    return json.dumps(report, indent=2, ensure_ascii=False, default=str)


# The figures the table shows per scenario: (key, label, format).
ROWS: dict[str, list[tuple[str, str, str]]] = {
    "broadcast": [
        ("groups", "district groups", "{:,}"),
        ("key_figures", "key figures asked privately", "{:,}"),
        ("wall_s", "send → last delivery", "{:.1f} s"),
        ("bound_s", "flood-limit lower bound", "{:.1f} s"),
        ("ratio", "time / bound", "{:.3f}"),
        ("flood_429s", "429s received", "{}"),
        ("unhandled_429s", "429s not recovered", "{}"),
        ("exactly_once", "every delivery exactly once", "{}"),
    ],
    "answers": [
        ("pressed", "presses", "{:,}"),
        ("rate_offered_per_s", "pressed at", "{:,.0f}/s"),
        ("rate_per_s", "bot: first press → last commit", "{:,.0f}/s"),
        ("bare_rate_per_s", "bare PTB: first press → last answer", "{:,.0f}/s"),
        ("ingest_ratio", "ingest ratio", "{:.2f}"),
        ("ack_p50_ms", "acknowledgement p50", "{:,.0f} ms"),
        ("ack_p95_ms", "acknowledgement p95", "{:,.0f} ms"),
        ("ack_p99_ms", "acknowledgement p99", "{:,.0f} ms"),
        ("bare_ack_p99_ms", "bare PTB acknowledgement p99", "{:,.0f} ms"),
        ("cpu_ms_per_press", "bot: CPU per press", "{:.2f} ms"),
        ("bare_cpu_ms_per_press", "bare PTB: CPU per press", "{:.2f} ms"),
        ("cpu_ratio", "CPU per press, bot / bare PTB", "{:.2f}"),
        ("stored", "answers stored", "{:,}"),
        ("tally_max_edits_per_message_per_minute", "tally edits of a message per minute", "{}"),
        ("tally_min_gap_s", "shortest gap between two edits", "{:.1f} s"),
        ("tally_exact_after_closing", "every group shows the final tally", "{}"),
        ("tally_final_s", "/sluit → last group shows it", "{:.1f} s"),
    ],
    "export": [
        ("rows", "answers", "{:,}"),
        ("csv_s", "CSV export", "{:.1f} s"),
        ("csv_extra_mb", "CSV peak extra memory", "{:.0f} MB"),
        ("xlsx_rows", "XLSX rows", "{:,}"),
        ("xlsx_s", "XLSX export", "{:.1f} s"),
        ("xlsx_extra_mb", "XLSX peak extra memory", "{:.0f} MB"),
        ("csv_sqlite_s", "the same CSV export on SQLite", "{:.1f} s"),
    ],
    "restart": [
        ("checkins", "open check-ins", "{:,}"),
        ("overdue", "already past their deadline", "{}"),
        ("pending", "group messages unsent (+ claimed)", "{}"),
        ("polling_s", "start → polling", "{:.1f} s"),
        ("ready_s", "start → first reply", "{:.1f} s"),
        ("due_closed_late_max_s", "closed after deadline, at most", "{:.1f} s"),
        ("resumed_exactly_once", "unsent messages sent exactly once", "{}"),
        ("lost", "lost", "{}"),
    ],
}


def table(report: dict[str, Any]) -> str:
    """The figures and the targets as plain text."""
    lines = [
        f"bondgenoten bench ({report['sizes']}, {report['database']}) — "
        f"{report['machine']['cpus']} cores, {report['machine']['memory_gb']:.0f} GB, "
        f"Python {report['machine']['python']}, {report['duration_s']:.0f} s",
    ]
    for scenario, rows in ROWS.items():
        figures = report.get(scenario)
        if figures is None:
            continue
        lines.append("")
        lines.append(scenario)
        for key, label, fmt in rows:
            if key not in figures:  # a figure only some runs have (PostgreSQL's comparison)
                continue
            value = figures.get(key)
            shown = "—" if value is None else fmt.format(value)
            lines.append(f"  {label:<40} {shown}")
    lines.append("")
    lines.append("targets")
    for target in report["targets"]:
        verdict = {True: "met", False: "NOT MET", None: "n/a"}[target["met"]]
        value = target["value"]
        shown = f"{value:.3g}" if isinstance(value, float) else str(value)
        lines.append(f"  {target['target']:<38} {target['wanted']:<26} {shown:<10} {verdict}")
    return "\n".join(lines)
