"""Row writers for CSV and JSON Lines."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

from services.exports.memo import Memo
from services.exports.neutralise import neutralise

# What a row holds before a writer turns it into its format.
Cell = str | int | float | bool | list[str] | tuple[str, ...] | dict[str, Any] | None
THEME_SEPARATOR = "; "

# What a column holds, so that a writer converts only the cells that need it:
# plain  numbers, None, and text no spreadsheet misreads (times, pseudonyms): left as they are
# text   str or None, to be neutralised; list: tuples of str or None, joined; flag: bool or None
# any    whatever it is, looked at cell by cell
Kind = Literal["plain", "text", "list", "flag", "any"]


class RowWriter(Protocol):
    """Write rows to one file; finish completes it, abort just lets go of it."""

    def write(self, rows: Sequence[Sequence[Cell]]) -> None:
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
    if isinstance(value, list | tuple):
        return THEME_SEPARATOR.join(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _csv_cell(value: Cell) -> Cell:
    if isinstance(value, str):  # the common case first
        return neutralise(value)
    if isinstance(value, bool):  # csv would write 'True'; lower case reads like JSON's
        return "true" if value else "false"
    value = flat(value)
    return neutralise(value) if isinstance(value, str) else value


def kinds_of(columns: Sequence[str], kinds: Sequence[Kind] | None) -> Sequence[Kind]:
    """The kind of every column: as the plan says, else 'any'."""
    if kinds is None:
        return ["any"] * len(columns)
    if len(kinds) != len(columns):
        raise ValueError(f"{len(kinds)} kinds for {len(columns)} columns")
    return kinds


def by_column(
    rows: Sequence[Sequence[Cell]], convert: Mapping[int, Callable[[Any], Any]]
) -> Iterable[Sequence[Any]]:
    """The rows with some columns' cells converted (by column index).

    Column by column: zip and map loop in C, so a column left alone costs nothing per row.
    """
    if not rows or not convert:
        return rows
    columns: list[Iterable[Any]] = list(zip(*rows, strict=True))
    for index, function in convert.items():
        columns[index] = map(function, columns[index])
    return zip(*columns, strict=True)


def _sync(file: Any) -> None:
    # On disk before the rename: a crash then leaves the old file or the whole new one.
    file.flush()
    os.fsync(file.fileno())
    file.close()


class CsvWriter:
    """Comma-separated, quoted by the csv module, UTF-8 with a BOM so Excel reads 'ë' right."""

    def __init__(
        self, path: Path, columns: Sequence[str], kinds: Sequence[Kind] | None = None
    ) -> None:
        kinds = kinds_of(columns, kinds)
        # Text, lists and flags repeat down a column: each distinct value is converted once
        # a batch. (Per batch, so free texts do not pile up; and no column mixes True and 1.)
        self._repeating = [i for i, kind in enumerate(kinds) if kind in ("text", "list", "flag")]
        self._any = [i for i, kind in enumerate(kinds) if kind == "any"]
        # Plain UTF-8 and the BOM by hand: the same bytes as 'utf-8-sig', whose encoder is
        # Python code, called for every row, where UTF-8's is C.
        self._file = path.open("w", encoding="utf-8", newline="")
        self._file.write("\ufeff")
        self._csv = csv.writer(self._file)
        self._csv.writerow(columns)

    def write(self, rows: Sequence[Sequence[Cell]]) -> None:
        """Append rows."""
        convert: dict[int, Callable[[Any], Any]] = {i: _csv_cell for i in self._any}
        for i in self._repeating:
            convert[i] = Memo[Any, Cell](_csv_cell).__getitem__
        self._csv.writerows(by_column(rows, convert))

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

    def write(self, rows: Sequence[Sequence[Cell]]) -> None:
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
