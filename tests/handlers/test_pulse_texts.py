"""/puls as a chief types it, and how a schedule reads back."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.pulse.parse import PulseArgs, parse
from handlers.pulse.texts import duration_text, line_block, refusal_text
from services.pulse.outcomes import InsideQuietHours, PulseLine, PulseTooLong

TZ = ZoneInfo("Europe/Amsterdam")


def test_monthly_defaults_to_the_first_weekday() -> None:
    assert parse("maandelijks maandag 09:00") == PulseArgs(0, 1, 0, time(9, 0), None, (), None)


def test_everything_given() -> None:
    got = parse("maandelijks laatste vr 17:30 48u Overvecht, Kanaleneiland Noord | Hoe gaat het?")
    assert got == PulseArgs(
        every_weeks=0,
        week_of_month=-1,
        weekday=4,
        at=time(17, 30),
        duration=timedelta(hours=48),
        districts=("Overvecht", "Kanaleneiland Noord"),
        question="Hoe gaat het?",
    )


@pytest.mark.parametrize(
    ("text", "weeks", "duration"),
    [
        ("wekelijks di 19:30", 1, None),
        ("2-wekelijks dinsdag 19:30 3d", 2, timedelta(days=3)),
        ("tweewekelijks tue 19.30 90m", 2, timedelta(minutes=90)),
        ("3-weekly tuesday 19:30 24h", 3, timedelta(hours=24)),
    ],
)
def test_every_n_weeks(text: str, weeks: int, duration: timedelta | None) -> None:
    got = parse(text)
    assert isinstance(got, PulseArgs)
    assert (got.every_weeks, got.weekday, got.at, got.duration) == (
        weeks,
        1,
        time(19, 30),
        duration,
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "usage"),
        ("jaarlijks maandag 09:00", "usage"),
        ("maandelijks vijfde maandag 09:00", "usage"),
        ("maandelijks maandag", "usage"),
        ("maandelijks maandag 9 uur", "usage"),
        ("wekelijks maandag 09:00 2jaar", "duration"),
    ],
)
def test_what_cannot_be_read(text: str, problem: str) -> None:
    assert parse(text) == problem


def test_a_schedule_reads_back_in_both_languages() -> None:
    line = PulseLine(
        schedule_id=3,
        question="Hoe is de <stemming>?",
        every_weeks=0,
        week_of_month=-1,
        weekday=4,
        at=time(17, 0),
        duration=timedelta(hours=48),
        districts=("Overvecht",),
        next_due_at=datetime(2026, 12, 25, 16, 0, tzinfo=UTC),
        paused=False,
        last_occurrence_at=None,
    )
    assert line_block(line, TZ, "nl") == [
        "🔁 <b>#3 Maandelijkse peiling</b>: Hoe is de &lt;stemming&gt;?",
        "elke laatste vrijdag van de maand om 17:00, 2 dagen open · Overvecht",
        "Volgende keer: vr 25 dec 17:00",
    ]
    weekly = PulseLine(**{**line.__dict__, "every_weeks": 2, "districts": (), "paused": True})
    assert line_block(weekly, TZ, "en")[1:] == [
        "every 2 weeks on Friday at 17:00, open 2 days · all your districts",
        "⏸ Paused",
    ]


def test_durations_and_refusals() -> None:
    assert duration_text(timedelta(hours=24), "nl") == "24 uur"
    assert duration_text(timedelta(days=3), "nl") == "3 dagen"
    assert duration_text(timedelta(minutes=90), "en") == "90 minutes"
    quiet = refusal_text(InsideQuietHours(time(22, 0), time(8, 0)), "", "nl")
    assert quiet.startswith("Die tijd valt in de stille uren (22:00–08:00)")
    too_long = refusal_text(PulseTooLong(timedelta(weeks=1)), "", "en")
    assert "at most 7 days" in too_long
