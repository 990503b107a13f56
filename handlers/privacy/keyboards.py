"""The buttons of /vergeetmij: erase, or keep everything."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.callback_data import CallbackData
from handlers.common import label


@dataclass(frozen=True)
class ForgetPress(CallbackData, prefix="vgt"):
    """Erase me (erase=True) or keep everything; acts only on the presser, in their own chat."""

    erase: bool


def forget_keyboard(language: str | None) -> InlineKeyboardMarkup:
    """'Yes, erase everything' and 'No, keep it', one per row so neither is hit by accident."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    label("privacy.forget.button.yes", language),
                    callback_data=ForgetPress(True).encode(),
                )
            ],
            [
                InlineKeyboardButton(
                    label("privacy.forget.button.no", language),
                    callback_data=ForgetPress(False).encode(),
                )
            ],
        ]
    )
