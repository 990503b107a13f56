"""The figures behind /overzicht: each district's latest check-in, directions, contacts."""

from __future__ import annotations

from insight_world import CHRIS, CORA, FATIMA, KARIN, ZOE, utc

from services.checkins.views import Count
from services.insight import DistrictState, InsightService, LastCheckIn, Overview
from services.outcomes import DENIED

NO_DIRECTIONS = (
    Count("rising", "direction.rising", 0),
    Count("same", "direction.same", 0),
    Count("easing", "direction.easing", 0),
)


def state(overview: Overview | object, district: str) -> DistrictState:
    assert isinstance(overview, Overview)
    [found] = [d for d in overview.districts if d.district == district]
    return found


async def test_coordinator_sees_every_live_district(
    insight: InsightService, standard: dict[str, int]
) -> None:
    overview = await insight.overview(CORA)
    assert isinstance(overview, Overview)
    assert [d.district for d in overview.districts] == ["Kanaleneiland", "Lunetten", "Overvecht"]
    # Contact requests count over the last 30 days: since 31 October, 10:00 local time.
    assert overview.contacts_since == utc("2026-10-31T09:00")

    lunetten = state(overview, "Lunetten")
    assert (lunetten.key_figures, lunetten.last, lunetten.contact_requests) == (0, None, 0)


async def test_an_open_checkin_is_the_latest_with_the_current_roster_as_n(
    insight: InsightService, standard: dict[str, int]
) -> None:
    overvecht = state(await insight.overview(CORA), "Overvecht")
    assert overvecht.key_figures == 3
    assert overvecht.last == LastCheckIn(
        checkin_id=standard["rellen"],
        event="Rellen na een wedstrijd",
        open=True,
        opened_at=utc("2026-11-29T20:00"),
        closes_at=utc("2027-11-29T20:00"),
        closed_at=None,
        responded=1,
        key_figures=3,
        median=5.0,
        directions=(
            Count("rising", "direction.rising", 1),
            Count("same", "direction.same", 0),
            Count("easing", "direction.easing", 0),
        ),
    )
    # Fatima asked for contact in 'staatsgreep' (1 Nov) and in 'aanslag' (30 Sep, too long ago).
    assert overvecht.contact_requests == 1


async def test_a_closed_checkin_keeps_its_frozen_n(
    insight: InsightService, standard: dict[str, int]
) -> None:
    kanaleneiland = state(await insight.overview(CORA), "Kanaleneiland")
    assert kanaleneiland.last is not None
    last = kanaleneiland.last
    assert (last.checkin_id, last.open, last.closed_at) == (
        standard["explosie"],
        False,
        utc("2026-11-20T20:00"),
    )
    assert (last.responded, last.key_figures, last.median) == (1, 2, 4.0)
    assert last.directions == NO_DIRECTIONS
    assert kanaleneiland.contact_requests == 0


async def test_chiefs_see_their_own_and_key_figures_nothing(
    insight: InsightService, standard: dict[str, int]
) -> None:
    chris = await insight.overview(CHRIS)
    assert isinstance(chris, Overview)
    assert [d.district for d in chris.districts] == ["Overvecht"]
    karin = await insight.overview(KARIN)
    assert isinstance(karin, Overview)
    assert [d.district for d in karin.districts] == ["Kanaleneiland"]
    zoe = await insight.overview(ZOE)
    assert isinstance(zoe, Overview)
    assert [d.district for d in zoe.districts] == ["Zuilen"]
    assert await insight.overview(FATIMA) == DENIED
