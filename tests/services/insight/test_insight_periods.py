"""What /export may offer, and its periods: presets counted back from today, typed periods."""

from __future__ import annotations

from datetime import date

import pytest
from insight_world import CHRIS, CORA, FATIMA, KARIN, ZOE

from services.insight import ExportChoices, InsightService, Period, PeriodProblem, parse_period
from services.insight.periods import preset_period
from services.outcomes import DENIED


async def test_export_choices_per_role(insight: InsightService, standard: dict[str, int]) -> None:
    assert await insight.export_choices(CORA) == ExportChoices(
        ("Kanaleneiland", "Lunetten", "Overvecht"), names_allowed=True, min_respondents=3
    )
    assert await insight.export_choices(CHRIS) == ExportChoices(("Overvecht",), False, 3)
    assert await insight.export_choices(KARIN) == ExportChoices(("Kanaleneiland",), False, 3)
    assert await insight.export_choices(ZOE) == ExportChoices(("Zuilen",), False, 3)
    assert await insight.export_choices(FATIMA) == DENIED


def test_presets_count_whole_days_back_from_today() -> None:
    today = date(2026, 11, 30)
    assert preset_period("7d", today) == Period(date(2026, 11, 24), today)
    assert preset_period("30d", today) == Period(date(2026, 11, 1), today)
    assert preset_period("year", today) == Period(date(2026, 1, 1), today)
    assert preset_period("all", today) == Period()


async def test_today_is_the_local_date(insight: InsightService) -> None:
    # The fake clock stands at 09:00 UTC on 30 November: 10:00 in Amsterdam.
    assert insight.today() == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-01 tot 2026-03-31", Period(date(2026, 1, 1), date(2026, 3, 31))),
        ("van 1-1-2026 t/m 31/3/2026", Period(date(2026, 1, 1), date(2026, 3, 31))),
        ("1.2.2026 - 2026-02-28", Period(date(2026, 2, 1), date(2026, 2, 28))),
        ("2026-3-29", Period(date(2026, 3, 29), date(2026, 3, 29))),
        ("2026-03-31 tot 2026-01-01", PeriodProblem("reversed")),
        ("vorige maand", PeriodProblem("unreadable")),
        ("2026-02-30 tot 2026-03-01", PeriodProblem("unreadable")),
        ("2026-01-01 2026-02-01 2026-03-01", PeriodProblem("unreadable")),
        ("", PeriodProblem("unreadable")),
    ],
)
def test_typed_periods(text: str, expected: Period | PeriodProblem) -> None:
    assert parse_period(text) == expected
