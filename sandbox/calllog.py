"""A record of every Bot API call, for assertions and measurements."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
    """Append-only list of CallRecord with simple filtering, and the calls still under way.

    `on_change` is called whenever a call starts or is recorded, so that whoever waits for
    a call (the sandbox's `wait_for`) is woken at once instead of at its timeout.
    """

    def __init__(self, on_change: Callable[[], None] | None = None) -> None:
        self.records: list[CallRecord] = []
        self._in_flight: dict[int, CallRecord] = {}  # by id(): records compare by value
        self._on_change = on_change

    def begin(self, record: CallRecord) -> None:
        """Note a call that has arrived and is not answered yet (it may hang)."""
        self._in_flight[id(record)] = record
        self._changed()

    def add(self, record: CallRecord) -> None:
        """Append a finished call's record (and forget it as under way)."""
        self._in_flight.pop(id(record), None)
        self.records.append(record)
        self._changed()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()

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
        *,
        in_flight: bool = False,
    ) -> list[CallRecord]:
        """Records matching every given filter (method is case-insensitive).

        in_flight: the calls under way instead of the finished ones.
        """
        wanted = method.lower() if method else None
        return [
            r
            for r in (list(self._in_flight.values()) if in_flight else self.records)
            if (wanted is None or r.method.lower() == wanted)
            and (bot_id is None or r.bot_id == bot_id)
            and (chat_id is None or r.chat_id == chat_id)
            and (ok is None or r.ok == ok)
            and (since is None or r.monotonic >= since)
        ]
