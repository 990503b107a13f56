"""The choice of row writer by format; openpyxl loads only for an XLSX export."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from services.exports.outcomes import ExportFormat
from services.exports.writers import CsvWriter, JsonLinesWriter, Kind, RowWriter


def open_writer(
    fmt: ExportFormat,
    path: Path,
    columns: Sequence[str],
    title: str,
    kinds: Sequence[Kind] | None = None,
) -> RowWriter:
    """Open the writer of a format on a path; title names the XLSX sheets."""
    if fmt == "csv":
        return CsvWriter(path, columns, kinds)
    if fmt == "jsonl":
        return JsonLinesWriter(path, columns)
    from services.exports.xlsx import XlsxWriter  # openpyxl loads only when needed

    return XlsxWriter(path, columns, title, kinds)
