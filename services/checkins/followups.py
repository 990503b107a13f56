"""The optional depth after an answer: direction, themes, free text, a contact request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from services.checkins.baseline import BaselineWatch, Moved
from services.checkins.escalation import escalate
from services.checkins.outcomes import (
    Closed,
    FollowUpState,
    NotAnswered,
    OffScale,
    TextTooLong,
    Unknown,
)
from services.checkins.scale import CheckInSettings
from services.outbox import Deps, Outbox
from storage.models import CheckIn, CheckInStatus, Direction, District, Event, FollowUp
from storage.queries import answers, checkins, people

Refusal = Closed | NotAnswered | Unknown
Change = Callable[[FollowUp], None]


class FollowUpService:
    """Let a key figure who answered add depth while the check-in is open; all skippable."""

    def __init__(
        self, deps: Deps, settings: CheckInSettings, watch: BaselineWatch | None = None
    ) -> None:
        self._deps = deps
        self._settings = settings
        self._watch = watch or BaselineWatch(settings.scale, settings.baseline)

    async def follow_up(self, telegram_user_id: int, checkin_id: int) -> FollowUpState | Refusal:
        """What the person has added so far, and what they can choose from."""
        return await self._change(telegram_user_id, checkin_id, None)

    async def set_direction(
        self, telegram_user_id: int, checkin_id: int, direction: str | None
    ) -> FollowUpState | Refusal | OffScale:
        """Set where the mood is heading (rising, same, easing), or clear it with None."""
        allowed = {d.value: d for d in self._settings.scale.directions}
        if direction is not None and direction not in allowed:
            return OffScale(direction)

        def change(f: FollowUp) -> None:
            f.direction = None if direction is None else allowed[direction]

        rising = direction == Direction.RISING.value
        return await self._change(telegram_user_id, checkin_id, change, rising=rising)

    async def toggle_theme(
        self, telegram_user_id: int, checkin_id: int, theme: str
    ) -> FollowUpState | Refusal | OffScale:
        """Switch one theme on or off; several may be on at once."""
        options = self._settings.scale.themes
        if theme not in options:
            return OffScale(theme)

        def change(f: FollowUp) -> None:
            chosen = set(f.themes) ^ {theme}
            # A new list (not in-place) so the JSON column sees the change; scale order.
            f.themes = [t for t in options if t in chosen]

        return await self._change(telegram_user_id, checkin_id, change)

    async def set_free_text(
        self, telegram_user_id: int, checkin_id: int, text: str | None
    ) -> FollowUpState | Refusal | TextTooLong:
        """Keep a short free text exactly as written (blank clears it)."""
        limit = self._settings.max_free_text
        if text is not None and len(text) > limit:
            return TextTooLong(limit, len(text))

        def change(f: FollowUp) -> None:
            f.free_text = text if text and text.strip() else None

        return await self._change(telegram_user_id, checkin_id, change)

    async def set_contact(
        self, telegram_user_id: int, checkin_id: int, wanted: bool
    ) -> FollowUpState | Refusal:
        """Note whether the person wants contact; yes alerts the district's chiefs once."""

        def change(f: FollowUp) -> None:
            f.contact_requested = wanted

        return await self._change(telegram_user_id, checkin_id, change, contact=wanted)

    async def _change(
        self,
        telegram_user_id: int,
        checkin_id: int,
        change: Change | None,
        *,
        contact: bool = False,
        rising: bool = False,
    ) -> FollowUpState | Refusal:
        now = self._deps.clock.now()
        outbox = Outbox()
        async with self._deps.uow() as uow:
            s = uow.session
            found = await checkins.with_event(s, checkin_id, lock=True)
            if found is None:
                return Unknown()
            checkin, event = found
            if not _open(checkin, now):
                return Closed(checkin.closed_at or checkin.closes_at)
            person = await people.by_telegram_id(s, telegram_user_id)
            answer = await answers.of_person(s, checkin_id, person.id) if person else None
            if person is None or answer is None:
                return NotAnswered()
            district = await s.get(District, answer.district_id)
            assert district is not None
            if change is None:  # only looking: no row is made for that
                found_row = await answers.follow_up_of(s, checkin_id, person.id)
                return self._state(checkin, event, district, found_row)
            row = await answers.follow_up(s, checkin_id, person.id, now)
            change(row)
            row.updated_at = now
            # A practice check-in alerts nobody: its summary is all the chiefs get.
            contact, rising = contact and not checkin.practice, rising and not checkin.practice
            if contact:
                await escalate(
                    s,
                    outbox,
                    kind="contact",
                    checkin=checkin,
                    event=event,
                    district=district,
                    person=person,
                    now=now,
                )
            if rising:
                # 'Rising' from enough high answers alerts the chiefs, as a high median does.
                await s.flush()
                await self._watch.check(s, outbox, [Moved(checkin, event, district, True)], now)
            state = self._state(checkin, event, district, row)
            await uow.commit()
        await outbox.deliver(self._deps)
        return state

    def _state(
        self, checkin: CheckIn, event: Event, district: District, row: FollowUp | None
    ) -> FollowUpState:
        scale = self._settings.scale
        direction = Direction(row.direction) if row and row.direction is not None else None
        return FollowUpState(
            checkin_id=checkin.id,
            direction=direction,
            themes=tuple(row.themes) if row else (),
            free_text=row.free_text if row else None,
            contact_requested=row.contact_requested if row else None,
            directions=scale.directions,
            theme_options=scale.themes,
            event=event.description,
            district=district.name,
        )


def _open(checkin: CheckIn, now: datetime) -> bool:
    return checkin.status is CheckInStatus.OPEN and now < checkin.closes_at
