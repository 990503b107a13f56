"""The follow-up panel in the private chat: its callback data, text and buttons.

Every button carries only the check-in id and the choice; the services check that the
presser answered that check-in and that it is still open, and they only ever touch the
presser's own follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.callback_data import CallbackData
from handlers.common import label
from handlers.i18n import t
from services.checkins.outcomes import FollowUpState
from services.checkins.scale import Scale

_THEMES_PER_ROW = 3


@dataclass(frozen=True)
class FollowDirection(CallbackData, prefix="fdir"):
    """Set where the mood is heading: rising, same or easing."""

    checkin: int
    direction: str


@dataclass(frozen=True)
class FollowTheme(CallbackData, prefix="fthm"):
    """Switch one theme on or off."""

    checkin: int
    theme: str


@dataclass(frozen=True)
class FollowText(CallbackData, prefix="ftxt"):
    """Ask for a short free text."""

    checkin: int


@dataclass(frozen=True)
class FollowContact(CallbackData, prefix="fcon"):
    """Want contact with police or municipality, or not."""

    checkin: int
    wanted: bool


@dataclass(frozen=True)
class FollowDone(CallbackData, prefix="fend"):
    """Done (or skip): the panel shows what was noted and loses its buttons."""

    checkin: int


def blank_state(
    checkin_id: int, scale: Scale, *, event: str | None = None, district: str | None = None
) -> FollowUpState:
    """The state right after a first answer: nothing added yet."""
    return FollowUpState(
        checkin_id=checkin_id,
        direction=None,
        themes=(),
        free_text=None,
        contact_requested=None,
        directions=scale.directions,
        theme_options=scale.themes,
        event=event,
        district=district,
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _mark(text: str, chosen: bool, language: str | None) -> str:
    return label("followup.chosen", language, label=text) if chosen else text


def _added(state: FollowUpState) -> bool:
    return bool(
        state.direction is not None
        or state.themes
        or state.free_text
        or state.contact_requested is not None
    )


def state_lines(state: FollowUpState, language: str | None) -> list[str]:
    """What the person added so far, one line per step they took (free text escaped)."""
    lines = []
    if state.direction is not None:
        direction = t(Scale.direction_key(state.direction), language)
        lines.append(t("followup.direction", language, direction=direction))
    if state.themes:
        themes = ", ".join(t(Scale.theme_key(theme), language) for theme in state.themes)
        lines.append(t("followup.themes", language, themes=themes))
    if state.free_text:
        lines.append(t("followup.free_text", language, text=state.free_text))
    if state.contact_requested is True:
        lines.append(t("followup.contact_yes", language))
    elif state.contact_requested is False:
        lines.append(t("followup.contact_no", language))
    return lines


def about_line(state: FollowUpState, language: str | None) -> list[str]:
    """Which check-in and district the panel is about (both escaped); none while unknown."""
    if state.event is None or state.district is None:
        return []
    about = t(
        "followup.about", language, id=state.checkin_id, event=state.event, district=state.district
    )
    return [about]


def panel_text(state: FollowUpState, language: str | None, head: str | None = None) -> str:
    """The panel: which check-in, an optional line, the invitation, what is noted, contact."""
    lines = about_line(state, language)
    if head:
        lines.append(head)
    lines.append(t("followup.intro", language))
    noted = state_lines(state, language)
    if noted:
        lines.append("")
        lines.extend(noted)
    lines.append("")
    lines.append(t("followup.contact_question", language))
    return "\n".join(lines)


def done_text(state: FollowUpState, language: str | None) -> str:
    """The panel once the person is done: which check-in, what was noted, no more buttons."""
    noted = state_lines(state, language)
    if not noted:
        return "\n".join([*about_line(state, language), t("followup.done_nothing", language)])
    return "\n".join([*about_line(state, language), t("followup.done", language), *noted])


def panel_keyboard(state: FollowUpState, language: str | None) -> InlineKeyboardMarkup:
    """Directions, themes (✓ on chosen ones), a free text, contact yes/no, done or skip."""
    checkin = state.checkin_id
    directions = [
        InlineKeyboardButton(
            _mark(_capital(t(Scale.direction_key(d), language)), d == state.direction, language),
            callback_data=FollowDirection(checkin, d.value).encode(),
        )
        for d in state.directions
    ]
    themes = [
        InlineKeyboardButton(
            _mark(_capital(t(Scale.theme_key(theme), language)), theme in state.themes, language),
            callback_data=FollowTheme(checkin, theme).encode(),
        )
        for theme in state.theme_options
    ]
    text_key = "followup.button.text_change" if state.free_text else "followup.button.text"
    contact = [
        InlineKeyboardButton(
            _mark(t(key, language), state.contact_requested is wanted, language),
            callback_data=FollowContact(checkin, wanted).encode(),
        )
        for key, wanted in (
            ("followup.button.contact_yes", True),
            ("followup.button.contact_no", False),
        )
    ]
    done_key = "followup.button.done" if _added(state) else "followup.button.skip"
    rows = [
        directions,
        *(themes[i : i + _THEMES_PER_ROW] for i in range(0, len(themes), _THEMES_PER_ROW)),
        [InlineKeyboardButton(t(text_key, language), callback_data=FollowText(checkin).encode())],
        contact,
        [InlineKeyboardButton(t(done_key, language), callback_data=FollowDone(checkin).encode())],
    ]
    return InlineKeyboardMarkup([row for row in rows if row])
