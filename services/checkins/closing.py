"""Closing check-ins: at the deadline or by hand, once, with the final tally and a summary."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.access import Actor, actor_person
from services.checkins.outcomes import (
    AlreadyClosed,
    CheckInClosed,
    NotYetDue,
    OpenCheckIn,
    Unknown,
)
from services.checkins.scale import CheckInSettings
from services.checkins.summary import SummaryService
from services.checkins.tally import TallyService, group_messages
from services.checkins.views import GroupEdit
from services.outbox import Deps
from services.outcomes import DENIED, Denied
from storage.models import CheckIn, DeliveryStatus, Event, Role
from storage.queries import audit, checkins, deliveries, memberships, people, reminders

CloseOutcome = CheckInClosed | AlreadyClosed | NotYetDue | Denied | Unknown


class ClosingService:
    """Close check-ins idempotently; find what is due after a restart."""

    def __init__(
        self,
        deps: Deps,
        settings: CheckInSettings,
        tallies: TallyService,
        summaries: SummaryService,
    ) -> None:
        self._deps = deps
        self._settings = settings
        self._tallies = tallies
        self._summaries = summaries

    async def close_checkin(self, checkin_id: int, actor: Actor | None) -> CloseOutcome:
        """Close a check-in: by the deadline (actor None), its starter, its chiefs, coordinators.

        The conditional UPDATE … WHERE status='open' makes a race between the deadline job and
        /sluit (or two /sluit) close it once; the loser gets AlreadyClosed.
        """
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            found = await checkins.with_event(s, checkin_id)
            if found is None:
                return Unknown()
            checkin, event = found
            if actor is None and now < checkin.closes_at:
                return NotYetDue(checkin.closes_at)
            if actor is not None and not await _may_close(s, actor, checkin):
                return DENIED
            by = (await actor_person(s, actor, now)).id if actor is not None else None
            await s.flush()
            if not await checkins.close(s, checkin.id, now, by):
                return AlreadyClosed(checkin.id, await _closed_at(s, checkin))
            await s.refresh(checkin)
            edits = await self._freeze_and_show(s, checkin, event)
            audit.record(
                s,
                at=now,
                actor_telegram_id=actor.telegram_user_id if actor else None,
                action="checkin.closed",
                subject=event.description,
                details={"checkin_id": checkin.id, "by_deadline": actor is None},
            )
            await uow.commit()
        # Exact at closing: the final tally is shown at once, whatever the edit interval.
        await self._tallies.apply(edits)
        summary = await self._summaries.send_summary(checkin_id)
        return CheckInClosed(
            checkin_id, event.description, now, actor is None, tuple(edits), summary is not None
        )

    async def due_closings(self, now: datetime | None = None) -> list[OpenCheckIn]:
        """Open check-ins whose deadline has passed."""
        now = now or self._deps.clock.now()
        async with self._deps.uow() as uow:
            due = await checkins.open_ones(uow.session, due_by=now)
            return [OpenCheckIn(c.id, c.closes_at) for c in due]

    async def open_checkins(self) -> list[OpenCheckIn]:
        """Every open check-in with its deadline, soonest first (to schedule the closes)."""
        async with self._deps.uow() as uow:
            return [OpenCheckIn(c.id, c.closes_at) for c in await checkins.open_ones(uow.session)]

    async def close_overdue(self, go_on: Callable[[], bool] = lambda: True) -> list[CloseOutcome]:
        """At start-up: close what is overdue and send summaries a crash left unsent.

        Safe to repeat: closing and summaries are each guarded by a conditional UPDATE. Each
        closing waits for its summary; go_on is asked before each, and once it says no (the
        bot stops) the rest is left as it is, for the next start to find.
        """
        closed: list[CloseOutcome] = []
        for due in await self.due_closings():
            if not go_on():
                return closed
            closed.append(await self.close_checkin(due.checkin_id, None))
        async with self._deps.uow() as uow:
            unsent = await checkins.closed_without_summary(uow.session)
        for checkin_id in unsent:
            if not go_on():
                break
            await self._summaries.send_summary(checkin_id)
        return closed

    async def _freeze_and_show(
        self, s: AsyncSession, checkin: CheckIn, event: Event
    ) -> list[GroupEdit]:
        rows = await deliveries.of_checkin(s, checkin.id)
        now = self._deps.clock.now()
        ids = [district.id for _, district in rows]
        current = await checkins.key_figure_counts(s, ids, now)
        away = await reminders.away_counts(s, ids, now)
        for delivery, district in rows:
            delivery.key_figures_at_close = current[district.id]
            delivery.away_at_close = away[district.id]
        shown = [
            (d, checkin, event, district)
            for d, district in rows
            if d.status is DeliveryStatus.SENT and d.message_id and d.telegram_chat_id
        ]
        messages = await group_messages(s, self._settings.scale, shown, now)
        copies = await deliveries.copies_of(s, [d.id for d, _, _, _ in shown if d.uncertain])
        return [
            GroupEdit(
                d.id,
                d.telegram_chat_id,
                d.message_id,
                m,
                m.shown_hash(),
                tuple(copies.get(d.id, ())),
            )
            for (d, _, _, _), m in zip(shown, messages, strict=True)
            if d.telegram_chat_id is not None and d.message_id is not None
        ]


async def _may_close(s: AsyncSession, actor: Actor, checkin: CheckIn) -> bool:
    if actor.is_coordinator:
        return True
    person = await people.by_telegram_id(s, actor.telegram_user_id)
    if person is None:
        return False
    if checkin.started_by_id == person.id:
        return True
    chief_of = {d.id for m, d in await memberships.of_person(s, person.id) if m.role is Role.CHIEF}
    targeted = {district.id for _, district in await deliveries.of_checkin(s, checkin.id)}
    return bool(chief_of & targeted)


async def _closed_at(s: AsyncSession, checkin: CheckIn) -> datetime | None:
    await s.refresh(checkin)
    return checkin.closed_at
