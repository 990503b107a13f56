"""The buttons of the /peiling wizard and of /sluit, with their callback data."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.callback_data import CallbackData
from handlers.checkins.wizard_draft import (
    ALL_DISTRICTS,
    CANCEL,
    CUSTOM_TIME,
    DISTRICTS_DONE,
    DURATION,
    DURATIONS,
    PRACTICE,
    SAMPLE,
    SEND,
    TALLY,
    TOGGLE,
    URGENT,
    Draft,
)
from handlers.common import label
from handlers.i18n import t, tn

_EVENT_IN_BUTTON = 40


@dataclass(frozen=True)
class WizardPress(CallbackData, prefix="pl"):
    """A button of one /peiling draft: the draft id keeps old wizards off newer drafts."""

    draft: str
    action: str
    value: int


@dataclass(frozen=True)
class ClosePick(CallbackData, prefix="sl"):
    """Close this check-in (from /sluit's list); the service checks who may."""

    checkin: int


def _button(text: str, draft: Draft, action: str, value: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=WizardPress(draft.id, action, value).encode())


def cancel_row(draft: Draft, language: str | None) -> list[InlineKeyboardButton]:
    """The row with only 'Annuleren'."""
    return [_button(label("peiling.button.cancel", language), draft, CANCEL)]


def districts_keyboard(
    draft: Draft, coordinator: bool, language: str | None
) -> InlineKeyboardMarkup:
    """One toggle per district (refused ones with their reason), 'alle wijken', next, cancel."""
    rows = []
    for index, choice in enumerate(draft.choices):
        if choice.refusal is not None:
            reason = t(f"checkin.reason.{choice.refusal}", language)
            text = label(
                "peiling.button.district_refused", language, district=choice.name, reason=reason
            )
        else:
            on = draft.all_districts or index in draft.selected
            key = "peiling.button.district_on" if on else "peiling.button.district_off"
            text = label(key, language, district=choice.name)
        rows.append([_button(text, draft, TOGGLE, index)])
    if coordinator:
        key = "peiling.button.all_on" if draft.all_districts else "peiling.button.all"
        rows.append([_button(label(key, language), draft, ALL_DISTRICTS)])
    rows.append(
        [
            _button(label("peiling.button.next", language), draft, DISTRICTS_DONE),
            *cancel_row(draft, language),
        ]
    )
    return InlineKeyboardMarkup(rows)


def duration_keyboard(draft: Draft, language: str | None) -> InlineKeyboardMarkup:
    """2 uur, 6 uur, 24 uur, 3 dagen, another time; cancel."""
    presets = [
        _button(label(key, language), draft, DURATION, index)
        for index, (key, _) in enumerate(DURATIONS)
    ]
    custom = _button(label("peiling.duration.custom", language), draft, CUSTOM_TIME)
    rows = [presets[:2], presets[2:], [custom], cancel_row(draft, language)]
    if draft.default_offered() and draft.default_duration is not None:
        hours = int(draft.default_duration.total_seconds() // 3600)
        text = tn("peiling.duration.default", hours, language)
        rows.insert(0, [_button(text, draft, DURATION, len(DURATIONS))])
    return InlineKeyboardMarkup(rows)


def tally_keyboard(draft: Draft, language: str | None) -> InlineKeyboardMarkup:
    """Show the tally live, or hide it until closing; cancel."""
    return InlineKeyboardMarkup(
        [
            [
                _button(label("peiling.button.tally_show", language), draft, TALLY, 1),
                _button(label("peiling.button.tally_hide", language), draft, TALLY, 0),
            ],
            cancel_row(draft, language),
        ]
    )


def preview_keyboard(
    draft: Draft, sample: InlineKeyboardMarkup | None, language: str | None, quiet: bool = False
) -> InlineKeyboardMarkup:
    """The groups' answer buttons as they will look (pressing them only explains), then send.

    Inside quiet hours also the choice to send the private copies now (urgent) or at the end;
    always the choice to make it a practice check-in ("oefening", never counted).
    """
    rows = []
    for row in sample.inline_keyboard if sample is not None else ():
        rows.append([_button(button.text, draft, SAMPLE) for button in row])
    if quiet:
        key = "peiling.button.urgent_on" if draft.urgent else "peiling.button.urgent_off"
        rows.append([_button(label(key, language), draft, URGENT)])
    key = "practice.button.on" if draft.practice else "practice.button.off"
    rows.append([_button(label(key, language), draft, PRACTICE)])
    rows.append(
        [
            _button(label("peiling.button.send", language), draft, SEND),
            *cancel_row(draft, language),
        ]
    )
    return InlineKeyboardMarkup(rows)


def close_keyboard(choices: list[tuple[int, str]], language: str | None) -> InlineKeyboardMarkup:
    """One button per open check-in: (id, event)."""
    rows = []
    for checkin_id, event in choices:
        short = event if len(event) <= _EVENT_IN_BUTTON else event[: _EVENT_IN_BUTTON - 1]
        short = short if short == event else short.rstrip() + "…"
        text = label("sluit.button", language, id=checkin_id, event=short)
        rows.append([InlineKeyboardButton(text, callback_data=ClosePick(checkin_id).encode())])
    return InlineKeyboardMarkup(rows)
