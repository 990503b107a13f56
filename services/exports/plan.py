"""A plan: how one kind of export reads its rows from the database and shapes them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.exports.writers import Cell
from storage.queries.exports import Batches

Rows = list[list[Cell]]


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


def local_iso(moment: datetime, tz: ZoneInfo) -> str:
    """A moment in the local zone as ISO 8601 with its offset, e.g. 2026-03-29T03:30:00+02:00."""
    return moment.astimezone(tz).isoformat(timespec="seconds")
