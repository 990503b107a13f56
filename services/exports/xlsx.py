"""The XLSX writer: openpyxl's write-only workbook, a next sheet past Excel's row limit."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from services.exports.neutralise import is_risky, neutralise
from services.exports.writers import Cell, Kind, by_column, flat, kinds_of

# Excel's limit per sheet, header row included; a module global so tests can make it small.
MAX_SHEET_ROWS = 1_048_576


class XlsxWriter:
    """Stream rows into a write-only workbook; the header is repeated on every sheet."""

    def __init__(
        self, path: Path, columns: Sequence[str], title: str, kinds: Sequence[Kind] | None = None
    ) -> None:
        self._path = path
        # Numbers, flags and plain text go in as they are; openpyxl writes bools as booleans.
        self._convert = [
            i for i, kind in enumerate(kinds_of(columns, kinds)) if kind not in ("plain", "flag")
        ]
        self._columns = list(columns)
        self._title = title
        # write_only keeps rows in temporary files, not in memory.
        self._book = Workbook(write_only=True)
        self._sheets = 0
        self._used = 0
        self._sheet = self._next_sheet()

    def _next_sheet(self) -> WriteOnlyWorksheet:
        self._sheets += 1
        title = self._title if self._sheets == 1 else f"{self._title} ({self._sheets})"
        sheet: WriteOnlyWorksheet = self._book.create_sheet(title[:31])
        sheet.append(self._columns)
        self._used = 1
        return sheet

    def write(self, rows: Sequence[Sequence[Cell]]) -> None:
        """Append rows, starting a next sheet when this one is full."""
        for row in by_column(rows, dict.fromkeys(self._convert, self._cell)):
            if self._used >= MAX_SHEET_ROWS:
                self._sheet = self._next_sheet()
            self._sheet.append(row)
            self._used += 1

    def _cell(self, value: Cell) -> object:
        shown = flat(value)
        if not isinstance(shown, str):
            return shown
        # XML cannot hold most control characters, and openpyxl would refuse the whole row;
        # they go before neutralising, so '\x01=…' cannot turn into a formula afterwards.
        shown = ILLEGAL_CHARACTERS_RE.sub("", shown)
        if is_risky(shown) or shown in ERROR_CODES:
            # An explicit string cell as well: openpyxl takes '=…' for a formula and '#N/A'
            # for an error value. Only these rare cells pay for a cell object of their own.
            cell = WriteOnlyCell(self._sheet, value=neutralise(shown))
            cell.data_type = "s"
            return cell
        return shown

    def finish(self) -> None:
        """Assemble the workbook into the file, on disk."""
        self._book.save(self._path)
        with self._path.open("rb") as file:
            os.fsync(file.fileno())

    def abort(self) -> None:
        """Drop the sheets' temporary files (openpyxl would keep them until the process ends)."""
        for sheet in self._book.worksheets:
            writer = getattr(sheet, "_writer", None)
            if writer is None:
                continue
            # Private to openpyxl, hence careful: a failed clean-up must not hide the error.
            with contextlib.suppress(Exception):
                writer.close()
                writer.cleanup()
