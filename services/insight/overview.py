"""The figures behind /overzicht: each district's latest check-in and recent contact requests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.checkins.scale import Scale
from services.checkins.stats import median
from services.checkins.views import Count
from services.insight.trend import expand
from services.insight.views import DistrictState, LastCheckIn, Overview
from storage.models import CheckInStatus, District
from storage.queries import answers, checkins, insight


async def district_states(
    session: AsyncSession, districts: Sequence[District], scale: Scale, contacts_since: datetime
) -> Overview:
    """The latest check-in of each district (open or closed), by district name."""
    ids = [d.id for d in districts]
    latest = {
        r.district_id: r for r in await insight.latest_reached(session, ids, 1, closed_only=False)
    }
    checkin_ids = sorted({r.checkin_id for r in latest.values()})
    counted = await answers.counts(session, checkin_ids)
    directions = await insight.directions(session, checkin_ids)
    roster = await checkins.key_figure_counts(session, ids)
    contacts = await insight.contact_requests(session, ids, contacts_since)
    states = []
    for district in districts:
        row = latest.get(district.id)
        last = None
        if row is not None:
            key = (row.checkin_id, district.id)
            codes = counted.get(key, {})
            given = directions.get(key, {})
            responded = sum(codes.values())
            is_open = row.status is CheckInStatus.OPEN
            frozen = row.key_figures_at_close
            n = roster[district.id] if is_open or frozen is None else frozen
            last = LastCheckIn(
                checkin_id=row.checkin_id,
                event=row.event,
                open=is_open,
                opened_at=row.opened_at,
                closes_at=row.closes_at,
                closed_at=row.closed_at,
                responded=responded,
                key_figures=max(n, responded),
                median=median(expand(codes), scale),
                directions=tuple(
                    Count(d.value, scale.direction_key(d), given.get(d.value, 0))
                    for d in scale.directions
                ),
            )
        states.append(
            DistrictState(
                district_id=district.id,
                district=district.name,
                key_figures=roster[district.id],
                last=last,
                contact_requests=contacts.get(district.id, 0),
            )
        )
    return Overview(tuple(states), contacts_since)
