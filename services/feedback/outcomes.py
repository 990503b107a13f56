"""What the feedback service answers: plain data, rendered by handlers/feedback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FeedbackDistrict:
    """A district the feedback may go to."""

    district_id: int
    name: str


@dataclass(frozen=True)
class FeedbackTarget:
    """A closed check-in the person may write feedback on, and to which districts."""

    checkin_id: int
    event: str
    districts: tuple[FeedbackDistrict, ...]


@dataclass(frozen=True)
class NotClosed:
    """Feedback comes after closing: this check-in is still open."""

    checkin_id: int


@dataclass(frozen=True)
class AlreadyGiven:
    """This check-in's feedback went out before (once per check-in)."""

    checkin_id: int
    at: datetime


@dataclass(frozen=True)
class NoDistricts:
    """No district to send to: the check-in reached none of the person's, or none was chosen."""

    checkin_id: int


@dataclass(frozen=True)
class BadText:
    """Empty, or longer than the limit."""

    limit: int
    length: int


@dataclass(frozen=True)
class FeedbackStored:
    """Stored with the check-in and queued for these groups; sending follows."""

    checkin_id: int
    feedback_id: int
    groups: tuple[str, ...]


@dataclass(frozen=True)
class FeedbackSent:
    """Where the feedback went: groups by name, and how many key figures privately."""

    checkin_id: int
    event: str
    groups: tuple[str, ...]
    failed_groups: tuple[str, ...]
    private: int
