"""Answering: every press checked on the server, one answer per person, history kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.checkins.baseline import BaselineWatch, Moved
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
    CheckInStatus,
    Delivery,
    District,
    MemberDelivery,
    Membership,
    Person,
    Role,
)
from storage.queries import answers, checkins, deliveries, reminders
from storage.queries import presses as press_rows
from storage.queries.presses import GroupMessage, Sheet


class _Who(NamedTuple):
    """A presser, as far as checking a press needs: plain columns, not a loaded Person."""

    id: int
    telegram_user_id: int


class _Where(NamedTuple):
    """A pressed district, as far as checking a press needs."""

    id: int
    name: str


def _group(found: Delivery | None) -> GroupMessage | None:
    if found is None:
        return None
    return GroupMessage(
        found.id,
        found.checkin_id,
        found.district_id,
        found.telegram_chat_id,
        found.message_id,
        found.uncertain,
        "",  # not read: the district's name comes from _Lookups.district
    )


class _Lookups:
    """What a batch of presses needs to know, each fact read once per transaction.

    `prefetch` reads what a whole batch will ask in a few queries; the look-ups below then
    answer from memory (and read for themselves only what was not fetched). Check-ins,
    people, districts and group messages are plain rows (storage/queries/presses.py): a
    batch holds a hundred of each; an escalation loads the few objects it needs.
    """

    def __init__(self, s: AsyncSession, now: datetime) -> None:
        self.s = s
        self.now = now
        self._checkins: dict[int, Sheet | None] = {}
        self._people: dict[int, _Who | None] = {}
        self._key_figure_of: dict[int, int | None] = {}
        self._groups: dict[tuple[int, int], GroupMessage | None] = {}
        self._privates: dict[tuple[int, int], MemberDelivery | None] = {}
        self._districts: dict[int, _Where | None] = {}

    async def prefetch(self, presses: Sequence[Press]) -> None:
        """Read the check-ins, people, memberships, districts and deliveries of all presses."""
        checkin_ids = sorted({p.checkin_id for p in presses})
        district_ids = sorted({p.district_id for p in presses})
        for checkin_id in checkin_ids:  # one at a time: each is locked
            await self.checkin(checkin_id)
        await self._fetch_people({p.telegram_user_id for p in presses})
        # The group messages, with their districts' names (a district with no message of
        # these check-ins is read on its own, below).
        self._groups |= {(c, d): None for c in checkin_ids for d in district_ids}
        for group in await press_rows.group_messages(self.s, checkin_ids, district_ids):
            self._groups[(group.checkin_id, group.district_id)] = group
            self._districts[group.district_id] = _Where(group.district_id, group.district_name)
        rest = [d for d in district_ids if d not in self._districts]
        if rest:
            self._districts |= dict.fromkeys(rest)
            found = await press_rows.district_names(self.s, rest)
            self._districts |= {id_: _Where(id_, name) for id_, name in found.items()}
        # Private questions matter only for the presses that were not on a group message.
        elsewhere = {
            person.id
            for p in presses
            if not self._on_group(p) and (person := self._people.get(p.telegram_user_id))
        }
        if elsewhere:
            self._privates |= {(c, p): None for c in checkin_ids for p in elsewhere}
            for private in await self.s.scalars(
                select(MemberDelivery).where(
                    MemberDelivery.checkin_id.in_(checkin_ids),
                    MemberDelivery.person_id.in_(elsewhere),
                )
            ):
                self._privates[(private.checkin_id, private.person_id)] = private

    async def _fetch_people(self, telegram_user_ids: set[int]) -> None:
        """The people behind these ids, and the district each is a key figure of."""
        self._people |= dict.fromkeys(telegram_user_ids)
        for found in await press_rows.pressers(self.s, telegram_user_ids):
            self._people[found.telegram_user_id] = _Who(found.id, found.telegram_user_id)
            self._key_figure_of[found.id] = found.key_figure_of

    async def checkin(self, checkin_id: int) -> Sheet | None:
        if checkin_id not in self._checkins:
            # Locked: a close waits until this press is committed, so it is in the tally.
            self._checkins[checkin_id] = await press_rows.sheet(self.s, checkin_id, lock=True)
        return self._checkins[checkin_id]

    async def person(self, telegram_user_id: int) -> _Who | None:
        if telegram_user_id not in self._people:
            await self._fetch_people({telegram_user_id})
        return self._people[telegram_user_id]

    async def district(self, district_id: int) -> _Where | None:
        if district_id not in self._districts:
            found = await press_rows.district_names(self.s, [district_id])
            name = found.get(district_id)
            self._districts[district_id] = None if name is None else _Where(district_id, name)
        return self._districts[district_id]

    async def key_figure_of(self, person_id: int) -> int | None:
        if person_id not in self._key_figure_of:
            self._key_figure_of[person_id] = await self.s.scalar(
                select(Membership.district_id).where(
                    Membership.person_id == person_id, Membership.role == Role.KEY_FIGURE
                )
            )
        return self._key_figure_of[person_id]

    def _on_group(self, press: Press) -> bool:
        group = self._groups.get((press.checkin_id, press.district_id))
        return (
            group is not None
            and group.message_id == press.message_id
            and group.telegram_chat_id == press.chat_id
        )

    async def on_message(self, press: Press, person: _Who | None) -> bool:
        """Tell whether the pressed message is this check-in's, for this district."""
        key = (press.checkin_id, press.district_id)
        if key not in self._groups:
            self._groups[key] = _group(await deliveries.for_district(self.s, *key))
        if self._on_group(press) or await self._adopted(press):
            return True
        if person is None:
            return False
        key = (press.checkin_id, person.id)
        if key not in self._privates:
            self._privates[key] = await deliveries.for_member(self.s, *key)
        private = self._privates[key]
        # A private question lives in the person's own chat, whose id is theirs.
        if press.chat_id != person.telegram_user_id:
            return False
        if (
            private is not None
            and private.district_id == press.district_id
            # A copy of an uncertain send is as good as the one the bot knows of.
            and (private.message_id == press.message_id or private.uncertain)
        ):
            return True
        # A private reminder carries the same buttons (read only here: rare beside the rest).
        # One still in flight has no stored message id yet: its press in the person's own
        # chat counts (the person, district and check-in are checked all the same).
        sent, in_flight = await reminders.message_ids(self.s, press.checkin_id, person.id)
        return press.message_id in sent or in_flight

    async def _adopted(self, press: Press) -> bool:
        """Accept a press on another copy of an uncertain group message, and adopt the copy."""
        group = self._groups.get((press.checkin_id, press.district_id))
        if group is None or not group.uncertain or group.telegram_chat_id != press.chat_id:
            return False
        await deliveries.adopt_copy(self.s, group.id, press.message_id, self.now)
        # Edit again, copies and all: the copy shows an old tally until then.
        await deliveries.forget_shown(self.s, group.id)
        return True


class AnswerService:
    """Record answers to check-ins, refusing anything that does not add up."""

    def __init__(
        self, deps: Deps, settings: CheckInSettings, watch: BaselineWatch | None = None
    ) -> None:
        self._deps = deps
        self._settings = settings
        self._watch = watch or BaselineWatch(settings.scale, settings.baseline)

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

        Each press sees the ones before it, so the outcomes are those of pressing one by one:
        a person's presses are stored in the order they came, one statement per round.
        """
        now = self._deps.clock.now()
        outbox = Outbox()
        async with self._deps.uow() as uow:
            look = _Lookups(uow.session, now)
            await look.prefetch(presses)
            checked = [await self._check(look, press, now) for press in presses]
            stored = await _store(look.s, [c for c in checked if isinstance(c, _Valid)], now)
            outcomes: list[AnswerOutcome] = []
            for found in checked:
                if not isinstance(found, _Valid):
                    outcomes.append(found)
                    continue
                outcomes.append(self._recorded(found, stored[id(found)]))
                acute = found.press.code in self._settings.scale.acute_codes
                # A practice check-in never alerts chiefs: only its summary tells them.
                if stored[id(found)] != "same" and acute and not found.checkin.practice:
                    # Read in this transaction a moment ago: all are there.
                    loaded = await checkins.with_event(look.s, found.checkin.id)
                    district = await look.s.get(District, found.district.id)
                    person = await look.s.get(Person, found.person.id)
                    assert loaded is not None and district is not None and person is not None
                    await escalate(
                        look.s,
                        outbox,
                        kind="acute",
                        checkin=loaded[0],
                        event=loaded[1],
                        district=district,
                        person=person,
                        now=now,
                    )
            # Only a changed answer can add to 'high and rising': a first one has no follow-up
            # yet (saying 'rising' needs an answer first, services/checkins/followups.py), so
            # a burst of first answers costs the watch no query without a baseline.
            moved = [
                Moved(v.checkin, v.checkin, v.district, rises)
                for v in checked
                if isinstance(v, _Valid) and (done := stored[id(v)]) != "same"
                if not v.checkin.practice  # practice raises no alerts
                for rises in [done == "changed" and v.press.code in self._watch.high]
            ]
            await self._watch.check(look.s, outbox, moved, now)
            await uow.commit()
        await outbox.deliver(self._deps)
        return outcomes

    async def _check(self, look: _Lookups, press: Press, now: datetime) -> AnswerOutcome | _Valid:
        """Refuse what does not add up; what does is stored by _store."""
        scale = self._settings.scale
        checkin = await look.checkin(press.checkin_id)
        if checkin is None:
            return Unknown()
        if not scale.has(press.code):
            return OffScale(str(press.code))
        if checkin.status is not CheckInStatus.OPEN or now >= checkin.closes_at:
            return Closed(checkin.closed_at or checkin.closes_at)
        person = await look.person(press.telegram_user_id)
        if not await look.on_message(press, person):
            return NotForYou()
        district = await look.district(press.district_id)
        assert district is not None  # a delivery to it exists
        if person is None or await look.key_figure_of(person.id) != district.id:
            return NotAMember(district.name)
        return _Valid(press, checkin, district, person)

    def _recorded(self, valid: _Valid, stored: answers.Stored) -> Recorded:
        scale = self._settings.scale
        return Recorded(
            checkin_id=valid.checkin.id,
            district=valid.district.name,
            code=valid.press.code,
            label_key=scale.label_key(valid.press.code),
            changeable_until=valid.checkin.closes_at,
            first_time=stored == "new",
            changed=stored == "changed",
            event=valid.checkin.description,
            practice=valid.checkin.practice,
        )


@dataclass(eq=False)
class _Valid:
    """A press that checks out, with what it was checked against."""

    press: Press
    checkin: Sheet
    district: _Where
    person: _Who


async def _store(
    s: AsyncSession, valid: Sequence[_Valid], now: datetime
) -> dict[int, answers.Stored]:
    """Store the valid presses, in rounds that hold each person's n-th press of a check-in.

    One statement per round instead of one per press; the rounds keep each person's presses
    in order, and nothing else depends on the order. Keyed by id() of the _Valid.
    """
    rounds: list[list[_Valid]] = []
    seen: dict[tuple[int, int], int] = {}
    for found in valid:
        key = (found.checkin.id, found.person.id)
        seen[key] = seen.get(key, -1) + 1
        if seen[key] == len(rounds):
            rounds.append([])
        rounds[seen[key]].append(found)
    stored: dict[int, answers.Stored] = {}
    for round_ in rounds:
        done = await answers.upsert_many(
            s,
            [(v.checkin.id, v.person.id, v.district.id, v.press.code) for v in round_],
            at=now,
        )
        stored |= {id(v): done[(v.checkin.id, v.person.id)] for v in round_}
    return stored
