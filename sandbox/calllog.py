"""A record of every Bot API call, for assertions and measurements."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass
class CallRecord:
    """One Bot API request and its outcome."""

    token: str
    bot_id: int | None
    method: str
    params: dict[str, Any]
    monotonic: float
    wall: datetime
    duration: float = 0.0
    ok: bool = False
    error_code: int | None = None
    description: str | None = None
    chat_id: int | None = None
    result: Any = None

    def to_json(self) -> dict[str, Any]:
        """The record as JSON (control API)."""
        return {
            "bot_id": self.bot_id,
            "method": self.method,
            "params": self.params,
            "monotonic": self.monotonic,
            "wall": self.wall.isoformat(),
            "duration": self.duration,
            "ok": self.ok,
            "error_code": self.error_code,
            "description": self.description,
            "chat_id": self.chat_id,
        }


class CallLog:
    """Append-only list of CallRecord with simple filtering."""

    def __init__(self) -> None:
        self.records: list[CallRecord] = []

    def add(self, record: CallRecord) -> None:
        """Append a record."""
        self.records.append(record)

    def clear(self) -> None:
        """Forget every record."""
        self.records.clear()

    def __iter__(self) -> Iterator[CallRecord]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def query(
        self,
        method: str | None = None,
        bot_id: int | None = None,
        chat_id: int | None = None,
        ok: bool | None = None,
        since: float | None = None,
    ) -> list[CallRecord]:
        """Records matching every given filter (method is case-insensitive)."""
        wanted = method.lower() if method else None
        return [
            r
            for r in self.records
            if (wanted is None or r.method.lower() == wanted)
            and (bot_id is None or r.bot_id == bot_id)
            and (chat_id is None or r.chat_id == chat_id)
            and (ok is None or r.ok == ok)
            and (since is None or r.monotonic >= since)
        ]
