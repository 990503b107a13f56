"""When a pulse comes round: its rhythm in local wall-clock time, turned into UTC only at the end.

Monthly means "the n-th <weekday> of the month" (1st to 4th, or the last): what a chief
plans a meeting by ("de eerste maandag van de maand"), and it exists in every month — a 5th
weekday or the 31st would skip months. Every N weeks counts whole weeks from the first
occurrence's date. Working in local time keeps 09:00 at 09:00 across the daylight-saving
changes; a time the spring change skips (02:30) is read with the offset before it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LAST = -1  # week_of_month: the last such weekday of the month
MAX_EVERY_WEEKS = 12


@dataclass(frozen=True)
class Rhythm:
    """How often a pulse comes: monthly (every_weeks 0) or every N weeks, at a local time."""

    every_weeks: int  # 0: monthly
    weekday: int  # 0 Monday .. 6 Sunday
    at: time
    week_of_month: int = 1  # monthly only: 1..4, or LAST
    anchor: date | None = None  # every N weeks: the first occurrence's date (that weekday)

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday {self.weekday} is not 0..6")
        if self.every_weeks == 0 and self.week_of_month not in (1, 2, 3, 4, LAST):
            raise ValueError(f"week of month {self.week_of_month} is not 1..4 or last")
        if not 0 <= self.every_weeks <= MAX_EVERY_WEEKS:
            raise ValueError(f"every {self.every_weeks} weeks is out of range")
        if self.every_weeks and self.anchor is not None and self.anchor.weekday() != self.weekday:
            raise ValueError("the anchor date must fall on the weekday")


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1..4) or last (-1) given weekday of a month."""
    if n == LAST:
        last_day = calendar.monthrange(year, month)[1]
        last = date(year, month, last_day)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tz).astimezone(UTC)


def first_anchor(rhythm: Rhythm, after: datetime, tz: ZoneInfo) -> date:
    """For every N weeks: the first date on the weekday whose time is still to come."""
    local = after.astimezone(tz)
    day = local.date() + timedelta(days=(rhythm.weekday - local.weekday()) % 7)
    if _utc(day, rhythm.at, tz) <= after:
        day += timedelta(days=7)
    return day


def next_after(rhythm: Rhythm, after: datetime, tz: ZoneInfo) -> datetime:
    """The first occurrence strictly after a moment, in UTC."""
    local = after.astimezone(tz)
    if rhythm.every_weeks == 0:
        year, month = local.year, local.month
        for _ in range(3):  # this month's has passed at most: then the next one's
            day = nth_weekday(year, month, rhythm.weekday, rhythm.week_of_month)
            moment = _utc(day, rhythm.at, tz)
            if moment > after:
                return moment
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        raise AssertionError("a monthly occurrence always comes within two months")
    anchor = rhythm.anchor or first_anchor(rhythm, after, tz)
    step = 7 * rhythm.every_weeks
    # Whole periods from the anchor to the moment's date, then the first one after it.
    periods = max((local.date() - anchor).days // step, 0)
    day = anchor + timedelta(days=step * periods)
    while _utc(day, rhythm.at, tz) <= after:
        day += timedelta(days=step)
    return _utc(day, rhythm.at, tz)
