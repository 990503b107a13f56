"""Reminder moments and quiet hours, in local wall-clock time across the clock changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.checkins.quiet import QuietHours
from services.checkins.reminders import OpenWindow, due_round, moments
from services.checkins.scale import CheckInSettings

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
QUIET = QuietHours(time(22, 0), time(8, 0), AMSTERDAM)


def test_quiet_hours_are_local_on_both_nights_the_clocks_change() -> None:
    # 25 October 2026: 03:00 CEST becomes 02:00 CET; 08:00 CET is 07:00 UTC.
    assert QUIET.contains(datetime(2026, 10, 25, 6, 59, tzinfo=UTC))
    assert not QUIET.contains(datetime(2026, 10, 25, 7, 0, tzinfo=UTC))
    assert QUIET.end_after(datetime(2026, 10, 24, 21, 0, tzinfo=UTC)) == datetime(
        2026, 10, 25, 7, 0, tzinfo=UTC
    )
    # 28 March 2027: 02:00 CET becomes 03:00 CEST; 08:00 CEST is 06:00 UTC.
    assert QUIET.contains(datetime(2027, 3, 28, 5, 59, tzinfo=UTC))
    assert QUIET.outside(datetime(2027, 3, 28, 5, 0, tzinfo=UTC)) == datetime(
        2027, 3, 28, 6, 0, tzinfo=UTC
    )
    # 22:00 starts them, in summer and in winter.
    assert QUIET.contains(datetime(2026, 7, 1, 20, 0, tzinfo=UTC))
    assert not QUIET.contains(datetime(2026, 12, 1, 20, 59, tzinfo=UTC))
    assert QUIET.contains(datetime(2026, 12, 1, 21, 0, tzinfo=UTC))


def test_a_window_within_one_day_and_an_empty_one() -> None:
    day = QuietHours(time(12, 0), time(13, 0), AMSTERDAM)
    assert day.contains(datetime(2026, 12, 1, 11, 30, tzinfo=UTC))  # 12:30 CET
    assert not day.contains(datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    off = QuietHours(time(8, 0), time(8, 0), AMSTERDAM)
    assert not off.contains(datetime(2026, 12, 1, 7, 0, tzinfo=UTC))


def test_moments_halfway_and_before_the_deadline_and_the_latest_due_round() -> None:
    opened = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 10:00
    window = OpenWindow(1, opened, opened + timedelta(hours=6))
    settings = CheckInSettings(
        reminder_fractions=(0.5,), reminder_before_deadline=(timedelta(hours=1),)
    )
    assert moments(window, settings) == [opened + timedelta(hours=3), opened + timedelta(hours=5)]
    assert due_round(window, settings, opened + timedelta(hours=2)) is None
    assert due_round(window, settings, opened + timedelta(hours=3)) == 0
    # After downtime only the latest round is due, never a backlog.
    assert due_round(window, settings, opened + timedelta(hours=5, minutes=1)) == 1
    assert (
        due_round(window, CheckInSettings(reminders_per_person=0), opened + timedelta(hours=3))
        is None
    )


def test_a_moment_in_quiet_hours_moves_to_their_end_or_is_dropped_when_closed_by_then() -> None:
    opened = datetime(2026, 11, 2, 19, 0, tzinfo=UTC)  # Monday 20:00
    settings = CheckInSettings()
    # 6 hours: halfway 23:00 (quiet) moves to 08:00, after the deadline of 02:00: dropped.
    short = OpenWindow(1, opened, opened + timedelta(hours=6))
    assert due_round(short, settings, opened + timedelta(hours=5, minutes=59)) is None
    # 24 hours: halfway 08:00 local is the end of quiet hours: due then, not at 07:59.
    day = OpenWindow(2, opened, opened + timedelta(hours=24))
    assert due_round(day, settings, datetime(2026, 11, 3, 6, 59, tzinfo=UTC)) is None
    assert due_round(day, settings, datetime(2026, 11, 3, 7, 0, tzinfo=UTC)) == 0
