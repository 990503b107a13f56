"""Starting a check-in: who may ask which districts, the preview, and storing it all first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.access import Actor, actor_person
from services.checkins.outcomes import (
    CheckInStarted,
    DistrictChoice,
    InvalidDuration,
    InvalidEvent,
    NothingToSend,
    Preview,
)
from services.checkins.scale import CheckInSettings
from services.checkins.tally import tally_view
from services.checkins.targets import Plan, Targets, own_districts, plan, refusal
from services.checkins.views import CheckInMessage
from services.outbox import Deps
from services.outcomes import DENIED, Denied
from storage.models import (
    CheckIn,
    CheckInStatus,
    Delivery,
    DeliveryStatus,
    District,
    Event,
    MemberDelivery,
    Role,
)
from storage.queries import audit, checkins, memberships, reminders

StartRefusal = Denied | InvalidEvent | InvalidDuration | NothingToSend


@dataclass(frozen=True)
class PulseMark:
    """A check-in that is an occurrence of a recurring pulse: which, and its rhythm."""

    schedule_id: int
    every_weeks: int  # 0: monthly


class CheckInStarter:
    """Check, preview and store a new check-in; sending is the broadcaster's job."""

    def __init__(self, deps: Deps, settings: CheckInSettings) -> None:
        self._deps = deps
        self._settings = settings

    async def district_choices(self, actor: Actor) -> list[DistrictChoice] | Denied:
        """The districts a person may pick, own ones marked, with why some cannot go."""
        async with self._deps.uow() as uow:
            s = uow.session
            own = await own_districts(s, actor)
            if not actor.is_coordinator and not own:
                return DENIED
            pool = await checkins.live_districts(s) if actor.is_coordinator else own
            return [
                DistrictChoice(d.name, d.id in {o.id for o in own}, await refusal(s, d))
                for d in pool
            ]

    async def preview(
        self,
        actor: Actor,
        event_text: str,
        district_names: Targets,
        duration: timedelta,
        show_tally: bool = True,
        practice: bool = False,
    ) -> Preview | StartRefusal:
        """Show exactly what each group would get; nothing is stored."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            checked = await self._check(s, actor, event_text, district_names, duration)
            if not isinstance(checked, tuple):
                return checked
            event, plan = checked
            counts = await checkins.key_figure_counts(s, [d.id for d, _ in plan.targets], now)
            scale = self._settings.scale
            messages = tuple(
                CheckInMessage(
                    checkin_id=None,
                    district_id=d.id,
                    district=d.name,
                    event=event,
                    closes_at=now + duration,
                    open=True,
                    tally=tally_view(scale, {}, counts[d.id], show_tally and d.show_tally),
                    choices=scale.levels,
                    practice=practice,
                )
                for d, _ in plan.targets
            )
            return Preview(event, now + duration, show_tally, messages, tuple(plan.refused))

    async def start_checkin(
        self,
        actor: Actor,
        event_text: str,
        district_names: Targets,
        duration: timedelta,
        show_tally: bool = True,
        urgent: bool = False,
        practice: bool = False,
    ) -> CheckInStarted | StartRefusal:
        """Store the event, the check-in and one pending delivery per district, all at once.

        The group messages go at once, whatever the hour (an acute event cannot wait); the
        private copies wait for the end of quiet hours unless the check-in is urgent. A
        practice check-in goes out the same way but never counts (see CheckIn.practice).
        """
        async with self._deps.uow() as uow:
            started = await self.store(
                uow.session,
                actor,
                event_text,
                district_names,
                duration,
                show_tally,
                urgent,
                practice=practice,
            )
            if isinstance(started, CheckInStarted):
                await uow.commit()
            return started

    async def store(
        self,
        s: AsyncSession,
        actor: Actor,
        event_text: str,
        district_names: Targets,
        duration: timedelta,
        show_tally: bool = True,
        urgent: bool = False,
        pulse: PulseMark | None = None,
        *,
        practice: bool = False,
    ) -> CheckInStarted | StartRefusal:
        """Store a check-in in the caller's transaction (a pulse claims its turn in the same)."""
        now = self._deps.clock.now()
        checked = await self._check(s, actor, event_text, district_names, duration)
        if not isinstance(checked, tuple):
            return checked
        text, plan = checked
        person = await actor_person(s, actor, now)
        await s.flush()
        event = Event(description=text, created_by_id=person.id, created_at=now)
        s.add(event)
        await s.flush()
        checkin = CheckIn(
            event_id=event.id,
            started_by_id=person.id,
            status=CheckInStatus.OPEN,
            show_tally=show_tally,
            opened_at=now,
            closes_at=now + duration,
            urgent=urgent,
            kind="incident" if pulse is None else "pulse",
            pulse_schedule_id=None if pulse is None else pulse.schedule_id,
            pulse_weeks=None if pulse is None else pulse.every_weeks,
            practice=practice,
        )
        s.add(checkin)
        await s.flush()
        quiet = self._settings.quiet_hours
        held = None if urgent or not quiet.contains(now) else quiet.end_after(now)
        for district, chat in plan.targets:
            s.add(_delivery(checkin, district, now, chat.telegram_chat_id))
            if district.ask_privately:
                await _add_member_deliveries(s, checkin, district, now, held)
        for district, reason in plan.skipped:
            s.add(_delivery(checkin, district, now, None, reason))
        details: dict[str, object] = {
            "checkin_id": checkin.id,
            "districts": [d.name for d, _ in plan.targets],
            "refused": {r.name: r.reason for r in plan.refused},
            "closes_at": checkin.closes_at.isoformat(),
        }
        if pulse is not None:
            details["pulse_schedule_id"] = pulse.schedule_id
        if practice:
            details["practice"] = True
        audit.record(
            s,
            at=now,
            actor_telegram_id=actor.telegram_user_id,
            action="checkin.started",
            subject=text,
            details=details,
        )
        return CheckInStarted(
            checkin.id,
            text,
            checkin.closes_at,
            show_tally,
            tuple(d.name for d, _ in plan.targets),
            tuple(plan.refused),
            practice=practice,
        )

    def check_event(self, event_text: str) -> str | InvalidEvent:
        """The event text as it will be stored, or why it cannot be (nothing is looked up)."""
        text = event_text.strip()
        limit = self._settings.max_event_length
        if not text:
            return InvalidEvent("empty", limit)
        if len(text) > limit:
            return InvalidEvent("too_long", limit)
        return text

    async def _check(
        self,
        s: AsyncSession,
        actor: Actor,
        event_text: str,
        district_names: Targets,
        duration: timedelta,
    ) -> tuple[str, Plan] | StartRefusal:
        own = await own_districts(s, actor)
        if not actor.is_coordinator and not own:
            return DENIED
        text = self.check_event(event_text)
        if isinstance(text, InvalidEvent):
            return text
        if duration <= timedelta(0):
            return InvalidDuration("not_positive", self._settings.max_duration)
        if duration > self._settings.max_duration:
            return InvalidDuration("too_long", self._settings.max_duration)
        found = await plan(s, actor, own, district_names)
        if not found.targets:
            return NothingToSend(tuple(found.refused))
        return text, found


def _delivery(
    checkin: CheckIn, district: District, now: datetime, chat_id: int | None, skip: str = ""
) -> Delivery:
    return Delivery(
        checkin_id=checkin.id,
        district_id=district.id,
        telegram_chat_id=chat_id,
        status=DeliveryStatus.SKIPPED if skip else DeliveryStatus.PENDING,
        attempts=0,
        last_error=skip or None,
        updated_at=now,
    )


async def _add_member_deliveries(
    s: AsyncSession, checkin: CheckIn, district: District, now: datetime, held: datetime | None
) -> None:
    members = await memberships.of_district(s, district.id, [Role.KEY_FIGURE])
    away = await reminders.away_among(s, [p.id for _, p in members], now)
    for _, person in members:
        # Writing to someone who blocked the bot only costs flood budget; someone away
        # asked not to be written to.
        skip = "away" if person.id in away else None
        skip = skip or (None if person.privately_reachable else "blocked")
        s.add(
            MemberDelivery(
                checkin_id=checkin.id,
                person_id=person.id,
                district_id=district.id,
                status=DeliveryStatus.SKIPPED if skip else DeliveryStatus.PENDING,
                attempts=0,
                last_error=skip,
                updated_at=now,
                held_until=None if skip else held,
            )
        )
