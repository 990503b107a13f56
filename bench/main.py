"""Run the scenarios one after another and put their figures in one report."""

from __future__ import annotations

import os
import platform
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import (
    Sizes,
    scenario_answers,
    scenario_broadcast,
    scenario_export,
    scenario_restart,
)
from bench.database import backend
from bench.report import judge

Scenario = Callable[[Sizes, Path, str | None], Awaitable[dict[str, Any]]]
SCENARIOS: dict[str, Scenario] = {
    "broadcast": scenario_broadcast.run,
    "answers": scenario_answers.run,
    "export": scenario_export.run,
    "restart": scenario_restart.run,
}


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {
        "cpus": os.cpu_count(),
        "memory_gb": pages / 2**30,
        "python": platform.python_version(),
        "system": platform.platform(),
        "load_before": os.getloadavg()[0],
    }


async def run_bench(
    sizes: Sizes, database: str | None, only: Sequence[str] = (), keep: bool = False
) -> dict[str, Any]:
    """Run the scenarios (all, or `only` these) in a temporary directory; the report."""
    workdir = Path(tempfile.mkdtemp(prefix="bondgenoten-bench-"))
    started = time.monotonic()
    report: dict[str, Any] = {
        "sizes": sizes.name,
        "database": backend(database),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
    }
    try:
        for name, scenario in SCENARIOS.items():
            if not only or name in only:
                report[name] = await scenario(sizes, workdir, database)
    except BaseException as exc:
        keep = True  # the processes' logs say what went wrong
        exc.add_note(f"the processes' logs are in {workdir}")
        raise
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    report["duration_s"] = time.monotonic() - started
    report["targets"] = judge(report)
    report["all_targets_met"] = all(t["met"] for t in report["targets"] if t["met"] is not None)
    return report
