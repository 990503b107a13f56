"""The buttons under /puls's list: pause, resume or delete one schedule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.callback_data import CallbackData
from handlers.common import label
from services.pulse.outcomes import PulseLine

PAUSE, RESUME, DELETE = "pause", "resume", "delete"


@dataclass(frozen=True)
class PulsePress(CallbackData, prefix="pu"):
    """A button about one pulse schedule; the service checks who may."""

    schedule: int
    action: str


def _button(key: str, line: PulseLine, action: str, language: str | None) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        label(key, language, id=line.schedule_id),
        callback_data=PulsePress(line.schedule_id, action).encode(),
    )


def list_keyboard(lines: Sequence[PulseLine], language: str | None) -> InlineKeyboardMarkup:
    """Per schedule one row: pause or resume it, delete it."""
    rows = [
        [
            _button("pulse.button.resume", line, RESUME, language)
            if line.paused
            else _button("pulse.button.pause", line, PAUSE, language),
            _button("pulse.button.delete", line, DELETE, language),
        ]
        for line in lines
    ]
    return InlineKeyboardMarkup(rows)
