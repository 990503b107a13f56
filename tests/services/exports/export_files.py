"""Read export files back the way a person's tools would: csv, openpyxl, json."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from openpyxl import load_workbook


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows of a CSV export."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def read_xlsx(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's rows (header first), by sheet title."""
    book = load_workbook(path, read_only=True)
    try:
        return {
            sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets
        }
    finally:
        book.close()


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The objects of a JSON Lines export, one a line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def listing(directory: Path) -> list[str]:
    """The names of the files in a directory, sorted (temporary files included)."""
    return sorted(p.name for p in directory.iterdir())


def text_of(path: Path) -> str:
    """A file's text, BOM dropped."""
    return path.read_text(encoding="utf-8-sig")
