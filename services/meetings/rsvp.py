"""RSVP presses: checked on the server, one per person per meeting, changeable until the
deadline; and the group invitations' counts, edited at most once per interval."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from services.checkins.scale import CheckInSettings
from services.group_lifecycle import GroupLifecycle
from services.meetings.messages import messages_for
from services.meetings.views import MeetingEdit, RsvpRecorded, RsvpRefused
from services.outbox import Deps
from storage.models import Meeting, MeetingStatus, RsvpAnswer
from storage.queries import meetings, people

# Group edits in flight at once: about what Telegram takes in a second.
EDITS_AT_ONCE = 30


@dataclass(frozen=True)
class RsvpPress:
    """A press on an RSVP button, as the callback data and the update say (untrusted)."""

    telegram_user_id: int
    meeting_id: int
    answer: str
    chat_id: int  # where the pressed message is, as the update says
    message_id: int


class RsvpService:
    """Record RSVPs and keep the group invitations' counts up to date, without flooding."""

    def __init__(self, deps: Deps, settings: CheckInSettings, groups: GroupLifecycle) -> None:
        self._deps = deps
        self._settings = settings
        self._groups = groups

    async def record(self, press: RsvpPress) -> RsvpRecorded | RsvpRefused:
        """Store a press on the meeting's invitation by someone invited, while RSVPs are open."""
        try:
            answer = RsvpAnswer(press.answer)
        except ValueError:
            return RsvpRefused("unknown")
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            meeting = await s.get(Meeting, press.meeting_id)
            if meeting is None:
                return RsvpRefused("unknown")
            if meeting.status is MeetingStatus.CANCELLED:
                return RsvpRefused("cancelled")
            if now >= meeting.rsvp_deadline:
                return RsvpRefused("closed")
            person = await people.by_telegram_id(s, press.telegram_user_id)
            invited = await meetings.invited_districts(s, meeting.id)
            mine = [] if person is None else await meetings.membership_in(s, person.id, invited)
            if person is None or not mine:
                return RsvpRefused("not_invited")
            # Like an answer press: the data names the meeting, the message must be its own.
            if not await meetings.pressed_on_invitation(
                s, meeting.id, person.id, press.telegram_user_id, press.chat_id, press.message_id
            ):
                return RsvpRefused("unknown")
            before = await meetings.upsert_rsvp(
                s,
                meeting_id=meeting.id,
                person_id=person.id,
                district_id=mine[0],
                answer=answer,
                at=now,
            )
            await uow.commit()
            return RsvpRecorded(meeting.id, answer, before, meeting.rsvp_deadline, person.language)

    async def edits_due(self, now: datetime | None = None) -> list[MeetingEdit]:
        """Group invitations whose shown count differs and whose last edit is long enough ago."""
        now = now or self._deps.clock.now()
        quiet_since = now - self._settings.tally_interval
        async with self._deps.uow() as uow:
            s = uow.session
            rows = await meetings.shown_in_groups(s, now - self._settings.final_edit_window)
            if not rows:
                return []  # the usual case between meetings: one query, nothing more
            messages = await messages_for(s, [(m, d.id) for _, m, d in rows], now)
            due: list[MeetingEdit] = []
            for (send, _, _), message in zip(rows, messages, strict=True):
                shown_hash = message.shown_hash()
                if shown_hash == send.shown_text_hash:
                    continue
                if send.last_edited_at is not None and send.last_edited_at > quiet_since:
                    continue
                assert send.telegram_chat_id is not None and send.message_id is not None
                due.append(
                    MeetingEdit(
                        send.id, send.telegram_chat_id, send.message_id, message, shown_hash
                    )
                )
            return due

    async def refresh(self) -> int:
        """Make every due edit now (a job runs this every few seconds); return how many."""
        edits = await self.edits_due()
        gate = asyncio.Semaphore(EDITS_AT_ONCE)

        async def one(edit: MeetingEdit) -> bool:
            async with gate:
                sent = await self._deps.notifier.edit_meeting(
                    edit.chat_id, edit.message_id, edit.message
                )
                # A hard failure ('message to edit not found') would fail forever: accept it.
                settled = sent.ok or sent.error in ("failed", "kicked", "blocked")
                async with self._deps.uow() as uow:
                    await meetings.mark_shown(
                        uow.session,
                        edit.send_id,
                        edit.shown_hash if settled else None,
                        self._deps.clock.now(),
                    )
                    await uow.commit()
                if sent.error == "kicked":
                    await self._groups.mark_group_unreachable(edit.chat_id, "kicked")
                return sent.ok

        results = await asyncio.gather(*(one(edit) for edit in edits), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return sum(1 for result in results if result is True)
