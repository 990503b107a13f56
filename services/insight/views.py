"""What the insight handlers are handed: trend points, district states, audit pages.

Plain data only (ids, names, times, fractions, text keys); handlers draw charts and texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.checkins.views import Count


@dataclass(frozen=True)
class TrendPoint:
    """One closed check-in in one district: its median level and response rate."""

    checkin_id: int
    event: str
    closed_at: datetime
    median: float | None  # of the ranked answers; None when nobody gave a level
    response_rate: float | None  # responded / N frozen at closing; None without an N
    responded: int
    key_figures: int | None  # N as frozen at closing
    pulse: bool = False  # an occurrence of a recurring pulse, not a check-in after an event


@dataclass(frozen=True)
class DistrictTrend:
    """A district's latest closed check-ins, oldest first."""

    district_id: int
    district: str
    points: tuple[TrendPoint, ...]


@dataclass(frozen=True)
class Trend:
    """Districts with at least one closed check-in, by name; some left out past the limit."""

    districts: tuple[DistrictTrend, ...]
    left_out: int = 0


@dataclass(frozen=True)
class LastCheckIn:
    """A district's latest check-in (open or closed) as it stands."""

    checkin_id: int
    event: str
    open: bool
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    responded: int
    key_figures: int  # N: frozen at closing, the current roster while open
    median: float | None
    directions: tuple[Count, ...]  # rising, same, easing; zero counts included


@dataclass(frozen=True)
class DistrictState:
    """The latest state of one district."""

    district_id: int
    district: str
    key_figures: int  # on the roster now
    last: LastCheckIn | None
    contact_requests: int  # in check-ins opened within the overview's window


@dataclass(frozen=True)
class Overview:
    """Every visible district's latest state, by name."""

    districts: tuple[DistrictState, ...]
    contacts_since: datetime  # the start of the window that contact requests are counted in


@dataclass(frozen=True)
class AuditLine:
    """One audit log entry as a coordinator reads it."""

    id: int
    at: datetime
    actor_telegram_id: int | None  # None: the command line or the bot itself
    actor_name: str | None
    action: str
    subject: str
    details: dict[str, object]


@dataclass(frozen=True)
class AuditPage:
    """Entries newest first, and the cursors to page on (None: nothing that way)."""

    entries: tuple[AuditLine, ...]
    newer: int | None  # pass as after=
    older: int | None  # pass as before=


@dataclass(frozen=True)
class ExportChoices:
    """What the /export questions may offer this person."""

    districts: tuple[str, ...]  # by name
    names_allowed: bool  # coordinators only
    min_respondents: int  # the k of 'hide districts with fewer than k respondents'
