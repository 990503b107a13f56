"""Local times in exports: the hour-by-hour shortcut writes exactly what the zone says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.exports.times import LocalTimes, local_iso

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Half-hour and 45-minute offsets, a 30-minute clock change, a skipped day, and Amsterdam's
# own history: +00:19:32 until 1937, then +00:20, then whole hours.
ZONES = [
    "Europe/Amsterdam",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Africa/Casablanca",
    "UTC",
]


def naive(*when: int) -> datetime:
    """A moment in UTC without its zone, as the answers query hands it over."""
    return datetime(*when, tzinfo=UTC).replace(tzinfo=None)  # type: ignore[misc]


MOMENTS = st.datetimes(min_value=naive(1900, 1, 1), max_value=naive(2100, 1, 1))


def test_across_both_clock_changes_of_a_year() -> None:
    times = LocalTimes(AMSTERDAM)
    tick = timedelta(microseconds=1)
    # Clocks go forward at 01:00 UTC on 29 March 2026 and back at 01:00 UTC on 25 October.
    for change in (naive(2026, 3, 29, 1), naive(2026, 10, 25, 1)):
        for moment in (change - timedelta(hours=1), change - tick, change, change + tick):
            assert times.iso(moment) == local_iso(moment.replace(tzinfo=UTC), AMSTERDAM)

    assert times.iso(naive(2026, 3, 29, 0, 59, 59)) == "2026-03-29T01:59:59+01:00"
    assert times.iso(naive(2026, 3, 29, 1, 0, 0)) == "2026-03-29T03:00:00+02:00"
    assert times.iso(naive(2026, 10, 25, 0, 59, 59)) == "2026-10-25T02:59:59+02:00"
    assert times.iso(naive(2026, 10, 25, 1, 0, 0)) == "2026-10-25T02:00:00+01:00"


def test_an_offset_in_seconds_is_written_in_full() -> None:
    assert LocalTimes(AMSTERDAM).iso(naive(1930, 6, 1, 12)) == "1930-06-01T13:19:32+01:19:32"


def test_aware_moments_give_the_same_text() -> None:
    times = LocalTimes(AMSTERDAM)
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)

    assert times.iso(moment) == times.iso(moment.replace(tzinfo=None))
    assert times.iso(moment.astimezone(ZoneInfo("Asia/Tokyo"))) == "2026-03-29T03:30:00+02:00"


@pytest.mark.parametrize("zone", ZONES)
@given(moments=st.lists(MOMENTS, max_size=40), ordered=st.booleans())
def test_the_same_text_as_the_zone_gives(
    zone: str, moments: list[datetime], ordered: bool
) -> None:
    tz = ZoneInfo(zone)
    # One converter for the whole stream, as in an export: what it remembers must not leak.
    times = LocalTimes(tz)
    for moment in sorted(moments) if ordered else moments:
        assert times.iso(moment) == local_iso(moment.replace(tzinfo=UTC), tz)


@pytest.mark.parametrize("zone", ZONES)
def test_a_whole_year_in_odd_steps(zone: str) -> None:
    tz = ZoneInfo(zone)
    times = LocalTimes(tz)
    moment, step = naive(2026, 1, 1), timedelta(minutes=7, seconds=13, microseconds=1)
    while moment.year == 2026:
        assert times.iso(moment) == local_iso(moment.replace(tzinfo=UTC), tz)
        moment += step
