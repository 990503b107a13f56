"""The figures behind /trend: per district, the median and response rate of closed check-ins."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat

from sqlalchemy.ext.asyncio import AsyncSession

from services.checkins.scale import Scale
from services.checkins.stats import median, response_rate
from services.insight.views import DistrictTrend, Trend, TrendPoint
from storage.models import District
from storage.queries import answers, insight


async def district_trends(
    session: AsyncSession,
    districts: Sequence[District],
    scale: Scale,
    *,
    points: int,
    max_districts: int,
    min_respondents: int = 1,
) -> Trend:
    """The latest closed check-ins of these districts, at most `points` each.

    Districts without a closed check-in are left out; past max_districts (by name) the rest
    are only counted, so a chart never grows past what a phone can show. A point with fewer
    than min_respondents answers shows no median: in a small group it points at people.
    """
    reached = await insight.latest_reached(
        session, [d.id for d in districts], points, closed_only=True
    )
    counted = await answers.counts(session, sorted({r.checkin_id for r in reached}))
    per_district: dict[int, list[TrendPoint]] = {}
    names: dict[int, str] = {}
    for row in reached:
        codes = counted.get((row.checkin_id, row.district_id), {})
        responded = sum(codes.values())
        frozen = row.key_figures_at_close
        # N as frozen at closing, never below the answers actually given; a row closed before
        # N was kept has no honest rate.
        n = None if frozen is None else max(frozen, responded)
        assert row.closed_at is not None  # closed_only
        per_district.setdefault(row.district_id, []).append(
            TrendPoint(
                checkin_id=row.checkin_id,
                event=row.event,
                closed_at=row.closed_at,
                median=median(expand(codes), scale) if responded >= min_respondents else None,
                response_rate=None if n is None else response_rate(responded, n),
                responded=responded,
                key_figures=n,
                pulse=row.kind == "pulse",
            )
        )
        names[row.district_id] = row.district
    found = [
        DistrictTrend(district_id, names[district_id], tuple(found))
        for district_id, found in per_district.items()
    ]
    return Trend(tuple(found[:max_districts]), max(len(found) - max_districts, 0))


def expand(codes: dict[int, int]) -> list[int]:
    """Counts per code back into a list of codes, for the median."""
    return [c for code, n in codes.items() for c in repeat(code, n)]
