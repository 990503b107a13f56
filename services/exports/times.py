"""Moments as local ISO 8601 text, with the zone consulted once an hour, not once a row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

_HOUR = timedelta(hours=1)
_TICK = timedelta(microseconds=1)


def local_iso(moment: datetime, tz: ZoneInfo) -> str:
    """A moment in the local zone as ISO 8601 with its offset, e.g. 2026-03-29T03:30:00+02:00."""
    return moment.astimezone(tz).isoformat(timespec="seconds")


class LocalTimes:
    """local_iso for a stream of moments, naive in UTC: the same text in half the time.

    Within a UTC hour without a clock change, local time is UTC plus one offset; so the zone
    is looked up once per hour and each moment only shifted. An hour with a clock change in
    it is looked up moment by moment. (No zone changes its clock twice within an hour.)
    Aware moments are taken too, but pay for their conversion to naive UTC.
    """

    def __init__(self, tz: ZoneInfo) -> None:
        self._tz = tz
        # The UTC interval [start, end) that shift and suffix hold for, empty at first; naive,
        # like the moments it is compared with.
        self._start = self._end = datetime.min  # noqa: DTZ901
        self._shift = timedelta(0)
        self._suffix = ""

    def iso(self, moment: datetime) -> str:
        """The moment in the local zone as ISO 8601 with its offset, to the second."""
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        if not self._start <= moment < self._end:
            self._look_up(moment)
        # Positional arguments: isoformat parses keywords noticeably slower.
        return (moment + self._shift).isoformat("T", "seconds") + self._suffix

    def _look_up(self, moment: datetime) -> None:
        start = moment.replace(minute=0, second=0, microsecond=0)
        end = start + _HOUR
        first = self._local(start)
        if first.utcoffset() != self._local(end - _TICK).utcoffset():
            start, end, first = moment, moment + _TICK, self._local(moment)
        offset = first.utcoffset()
        assert offset is not None  # a ZoneInfo always has one
        self._start, self._end, self._shift = start, end, offset
        # isoformat's 'YYYY-MM-DDTHH:MM:SS' is 19 characters; the offset text follows.
        self._suffix = first.isoformat("T", "seconds")[19:]

    def _local(self, utc: datetime) -> datetime:
        return utc.replace(tzinfo=UTC).astimezone(self._tz)
