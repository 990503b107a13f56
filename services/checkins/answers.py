"""Answering: every press checked on the server, one answer per person, history kept."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.checkins.escalation import escalate
from services.checkins.outcomes import (
    AnswerOutcome,
    Closed,
    NotAMember,
    NotForYou,
    OffScale,
    Press,
    Recorded,
    Unknown,
)
from services.checkins.scale import CheckInSettings
from services.outbox import Deps, Outbox
from storage.models import (
    CheckIn,
    CheckInStatus,
    Delivery,
    District,
    Event,
    MemberDelivery,
    Membership,
    Person,
    Role,
)
from storage.queries import answers, checkins, deliveries, people


class _Lookups:
    """What a batch of presses needs to know, each fact read once per transaction."""

    def __init__(self, s: AsyncSession) -> None:
        self.s = s
        self._checkins: dict[int, tuple[CheckIn, Event] | None] = {}
        self._people: dict[int, Person | None] = {}
        self._key_figure_of: dict[int, int | None] = {}
        self._groups: dict[tuple[int, int], Delivery | None] = {}
        self._privates: dict[tuple[int, int], MemberDelivery | None] = {}

    async def checkin(self, checkin_id: int) -> tuple[CheckIn, Event] | None:
        if checkin_id not in self._checkins:
            # Locked: a close waits until this press is committed, so it is in the tally.
            self._checkins[checkin_id] = await checkins.with_event(self.s, checkin_id, lock=True)
        return self._checkins[checkin_id]

    async def person(self, telegram_user_id: int) -> Person | None:
        if telegram_user_id not in self._people:
            self._people[telegram_user_id] = await people.by_telegram_id(self.s, telegram_user_id)
        return self._people[telegram_user_id]

    async def key_figure_of(self, person_id: int) -> int | None:
        if person_id not in self._key_figure_of:
            self._key_figure_of[person_id] = await self.s.scalar(
                select(Membership.district_id).where(
                    Membership.person_id == person_id, Membership.role == Role.KEY_FIGURE
                )
            )
        return self._key_figure_of[person_id]

    async def on_message(self, press: Press, person: Person | None) -> bool:
        """Tell whether the pressed message is this check-in's, for this district."""
        key = (press.checkin_id, press.district_id)
        if key not in self._groups:
            self._groups[key] = await deliveries.for_district(self.s, *key)
        group = self._groups[key]
        if (
            group is not None
            and group.message_id == press.message_id
            and group.telegram_chat_id == press.chat_id
        ):
            return True
        if person is None:
            return False
        key = (press.checkin_id, person.id)
        if key not in self._privates:
            self._privates[key] = await deliveries.for_member(self.s, *key)
        private = self._privates[key]
        return (
            private is not None
            and private.district_id == press.district_id
            and private.message_id == press.message_id
            # A private question lives in the person's own chat, whose id is theirs.
            and press.chat_id == person.telegram_user_id
        )


class AnswerService:
    """Record answers to check-ins, refusing anything that does not add up."""

    def __init__(self, deps: Deps, settings: CheckInSettings) -> None:
        self._deps = deps
        self._settings = settings

    async def record_answer(
        self,
        telegram_user_id: int,
        checkin_id: int,
        district_id: int,
        message_id: int,
        code: int,
        *,
        chat_id: int,
    ) -> AnswerOutcome:
        """Check one press and store it; acknowledged only once committed."""
        press = Press(telegram_user_id, checkin_id, district_id, message_id, code, chat_id)
        [outcome] = await self.record_answers([press])
        return outcome

    async def record_answers(self, presses: Sequence[Press]) -> list[AnswerOutcome]:
        """Check and store presses that arrived together, in one transaction, in order.

        Each press sees the ones before it, so the outcomes are those of pressing one by one.
        """
        now = self._deps.clock.now()
        outbox = Outbox()
        async with self._deps.uow() as uow:
            look = _Lookups(uow.session)
            outcomes = [await self._one(look, outbox, press, now) for press in presses]
            await uow.commit()
        await outbox.deliver(self._deps)
        return outcomes

    async def _one(
        self, look: _Lookups, outbox: Outbox, press: Press, now: datetime
    ) -> AnswerOutcome:
        scale = self._settings.scale
        found = await look.checkin(press.checkin_id)
        if found is None:
            return Unknown()
        checkin, event = found
        if not scale.has(press.code):
            return OffScale(str(press.code))
        if checkin.status is not CheckInStatus.OPEN or now >= checkin.closes_at:
            return Closed(checkin.closed_at or checkin.closes_at)
        person = await look.person(press.telegram_user_id)
        if not await look.on_message(press, person):
            return NotForYou()
        district = await look.s.get(District, press.district_id)
        assert district is not None  # a delivery to it exists
        if person is None or await look.key_figure_of(person.id) != district.id:
            return NotAMember(district.name)
        stored = await answers.upsert(
            look.s,
            checkin_id=checkin.id,
            person_id=person.id,
            district_id=district.id,
            code=press.code,
            at=now,
        )
        if stored != "same" and press.code in scale.acute_codes:
            await escalate(
                look.s,
                outbox,
                kind="acute",
                checkin=checkin,
                event=event,
                district=district,
                person=person,
                now=now,
            )
        return Recorded(
            checkin_id=checkin.id,
            district=district.name,
            code=press.code,
            label_key=scale.label_key(press.code),
            changeable_until=checkin.closes_at,
            first_time=stored == "new",
            changed=stored == "changed",
        )
