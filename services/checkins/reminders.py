"""Reminders: one private nudge, with the answer buttons, to key figures who have not answered.

The database is the source of truth: the moments follow from each open check-in's opening
and deadline and the settings, and every reminder sent is a row. A periodic job calls
`send_due`; it is safe to run again and again, after a restart, or in two processes at once.

Each reminder is claimed, sent, settled (as the broadcast's deliveries are), but a claim is
an INSERT into `reminders`, unique per check-in, person and round, committed before the send.
Unlike a check-in a lost reminder is harmless and a doubled one is not, so a claim whose
send never settled (a crash in between) is not sent again: an unknown outcome stays unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from services.checkins.scale import CheckInSettings
from services.checkins.tally import checkin_message
from services.outbox import Deps
from services.people import PeopleService
from services.ports import Notice
from storage.models import CheckInStatus, DeliveryStatus, District, Person
from storage.queries import answers, checkins, deliveries, reminders


@dataclass(frozen=True)
class RemindersPass:
    """What one pass did: reminders sent (and failed), group nudges sent."""

    sent: int = 0
    failed: int = 0
    nudges: int = 0


@dataclass(frozen=True)
class OpenWindow:
    """When a check-in opened and closes: all its reminder moments follow from these."""

    checkin_id: int
    opened_at: datetime
    closes_at: datetime


def moments(checkin: OpenWindow, settings: CheckInSettings) -> list[datetime]:
    """The planned reminder moments of a check-in, in order: their index is the round."""
    span = checkin.closes_at - checkin.opened_at
    planned = {checkin.opened_at + span * f for f in settings.reminder_fractions}
    planned |= {checkin.closes_at - before for before in settings.reminder_before_deadline}
    return sorted(m for m in planned if checkin.opened_at < m < checkin.closes_at)


def due_round(checkin: OpenWindow, settings: CheckInSettings, now: datetime) -> int | None:
    """The latest round whose moment has come, moved out of quiet hours; None: none yet.

    A moment inside quiet hours moves to their end; if the check-in closes before that, the
    round is dropped. After downtime only the latest due round is sent, never a backlog.
    """
    if settings.reminders_per_person <= 0 or settings.quiet_hours.contains(now):
        return None
    due = None
    for index, moment in enumerate(moments(checkin, settings)):
        at = settings.quiet_hours.outside(moment)
        if at < checkin.closes_at and at <= now:
            due = index
    return due


class ReminderService:
    """Send the reminders (and group nudges) that are due, once each."""

    def __init__(self, deps: Deps, settings: CheckInSettings, people: PeopleService) -> None:
        self._deps = deps
        self._settings = settings
        self._people = people
        # Rounds this process has fully handled: saves asking the database again every pass.
        # Only a shortcut: after a restart the database says the same.
        self._done: set[tuple[int, int]] = set()

    async def send_due(self) -> RemindersPass:
        """Send every reminder and nudge whose moment has come, for all open check-ins."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            found = [
                OpenWindow(c.id, c.opened_at, c.closes_at)
                for c in await checkins.open_ones(uow.session)
            ]
        total = RemindersPass()
        for checkin in found:
            if checkin.closes_at <= now:
                continue  # closing is the deadline job's; reminders stop at the deadline
            round_ = due_round(checkin, self._settings, now)
            if round_ is None or (checkin.checkin_id, round_) in self._done:
                continue
            done = await self._remind(checkin.checkin_id, round_)
            self._done.add((checkin.checkin_id, round_))
            total = RemindersPass(
                total.sent + done.sent, total.failed + done.failed, total.nudges + done.nudges
            )
        return total

    async def _remind(self, checkin_id: int, round_: int) -> RemindersPass:
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            whom = await reminders.to_remind(
                uow.session, checkin_id, round_, self._settings.reminders_per_person, now
            )
        sent = failed = 0
        for person_id, district_id in whom:
            result = await self._remind_one(checkin_id, person_id, district_id, round_)
            sent += result == "sent"
            failed += result == "failed"
        nudges = await self._nudge_groups(checkin_id) if round_ == 0 else 0
        return RemindersPass(sent, failed, nudges)

    async def _remind_one(
        self, checkin_id: int, person_id: int, district_id: int, round_: int
    ) -> str:
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            found = await checkins.with_event(s, checkin_id)
            person = await s.get(Person, person_id)
            # Looked at again inside the claim: it may have closed, or they answered, since.
            if found is None or person is None:
                return "skipped"
            checkin, event = found
            if checkin.status is not CheckInStatus.OPEN or now >= checkin.closes_at:
                return "skipped"
            if await reminders.has_answered(s, checkin_id, person_id):
                return "skipped"
            reminder_id = await reminders.claim(
                s,
                checkin_id=checkin_id,
                person_id=person_id,
                district_id=district_id,
                round_=round_,
                now=now,
            )
            if reminder_id is None:
                return "skipped"  # another sender has this round
            district = await s.get(District, district_id)
            assert district is not None
            counted = await answers.counts(s, [checkin_id])
            members = await checkins.key_figure_counts(s, [district_id], now)
            message = checkin_message(
                self._settings.scale,
                checkin,
                event,
                district,
                counted.get((checkin_id, district_id), {}),
                members[district_id],
                private=True,
            )
            chat_id, language = person.telegram_user_id, person.language
            await uow.commit()  # the claim is durable before anything leaves the building
        sent = await self._deps.notifier.send_checkin(
            chat_id, replace(message, reminder=True), language
        )
        async with self._deps.uow() as uow:
            if sent.ok:
                await reminders.settle(
                    uow.session,
                    reminder_id,
                    status=DeliveryStatus.SENT,
                    message_id=sent.message_id,
                    sent_at=self._deps.clock.now(),
                )
                await reminders.mark_reminded(
                    uow.session, checkin_id, person_id, self._deps.clock.now()
                )
            else:
                reason = sent.error or "failed"
                await reminders.settle(
                    uow.session, reminder_id, status=DeliveryStatus.FAILED, last_error=reason
                )
            await uow.commit()
        if sent.error == "blocked":
            await self._people.mark_person_unreachable(chat_id)
        return "sent" if sent.ok else "failed"

    async def _nudge_groups(self, checkin_id: int) -> int:
        """One message without names in each group whose district wants it, once."""
        now = self._deps.clock.now()
        sends: list[tuple[int, Notice, str | None]] = []
        async with self._deps.uow() as uow:
            s = uow.session
            found = await checkins.with_event(s, checkin_id)
            if found is None or found[0].status is not CheckInStatus.OPEN:
                return 0
            checkin, _ = found
            rows = await deliveries.of_checkin(s, checkin_id)
            wanted = [
                (d, district)
                for d, district in rows
                if district.group_nudge
                and d.status is DeliveryStatus.SENT
                and d.telegram_chat_id is not None
                and d.nudged_at is None
            ]
            if not wanted:
                return 0
            counted = await answers.counts(s, [checkin_id])
            members = await checkins.key_figure_counts(s, [x.id for _, x in wanted], now)
            for delivery, district in wanted:
                if not await reminders.claim_nudge(s, delivery.id, now):
                    continue
                responded = sum(counted.get((checkin_id, district.id), {}).values())
                total = max(members[district.id], responded)
                missing = total - responded
                if missing > 0 and delivery.telegram_chat_id is not None:
                    params = {"total": total, "until": checkin.closes_at}
                    key = "practice.nudge" if checkin.practice else "reminder.nudge"
                    notice = Notice(key, params, count=missing)
                    sends.append((delivery.telegram_chat_id, notice, district.language))
            await uow.commit()
        for chat_id, notice, language in sends:
            await self._deps.notifier.notify(chat_id, notice, language)
        return len(sends)
