"""What the Telegram layer is handed to render for meetings: plain data, codes and names."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from storage.models import RsvpAnswer as RsvpAnswer  # handlers name answers through here

# The RSVP buttons in order, by stored answer.
RSVP_CHOICES: tuple[RsvpAnswer, ...] = (RsvpAnswer.YES, RsvpAnswer.MAYBE, RsvpAnswer.NO)
# Dietary needs as stable codes, in the order they are offered; free text comes on top.
DIETARY_CODES: tuple[str, ...] = (
    "halal",
    "vegetarian",
    "vegan",
    "no_pork",
    "gluten_free",
    "lactose_free",
    "nut_allergy",
)
# The count of free-text needs goes under this code (the text itself, never with a name).
OTHER = "other"


@dataclass(frozen=True)
class RsvpCounts:
    """How many said what."""

    yes: int = 0
    maybe: int = 0
    no: int = 0

    @property
    def headcount(self) -> int:
        """Those to cook for: coming and maybe."""
        return self.yes + self.maybe


@dataclass(frozen=True)
class MeetingDetails:
    """What a meeting is: when, where, what is eaten, until when to answer."""

    starts_at: datetime
    place: str
    meal: str
    rsvp_deadline: datetime
    note: str = ""


@dataclass(frozen=True)
class MeetingMessage:
    """One meeting invitation for one district: in its group, or privately to a member."""

    meeting_id: int | None  # None in a preview
    district_id: int
    districts: tuple[str, ...]  # every invited district, by name
    details: MeetingDetails
    open: bool  # RSVPs still taken
    cancelled: bool
    counts: RsvpCounts
    private: bool = False
    reminder: bool = False  # sent again to someone who has not answered yet
    # In a group: the district's language (None: the configured one); a private message is
    # in its reader's language, which the sender passes.
    language: str | None = None

    def shown_hash(self) -> str:
        """A fingerprint of what changes on screen, to edit only when it differs."""
        c = self.counts
        d = self.details
        text = (
            f"{self.open}|{self.cancelled}|{c.yes}/{c.maybe}/{c.no}|{d.starts_at.isoformat()}|"
            f"{d.place}|{d.rsvp_deadline.isoformat()}"
        )
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class MeetingEdit:
    """A group invitation to be edited to show this (a new count, closed, cancelled)."""

    send_id: int
    chat_id: int
    message_id: int
    message: MeetingMessage
    shown_hash: str


@dataclass(frozen=True)
class DistrictOption:
    """A district the organiser may invite."""

    district_id: int
    name: str
    own: bool  # the organiser is a chief there (preselected)


@dataclass(frozen=True)
class MeetingPlanned:
    """Stored; the invitations go out in the background."""

    meeting_id: int
    districts: tuple[str, ...]
    private_invites: int


@dataclass(frozen=True)
class PlanRefused:
    """Why a plan cannot go out."""

    reason: Literal[
        "denied", "no_districts", "starts_past", "deadline_past", "deadline_after_start"
    ]


@dataclass(frozen=True)
class RsvpRecorded:
    """An RSVP stored; what it was before (None: the first), and until when it may change."""

    meeting_id: int
    answer: RsvpAnswer
    before: RsvpAnswer | None
    changeable_until: datetime
    language: str | None

    @property
    def asks_dietary(self) -> bool:
        """Coming or maybe, and not just the same press again: time to ask about the meal."""
        return self.answer is not RsvpAnswer.NO and self.answer != self.before


@dataclass(frozen=True)
class RsvpRefused:
    """A press that cannot count: not invited, past the deadline, cancelled, or unknown."""

    reason: Literal["not_invited", "closed", "cancelled", "unknown"]


@dataclass(frozen=True)
class Headcount:
    """The caterer's numbers: answers and needs in totals, never names."""

    meeting_id: int
    details: MeetingDetails
    districts: tuple[str, ...]
    invited: int
    counts: RsvpCounts
    dietary: dict[str, int] = field(default_factory=dict)  # code -> people (coming or maybe)
    other_needs: tuple[str, ...] = ()  # free texts, shuffled away from any order of people


@dataclass(frozen=True)
class MeetingChanged:
    """Moved or cancelled; how many who said yes or maybe are being told."""

    meeting_id: int
    told: int
    starts_at: datetime
    rsvp_deadline: datetime


@dataclass(frozen=True)
class ChangeRefused:
    """Why a meeting cannot be moved or cancelled."""

    reason: Literal["denied", "cancelled", "over", "starts_past", "same_time"]


@dataclass(frozen=True)
class CheckInPoint:
    """One check-in in a district since its previous meeting: the median and its change."""

    checkin_id: int
    event: str
    opened_at: datetime
    responded: int
    median: float | None
    change: float | None  # against the district's check-in before it; None if none


@dataclass(frozen=True)
class ActionView:
    """An action as lists show it: the owner by name or role, never more about them."""

    action_id: int
    meeting_id: int
    district: str
    description: str
    owner_name: str | None
    owner_role: str | None
    due_at: datetime
    closed_at: datetime | None = None
    result: str | None = None


@dataclass(frozen=True)
class DistrictPoints:
    """What happened in one district since its previous meeting."""

    district: str
    since: datetime
    checkins: tuple[CheckInPoint, ...]
    themes: tuple[tuple[str, int], ...]  # theme code, how often; most first
    contact_requests: int
    acute_alerts: int
    open_actions: tuple[ActionView, ...]


@dataclass(frozen=True)
class TalkingPointsView:
    """The draft of a meeting's talking points: signals per district, the organiser's notes."""

    meeting_id: int
    starts_at: datetime
    districts: tuple[DistrictPoints, ...]
    notes: tuple[str, ...]
    sent_at: datetime | None
    left_out: tuple[str, ...] = ()  # generated lines the organiser leaves out, by key

    def line_keys(self) -> list[str]:
        """The keys of the generated lines one may leave out: check-ins and open actions."""
        keys: list[str] = []
        for district in self.districts:
            keys += [checkin_key(c.checkin_id) for c in district.checkins]
            keys += [action_key(a.action_id) for a in district.open_actions]
        return keys

    def kept(self) -> TalkingPointsView:
        """The talking points without the lines left out, as they go to those coming."""
        out = set(self.left_out)
        districts = tuple(
            replace(
                d,
                checkins=tuple(c for c in d.checkins if checkin_key(c.checkin_id) not in out),
                open_actions=tuple(
                    a for a in d.open_actions if action_key(a.action_id) not in out
                ),
            )
            for d in self.districts
        )
        return replace(self, districts=districts, left_out=())


def checkin_key(checkin_id: int) -> str:
    """The key of a check-in's line in the talking points."""
    return f"checkin:{checkin_id}"


def action_key(action_id: int) -> str:
    """The key of an open action's line in the talking points."""
    return f"action:{action_id}"


@dataclass(frozen=True)
class ActionRefused:
    """Why an action cannot be added or closed."""

    reason: Literal[
        "denied", "unknown", "no_owner", "ambiguous_owner", "due_past", "empty", "closed"
    ]
