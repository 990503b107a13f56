"""The buttons of the /export questions, with their callback data."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.callback_data import CallbackData
from handlers.common import label
from handlers.exports.draft import (
    ALL,
    CANCEL,
    CUSTOM,
    DISTRICTS_DONE,
    FORMAT,
    KIND,
    KINDS,
    MAX_TOGGLES,
    NAMES,
    PRESET,
    TOGGLE,
    ExportDraft,
)
from services.exports import FORMATS
from services.insight import PRESETS


@dataclass(frozen=True)
class ExportPress(CallbackData, prefix="exp"):
    """A button of one /export draft: which draft, what it does, which option."""

    draft: str
    action: str
    value: int


def _button(text: str, draft: ExportDraft, action: str, value: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=ExportPress(draft.id, action, value).encode())


def _cancel(draft: ExportDraft, language: str | None) -> list[InlineKeyboardButton]:
    return [_button(label("export.button.cancel", language), draft, CANCEL)]


def cancel_keyboard(draft: ExportDraft, language: str | None) -> InlineKeyboardMarkup:
    """Only 'Annuleren' (while a typed period is awaited)."""
    return InlineKeyboardMarkup([_cancel(draft, language)])


def keyboard(draft: ExportDraft, language: str | None) -> InlineKeyboardMarkup | None:
    """The buttons of the draft's current question."""
    step = draft.step()
    rows: list[list[InlineKeyboardButton]]
    if step == "kind":
        rows = [
            [_button(label(f"export.kind.{kind}", language), draft, KIND, i)]
            for i, kind in enumerate(KINDS)
        ]
    elif step == "period":
        presets = [
            _button(label(f"export.period.{preset}", language), draft, PRESET, i)
            for i, preset in enumerate(PRESETS)
        ]
        custom = _button(label("export.button.custom_period", language), draft, CUSTOM)
        rows = [presets[:2], presets[2:], [custom]]
    elif step == "districts":
        rows = _district_rows(draft, language)
    elif step == "format":
        rows = [
            [
                _button(label(f"export.format.{name}", language), draft, FORMAT, i)
                for i, name in enumerate(FORMATS)
            ]
        ]
    elif step == "names":
        rows = [
            [_button(label("export.button.pseudonyms", language), draft, NAMES, 0)],
            [_button(label("export.button.names", language), draft, NAMES, 1)],
        ]
    else:
        return None
    return InlineKeyboardMarkup([*rows, _cancel(draft, language)])


def _district_rows(draft: ExportDraft, language: str | None) -> list[list[InlineKeyboardButton]]:
    toggles = []
    for index, name in enumerate(draft.choices.districts[:MAX_TOGGLES]):
        on = not draft.all_districts and index in draft.selected
        key = "export.button.district_on" if on else "export.button.district_off"
        toggles.append(_button(label(key, language, district=name), draft, TOGGLE, index))
    rows = [toggles[i : i + 2] for i in range(0, len(toggles), 2)]
    key = "export.button.all_on" if draft.all_districts else "export.button.all_off"
    rows.insert(0, [_button(label(key, language), draft, ALL)])
    rows.append([_button(label("export.button.next", language), draft, DISTRICTS_DONE)])
    return rows
