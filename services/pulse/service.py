"""Schedule, list, pause, resume and delete recurring pulses; start the ones that are due.

Each occurrence is an ordinary check-in, stored by the same starter as /peiling, in the same
transaction that claims it (the schedule's next_due_at moved on with a conditional UPDATE):
a crash leaves either both or neither, and two looks at the same moment start it once.
After downtime the schedule moves on to the first occurrence after *now*: whatever was
missed goes out late once, not once per missed period. Nothing starts inside quiet hours:
a time inside them is refused when scheduling, and a late occurrence waits for their end.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.access import Actor, actor_person
from services.checkins.outcomes import ALL, CheckInStarted, InvalidEvent, NothingToSend
from services.checkins.scale import CheckInSettings
from services.checkins.start import CheckInStarter, PulseMark
from services.checkins.targets import own_districts, plan
from services.outbox import Deps
from services.outcomes import DENIED, Denied
from services.pulse.outcomes import (
    InsideQuietHours,
    PulseChanged,
    PulseLine,
    PulseNotFound,
    PulseRequest,
    PulseScheduled,
    PulseStarted,
    PulseTooLong,
)
from services.pulse.rules import Rhythm, first_anchor, next_after
from storage.models import PulseSchedule
from storage.queries import audit, people, pulses

log = logging.getLogger(__name__)

ScheduleRefusal = Denied | InsideQuietHours | PulseTooLong | InvalidEvent | NothingToSend


def rhythm_of(schedule: PulseSchedule) -> Rhythm:
    """The rhythm a stored schedule keeps."""
    return Rhythm(
        every_weeks=schedule.every_weeks,
        weekday=schedule.weekday,
        at=time(schedule.hour, schedule.minute),
        week_of_month=schedule.week_of_month or 1,
        anchor=date.fromisoformat(schedule.anchor_date) if schedule.every_weeks else None,
    )


def period(every_weeks: int) -> timedelta:
    """The shortest time between two occurrences (a month of four weeks)."""
    return timedelta(weeks=every_weeks or 4)


class PulseService:
    """Recurring pulses for a chief's own districts, or for any district by a coordinator."""

    def __init__(
        self, deps: Deps, settings: CheckInSettings, starter: CheckInStarter, tz: ZoneInfo
    ) -> None:
        self._deps = deps
        self._settings = settings
        self._starter = starter
        self._tz = tz

    async def schedule(
        self, actor: Actor, request: PulseRequest
    ) -> PulseScheduled | ScheduleRefusal:
        """Check and store a recurring pulse; its first occurrence is the next one to come."""
        now = self._deps.clock.now()
        quiet = self._settings.quiet_hours
        # Any day will do: quiet hours are a wall-clock window.
        if quiet.contains(datetime.combine(now.astimezone(self._tz).date(), request.at, quiet.tz)):
            return InsideQuietHours(quiet.start, quiet.end)
        longest = min(self._settings.max_duration, period(request.every_weeks))
        if request.duration <= timedelta(0) or request.duration > longest:
            return PulseTooLong(longest)
        question = self._starter.check_event(request.question)
        if isinstance(question, InvalidEvent):
            return question
        rhythm = Rhythm(request.every_weeks, request.weekday, request.at, request.week_of_month)
        anchor = first_anchor(rhythm, now, self._tz)
        if request.every_weeks:
            rhythm = Rhythm(rhythm.every_weeks, rhythm.weekday, rhythm.at, anchor=anchor)
        async with self._deps.uow() as uow:
            s = uow.session
            own = await own_districts(s, actor)
            if not actor.is_coordinator and not own:
                return DENIED
            found = await plan(s, actor, own, request.districts or ALL)
            ids = [d.id for d, _ in found.targets] + [d.id for d, _ in found.skipped]
            # A district without its group yet still counts: each occurrence looks again.
            if not ids:
                return NothingToSend(tuple(found.refused))
            person = await actor_person(s, actor, now)
            await s.flush()
            schedule = PulseSchedule(
                created_by_id=person.id,
                created_at=now,
                question=question,
                every_weeks=request.every_weeks,
                week_of_month=None if request.every_weeks else request.week_of_month,
                weekday=request.weekday,
                hour=request.at.hour,
                minute=request.at.minute,
                anchor_date=anchor.isoformat(),
                duration_minutes=int(request.duration.total_seconds() // 60),
                all_districts=not request.districts,
                next_due_at=next_after(rhythm, now, self._tz),
            )
            await pulses.add(s, schedule, [] if schedule.all_districts else ids)
            audit.record(
                s,
                at=now,
                actor_telegram_id=actor.telegram_user_id,
                action="pulse.scheduled",
                subject=question,
                details={"pulse_schedule_id": schedule.id, "every_weeks": schedule.every_weeks},
            )
            names = await pulses.district_names(s, [schedule.id])
            await uow.commit()
            refused = () if schedule.all_districts else tuple(found.refused)
            return PulseScheduled(_line(schedule, names[schedule.id]), refused)

    async def listing(self, actor: Actor) -> list[PulseLine] | Denied:
        """A coordinator's view: every schedule; a chief's: the ones they made."""
        async with self._deps.uow.read_only() as uow:
            s = uow.session
            if not actor.is_coordinator and not await own_districts(s, actor):
                return DENIED
            person = await people.by_telegram_id(s, actor.telegram_user_id)
            if person is None and not actor.is_coordinator:
                return []
            mine = None if actor.is_coordinator or person is None else person.id
            found = await pulses.listed(s, mine)
            names = await pulses.district_names(s, [p.id for p in found])
            return [_line(p, names[p.id]) for p in found]

    async def change(
        self, actor: Actor, schedule_id: int, action: str
    ) -> PulseChanged | PulseNotFound:
        """Pause, resume or delete a schedule: its maker, or any coordinator."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            schedule = await pulses.get(s, schedule_id)
            person = await people.by_telegram_id(s, actor.telegram_user_id)
            mine = (
                person is not None and schedule is not None and schedule.created_by_id == person.id
            )
            if schedule is None or not (actor.is_coordinator or mine):
                return PulseNotFound()
            line: PulseLine | None
            if action == "pause":
                schedule.paused_at = schedule.paused_at or now
            elif action == "resume" and schedule.paused_at is not None:
                # What was missed while paused is not sent: the next one to come is.
                schedule.paused_at = None
                schedule.next_due_at = next_after(rhythm_of(schedule), now, self._tz)
            elif action == "delete":
                await pulses.remove(s, schedule_id)
            elif action != "resume":
                return PulseNotFound()
            audit.record(
                s,
                at=now,
                actor_telegram_id=actor.telegram_user_id,
                action=f"pulse.{action}",
                subject=schedule.question,
                details={"pulse_schedule_id": schedule_id},
            )
            names = await pulses.district_names(s, [schedule_id])
            line = None if action == "delete" else _line(schedule, names[schedule_id])
            await uow.commit()
            done = {"pause": "paused", "resume": "resumed", "delete": "deleted"}[action]
            return PulseChanged(done, line)

    async def start_due(self) -> list[PulseStarted]:
        """Start every occurrence that has come (late ones once), outside quiet hours."""
        now = self._deps.clock.now()
        if self._settings.quiet_hours.contains(now):
            return []  # a late occurrence waits for the end of quiet hours
        async with self._deps.uow.read_only() as uow:
            # Skip every missed period: the next one is the first after now.
            found = [
                (p.id, p.next_due_at, next_after(rhythm_of(p), now, self._tz))
                for p in await pulses.due(uow.session, now)
            ]
        started: list[PulseStarted] = []
        for schedule_id, due_at, following in found:
            outcome = await self._occur(schedule_id, due_at, following, now)
            if outcome is not None:
                started.append(outcome)
        return started

    async def _occur(
        self, schedule_id: int, due_at: datetime, following: datetime, now: datetime
    ) -> PulseStarted | None:
        async with self._deps.uow() as uow:
            s = uow.session
            if not await pulses.claim(s, schedule_id, due_at, following, now):
                return None  # another look took it, or it was paused meanwhile
            schedule = await pulses.get(s, schedule_id)
            assert schedule is not None  # the claim just updated it
            creator = await people.by_id(s, schedule.created_by_id)
            assert creator is not None  # the schedule goes with its creator (cascade)
            actor = Actor(creator.telegram_user_id, creator.display_name, creator.is_coordinator)
            names = (await pulses.district_names(s, [schedule.id]))[schedule.id]
            started = await self._starter.store(
                s,
                actor,
                schedule.question,
                ALL if schedule.all_districts else names,
                timedelta(minutes=schedule.duration_minutes),
                pulse=PulseMark(schedule.id, schedule.every_weeks),
            )
            if not isinstance(started, CheckInStarted):
                # Nowhere to ask this time (districts archived, the chief no longer one):
                # the turn passes, recorded; the schedule stays for the next one.
                audit.record(
                    s,
                    at=now,
                    actor_telegram_id=None,
                    action="pulse.skipped",
                    subject=schedule.question,
                    details={"pulse_schedule_id": schedule.id, "why": type(started).__name__},
                )
                await uow.commit()
                log.info("pulse %s: nothing to send this time", schedule.id)
                return None
            await uow.commit()
            log.info("pulse %s: check-in %s started", schedule.id, started.checkin_id)
            return PulseStarted(schedule.id, started.checkin_id, started.closes_at)


def _line(schedule: PulseSchedule, names: list[str]) -> PulseLine:
    return PulseLine(
        schedule_id=schedule.id,
        question=schedule.question,
        every_weeks=schedule.every_weeks,
        week_of_month=schedule.week_of_month,
        weekday=schedule.weekday,
        at=time(schedule.hour, schedule.minute),
        duration=timedelta(minutes=schedule.duration_minutes),
        districts=tuple(names),
        next_due_at=schedule.next_due_at,
        paused=schedule.paused_at is not None,
        last_occurrence_at=schedule.last_occurrence_at,
    )
