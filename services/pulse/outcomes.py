"""Outcomes of the pulse service; handlers `match` on them and render a text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from services.checkins.outcomes import RefusedDistrict


@dataclass(frozen=True)
class PulseRequest:
    """What a chief asks for: the rhythm, the time, how long it stays open, where, what."""

    every_weeks: int  # 0: monthly
    weekday: int  # 0 Monday .. 6 Sunday
    at: time
    duration: timedelta
    question: str
    week_of_month: int = 1  # monthly: 1..4, or -1 for the last
    districts: tuple[str, ...] = ()  # empty: all (a chief's own, a coordinator's every one)


@dataclass(frozen=True)
class InsideQuietHours:
    """The time falls inside quiet hours: no pulse starts there."""

    start: time
    end: time


@dataclass(frozen=True)
class PulseTooLong:
    """A pulse may stay open at most until its next occurrence (and the check-in maximum)."""

    max_duration: timedelta


@dataclass(frozen=True)
class PulseLine:
    """One schedule as /puls lists it."""

    schedule_id: int
    question: str
    every_weeks: int
    week_of_month: int | None
    weekday: int
    at: time
    duration: timedelta
    districts: tuple[str, ...]  # empty: all districts
    next_due_at: datetime
    paused: bool
    last_occurrence_at: datetime | None


@dataclass(frozen=True)
class PulseScheduled:
    """Stored: when it first comes, and which named districts were left out."""

    line: PulseLine
    refused: tuple[RefusedDistrict, ...]


@dataclass(frozen=True)
class PulseNotFound:
    """No such schedule, or not one this person may change."""


@dataclass(frozen=True)
class PulseChanged:
    """Paused, resumed or deleted; the line as it is now (None once deleted)."""

    action: str  # "paused", "resumed", "deleted"
    line: PulseLine | None


@dataclass(frozen=True)
class PulseStarted:
    """An occurrence stored as an ordinary check-in; the handler sends it and sets its deadline."""

    schedule_id: int
    checkin_id: int
    closes_at: datetime
