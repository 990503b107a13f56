"""The buttons under /koppel's question whether to replace a district's group."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.callback_data import CallbackData
from handlers.i18n import t


@dataclass(frozen=True)
class ReplaceGroup(CallbackData, prefix="kop"):
    """The answer to 'replace the district's group by this one?'; the district is in the
    /koppel command the question replies to, so nothing is kept in memory."""

    replace: bool


def confirm_keyboard(language: str | None) -> InlineKeyboardMarkup:
    """The buttons under the question whether to replace a district's group."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("group.button_replace", language),
                    callback_data=ReplaceGroup(True).encode(),
                ),
                InlineKeyboardButton(
                    t("group.button_keep", language),
                    callback_data=ReplaceGroup(False).encode(),
                ),
            ]
        ]
    )
