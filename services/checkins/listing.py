"""`/peilingen`: open and recent check-ins of the person's districts (coordinators: all)."""

from __future__ import annotations

from services.access import Actor
from services.checkins.outcomes import CheckInLine
from services.checkins.scale import CheckInSettings
from services.outbox import Deps
from services.outcomes import DENIED, Denied
from storage.models import DeliveryStatus
from storage.queries import answers, checkins, deliveries, memberships, people
from storage.queries import feedback as feedback_queries


class CheckInListing:
    """List check-ins for whoever may see them."""

    def __init__(self, deps: Deps, settings: CheckInSettings) -> None:
        self._deps = deps
        self._settings = settings

    async def list_checkins(self, actor: Actor) -> list[CheckInLine] | Denied:
        """Open check-ins and those of the recent past, newest first, with n of N."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            person = await people.by_telegram_id(s, actor.telegram_user_id)
            visible: set[int] | None = None
            if not actor.is_coordinator:
                pairs = await memberships.of_person(s, person.id) if person else []
                visible = {district.id for _, district in pairs}
                if not visible:
                    return DENIED
            found = await checkins.recent(
                s, visible, now - self._settings.recent, self._settings.list_limit
            )
            counted = await answers.counts(s, [c.id for c, _ in found])
            given = await feedback_queries.of_checkins(s, [c.id for c, _ in found])
            lines = []
            for checkin, event in found:
                rows = [
                    (d, district)
                    for d, district in await deliveries.of_checkin(s, checkin.id)
                    if d.status is DeliveryStatus.SENT
                    and (visible is None or district.id in visible)
                ]
                current = await checkins.key_figure_counts(s, [x.id for _, x in rows], now)
                responded = key_figures = 0
                for delivery, district in rows:
                    n = sum(counted.get((checkin.id, district.id), {}).values())
                    frozen = delivery.key_figures_at_close
                    responded += n
                    key_figures += max(current[district.id] if frozen is None else frozen, n)
                own = await answers.of_person(s, checkin.id, person.id) if person else None
                lines.append(
                    CheckInLine(
                        checkin_id=checkin.id,
                        event=event.description,
                        status=checkin.status,
                        opened_at=checkin.opened_at,
                        closes_at=checkin.closes_at,
                        closed_at=checkin.closed_at,
                        districts=tuple(district.name for _, district in rows),
                        responded=responded,
                        key_figures=key_figures,
                        own_code=own.code if own else None,
                        feedback=given[checkin.id].text if checkin.id in given else None,
                        feedback_at=given[checkin.id].created_at if checkin.id in given else None,
                        pulse_weeks=checkin.pulse_weeks if checkin.kind == "pulse" else None,
                        practice=checkin.practice,
                    )
                )
            return lines
