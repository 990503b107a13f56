"""Row writers for CSV and JSON Lines, and the choice of writer by format."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from services.exports.neutralise import neutralise
from services.exports.outcomes import ExportFormat

# What a row holds before a writer turns it into its format.
Cell = str | int | float | bool | list[str] | dict[str, Any] | None
THEME_SEPARATOR = "; "


class RowWriter(Protocol):
    """Write rows to one file; finish completes it, abort just lets go of it."""

    def write(self, rows: Iterable[Sequence[Cell]]) -> None:
        """Append rows."""
        ...

    def finish(self) -> None:
        """Complete the file, on disk."""
        ...

    def abort(self) -> None:
        """Close without completing (the caller removes the file)."""
        ...


def flat(value: Cell) -> Cell:
    """A cell for a flat table: lists joined with '; ', objects written as JSON."""
    if isinstance(value, list):
        return THEME_SEPARATOR.join(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _csv_cell(value: Cell) -> Cell:
    if isinstance(value, str):  # the common case first: this runs for every cell
        return neutralise(value)
    if isinstance(value, bool):  # csv would write 'True'; lower case reads like JSON's
        return "true" if value else "false"
    value = flat(value)
    return neutralise(value) if isinstance(value, str) else value


def _sync(file: Any) -> None:
    # On disk before the rename: a crash then leaves the old file or the whole new one.
    file.flush()
    os.fsync(file.fileno())
    file.close()


class CsvWriter:
    """Comma-separated, quoted by the csv module, UTF-8 with a BOM so Excel reads 'ë' right."""

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self._file = path.open("w", encoding="utf-8-sig", newline="")
        self._csv = csv.writer(self._file)
        self._csv.writerow(columns)

    def write(self, rows: Iterable[Sequence[Cell]]) -> None:
        """Append rows."""
        self._csv.writerows([_csv_cell(value) for value in row] for row in rows)

    def finish(self) -> None:
        """Complete the file, on disk."""
        _sync(self._file)

    def abort(self) -> None:
        """Close without completing."""
        self._file.close()


class JsonLinesWriter:
    """One JSON object a line, values as they are: no neutralising, lists stay lists."""

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self._file = path.open("w", encoding="utf-8", newline="\n")
        self._columns = tuple(columns)

    def write(self, rows: Iterable[Sequence[Cell]]) -> None:
        """Append rows."""
        self._file.writelines(
            json.dumps(dict(zip(self._columns, row, strict=True)), ensure_ascii=False) + "\n"
            for row in rows
        )

    def finish(self) -> None:
        """Complete the file, on disk."""
        _sync(self._file)

    def abort(self) -> None:
        """Close without completing."""
        self._file.close()


def open_writer(fmt: ExportFormat, path: Path, columns: Sequence[str], title: str) -> RowWriter:
    """Open the writer of a format on a path; title names the XLSX sheets."""
    if fmt == "csv":
        return CsvWriter(path, columns)
    if fmt == "jsonl":
        return JsonLinesWriter(path, columns)
    from services.exports.xlsx import XlsxWriter  # openpyxl loads only when needed

    return XlsxWriter(path, columns, title)
