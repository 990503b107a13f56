"""When a pulse comes round: local wall-clock time across DST, and the months' edge cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from services.pulse.rules import LAST, Rhythm, first_anchor, next_after, nth_weekday

AMS = ZoneInfo("Europe/Amsterdam")
MON, TUE, FRI, SUN = 0, 1, 4, 6


def _series(rhythm: Rhythm, start: datetime, n: int) -> list[datetime]:
    out, moment = [], start
    for _ in range(n):
        moment = next_after(rhythm, moment, AMS)
        out.append(moment)
    return out


def test_weekly_at_nine_stays_at_nine_across_both_dst_changes() -> None:
    start = datetime(2027, 3, 15, 12, 0, tzinfo=UTC)
    rhythm = Rhythm(
        1, MON, time(9, 0), anchor=first_anchor(Rhythm(1, MON, time(9, 0)), start, AMS)
    )
    march = _series(rhythm, start, 3)  # 22 March (CET), 29 March (CEST: after 28 March)
    assert [m.astimezone(AMS).strftime("%a %d %H:%M") for m in march] == [
        "Mon 22 09:00",
        "Mon 29 09:00",
        "Mon 05 09:00",
    ]
    assert [m.hour for m in march] == [8, 7, 7]  # UTC moves, local time does not
    autumn = _series(rhythm, datetime(2027, 10, 20, tzinfo=UTC), 2)  # 25 Oct, 1 Nov (31 Oct)
    assert [m.astimezone(AMS).strftime("%d %H:%M") for m in autumn] == ["25 09:00", "01 09:00"]
    assert [m.hour for m in autumn] == [7, 8]


def test_a_sunday_pulse_on_the_day_the_clocks_change() -> None:
    rhythm = Rhythm(1, SUN, time(9, 0), anchor=date(2027, 3, 21))
    (moment,) = _series(rhythm, datetime(2027, 3, 22, tzinfo=UTC), 1)
    assert moment == datetime(2027, 3, 28, 7, 0, tzinfo=UTC)  # 09:00 CEST, the new offset


def test_every_two_weeks_counts_from_the_first_date() -> None:
    rhythm = Rhythm(2, TUE, time(19, 30), anchor=date(2026, 12, 1))
    moments = _series(rhythm, datetime(2026, 11, 30, tzinfo=UTC), 3)
    assert [m.astimezone(AMS).date() for m in moments] == [
        date(2026, 12, 1),
        date(2026, 12, 15),
        date(2026, 12, 29),
    ]
    # Long after (downtime): the next one in the series, not one per missed period.
    later = next_after(rhythm, datetime(2027, 2, 3, tzinfo=UTC), AMS)
    assert later.astimezone(AMS).date() == date(2027, 2, 9)


def test_monthly_first_monday_rolls_over_the_year() -> None:
    rhythm = Rhythm(0, MON, time(9, 0))
    moments = _series(rhythm, datetime(2026, 12, 7, 9, 0, tzinfo=UTC), 2)
    assert [m.astimezone(AMS).date() for m in moments] == [date(2027, 1, 4), date(2027, 2, 1)]


def test_last_weekday_of_months_with_four_and_five_of_them() -> None:
    assert nth_weekday(2027, 1, FRI, LAST) == date(2027, 1, 29)  # January 2027: five Fridays
    assert nth_weekday(2027, 2, FRI, LAST) == date(2027, 2, 26)  # February: four
    assert nth_weekday(2027, 12, FRI, LAST) == date(2027, 12, 31)  # the 31st itself
    assert nth_weekday(2027, 1, FRI, 4) == date(2027, 1, 22)
    rhythm = Rhythm(0, FRI, time(17, 0), week_of_month=LAST)
    moments = _series(rhythm, datetime(2027, 1, 1, tzinfo=UTC), 3)
    assert [m.astimezone(AMS).date() for m in moments] == [
        date(2027, 1, 29),
        date(2027, 2, 26),
        date(2027, 3, 26),
    ]


def test_a_fifth_weekday_is_refused_it_would_skip_months() -> None:
    with pytest.raises(ValueError, match="week of month"):
        Rhythm(0, MON, time(9, 0), week_of_month=5)


def test_the_occurrence_later_today_still_counts() -> None:
    rhythm = Rhythm(0, MON, time(11, 0))
    # Monday 7 December 2026, 10:00 local: the first Monday's 11:00 is still to come.
    moment = next_after(rhythm, datetime(2026, 12, 7, 9, 0, tzinfo=UTC), AMS)
    assert moment == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
