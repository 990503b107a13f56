"""A plan: how one kind of export reads its rows from the database and shapes them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.exports.writers import Cell, Kind
from storage.queries.exports import Batches

Rows = list[Sequence[Cell]]


def _nothing() -> Rows:
    return []


@dataclass(frozen=True)
class Plan:
    """Columns, the sheet title, the streamed query, and the shaping of each batch."""

    columns: tuple[str, ...]
    title: str
    batches: Callable[[AsyncSession], Batches]
    # Runs in a worker thread together with the writing, batch by batch.
    shape: Callable[[Sequence[Any]], Rows]
    # Rows still held back when the stream ends (a fold's last group).
    rest: Callable[[], Rows] = field(default=_nothing)
    # What each column holds, so writers convert only the cells that need it; None: look
    # at every cell (fine for small exports).
    kinds: tuple[Kind, ...] | None = None
