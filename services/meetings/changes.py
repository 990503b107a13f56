"""Moving or cancelling a meeting: everyone who said yes or maybe hears about it.

The group invitations show the change by themselves (the count job edits them: the shown
fingerprint includes the time and the cancellation); people are told after the commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.access import Actor
from services.meetings.headcount import may_see
from services.meetings.views import ChangeRefused, MeetingChanged
from services.outbox import Deps, Outbox
from services.ports import Notice
from storage.models import Meeting, MeetingStatus
from storage.queries import audit, meetings
from storage.queries import meeting_reminders as reminders
from storage.queries.meeting_reminders import DAY_BEFORE


class MeetingChanges:
    """Move or cancel a planned meeting, with an audit entry, telling those coming."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    async def cancel(self, actor: Actor, meeting_id: int) -> MeetingChanged | ChangeRefused:
        """Cancel the meeting; those who said yes or maybe are told."""
        now = self._deps.clock.now()
        outbox = Outbox()
        async with self._deps.uow() as uow:
            s = uow.session
            found = await self._changeable(s, actor, meeting_id, now)
            if isinstance(found, ChangeRefused):
                return found
            meeting = found
            meeting.status, meeting.cancelled_at = MeetingStatus.CANCELLED, now
            names = (await meetings.district_names(s, [meeting.id]))[meeting.id]
            told = await reminders.coming(s, meeting.id)
            outbox.tell_many(
                told,
                Notice(
                    "meeting.cancelled_notice",
                    {"when": meeting.starts_at, "districts": names, "place": meeting.place},
                ),
            )
            audit.record(
                s,
                at=now,
                actor_telegram_id=actor.telegram_user_id,
                action="meeting.cancel",
                subject=f"meeting {meeting.id}",
                details={"districts": names, "starts_at": meeting.starts_at.isoformat()},
            )
            await uow.commit()
            changed = MeetingChanged(
                meeting.id, len(told), meeting.starts_at, meeting.rsvp_deadline
            )
        await outbox.deliver(self._deps)
        return changed

    async def move(
        self, actor: Actor, meeting_id: int, starts_at: datetime
    ) -> MeetingChanged | ChangeRefused:
        """Move the meeting to another time; those who said yes or maybe are told.

        The RSVP deadline stays unless it would now fall after the start: then answers are
        taken until the meeting begins. Those coming get a new day-before reminder.
        """
        now = self._deps.clock.now()
        if starts_at <= now:
            return ChangeRefused("starts_past")
        outbox = Outbox()
        async with self._deps.uow() as uow:
            s = uow.session
            found = await self._changeable(s, actor, meeting_id, now)
            if isinstance(found, ChangeRefused):
                return found
            meeting = found
            if meeting.starts_at == starts_at:
                return ChangeRefused("same_time")
            was = meeting.starts_at
            meeting.starts_at = starts_at
            if meeting.rsvp_deadline > starts_at:
                meeting.rsvp_deadline = starts_at
            if meeting.rsvp_deadline > now:
                meeting.headcount_sent_at = None  # answers open again: a headcount comes
            await reminders.forget(s, meeting.id, DAY_BEFORE)
            names = (await meetings.district_names(s, [meeting.id]))[meeting.id]
            told = await reminders.coming(s, meeting.id)
            outbox.tell_many(
                told,
                Notice(
                    "meeting.moved_notice",
                    {"was": was, "when": starts_at, "districts": names, "place": meeting.place},
                ),
            )
            audit.record(
                s,
                at=now,
                actor_telegram_id=actor.telegram_user_id,
                action="meeting.move",
                subject=f"meeting {meeting.id}",
                details={"from": was.isoformat(), "to": starts_at.isoformat()},
            )
            await uow.commit()
            changed = MeetingChanged(meeting.id, len(told), starts_at, meeting.rsvp_deadline)
        await outbox.deliver(self._deps)
        return changed

    @staticmethod
    async def _changeable(
        s: AsyncSession, actor: Actor, meeting_id: int, now: datetime
    ) -> Meeting | ChangeRefused:
        meeting = await s.get(Meeting, meeting_id)
        if meeting is None or not await may_see(s, actor, meeting_id):
            return ChangeRefused("denied")
        if meeting.status is MeetingStatus.CANCELLED:
            return ChangeRefused("cancelled")
        if meeting.starts_at <= now:
            return ChangeRefused("over")
        return meeting
