"""Writers told what each column holds write the same file as writers that look at every cell."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from services.exports.answers import COLUMNS, NAME_COLUMNS, themes
from services.exports.formats import open_writer
from services.exports.memo import Memo
from services.exports.writers import Cell, Kind

KINDS: tuple[Kind, ...] = (
    "plain", "text", "text", "plain", "plain", "text",
    "text", "list", "text", "flag", "plain", "text", "plain", "text", "plain",
)  # fmt: skip
# Text that spreadsheets misread, characters XML cannot hold, error values, and repeats.
SOME_TEXT = st.one_of(
    st.sampled_from(["=1+2", "+31 6", "-x", "@SUM(A1)", "\tx", "#N/A", "\x01=cmd", "Rustig"]),
    st.text(max_size=8),
)
TEXT = st.one_of(st.none(), SOME_TEXT)
ROW = st.tuples(
    st.integers(0, 10**6),
    TEXT,
    TEXT,
    st.just("2026-03-29T03:30:00+02:00"),
    st.integers(0, 9),
    TEXT,
    st.sampled_from([None, "rising", "same"]),
    st.lists(SOME_TEXT, max_size=3).map(tuple),
    TEXT,
    st.sampled_from([None, True, False]),
    st.just("p-3f9a0c41d2e7"),
    TEXT,  # feedback
    st.sampled_from(["incident", "pulse"]),  # kind
    TEXT,
    st.integers(-(2**40), 2**40),
)
BATCHES = st.lists(st.lists(ROW, max_size=6), max_size=4)


def write(fmt: str, path: Path, batches: Sequence[Sequence[Sequence[Cell]]], kinds: Any) -> None:
    """Write the batches with a writer of the format, told the kinds or not."""
    writer = open_writer(fmt, path, COLUMNS + NAME_COLUMNS, "antwoorden", kinds)  # type: ignore[arg-type]
    for batch in batches:
        writer.write(batch)
    writer.finish()


def cells(path: Path) -> list[list[tuple[object, str]]]:
    """Every cell of an XLSX file with its data type."""
    book = load_workbook(path)
    try:
        return [[(c.value, c.data_type) for c in row] for row in book.active.iter_rows()]  # type: ignore[union-attr]
    finally:
        book.close()


@settings(max_examples=60, deadline=None)
@given(batches=BATCHES)
def test_csv_is_the_same_byte_for_byte(batches: list[list[tuple[Cell, ...]]]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        told, looked = Path(directory, "told.csv"), Path(directory, "looked.csv")
        write("csv", told, batches, KINDS)
        write("csv", looked, batches, None)

        assert told.read_bytes() == looked.read_bytes()
        assert told.read_bytes().startswith(b"\xef\xbb\xbfcheckin_id,")


@settings(max_examples=15, deadline=None)
@given(batches=BATCHES)
def test_xlsx_has_the_same_cells(batches: list[list[tuple[Cell, ...]]]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        told, looked = Path(directory, "told.xlsx"), Path(directory, "looked.xlsx")
        write("xlsx", told, batches, KINDS)
        write("xlsx", looked, batches, None)

        assert cells(told) == cells(looked)


def test_jsonl_writes_a_tuple_as_a_list(tmp_path: Path) -> None:
    row = (
        1,
        "e",
        "d",
        "t",
        3,
        "Onrust",
        "same",
        ("a", "b"),
        None,
        True,
        "p-1",
        None,
        "pulse",
        "Ann",
        5,
    )
    write("jsonl", tmp_path / "a.jsonl", [[row]], KINDS)

    written = json.loads((tmp_path / "a.jsonl").read_text(encoding="utf-8"))
    assert (written["themes"], written["contact_requested"]) == (["a", "b"], True)
    assert written["kind"] == "pulse"


def test_kinds_must_match_the_columns(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="2 kinds for 15 columns"):
        write("csv", tmp_path / "a.csv", [], ("plain", "text"))


def test_a_memo_makes_each_value_once() -> None:
    made: list[str] = []
    memo = Memo[str, str](lambda key: made.append(key) or key.upper())

    assert list(map(memo.__getitem__, ["a", "b", "a", "a"])) == ["A", "B", "A", "A"]
    assert made == ["a", "b"]


def test_themes_come_from_json_text() -> None:
    assert themes('["armoede", "overlast"]') == ("armoede", "overlast")
    assert themes("[]") == () and themes(None) == ()
