"""The buttons of the feedback wizard, with their callback data."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.callback_data import CallbackData
from handlers.common import label

# What a press does: start writing (under a summary, or a pick from the list), toggle a
# district, send, write the text anew, cancel.
WRITE, TOGGLE, SEND, EDIT, CANCEL = "w", "d", "ok", "e", "x"
_EVENT_IN_BUTTON = 40


@dataclass(frozen=True)
class FeedbackPress(CallbackData, prefix="tk"):
    """A button about one check-in's feedback; value is a district id for a toggle."""

    checkin: int
    action: str
    value: int = 0


def _button(text: str, checkin_id: int, action: str, value: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text, callback_data=FeedbackPress(checkin_id, action, value).encode()
    )


def write_keyboard(checkin_id: int, language: str | None) -> InlineKeyboardMarkup:
    """One button under a closing summary: write feedback to the groups."""
    text = label("feedback.button.write", language)
    return InlineKeyboardMarkup([[_button(text, checkin_id, WRITE)]])


def choose_keyboard(
    choices: Sequence[tuple[int, str]], language: str | None
) -> InlineKeyboardMarkup:
    """One button per closed check-in that still waits for feedback: (id, event)."""
    rows = []
    for checkin_id, event in choices:
        short = event if len(event) <= _EVENT_IN_BUTTON else event[: _EVENT_IN_BUTTON - 1] + "…"
        text = label("feedback.button.pick", language, id=checkin_id, event=short)
        rows.append([_button(text, checkin_id, WRITE)])
    return InlineKeyboardMarkup(rows)


def preview_keyboard(
    checkin_id: int,
    districts: Sequence[tuple[int, str]],
    selected: Collection[int],
    language: str | None,
) -> InlineKeyboardMarkup:
    """A toggle per district (when there is a choice), then send, rewrite, cancel."""
    rows = []
    if len(districts) > 1:
        for district_id, name in districts:
            key = "feedback.button.on" if district_id in selected else "feedback.button.off"
            rows.append(
                [_button(label(key, language, district=name), checkin_id, TOGGLE, district_id)]
            )
    rows.append(
        [
            _button(label("feedback.button.send", language), checkin_id, SEND),
            _button(label("feedback.button.edit", language), checkin_id, EDIT),
        ]
    )
    rows.append([_button(label("feedback.button.cancel", language), checkin_id, CANCEL)])
    return InlineKeyboardMarkup(rows)
