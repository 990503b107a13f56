"""The delivery report: where a check-in arrived, where not and why — for its chief."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from services.checkins.outcomes import Unknown
from services.checkins.views import DeliveryReport, Undelivered
from services.outbox import Deps, send_all
from storage.models import CheckIn, Delivery, DeliveryStatus, District, Person
from storage.queries import checkins, deliveries, people


def undelivered(rows: Sequence[tuple[Delivery, District]]) -> tuple[Undelivered, ...]:
    """The districts of these deliveries that did not get the message, with the reason."""
    found = []
    for delivery, district in rows:
        if delivery.status is DeliveryStatus.SENT:
            continue
        if delivery.status is DeliveryStatus.PENDING:
            found.append(Undelivered(district.name, "pending"))
            continue
        # Stored as "reason: Telegram's words" (see broadcast._reason).
        reason, _, detail = (delivery.last_error or "failed").partition(": ")
        found.append(Undelivered(district.name, reason, detail))
    return tuple(found)


async def recipients(s: AsyncSession, checkin: CheckIn) -> list[Person]:
    """Who hears about a check-in: whoever started it, else the coordinators."""
    starter = await s.get(Person, checkin.started_by_id) if checkin.started_by_id else None
    found = [starter] if starter is not None else await people.coordinators(s)
    # Writing to someone who blocked the bot only costs flood budget.
    return [p for p in found if p.privately_reachable]


class DeliveryReports:
    """Build and send delivery reports."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    async def delivery_report(self, checkin_id: int) -> DeliveryReport | Unknown:
        """Where the check-in went so far, by district name."""
        async with self._deps.uow() as uow:
            report = await self._build(uow.session, checkin_id)
            return report if report is not None else Unknown()

    async def report_deliveries(self, checkin_id: int) -> DeliveryReport | Unknown:
        """Send the delivery report to the chief who started the check-in; return it."""
        async with self._deps.uow() as uow:
            s = uow.session
            report = await self._build(s, checkin_id)
            found = await checkins.with_event(s, checkin_id)
            if report is None or found is None:
                return Unknown()
            to = [(p.telegram_user_id, p.language) for p in await recipients(s, found[0])]
        notifier = self._deps.notifier
        await send_all(
            self._deps,
            ((c, partial(notifier.send_delivery_report, c, report, lang)) for c, lang in to),
        )
        return report

    async def _build(self, s: AsyncSession, checkin_id: int) -> DeliveryReport | None:
        found = await checkins.with_event(s, checkin_id)
        if found is None:
            return None
        checkin, event = found
        rows = await deliveries.of_checkin(s, checkin_id)
        private = await deliveries.member_statuses(s, checkin_id)
        return DeliveryReport(
            checkin_id=checkin.id,
            event=event.description,
            closes_at=checkin.closes_at,
            sent=tuple(d.name for x, d in rows if x.status is DeliveryStatus.SENT),
            undelivered=tuple(u for u in undelivered(rows) if u.reason != "pending"),
            pending=tuple(d.name for x, d in rows if x.status is DeliveryStatus.PENDING),
            private_sent=private.get(DeliveryStatus.SENT, 0),
            private_failed=private.get(DeliveryStatus.FAILED, 0)
            + private.get(DeliveryStatus.SKIPPED, 0),
            private_pending=private.get(DeliveryStatus.PENDING, 0),
            uncertain=tuple(
                d.name for x, d in rows if x.uncertain and x.status is DeliveryStatus.SENT
            ),
            practice=checkin.practice,
        )
