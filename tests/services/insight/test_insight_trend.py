"""The figures behind /trend: who sees which districts, and each point as data."""

from __future__ import annotations

from insight_world import CHRIS, CORA, FATIMA, KARIN, ZOE, utc

from services.access import Actor
from services.insight import InsightService, Trend, TrendPoint
from services.outcomes import DENIED, UnknownDistrict


def points(trend: Trend | object, district: str) -> list[TrendPoint]:
    assert isinstance(trend, Trend)
    [found] = [d for d in trend.districts if d.district == district]
    return list(found.points)


async def test_coordinator_sees_each_district_with_closed_checkins(
    insight: InsightService, standard: dict[str, int]
) -> None:
    insight.min_respondents = 1  # every median, to check the figures themselves
    trend = await insight.trend(CORA)
    assert isinstance(trend, Trend)
    # Lunetten has no check-in, Zuilen is archived: neither is drawn.
    assert [d.district for d in trend.districts] == ["Kanaleneiland", "Overvecht"]
    assert trend.left_out == 0
    overvecht = points(trend, "Overvecht")
    # Oldest first; the open check-in ('rellen') is not part of the trend.
    assert [p.checkin_id for p in overvecht] == [
        standard["oud"],
        standard["aanslag"],
        standard["staatsgreep"],
    ]
    old, aanslag, staatsgreep = overvecht
    # 'Weet niet' counts as a response, not in the median: 3 and 4 give 3.5.
    assert aanslag == TrendPoint(
        checkin_id=standard["aanslag"],
        event="Aanslag op een moskee",
        closed_at=utc("2026-10-01T18:00"),
        median=3.5,
        response_rate=1.0,
        responded=3,
        key_figures=3,
    )
    assert (staatsgreep.median, staatsgreep.responded, staatsgreep.key_figures) == (1.5, 2, 3)
    assert staatsgreep.response_rate is not None
    assert round(staatsgreep.response_rate, 3) == 0.667
    # Closed before N was kept: a median, but no honest rate.
    assert (old.median, old.response_rate, old.key_figures) == (2.0, None, None)


async def test_a_failed_group_message_counts_only_when_members_answered_privately(
    insight: InsightService, standard: dict[str, int]
) -> None:
    insight.min_respondents = 1  # every median, to check the figures themselves
    kanaleneiland = points(await insight.trend(CORA), "Kanaleneiland")
    # 'staatsgreep' failed there and nobody answered; 'explosie' failed but Youssef answered.
    assert [(p.checkin_id, p.median, p.responded, p.response_rate) for p in kanaleneiland] == [
        (standard["aanslag"], 2.0, 1, 0.5),
        (standard["explosie"], 4.0, 1, 0.5),
    ]


async def test_points_under_k_respondents_show_no_median(
    insight: InsightService, standard: dict[str, int]
) -> None:
    # k = 3 here (conftest): 'aanslag' had 3 respondents, 'staatsgreep' only 2.
    overvecht = {p.checkin_id: p for p in points(await insight.trend(CORA), "Overvecht")}
    assert overvecht[standard["aanslag"]].median == 3.5
    hidden = overvecht[standard["staatsgreep"]]
    assert (hidden.median, hidden.responded) == (None, 2)


async def test_one_district_by_name_archived_or_not(
    insight: InsightService, standard: dict[str, int]
) -> None:
    trend = await insight.trend(CORA, "  overvecht ")
    assert isinstance(trend, Trend)
    assert [d.district for d in trend.districts] == ["Overvecht"]
    zuilen = await insight.trend(CORA, "Zuilen")
    assert zuilen == Trend(())  # archived, known, without check-ins
    unknown = await insight.trend(CORA, "Overvech")
    assert isinstance(unknown, UnknownDistrict)
    assert unknown.suggestions == ("Overvecht",)


async def test_chiefs_see_their_own_districts_only(
    insight: InsightService, standard: dict[str, int]
) -> None:
    chris = await insight.trend(CHRIS)
    assert isinstance(chris, Trend)
    assert [d.district for d in chris.districts] == ["Overvecht"]
    assert await insight.trend(CHRIS, "Kanaleneiland") == DENIED
    # An unknown district looks exactly like a forbidden one to anyone but a coordinator.
    assert await insight.trend(CHRIS, "Nergens") == DENIED
    karin = await insight.trend(KARIN)
    assert isinstance(karin, Trend)
    assert [d.district for d in karin.districts] == ["Kanaleneiland"]
    # A chief whose only district is archived still sees it rather than being refused.
    assert await insight.trend(ZOE) == Trend(())


async def test_key_figures_and_strangers_are_refused(
    insight: InsightService, standard: dict[str, int]
) -> None:
    assert await insight.trend(FATIMA) == DENIED
    assert await insight.trend(FATIMA, "Overvecht") == DENIED
    assert await insight.trend(Actor(9999, "Onbekend")) == DENIED


async def test_points_and_districts_are_capped(
    insight: InsightService, standard: dict[str, int]
) -> None:
    insight.trend_points, insight.trend_districts = 2, 1
    trend = await insight.trend(CORA)
    assert isinstance(trend, Trend)
    assert [d.district for d in trend.districts] == ["Kanaleneiland"]
    assert trend.left_out == 1
    insight.trend_districts = 5
    assert [p.checkin_id for p in points(await insight.trend(CORA), "Overvecht")] == [
        standard["aanslag"],
        standard["staatsgreep"],
    ]


async def test_nothing_closed_yet_gives_an_empty_trend(insight: InsightService) -> None:
    assert await insight.trend(CORA) == Trend(())
