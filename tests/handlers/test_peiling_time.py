"""Reading a typed closing time the way a chief writes it on a phone, in Amsterdam time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.checkins.wizard_texts import until_problem
from handlers.checkins.wizard_time import parse_until

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 2 November, 10:00 in Amsterdam


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("vandaag 21:00", local(2026, 11, 2, 21)),
        ("Vandaag om 21.00 uur", local(2026, 11, 2, 21)),
        ("21:00", local(2026, 11, 2, 21)),
        ("om 21 uur", local(2026, 11, 2, 21)),
        ("morgen 9:00", local(2026, 11, 3, 9)),
        ("morgen om 9u", local(2026, 11, 3, 9)),
        ("overmorgen 18:30", local(2026, 11, 4, 18, 30)),
        ("tomorrow 9:00", local(2026, 11, 3, 9)),
        ("ma 21:00", local(2026, 11, 2, 21)),  # Monday, still ahead today
        ("ma 9:00", local(2026, 11, 9, 9)),  # Monday, already past today: next week
        ("vrijdag 17:30", local(2026, 11, 6, 17, 30)),
        ("do 21:00.", local(2026, 11, 5, 21)),
        ("2026-12-01 18:00", local(2026, 12, 1, 18)),
        ("1-12 18:00", local(2026, 12, 1, 18)),
        ("1.12.2026 18:00", local(2026, 12, 1, 18)),
        ("1.12 18:00", local(2026, 12, 1, 18)),
        ("1 dec 18:00", local(2026, 12, 1, 18)),
        ("zo 1 nov 10:00", local(2026, 11, 1, 10)),  # yesterday stays yesterday
    ],
)
def test_closing_times_are_read_in_local_time(typed: str, expected: datetime) -> None:
    assert parse_until(typed, NOW, AMS) == expected.astimezone(UTC)


def test_a_date_early_next_year_is_next_year() -> None:
    december = datetime(2026, 12, 30, 12, 0, tzinfo=UTC)
    assert parse_until("2-1 9:00", december, AMS) == local(2027, 1, 2, 9).astimezone(UTC)


@pytest.mark.parametrize("typed", ["", "morgen", "als het kan snel", "25:00", "31-02 10:00", "ma"])
def test_what_cannot_be_read_is_none(typed: str) -> None:
    assert parse_until(typed, NOW, AMS) is None


def test_the_past_and_more_than_seven_days_ahead_are_refused_with_the_time() -> None:
    week = timedelta(days=7)
    past = local(2026, 11, 2, 9).astimezone(UTC)
    assert until_problem(past, NOW, week, AMS, "nl") == (
        "ma 2 nov 09:00 is al voorbij. Kies een tijdstip in de toekomst."
    )
    far = local(2026, 12, 1, 18).astimezone(UTC)
    assert until_problem(far, NOW, week, AMS, "nl") == (
        "di 1 dec 18:00 is te ver weg: een peiling staat hooguit 7 dagen open. "
        "Kies een eerder tijdstip."
    )
    assert until_problem(NOW + week, NOW, week, AMS, "nl") is None
