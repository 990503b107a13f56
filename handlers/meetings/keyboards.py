"""The meetings' buttons: callback data classes and the keyboards made of them."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.callback_data import CallbackData
from handlers.common import label
from services.meetings.views import DIETARY_CODES, RSVP_CHOICES, RsvpAnswer, TalkingPointsView


@dataclass(frozen=True)
class RsvpButton(CallbackData, prefix="mr"):
    """Ik kom · Misschien · Ik kan niet, on an invitation (group or private)."""

    meeting: int
    answer: str


@dataclass(frozen=True)
class PlanPress(CallbackData, prefix="mw"):
    """A button of the /bijeenkomst wizard, for one draft."""

    draft: str
    action: str
    value: int = 0


@dataclass(frozen=True)
class DietPress(CallbackData, prefix="md"):
    """A button of a person's own dietary panel for one meeting."""

    meeting: int
    action: str
    value: int = 0


@dataclass(frozen=True)
class MeetingPick(CallbackData, prefix="mp"):
    """An organiser's button under a listed meeting: headcount or CSV."""

    meeting: int
    action: str


@dataclass(frozen=True)
class PointPick(CallbackData, prefix="mt"):
    """Leave one generated line out of the talking points, or put it back."""

    meeting: int
    kind: str  # "checkin" or "action"
    line: int


@dataclass(frozen=True)
class ActionPick(CallbackData, prefix="ma"):
    """'Afronden' under an open action."""

    action: int


def rsvp_keyboard(meeting_id: int, language: str | None) -> InlineKeyboardMarkup:
    """The three RSVP buttons in one row."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    label(f"meeting.rsvp.{answer.value}", language),
                    callback_data=RsvpButton(meeting_id, answer.value).encode(),
                )
                for answer in RSVP_CHOICES
            ]
        ]
    )


def consent_keyboard(meeting_id: int, language: str | None) -> InlineKeyboardMarkup:
    """Give dietary needs, or none."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    label("meeting.diet.consent_yes", language),
                    callback_data=DietPress(meeting_id, "consent").encode(),
                ),
                InlineKeyboardButton(
                    label("meeting.diet.consent_no", language),
                    callback_data=DietPress(meeting_id, "none").encode(),
                ),
            ]
        ]
    )


def diet_keyboard(
    meeting_id: int, needs: tuple[str, ...], remember: bool, language: str | None
) -> InlineKeyboardMarkup:
    """A toggle per need, free text, remember, clear, done."""
    rows: list[list[InlineKeyboardButton]] = []
    pair: list[InlineKeyboardButton] = []
    for index, code in enumerate(DIETARY_CODES):
        mark = "✅" if code in needs else "▫️"
        pair.append(
            InlineKeyboardButton(
                f"{mark} {label(f'meeting.diet.need.{code}', language)}",
                callback_data=DietPress(meeting_id, "toggle", index).encode(),
            )
        )
        if len(pair) == 2:
            rows.append(pair)
            pair = []
    pair.append(
        InlineKeyboardButton(
            label("meeting.diet.other_button", language),
            callback_data=DietPress(meeting_id, "text").encode(),
        )
    )
    rows.append(pair)
    remember_key = "meeting.diet.remember_on" if remember else "meeting.diet.remember_off"
    rows.append(
        [
            InlineKeyboardButton(
                label(remember_key, language),
                callback_data=DietPress(meeting_id, "remember").encode(),
            )
        ]
    )
    rows.append(
        [
            InlineKeyboardButton(
                label("meeting.diet.clear_button", language),
                callback_data=DietPress(meeting_id, "clear").encode(),
            ),
            InlineKeyboardButton(
                label("meeting.diet.done_button", language),
                callback_data=DietPress(meeting_id, "done").encode(),
            ),
        ]
    )
    return InlineKeyboardMarkup(rows)


def clear_keyboard(meeting_id: int, language: str | None) -> InlineKeyboardMarkup:
    """Only the button that erases every dietary need the person gave."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    label("meeting.diet.clear_button", language),
                    callback_data=DietPress(meeting_id, "clear").encode(),
                )
            ]
        ]
    )


def _pick(meeting_id: int, action: str, key: str, language: str | None) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        label(key, language), callback_data=MeetingPick(meeting_id, action).encode()
    )


def organiser_keyboard(meeting_id: int, language: str | None) -> InlineKeyboardMarkup:
    """Headcount and CSV, move and cancel, under a listed meeting."""
    return InlineKeyboardMarkup(
        [
            [
                _pick(meeting_id, "count", "meeting.list.headcount_button", language),
                _pick(meeting_id, "csv", "meeting.list.csv_button", language),
            ],
            [
                _pick(meeting_id, "move", "meeting.list.move_button", language),
                _pick(meeting_id, "cancel", "meeting.list.cancel_button", language),
            ],
            [_pick(meeting_id, "points", "meeting.list.points_button", language)],
        ]
    )


def points_keyboard(view: TalkingPointsView, language: str | None) -> InlineKeyboardMarkup:
    """Leave out or put back each generated line; add a line, drop one's own, send."""
    meeting_id = view.meeting_id
    rows = []
    for key in [*view.line_keys(), *(k for k in view.left_out if k not in view.line_keys())]:
        kind, _, number = key.partition(":")
        if kind not in ("checkin", "action") or not number.isdigit():
            continue
        line = label(f"meeting.points.line_{kind}", language, id=number)
        verb = "put_back" if key in view.left_out else "leave_out"
        rows.append(
            [
                InlineKeyboardButton(
                    label(f"meeting.points.{verb}", language, line=line),
                    callback_data=PointPick(meeting_id, kind, int(number)).encode(),
                )
            ]
        )
    return InlineKeyboardMarkup(
        [
            *rows,
            [
                _pick(meeting_id, "note", "meeting.points.add_button", language),
                _pick(meeting_id, "clear_notes", "meeting.points.clear_button", language),
            ],
            [_pick(meeting_id, "send_points", "meeting.points.send_button", language)],
        ]
    )


def cancel_keyboard(meeting_id: int, language: str | None) -> InlineKeyboardMarkup:
    """Confirm a cancellation, or keep the meeting."""
    return InlineKeyboardMarkup(
        [
            [
                _pick(meeting_id, "cancel_yes", "meeting.cancel.yes_button", language),
                _pick(meeting_id, "cancel_no", "meeting.cancel.no_button", language),
            ]
        ]
    )


def answer_label(answer: RsvpAnswer, language: str | None) -> str:
    """The words of an RSVP answer, as on its button."""
    return label(f"meeting.rsvp.{answer.value}", language)
