"""Closing the loop: after a check-in, the chief tells the groups what was heard and done.

Written once per check-in, by its starter, a coordinator or a chief of a district it reached;
stored with the check-in, then sent to each chosen group (and privately to the key figures
who spoke with the bot about it) exactly once, by the claim-then-send steps of
services/feedback/sending.py. Nobody is told anything before the commit.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.access import Actor, actor_person
from services.checkins.outcomes import Unknown
from services.feedback.outcomes import (
    AlreadyGiven,
    BadText,
    FeedbackDistrict,
    FeedbackSent,
    FeedbackStored,
    FeedbackTarget,
    NoDistricts,
    NotClosed,
)
from services.feedback.sending import FeedbackSender
from services.outbox import Deps, Outbox
from services.outcomes import DENIED, Denied
from services.ports import Notice
from storage.models import CheckIn, CheckInStatus, DeliveryStatus, Person, Role
from storage.queries import audit, checkins, deliveries, memberships, people
from storage.queries import feedback as queries

Refused = NotClosed | AlreadyGiven | NoDistricts | Denied | Unknown
TargetOutcome = FeedbackTarget | Refused
GiveOutcome = FeedbackStored | Refused | BadText
MAX_TEXT = 1000
# A reminder is about a recent check-in: after a long stop the bot does not remind about
# check-ins closed weeks ago, which nobody would want feedback on any more.
REMIND_WINDOW = timedelta(days=7)
# How far back /terugkoppeling without a number offers closed check-ins to choose from.
CHOICES_SINCE = timedelta(days=30)


class FeedbackService:
    """Write, send and remind about feedback on closed check-ins."""

    def __init__(self, deps: Deps, sender: FeedbackSender, remind_after: timedelta) -> None:
        self._deps = deps
        self._sender = sender
        self._remind_after = remind_after

    @property
    def sender(self) -> FeedbackSender:
        """The claim-then-send part (resumed after a restart by a job)."""
        return self._sender

    async def target(self, actor: Actor, checkin_id: int) -> TargetOutcome:
        """May this person write the check-in's feedback, and to which districts."""
        async with self._deps.uow() as uow:
            return await _target(uow.session, actor, checkin_id)

    async def choices(self, actor: Actor, limit: int = 10) -> list[FeedbackTarget]:
        """The recent closed check-ins this person may still write feedback on, newest first."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            person = await people.by_telegram_id(s, actor.telegram_user_id)
            visible: set[int] | None = None
            if not actor.is_coordinator:
                pairs = await memberships.of_person(s, person.id) if person else []
                visible = {d.id for m, d in pairs if m.role is Role.CHIEF}
                if not visible:
                    return []
            found = await checkins.recent(s, visible, now - CHOICES_SINCE, limit * 3)
            given = await queries.of_checkins(s, [c.id for c, _ in found])
            targets = []
            for checkin, _ in found:
                closed = checkin.status is CheckInStatus.CLOSED
                # A practice check-in asks for no feedback.
                if not closed or checkin.id in given or checkin.practice:
                    continue
                target = await _target(s, actor, checkin.id)
                if isinstance(target, FeedbackTarget):
                    targets.append(target)
            return targets[:limit]

    async def give(
        self, actor: Actor, checkin_id: int, text: str, district_ids: Collection[int]
    ) -> GiveOutcome:
        """Store the feedback and queue it for the chosen districts' groups; `send` sends it."""
        text = text.strip()
        if not text or len(text) > MAX_TEXT:
            return BadText(MAX_TEXT, len(text))
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            target = await _target(s, actor, checkin_id)
            if not isinstance(target, FeedbackTarget):
                return target
            chosen = [d for d in target.districts if d.district_id in set(district_ids)]
            if not chosen:
                return NoDistricts(checkin_id)
            writer = await actor_person(s, actor, now)
            given = await queries.add(s, checkin_id, text, writer.id, now)
            if given is None:  # a second press on 'Versturen', or a colleague was quicker
                return await _already(s, checkin_id)
            ids = [d.district_id for d in chosen]
            chats = await queries.linked_chats(s, ids)
            for district in chosen:
                queries.add_send(
                    s,
                    given.id,
                    kind="group",
                    district_id=district.district_id,
                    person_id=None,
                    telegram_chat_id=chats.get(district.district_id),
                    at=now,
                )
            for person, district_id in await queries.answered_privately(s, checkin_id, ids):
                if person.privately_reachable:
                    queries.add_send(
                        s,
                        given.id,
                        kind="private",
                        district_id=district_id,
                        person_id=person.id,
                        telegram_chat_id=person.telegram_user_id,
                        at=now,
                    )
            audit.record(
                s,
                at=now,
                actor_telegram_id=actor.telegram_user_id,
                action="feedback.sent",
                subject=target.event,
                details={"checkin_id": checkin_id, "districts": [d.name for d in chosen]},
            )
            stored = FeedbackStored(checkin_id, given.id, tuple(d.name for d in chosen))
            await uow.commit()
        return stored

    async def send(self, feedback_id: int) -> FeedbackSent:
        """Send stored feedback to each group and key figure once; say where it went."""
        await self._sender.deliver(feedback_id)
        return await self._sender.result(feedback_id)

    async def remind_due(self) -> int:
        """Remind each starter once when their check-in closed N days ago without feedback."""
        now = self._deps.clock.now()
        before = now - self._remind_after
        outbox = Outbox()
        reminded = 0
        async with self._deps.uow() as uow:
            s = uow.session
            for checkin in await queries.without_feedback(s, before, before - REMIND_WINDOW):
                starter = (
                    await s.get(Person, checkin.started_by_id) if checkin.started_by_id else None
                )
                if not await queries.claim_reminder(
                    s, checkin.id, starter.id if starter else None, now
                ):
                    continue
                found = await checkins.with_event(s, checkin.id)
                if starter is None or found is None:
                    continue  # the starter left: nobody to remind, and never again
                notice = Notice(
                    "feedback.reminder",
                    {
                        "checkin_id": checkin.id,
                        "event": found[1].description,
                        "closed_at": checkin.closed_at or checkin.closes_at,
                    },
                )
                outbox.tell(starter, notice)
                reminded += 1
            await uow.commit()
        await outbox.deliver(self._deps)
        return reminded


async def _already(s: AsyncSession, checkin_id: int) -> AlreadyGiven:
    found = await queries.of_checkin(s, checkin_id)
    assert found is not None
    return AlreadyGiven(checkin_id, found.created_at)


async def _target(s: AsyncSession, actor: Actor, checkin_id: int) -> TargetOutcome:
    """Who may write it: starter and coordinators to every district reached, a chief to theirs."""
    found = await checkins.with_event(s, checkin_id)
    if found is None:
        return Unknown()
    checkin, event = found
    reached = [
        (delivery, district)
        for delivery, district in await deliveries.of_checkin(s, checkin_id)
        if delivery.status is DeliveryStatus.SENT
    ]
    allowed = await _allowed_districts(s, actor, checkin, {d.id for _, d in reached})
    if allowed is None:
        return DENIED
    if checkin.status is not CheckInStatus.CLOSED:
        return NotClosed(checkin_id)
    if await queries.of_checkin(s, checkin_id) is not None:
        return await _already(s, checkin_id)
    districts = tuple(FeedbackDistrict(d.id, d.name) for _, d in reached if d.id in allowed)
    if not districts:
        return NoDistricts(checkin_id)
    return FeedbackTarget(checkin_id, event.description, districts)


async def _allowed_districts(
    s: AsyncSession, actor: Actor, checkin: CheckIn, reached: set[int]
) -> set[int] | None:
    if actor.is_coordinator:
        return reached
    person = await people.by_telegram_id(s, actor.telegram_user_id)
    if person is None:
        return None
    if checkin.started_by_id == person.id:
        return reached
    chief_of = {d.id for m, d in await memberships.of_person(s, person.id) if m.role is Role.CHIEF}
    mine = chief_of & reached
    return mine or None
