"""The meeting cadence for /overzicht: each district's last and next meeting, and a flag for
a district that has gone too long without one (the network aims at five a year)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from services.access import Actor
from services.meetings.planning import allowed_districts
from services.outbox import Deps
from services.outcomes import DENIED, Denied
from storage.models import Meeting, MeetingDelivery, MeetingStatus


@dataclass(frozen=True)
class DistrictCadence:
    """One district's meetings: the last one held, the next one planned, and the flag."""

    district: str
    last: datetime | None
    next: datetime | None
    overdue: bool  # no meeting for more than the cadence (or never, and none planned)
    days_since: int | None


class CadenceService:
    """Last and next meeting per district, as far as the actor may see districts."""

    def __init__(self, deps: Deps, cadence_days: int) -> None:
        self._deps = deps
        self.cadence_days = cadence_days

    async def cadence(self, actor: Actor) -> list[DistrictCadence] | Denied:
        """Each district the actor may see, by name: last and next meeting, and the flag."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            options = await allowed_districts(s, actor)
            if not options:
                return DENIED if not actor.is_coordinator else []
            ids = [o.district_id for o in options]
            planned = (
                select(MeetingDelivery.district_id, Meeting.starts_at)
                .join(Meeting, Meeting.id == MeetingDelivery.meeting_id)
                .where(
                    MeetingDelivery.district_id.in_(ids),
                    Meeting.status == MeetingStatus.PLANNED,
                )
                .subquery()
            )
            last = dict(
                (d, at)
                for d, at in await s.execute(
                    select(planned.c.district_id, func.max(planned.c.starts_at))
                    .where(planned.c.starts_at <= now)
                    .group_by(planned.c.district_id)
                )
            )
            upcoming = dict(
                (d, at)
                for d, at in await s.execute(
                    select(planned.c.district_id, func.min(planned.c.starts_at))
                    .where(planned.c.starts_at > now)
                    .group_by(planned.c.district_id)
                )
            )
        limit = timedelta(days=self.cadence_days)
        found = []
        for option in options:
            held, coming = last.get(option.district_id), upcoming.get(option.district_id)
            # Never met: flagged until a first meeting is planned. Otherwise: the gap from the
            # last meeting to the next one (or to today, with none planned) is too long.
            overdue = coming is None if held is None else (coming or now) - held > limit
            since = None if held is None else (now - held).days
            found.append(DistrictCadence(option.name, held, coming, overdue, since))
        return found
