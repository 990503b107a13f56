"""Quiet hours: a local window (22:00–08:00 by default) in which nobody is written privately.

Worked out in local wall-clock time in the configured zone and only then turned into UTC, so
the window stays 22:00–08:00 on the nights the clocks change (a 9- or 11-hour night).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    """From start to end, local time; a window that spans midnight is the usual case."""

    start: time
    end: time
    tz: ZoneInfo

    def contains(self, moment: datetime) -> bool:
        """Tell whether a moment falls inside the quiet window."""
        if self.start == self.end:
            return False  # an empty window: quiet hours switched off
        local = moment.astimezone(self.tz).time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def end_after(self, moment: datetime) -> datetime:
        """The first end of the quiet window after this moment, in UTC."""
        local = moment.astimezone(self.tz)
        day = local.date()
        for ahead in range(3):
            # Wall-clock time on that day, in whatever offset the zone has then.
            end = datetime.combine(day + timedelta(days=ahead), self.end, self.tz)
            if end.astimezone(UTC) > moment:
                return end.astimezone(UTC)
        raise AssertionError("a quiet window always ends within two days")

    def outside(self, moment: datetime) -> datetime:
        """The moment itself, or the end of the quiet window it falls in."""
        return self.end_after(moment) if self.contains(moment) else moment


DEFAULT_QUIET_HOURS = QuietHours(time(22, 0), time(8, 0), ZoneInfo("Europe/Amsterdam"))
