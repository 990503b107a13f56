"""The live tally of a group message, and the policy for when it is edited."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.checkins.outcomes import Unknown
from services.checkins.scale import CheckInSettings, Scale
from services.checkins.views import CheckInMessage, Count, GroupEdit, TallyView
from services.group_lifecycle import GroupLifecycle
from services.outbox import Deps
from storage.models import CheckIn, CheckInStatus, Delivery, District, Event
from storage.queries import answers, checkins, deliveries, reminders

# Group edits in flight at once: about what Telegram takes in a second.
EDITS_AT_ONCE = 30


def tally_view(
    scale: Scale, counts: Mapping[int, int], key_figures: int, shown: bool, away: int = 0
) -> TallyView:
    """What the group sees: n of N always, the levels only when shown.

    N never drops below n: someone who answered and then left the district still answered.
    """
    responded = sum(counts.values())
    levels = tuple(
        Count(str(lv.code), lv.label_key, counts.get(lv.code, 0)) for lv in scale.levels
    )
    counted = max(key_figures, responded)
    return TallyView(responded, counted, shown, levels if shown else (), away)


def checkin_message(
    scale: Scale,
    checkin: CheckIn,
    event: Event,
    district: District,
    counts: Mapping[int, int],
    key_figures: int,
    *,
    private: bool = False,
    away: int = 0,
) -> CheckInMessage:
    """The check-in message of one district as it should look now."""
    is_open = checkin.status is CheckInStatus.OPEN
    # Hidden tallies are revealed at closing; a district may hide its tally on its own too.
    shown = not is_open or (checkin.show_tally and district.show_tally)
    return CheckInMessage(
        checkin_id=checkin.id,
        district_id=district.id,
        district=district.name,
        event=event.description,
        closes_at=checkin.closes_at,
        open=is_open,
        tally=tally_view(scale, counts, key_figures, shown, away),
        choices=scale.levels if is_open else (),
        private=private,
        pulse_weeks=checkin.pulse_weeks if checkin.kind == "pulse" else None,
        language=None if private else district.language,
        practice=checkin.practice,
    )


async def group_messages(
    session: AsyncSession,
    scale: Scale,
    rows: Sequence[tuple[Delivery, CheckIn, Event, District]],
    now: datetime | None = None,
) -> list[CheckInMessage]:
    """The current message of each delivery, counted in as few queries as possible.

    Given the time, key figures away then are out of N and shown as away.
    """
    counted = await answers.counts(session, sorted({c.id for _, c, _, _ in rows}))
    ids = sorted({d.id for _, _, _, d in rows})
    current = await checkins.key_figure_counts(session, ids, now)
    away = await reminders.away_counts(session, ids, now) if now is not None else {}
    return [
        checkin_message(
            scale,
            checkin,
            event,
            district,
            counted.get((checkin.id, district.id), {}),
            _frozen(delivery.key_figures_at_close, current[district.id]),
            away=_frozen(delivery.away_at_close, away.get(district.id, 0)),
        )
        for delivery, checkin, event, district in rows
    ]


def _frozen(at_close: int | None, current: int) -> int:
    # Frozen at closing, so an old check-in's n of N does not move when people come and go.
    return current if at_close is None else at_close


class TallyService:
    """Count answers per district and keep group messages up to date, without flooding."""

    def __init__(self, deps: Deps, settings: CheckInSettings, groups: GroupLifecycle) -> None:
        self._deps = deps
        self._settings = settings
        self._groups = groups

    async def tally(self, checkin_id: int, district_id: int) -> TallyView | Unknown:
        """The tally of one district as its group message shows it now."""
        async with self._deps.uow() as uow:
            s = uow.session
            found = await checkins.with_event(s, checkin_id)
            delivery = await deliveries.for_district(s, checkin_id, district_id)
            district = await s.get(District, district_id)
            if found is None or delivery is None or district is None:
                return Unknown()
            [message] = await group_messages(
                s,
                self._settings.scale,
                [(delivery, found[0], found[1], district)],
                self._deps.clock.now(),
            )
            return message.tally

    async def tally_edits_due(self, now: datetime | None = None) -> list[GroupEdit]:
        """Group messages whose shown tally differs and whose last edit is long enough ago."""
        now = now or self._deps.clock.now()
        quiet_since = now - self._settings.tally_interval
        async with self._deps.uow() as uow:
            s = uow.session
            # Only the messages not edited within the interval: the job looks every few
            # seconds, and building the message of every group each time was most of its work.
            rows = await deliveries.shown_in_groups(
                s, now - self._settings.final_edit_window, edited_before=quiet_since
            )
            messages = await group_messages(s, self._settings.scale, rows, now)
            uncertain = [delivery.id for delivery, _, _, _ in rows if delivery.uncertain]
            copies = await deliveries.copies_of(s, uncertain)
            due: list[GroupEdit] = []
            for (delivery, _, _, _), message in zip(rows, messages, strict=True):
                shown_hash = message.shown_hash()
                if shown_hash == delivery.shown_text_hash:
                    continue
                assert delivery.telegram_chat_id is not None and delivery.message_id is not None
                due.append(
                    GroupEdit(
                        delivery.id,
                        delivery.telegram_chat_id,
                        delivery.message_id,
                        message,
                        shown_hash,
                        tuple(copies.get(delivery.id, ())),
                    )
                )
            return due

    async def mark_tally_shown(
        self, delivery_id: int, shown_hash: str | None, at: datetime | None = None
    ) -> None:
        """Record what a group message shows (None: an edit failed, try again later)."""
        await self._mark_shown([(delivery_id, shown_hash, at or self._deps.clock.now())])

    async def _mark_shown(self, shown: Sequence[tuple[int, str | None, datetime]]) -> None:
        """Record what these group messages show, in one transaction."""
        async with self._deps.uow() as uow:
            await deliveries.mark_shown_many(uow.session, shown)
            await uow.commit()

    async def apply(self, edits: Sequence[GroupEdit]) -> int:
        """Edit these group messages through the notifier; return how many now show it.

        Several at once: each group's edit waits for its turn under Telegram's limits, and
        one at a time 200 groups took twenty seconds to show a closing instead of seven.
        Every edit is tried even if another fails; the first failure is raised after.
        What each message shows is recorded EDITS_AT_ONCE at a time in one transaction:
        one per edit cost more CPU than the edit, and under an answer burst their write
        locks queued with the presses'. Unrecorded after a crash, an edit is only repeated.
        """
        gate = asyncio.Semaphore(EDITS_AT_ONCE)
        shown: list[tuple[int, str | None, datetime]] = []

        async def record(at_least: int) -> None:
            if len(shown) >= at_least:
                batch = shown[:]
                shown.clear()
                await self._mark_shown(batch)

        async def one(edit: GroupEdit) -> bool:
            async with gate:
                sent = await self._deps.notifier.edit_checkin(
                    edit.chat_id, edit.message_id, edit.message
                )
                # A hard failure ('message to edit not found') would fail forever: accept it.
                settled = sent.ok or sent.error in ("failed", "kicked", "blocked")
                for copy in edit.copies if sent.error != "kicked" else ():
                    # A copy that was deleted meanwhile fails for good: nothing to retry.
                    await self._deps.notifier.edit_checkin(edit.chat_id, copy, edit.message)
                hash_ = edit.shown_hash if settled else None
                shown.append((edit.delivery_id, hash_, self._deps.clock.now()))
                await record(at_least=EDITS_AT_ONCE)
                if sent.error == "kicked":
                    await self._groups.mark_group_unreachable(edit.chat_id, "kicked")
                return sent.ok

        results = await asyncio.gather(*(one(edit) for edit in edits), return_exceptions=True)
        await record(at_least=1)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return sum(1 for result in results if result is True)

    async def refresh_tallies(self) -> int:
        """Make every due edit now (a job runs this every few seconds)."""
        return await self.apply(await self.tally_edits_due())
