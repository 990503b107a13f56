"""Dietary needs, asked privately after 'Ik kom' or 'Misschien', stored only with consent.

They can reveal religion or health, so: asked with a plain line that they are only for the
meal; stored per meeting in their own table; changeable and clearable at any time; forgotten
after the meeting unless the person asked to remember them; and only ever counted for others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.meetings.views import DIETARY_CODES
from services.outbox import Deps
from storage.models import DietaryNeed, Meeting, MeetingStatus, Person, Rsvp, RsvpAnswer
from storage.queries import audit, dietary, people

MAX_FREE_TEXT = 200
# How long after its start a meeting's needs are kept (the meal may run late, the caterer's
# bill may ask): then they are forgotten unless remembered.
KEEP_AFTER_START = timedelta(hours=12)

Action = Literal["consent", "none", "toggle", "remember", "clear", "text"]


@dataclass(frozen=True)
class DietaryView:
    """What the person's own panel shows: their needs for one meeting."""

    meeting_id: int
    starts_at: datetime
    consented: bool
    needs: tuple[str, ...] = ()
    free_text: str | None = None
    remember: bool = False


@dataclass(frozen=True)
class DietaryRefused:
    """Not for this person: not coming to that meeting, or it is over or cancelled."""

    reason: Literal["not_coming", "over", "text_too_long", "unknown"]


class DietaryService:
    """A person's own dietary needs: ask, change, clear, remember, forget after the meeting."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    async def view(self, telegram_user_id: int, meeting_id: int) -> DietaryView | DietaryRefused:
        """The person's needs for a meeting they said they would (maybe) come to."""
        async with self._deps.uow() as uow:
            found = await self._own(uow.session, telegram_user_id, meeting_id)
            if isinstance(found, DietaryRefused):
                return found
            person, meeting = found
            need = await dietary.of(uow.session, meeting.id, person.id)
            return _view(meeting, need)

    async def change(
        self,
        telegram_user_id: int,
        meeting_id: int,
        action: Action,
        value: int = 0,
        text: str = "",
    ) -> DietaryView | DietaryRefused:
        """Apply one press (or the typed free text) of the person's panel."""
        now = self._deps.clock.now()
        if action == "text" and len(text.strip()) > MAX_FREE_TEXT:
            return DietaryRefused("text_too_long")
        async with self._deps.uow() as uow:
            s = uow.session
            found = await self._own(s, telegram_user_id, meeting_id)
            if isinstance(found, DietaryRefused):
                return found
            person, meeting = found
            need = await dietary.of(s, meeting.id, person.id)
            if action in ("none", "clear"):
                await dietary.drop(s, person.id, None if action == "clear" else meeting.id)
                await uow.commit()
                return _view(meeting, None)
            if need is None:
                if action != "consent":
                    return DietaryRefused("unknown")  # a stale panel: no consent stored
                need = await _consented(s, person, meeting, now)
            if action == "toggle":
                if not 0 <= value < len(DIETARY_CODES):
                    return DietaryRefused("unknown")
                code = DIETARY_CODES[value]
                chosen = set(need.needs) ^ {code}
                need.needs = [c for c in DIETARY_CODES if c in chosen]
            elif action == "remember":
                need.remember = not need.remember
            elif action == "text":
                need.free_text = text.strip() or None
            need.updated_at = now
            await s.flush()
            if need.remember:
                await dietary.drop_remembered_except(s, person.id, need.id)
            await uow.commit()
            return _view(meeting, need)

    async def offer(self, telegram_user_id: int, meeting_id: int) -> DietaryView | DietaryRefused:
        """What to show after 'Ik kom': remembered needs carry over (that was the consent)."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            found = await self._own(s, telegram_user_id, meeting_id)
            if isinstance(found, DietaryRefused):
                return found
            person, meeting = found
            need = await dietary.of(s, meeting.id, person.id)
            if need is None and await dietary.remembered(s, person.id) is not None:
                need = await _consented(s, person, meeting, now)
                await dietary.drop_remembered_except(s, person.id, need.id)
                await uow.commit()
            return _view(meeting, need)

    async def next_meeting(self, telegram_user_id: int) -> int | None:
        """The next meeting the person said they would (maybe) come to, if any."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            person = await people.by_telegram_id(s, telegram_user_id)
            if person is None:
                return None
            return await s.scalar(
                select(Meeting.id)
                .join(Rsvp, Rsvp.meeting_id == Meeting.id)
                .where(
                    Rsvp.person_id == person.id,
                    Rsvp.answer.in_([RsvpAnswer.YES, RsvpAnswer.MAYBE]),
                    Meeting.status == MeetingStatus.PLANNED,
                    Meeting.starts_at > now,
                )
                .order_by(Meeting.starts_at, Meeting.id)
                .limit(1)
            )

    async def remembered(self, telegram_user_id: int) -> DietaryNeed | None:
        """The needs the person asked to be remembered (their own, for their own chat)."""
        async with self._deps.uow() as uow:
            person = await people.by_telegram_id(uow.session, telegram_user_id)
            if person is None:
                return None
            found = await dietary.remembered(uow.session, person.id)
            if found is not None:
                uow.session.expunge(found)
            return found

    async def clear_all(self, telegram_user_id: int) -> int:
        """Erase every dietary need the person ever gave, remembered ones included."""
        async with self._deps.uow() as uow:
            person = await people.by_telegram_id(uow.session, telegram_user_id)
            if person is None:
                return 0
            gone = await dietary.drop(uow.session, person.id)
            await uow.commit()
            return gone

    async def after_rsvp(self, telegram_user_id: int, meeting_id: int, answer: RsvpAnswer) -> None:
        """Drop the needs of someone who now says they cannot come; the meal is not theirs."""
        if answer is not RsvpAnswer.NO:
            return
        async with self._deps.uow() as uow:
            person = await people.by_telegram_id(uow.session, telegram_user_id)
            if person is not None:
                need = await dietary.of(uow.session, meeting_id, person.id)
                if need is not None and not need.remember:
                    await uow.session.delete(need)
                    await uow.commit()

    async def forget_after_meetings(self) -> int:
        """Delete the needs of meetings that are over, except what people asked to remember."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            gone = await dietary.forget_past(uow.session, now - KEEP_AFTER_START)
            if gone:  # a removal by retention, counted as the daily run counts its own
                audit.record(
                    uow.session,
                    at=now,
                    actor_telegram_id=None,
                    action="retention.removed",
                    subject="",
                    details={"dietary_needs": gone},
                )
            await uow.commit()
            return gone

    async def _own(
        self, s: AsyncSession, telegram_user_id: int, meeting_id: int
    ) -> tuple[Person, Meeting] | DietaryRefused:
        person = await people.by_telegram_id(s, telegram_user_id)
        meeting = await s.get(Meeting, meeting_id)
        if person is None or meeting is None:
            return DietaryRefused("unknown")
        if (
            meeting.status is MeetingStatus.CANCELLED
            or meeting.starts_at <= self._deps.clock.now()
        ):
            return DietaryRefused("over")
        rsvp = await s.scalar(
            select(Rsvp.answer).where(Rsvp.meeting_id == meeting.id, Rsvp.person_id == person.id)
        )
        if rsvp not in (RsvpAnswer.YES, RsvpAnswer.MAYBE):
            return DietaryRefused("not_coming")
        return person, meeting


async def _consented(
    s: AsyncSession, person: Person, meeting: Meeting, now: datetime
) -> DietaryNeed:
    """A new row for this meeting, starting from what the person asked to be remembered."""
    earlier = await dietary.remembered(s, person.id)
    need = DietaryNeed(
        meeting_id=meeting.id,
        person_id=person.id,
        needs=list(earlier.needs) if earlier is not None else [],
        free_text=earlier.free_text if earlier is not None else None,
        remember=earlier is not None,
        consented_at=now,
        updated_at=now,
    )
    s.add(need)
    await s.flush()
    return need


def _view(meeting: Meeting, need: DietaryNeed | None) -> DietaryView:
    if need is None:
        return DietaryView(meeting.id, meeting.starts_at, consented=False)
    return DietaryView(
        meeting.id,
        meeting.starts_at,
        consented=True,
        needs=tuple(need.needs),
        free_text=need.free_text,
        remember=need.remember,
    )
