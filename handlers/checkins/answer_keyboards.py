"""Callback data of the check-in: the answer buttons under a check-in message."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.callback_data import CallbackData


@dataclass(frozen=True)
class AnswerPress(CallbackData, prefix="a"):
    """An answer button: which check-in, which district, which code (all checked server-side)."""

    checkin: int
    district: int
    code: int
