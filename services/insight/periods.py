"""The periods /export offers: presets counted back from today, and a period typed as text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Preset = Literal["7d", "30d", "year", "all"]
PRESETS: tuple[Preset, ...] = ("7d", "30d", "year", "all")

# 2026-01-31, or 31-1-2026 / 31/1/2026 / 31.1.2026 as people write dates in Dutch.
_DATE = re.compile(
    r"(?<!\d)(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}))(?!\d)"
)


@dataclass(frozen=True)
class Period:
    """Whole local days, both ends included; None is open-ended."""

    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class PeriodProblem:
    """Why a typed period was not taken."""

    reason: Literal["unreadable", "reversed"]


def preset_period(preset: Preset, today: date) -> Period:
    """The days of a preset: the last 7 or 30 days including today, this year, or all."""
    if preset == "7d":
        return Period(today - timedelta(days=6), today)
    if preset == "30d":
        return Period(today - timedelta(days=29), today)
    if preset == "year":
        return Period(date(today.year, 1, 1), today)
    return Period()


def _day(match: re.Match[str]) -> date | None:
    iso_year, iso_month, iso_day, day, month, year = match.groups()
    try:
        if iso_year is not None:
            return date(int(iso_year), int(iso_month), int(iso_day))
        return date(int(year), int(month), int(day))
    except ValueError:  # 2026-02-30 and the like
        return None


def parse_period(text: str) -> Period | PeriodProblem:
    """Read 'van 2026-01-01 tot 2026-03-31' (any words around two dates; one date: that day)."""
    days = [_day(m) for m in _DATE.finditer(text)]
    if not days or len(days) > 2 or any(d is None for d in days):
        return PeriodProblem("unreadable")
    first, last = days[0], days[-1]
    assert first is not None and last is not None
    if first > last:
        return PeriodProblem("reversed")
    return Period(first, last)
