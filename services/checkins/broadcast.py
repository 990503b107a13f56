"""Sending a check-in to its groups and members: claimed, sent, settled — never twice.

Every send is three steps, each its own transaction or call:

1. claim: a conditional UPDATE (status pending, attempts as seen) sets claimed_at and
   commits. Only one sender wins a delivery; a second pass skips it while the claim is fresh.
2. send through the Notifier.
3. settle: record sent (message id), retry later (backoff), or failed (reason); commit.

A crash between 1 and 2 loses nothing: the claim stays, and `resume_after_restart` (or any
pass once the claim is older than the lease) sends it — once, because resuming claims again
with the same compare-and-set. Telegram has no idempotent sends, so whenever the outcome of
a send is unknown — it timed out (Telegram often posts it anyway), or its sender died
between claim and settle (the whole request, up to the time-out) — the send is retried and
the delivery marked uncertain: a press on a copy the bot never learned of is then accepted
and that copy adopted, edited and closed like the other (answers.py, tally.py), and the
chief's delivery report says where it may stand twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from services.checkins.report import DeliveryReports
from services.checkins.scale import CheckInSettings
from services.checkins.tally import checkin_message, group_messages
from services.checkins.views import CheckInMessage, DeliveryReport
from services.group_lifecycle import GroupLifecycle
from services.outbox import Deps
from services.people import PeopleService
from services.ports import Sent
from storage.models import CheckIn, CheckInStatus, Delivery, DeliveryStatus, MemberDelivery
from storage.queries import answers, checkins, deliveries, reminders

SKIPPED = DeliveryStatus.SKIPPED
# How often a broadcast looks again whether another pass has settled the sends it holds.
IN_FLIGHT_POLL_SECONDS = 0.5

Result = Literal["sent", "failed", "retry", "skipped", "lost"]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class BroadcastPass:
    """What one pass over the due sends did, and when the next one is worth running."""

    sent: int = 0
    failed: int = 0
    retrying: int = 0
    retry_at: datetime | None = None
    checkin_ids: frozenset[int] = frozenset()


class Broadcaster:
    """Deliver pending check-in messages, resume after a restart, report to the chief."""

    def __init__(
        self,
        deps: Deps,
        settings: CheckInSettings,
        groups: GroupLifecycle,
        people: PeopleService,
        reports: DeliveryReports,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._deps = deps
        self._settings = settings
        self._groups = groups
        self._people = people
        self._reports = reports
        self._sleep = sleep

    async def broadcast(self, checkin_id: int) -> DeliveryReport:
        """Send a new check-in everywhere, waiting out backoffs; then report to the chief."""
        await self._until_done(checkin_id, claimed_before=None)
        report = await self._reports.report_deliveries(checkin_id)
        assert isinstance(report, DeliveryReport)
        return report

    async def resume_after_restart(self, started_at: datetime | None = None) -> BroadcastPass:
        """At start-up: send what was pending or in flight when the bot stopped, then report.

        Claims made before `started_at` (this process's start; default: now) were the
        previous process's, and are taken over at once; a claim of this process — a
        broadcast that began while this one got going — is left to its sender.
        """
        claimed_before = started_at if started_at is not None else self._deps.clock.now()
        done = await self._until_done(None, claimed_before=claimed_before)
        for checkin_id in sorted(done.checkin_ids):
            await self._reports.report_deliveries(checkin_id)
        return done

    async def deliver_pending(
        self, checkin_id: int | None = None, *, claimed_before: datetime | None = None
    ) -> BroadcastPass:
        """Make one pass over the due sends (of one check-in, or all): groups, then members.

        A claimed send is taken over once its claim is older than the lease, or (at start-up)
        made before `claimed_before`: by a process that is gone.
        """
        now = self._deps.clock.now()
        stale_before = now - self._settings.claim_lease
        if claimed_before is not None:
            stale_before = max(stale_before, claimed_before)
        async with self._deps.uow() as uow:
            s = uow.session
            to_groups = await deliveries.due(
                s, Delivery, now=now, stale_before=stale_before, checkin_id=checkin_id
            )
            to_members = await deliveries.due(
                s, MemberDelivery, now=now, stale_before=stale_before, checkin_id=checkin_id
            )
        results: list[Result] = []
        for delivery_id, attempts, _ in to_groups:
            results.append(await self._send_group(delivery_id, attempts))
        for delivery_id, attempts, _ in to_members:
            results.append(await self._send_member(delivery_id, attempts))
        async with self._deps.uow() as uow:
            waits = [
                await deliveries.next_retry(uow.session, model, checkin_id)
                for model in (Delivery, MemberDelivery)
            ]
        return BroadcastPass(
            sent=results.count("sent"),
            failed=results.count("failed"),
            retrying=results.count("retry"),
            retry_at=min((w for w in waits if w is not None), default=None),
            checkin_ids=frozenset(c for _, _, c in [*to_groups, *to_members]),
        )

    async def _until_done(
        self, checkin_id: int | None, *, claimed_before: datetime | None
    ) -> BroadcastPass:
        sent = failed = 0
        touched: set[int] = set()
        while True:
            done = await self.deliver_pending(checkin_id, claimed_before=claimed_before)
            claimed_before = None  # only the first pass takes over the old process's claims
            sent, failed = sent + done.sent, failed + done.failed
            touched |= done.checkin_ids
            if done.retry_at is not None:
                wait = (done.retry_at - self._deps.clock.now()).total_seconds()
                await self._sleep(max(wait, 0.0))
            elif checkin_id is not None and await self._held_elsewhere(checkin_id):
                # Another pass (the periodic sweep) is sending some of these right now: the
                # chief's report waits until they are settled, not just this pass's own.
                await self._sleep(IN_FLIGHT_POLL_SECONDS)
            else:
                return BroadcastPass(sent, failed, 0, None, frozenset(touched))

    async def _held_elsewhere(self, checkin_id: int) -> bool:
        """Whether a live claim of another sender holds one of this check-in's sends."""
        stale_before = self._deps.clock.now() - self._settings.claim_lease
        async with self._deps.uow() as uow:
            for model in (Delivery, MemberDelivery):
                if await deliveries.in_flight(uow.session, model, checkin_id, stale_before):
                    return True
        return False

    async def _send_group(self, delivery_id: int, attempts: int) -> Result:
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            if not await deliveries.claim(s, Delivery, delivery_id, attempts, now):
                return "lost"  # another sender has it
            row = await deliveries.group_send(s, delivery_id)
            assert row is not None
            delivery, checkin, _, _ = row
            chat_id = delivery.telegram_chat_id
            if not _open(checkin, now) or chat_id is None:
                # Closed (or past its deadline) before it went out: asking now would only
                # confuse the group.
                skip = _fail("no_group", "") if chat_id is None else _fail("closed", "", SKIPPED)
                await _settle(s, Delivery, delivery_id, skip, now)
                await uow.commit()
                return "skipped"
            [message] = await group_messages(s, self._settings.scale, [row], now)
            await uow.commit()  # the claim is durable before anything leaves the building
        sent = await self._deps.notifier.send_checkin(chat_id, message)
        if sent.error == "migrated" and sent.migrate_to_chat_id is not None:
            # migrate_group also readdresses this (still pending) delivery to the new id.
            await self._groups.migrate_group(chat_id, sent.migrate_to_chat_id)
            chat_id = sent.migrate_to_chat_id
            sent = await self._deps.notifier.send_checkin(chat_id, message)  # once only
        result = await self._settle_send(
            Delivery, delivery_id, attempts + 1, sent, message, telegram_chat_id=chat_id
        )
        if sent.error in ("kicked", "blocked"):
            await self._groups.mark_group_unreachable(chat_id, "kicked")
        return result

    async def _send_member(self, delivery_id: int, attempts: int) -> Result:
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            if not await deliveries.claim(s, MemberDelivery, delivery_id, attempts, now):
                return "lost"
            row = await deliveries.member_send(s, delivery_id)
            assert row is not None
            _, checkin, event, district, person = row
            away = bool(await reminders.away_among(s, [person.id], now))
            if not _open(checkin, now) or not person.privately_reachable or away:
                reason = "closed" if not _open(checkin, now) else "away" if away else "blocked"
                await _settle(s, MemberDelivery, delivery_id, _fail(reason, "", SKIPPED), now)
                await uow.commit()
                return "skipped"
            counted = await answers.counts(s, [checkin.id])
            members = await checkins.key_figure_counts(s, [district.id], now)
            message = checkin_message(
                self._settings.scale,
                checkin,
                event,
                district,
                counted.get((checkin.id, district.id), {}),
                members[district.id],
                private=True,
            )
            chat_id, language = person.telegram_user_id, person.language
            await uow.commit()
        sent = await self._deps.notifier.send_checkin(chat_id, message, language)
        result = await self._settle_send(MemberDelivery, delivery_id, attempts + 1, sent, None)
        if sent.error == "blocked":
            await self._people.mark_person_unreachable(chat_id)
        return result

    async def _settle_send(
        self,
        model: deliveries.AnyDelivery,
        delivery_id: int,
        attempts: int,
        sent: Sent,
        shown: CheckInMessage | None,
        **extra: Any,
    ) -> Result:
        now = self._deps.clock.now()
        result: Result
        if sent.ok:
            values: dict[str, Any] = {
                "status": DeliveryStatus.SENT,
                "message_id": sent.message_id,
                "last_error": None,
                "retry_at": None,
            }
            if shown is not None:  # what the group message shows: tally edits start from it
                values |= {"shown_text_hash": shown.shown_hash(), "last_edited_at": now}
                values |= {"sent_at": now}
            result = "sent"
        elif sent.error in ("retry", "uncertain") and attempts < self._settings.max_attempts:
            wait = self._settings.backoff(attempts)
            if sent.retry_after is not None:  # sooner only draws another 429
                wait = max(wait, timedelta(seconds=sent.retry_after))
            values = {
                "retry_at": now + wait,
                "last_error": _reason(sent.error, sent.description),
            }
            result = "retry"
        else:
            values = _fail(sent.error or "failed", sent.description)
            result = "failed"
        if sent.error == "uncertain":
            values["uncertain"] = True
        async with self._deps.uow() as uow:
            await _settle(uow.session, model, delivery_id, values | extra, now)
            await uow.commit()
        return result


def _open(checkin: CheckIn, now: datetime) -> bool:
    return checkin.status is CheckInStatus.OPEN and now < checkin.closes_at


def _reason(kind: str, detail: str) -> str:
    return f"{kind}: {detail}"[:255] if detail else kind


def _fail(
    kind: str, detail: str, status: DeliveryStatus = DeliveryStatus.FAILED
) -> dict[str, Any]:
    return {"status": status, "last_error": _reason(kind, detail), "retry_at": None}


async def _settle(
    s: AsyncSession,
    model: deliveries.AnyDelivery,
    delivery_id: int,
    values: dict[str, Any],
    now: datetime,
) -> None:
    await deliveries.settle(s, model, delivery_id, updated_at=now, **values)
