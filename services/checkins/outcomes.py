"""Outcomes of the check-in services; handlers `match` on them and render a text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from services.checkins.views import CheckInMessage, GroupEdit
from storage.models import CheckInStatus as CheckInStatus  # for handlers
from storage.models import Direction


@dataclass(frozen=True)
class AllDistricts:
    """Every district: all of them for coordinators, all of their own for chiefs."""


ALL = AllDistricts()

RefusalReason = Literal["archived", "no_group", "unreachable", "denied", "unknown"]


@dataclass(frozen=True)
class RefusedDistrict:
    """A district left out of a check-in, by name, while the rest still goes."""

    name: str
    reason: RefusalReason


@dataclass(frozen=True)
class InvalidEvent:
    """The event text is missing or too long."""

    reason: Literal["empty", "too_long"]
    max_length: int


@dataclass(frozen=True)
class InvalidDuration:
    """The check-in would not be open for a positive time of at most the maximum."""

    reason: Literal["not_positive", "too_long"]
    max_duration: timedelta


@dataclass(frozen=True)
class NothingToSend:
    """No district is left to ask: every one was refused (or none was chosen)."""

    refused: tuple[RefusedDistrict, ...]


@dataclass(frozen=True)
class Preview:
    """Exactly what each group would get, before anything is stored."""

    event: str
    closes_at: datetime
    show_tally: bool
    messages: tuple[CheckInMessage, ...]
    refused: tuple[RefusedDistrict, ...]


@dataclass(frozen=True)
class CheckInStarted:
    """Stored with one pending delivery per targeted district; sending comes next."""

    checkin_id: int
    event: str
    closes_at: datetime
    show_tally: bool
    targeted: tuple[str, ...]
    refused: tuple[RefusedDistrict, ...]
    practice: bool = False  # a practice check-in ("oefening"): marked, never counted


@dataclass(frozen=True)
class DistrictChoice:
    """A district a person could pick when starting a check-in, and whether it can go."""

    name: str
    own: bool  # the person is a chief there: preselected
    refusal: RefusalReason | None


# Answering: a press is one of these; only Recorded stored anything.


@dataclass(frozen=True)
class Recorded:
    """The answer is committed: what it is and until when it can be changed."""

    checkin_id: int
    district: str
    code: int
    label_key: str
    changeable_until: datetime
    first_time: bool
    changed: bool  # False for a repeated press of the same code (nothing new stored)
    event: str = ""  # what the check-in is about, for the follow-up panel's heading
    practice: bool = False  # a practice check-in: the confirmation says it does not count


@dataclass(frozen=True)
class Closed:
    """The check-in is closed (or past its deadline): nothing stored."""

    closed_at: datetime


@dataclass(frozen=True)
class NotForYou:
    """The button is not on a message of this check-in for this district (forged or stale)."""


@dataclass(frozen=True)
class NotAMember:
    """The person is not a key figure of the district the message was for."""

    district: str


@dataclass(frozen=True)
class Unknown:
    """No such check-in."""


@dataclass(frozen=True)
class OffScale:
    """The code (or theme, or direction) is not one that can be chosen."""

    value: str


AnswerOutcome = Recorded | Closed | NotForYou | NotAMember | Unknown | OffScale


@dataclass(frozen=True)
class Press:
    """One button press as the handler decoded it: every field is untrusted."""

    telegram_user_id: int
    checkin_id: int
    district_id: int
    message_id: int
    code: int
    # Message ids count per chat, so the chat is part of which message was pressed.
    chat_id: int


# Follow-ups.


@dataclass(frozen=True)
class FollowUpState:
    """A key figure's depth answers so far, with what they may still choose."""

    checkin_id: int
    direction: Direction | None
    themes: tuple[str, ...]
    free_text: str | None
    contact_requested: bool | None
    directions: tuple[Direction, ...]
    theme_options: tuple[str, ...]
    # Which check-in the panel is about, so a person with two open ones can tell them apart.
    # None only in the blank state the answer handler renders without asking this service.
    event: str | None = None
    district: str | None = None


@dataclass(frozen=True)
class NotAnswered:
    """Follow-ups are for people who answered this check-in."""


@dataclass(frozen=True)
class TextTooLong:
    """The free text is longer than allowed; nothing stored."""

    max_length: int
    length: int


# Closing and listing.


@dataclass(frozen=True)
class CheckInClosed:
    """The check-in is closed now; the group messages show the final tally."""

    checkin_id: int
    event: str
    closed_at: datetime
    by_deadline: bool
    edits: tuple[GroupEdit, ...]
    summary_sent: bool


@dataclass(frozen=True)
class AlreadyClosed:
    """Somebody (or the deadline) closed it before; nothing changed."""

    checkin_id: int
    closed_at: datetime | None


@dataclass(frozen=True)
class NotYetDue:
    """A deadline close that came too early (the job ran before closes_at)."""

    closes_at: datetime


@dataclass(frozen=True)
class OpenCheckIn:
    """An open check-in and its deadline, for scheduling the close."""

    checkin_id: int
    closes_at: datetime


@dataclass(frozen=True)
class CheckInLine:
    """One line of `/peilingen`."""

    checkin_id: int
    event: str
    status: CheckInStatus
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    districts: tuple[str, ...]
    responded: int
    key_figures: int
    own_code: int | None  # the person's own answer, if they gave one
    # The feedback sent to the groups after closing, and when (issue 12).
    feedback: str | None = None
    feedback_at: datetime | None = None
    pulse_weeks: int | None = None  # a recurring pulse: 0 monthly, N every N weeks
    practice: bool = False  # a practice check-in ("oefening"): marked, never counted
