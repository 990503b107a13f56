"""Export: `bondgenoten export` of a year of answers, as CSV and as XLSX.

The answers are written straight into a fresh database (seed.answers); the export runs as
its own process, exactly as a coordinator would run it. Time is the command's wall time;
memory is the process's peak resident size (from the kernel, when it exits) minus the peak
of the same command on an empty database: what the rows cost on top of the program.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import seeding as seed
from bench import Sizes, world
from bench.database import backend, fresh_database
from bench.processes import BenchError

KEY_FIGURES_PER_DISTRICT = 100
PSEUDONYM_KEY = "benchmark-pseudonym-key-0123456789"


@dataclass(frozen=True)
class Run:
    """One export command: how long it took and its peak memory."""

    seconds: float
    peak_mb: float
    output: str


def export(url: str, target: Path, fmt: str, *extra: str) -> Run:
    """Run `bondgenoten export` in a process of its own; measure it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BONDGENOTEN_")}
    env.update(
        BONDGENOTEN_CONFIG=os.devnull,
        BONDGENOTEN_DATABASE_URL=url,
        BONDGENOTEN_PRIVACY__PSEUDONYM_KEY=PSEUDONYM_KEY,
        # The row count is read from the command's English message (_exported).
        BONDGENOTEN_LANGUAGE="en",
    )
    command = [sys.executable, "-m", "bot", "export", "--format", fmt, "--output", str(target)]
    started = time.monotonic()
    with subprocess.Popen(
        [*command, *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    ) as process:
        # The kernel's high-water mark of the process's own memory. (Its rusage would not
        # do: a child's ru_maxrss starts at the size of the parent that forked it.)
        peak = 0
        while process.poll() is None:
            peak = max(peak, _high_water_kib(process.pid))
            time.sleep(0.01)
        assert process.stdout is not None
        output = process.stdout.read().decode(errors="replace")
    if process.returncode != 0:
        raise BenchError(f"export failed ({process.returncode}): {output.strip()}")
    return Run(time.monotonic() - started, peak / 1024, output.strip())


def _high_water_kib(pid: int) -> int:
    """VmHWM of a running process, in KiB (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


async def run(sizes: Sizes, workdir: Path, database: str | None) -> dict[str, Any]:
    """Seed the answers, then export them all as CSV and a part as XLSX."""
    districts = max(1, -(-sizes.export_answers // (KEY_FIGURES_PER_DISTRICT * 100)))
    ids = world.person_ids(districts * KEY_FIGURES_PER_DISTRICT)
    groups = [
        seed.Group(-(1_000_000 + n), tuple(m)) for n, m in enumerate(world.split(ids, districts))
    ]
    async with fresh_database(database, workdir, "export-empty") as empty:
        baseline = await asyncio.to_thread(export, empty, workdir / "empty.csv", "csv")
    async with fresh_database(database, workdir, "export") as url:
        started = time.monotonic()
        network = await seed.network(url, groups, datetime.now(UTC))
        rows = await seed.answers(url, network, groups, sizes.export_answers, datetime.now(UTC))
        seeded = time.monotonic() - started
        csv = await asyncio.to_thread(export, url, workdir / "answers.csv", "csv")
        # Whole districts, as many as make up the XLSX's number of rows.
        per_district = rows / districts
        picked = max(1, round(sizes.export_xlsx_rows / per_district))
        names = network.district_names()[:picked]
        flags = [arg for name in names for arg in ("--district", name)]
        xlsx = await asyncio.to_thread(export, url, workdir / "answers.xlsx", "xlsx", *flags)
    compared: dict[str, Any] = {}
    if backend(database) == "postgresql":
        # "Faster on PostgreSQL": the same rows and the same command on SQLite, to compare.
        async with fresh_database(None, workdir, "export-sqlite") as sqlite_url:
            network = await seed.network(sqlite_url, groups, datetime.now(UTC))
            await seed.answers(
                sqlite_url, network, groups, sizes.export_answers, datetime.now(UTC)
            )
            on_sqlite = await asyncio.to_thread(export, sqlite_url, workdir / "sqlite.csv", "csv")
        compared = {
            "csv_sqlite_s": on_sqlite.seconds,
            "csv_vs_sqlite": csv.seconds / on_sqlite.seconds,
        }
    return {
        "rows": rows,
        "seed_s": seeded,
        "csv_s": csv.seconds,
        "csv_peak_mb": csv.peak_mb,
        "csv_extra_mb": csv.peak_mb - baseline.peak_mb,
        "csv_bytes": (workdir / "answers.csv").stat().st_size,
        "xlsx_rows": _exported(xlsx.output),
        "xlsx_s": xlsx.seconds,
        "xlsx_extra_mb": xlsx.peak_mb - baseline.peak_mb,
        "empty_export_s": baseline.seconds,
        "empty_export_peak_mb": baseline.peak_mb,
        **compared,
    }


def _exported(output: str) -> int:
    """The row count the command printed ('Exported N rows …')."""
    words = output.split()
    return int(words[words.index("Exported") + 1]) if "Exported" in words else 0
