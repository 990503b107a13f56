"""Feedback to groups and key figures: claimed, sent, settled — each target once.

The same three steps as a check-in's broadcast (services/checkins/broadcast.py): a
conditional UPDATE claims a pending send and commits, the Notifier sends, the outcome is
recorded. A claim left by a stopped process is taken over at the next start. Telegram has no
idempotent sends: a send whose outcome is unknown (a time-out, or a crash between Telegram
accepting it and the outcome's commit) is sent again, so a group may rarely read it twice;
it never misses it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.checkins.broadcast import Sleep
from services.checkins.scale import CheckInSettings
from services.feedback.outcomes import FeedbackSent
from services.group_lifecycle import GroupLifecycle
from services.outbox import Deps
from services.people import PeopleService
from services.ports import Notice, Sent
from storage.models import DeliveryStatus, District, Feedback, FeedbackSend, Person
from storage.queries import checkins
from storage.queries import feedback as queries


class FeedbackSender:
    """Deliver pending feedback sends, waiting out backoffs; resume after a restart."""

    def __init__(
        self,
        deps: Deps,
        settings: CheckInSettings,
        groups: GroupLifecycle,
        people: PeopleService,
        sleep: Sleep,
    ) -> None:
        self._deps = deps
        self._settings = settings
        self._groups = groups
        self._people = people
        self._sleep = sleep

    async def deliver(
        self, feedback_id: int | None, *, claimed_before: datetime | None = None
    ) -> int:
        """Send what is pending (of one feedback, or all) until nothing waits; count sent.

        Claims made before `claimed_before` (this process's start) were a stopped
        process's and are taken over at once; others only once older than the lease.
        """
        sent = 0
        while True:
            now = self._deps.clock.now()
            stale_before = now - self._settings.claim_lease
            if claimed_before is not None:
                stale_before = max(stale_before, claimed_before)
                claimed_before = None  # only the first pass takes over the old claims
            async with self._deps.uow() as uow:
                due = await queries.due(
                    uow.session, now=now, stale_before=stale_before, feedback_id=feedback_id
                )
            for send_id, attempts in due:
                sent += await self._send(send_id, attempts)
            async with self._deps.uow() as uow:
                retry_at = await queries.next_retry(uow.session, feedback_id)
            if retry_at is None:
                return sent
            await self._sleep(max((retry_at - self._deps.clock.now()).total_seconds(), 0.0))

    async def result(self, feedback_id: int) -> FeedbackSent:
        """Where one feedback went so far: groups sent and failed by name, private copies."""
        async with self._deps.uow() as uow:
            s = uow.session
            given = await s.get(Feedback, feedback_id)
            assert given is not None
            found = await checkins.with_event(s, given.checkin_id)
            assert found is not None
            sends = await queries.sends_of(s, feedback_id)
            names = {
                d.id: d.name
                for d in [await s.get(District, x.district_id) for x in sends if x.kind == "group"]
                if d is not None
            }
            groups = [x for x in sends if x.kind == "group"]
            return FeedbackSent(
                checkin_id=given.checkin_id,
                event=found[1].description,
                groups=tuple(names[x.district_id] for x in groups if x.status is _SENT),
                failed_groups=tuple(names[x.district_id] for x in groups if x.status is not _SENT),
                private=sum(1 for x in sends if x.kind == "private" and x.status is _SENT),
            )

    async def _send(self, send_id: int, attempts: int) -> int:
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            if not await queries.claim(s, send_id, attempts, now):
                return 0  # another sender has it
            row = await s.get(FeedbackSend, send_id)
            assert row is not None
            notice, language = await _notice(s, row)
            chat_id, kind = row.telegram_chat_id, row.kind
            await uow.commit()  # the claim is durable before anything leaves the building
        assert chat_id is not None  # sends without a chat are stored as failed
        sent = await self._deps.notifier.notify(chat_id, notice, language)
        if kind == "group" and sent.error == "migrated" and sent.migrate_to_chat_id is not None:
            await self._groups.migrate_group(chat_id, sent.migrate_to_chat_id)
            chat_id = sent.migrate_to_chat_id
            sent = await self._deps.notifier.notify(chat_id, notice, language)  # once only
        await self._settle(send_id, attempts + 1, sent, chat_id)
        if sent.error in ("kicked", "blocked"):
            if kind == "group":
                await self._groups.mark_group_unreachable(chat_id, "kicked")
            else:
                await self._people.mark_person_unreachable(chat_id)
        return 1 if sent.ok else 0

    async def _settle(self, send_id: int, attempts: int, sent: Sent, chat_id: int) -> None:
        now = self._deps.clock.now()
        values: dict[str, Any] = {"updated_at": now, "telegram_chat_id": chat_id}
        if sent.ok:
            values |= {
                "status": DeliveryStatus.SENT,
                "message_id": sent.message_id,
                "sent_at": now,
                "last_error": None,
                "retry_at": None,
            }
        elif sent.error in ("retry", "uncertain") and attempts < self._settings.max_attempts:
            # As a broadcast does: a timed-out send may have arrived, but a group that never
            # hears back is worse than one that reads it twice.
            wait = self._settings.backoff(attempts)
            if sent.retry_after is not None:  # sooner only draws another 429
                wait = max(wait, timedelta(seconds=sent.retry_after))
            values |= {
                "retry_at": now + wait,
                "last_error": _reason(sent.error, sent.description),
            }
        else:
            values |= {
                "status": DeliveryStatus.FAILED,
                "last_error": _reason(sent.error or "failed", sent.description),
                "retry_at": None,
            }
        async with self._deps.uow() as uow:
            await queries.settle(uow.session, send_id, **values)
            await uow.commit()


_SENT = DeliveryStatus.SENT


async def _notice(s: AsyncSession, row: FeedbackSend) -> tuple[Notice, str | None]:
    """The message of one send: to a group in the bot's language, privately in theirs."""
    given = await s.get(Feedback, row.feedback_id)
    assert given is not None
    found = await checkins.with_event(s, given.checkin_id)
    district = await s.get(District, row.district_id)
    person = await s.get(Person, row.person_id) if row.person_id else None
    assert found is not None and district is not None
    params = {
        "event": found[1].description,
        "district": district.name,
        "text": given.text,
        "checkin_id": given.checkin_id,
    }
    if row.kind == "group":
        return Notice("feedback.group", params), district.language
    return Notice("feedback.private", params), person.language if person else None


def _reason(kind: str, detail: str) -> str:
    return f"{kind}: {detail}"[:255] if detail else kind
