"""Sending meeting invitations to groups and members: claimed, sent, settled — never twice.

The same three steps as a check-in broadcast (services/checkins/broadcast.py, whose crash
analysis holds here word for word): a conditional UPDATE claims a pending send and commits;
the Notifier sends; the outcome is settled in its own transaction. A claim older than the
lease belongs to a dead sender and is taken over — once, by the same compare-and-set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.checkins.scale import CheckInSettings
from services.group_lifecycle import GroupLifecycle
from services.meetings.messages import is_open, messages_for
from services.meetings.views import MeetingMessage
from services.outbox import Deps
from services.people import PeopleService
from services.ports import Sent
from storage.models import DeliveryStatus, MeetingDelivery, MeetingInvite
from storage.queries import meetings


@dataclass(frozen=True)
class SendPass:
    """What one pass over the due invitations did."""

    sent: int = 0
    failed: int = 0
    retry_at: datetime | None = None


class InvitationSender:
    """Deliver pending invitations; safe to run from several places at once."""

    def __init__(
        self,
        deps: Deps,
        settings: CheckInSettings,
        groups: GroupLifecycle,
        people: PeopleService,
    ) -> None:
        self._deps = deps
        self._settings = settings
        self._groups = groups
        self._people = people

    async def deliver_pending(self, meeting_id: int | None = None) -> SendPass:
        """Make one pass over the due sends (of one meeting, or all): groups, then people."""
        now = self._deps.clock.now()
        stale_before = now - self._settings.claim_lease
        async with self._deps.uow() as uow:
            s = uow.session
            to_groups = await meetings.due(
                s, MeetingDelivery, now=now, stale_before=stale_before, meeting_id=meeting_id
            )
            to_people = await meetings.due(
                s, MeetingInvite, now=now, stale_before=stale_before, meeting_id=meeting_id
            )
        results = [await self._send_group(i, a) for i, a in to_groups]
        results += [await self._send_private(i, a) for i, a in to_people]
        async with self._deps.uow() as uow:
            retry_at = await meetings.next_retry(uow.session, meeting_id)
        return SendPass(results.count("sent"), results.count("failed"), retry_at)

    async def _send_group(self, send_id: int, attempts: int) -> str:
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            if not await meetings.claim(s, MeetingDelivery, send_id, attempts, now):
                return "lost"
            row = await meetings.group_send(s, send_id)
            assert row is not None
            send, meeting, district = row
            chat_id = send.telegram_chat_id
            if chat_id is None or not is_open(meeting, now):
                reason = "no_group" if chat_id is None else "closed"
                await _settle(s, MeetingDelivery, send_id, now, _skip(reason))
                await uow.commit()
                return "skipped"
            [message] = await messages_for(s, [(meeting, district.id)], now)
            await uow.commit()  # the claim is durable before anything leaves the building
        sent = await self._deps.notifier.send_meeting(chat_id, message)
        if sent.error == "migrated" and sent.migrate_to_chat_id is not None:
            await self._groups.migrate_group(chat_id, sent.migrate_to_chat_id)
            chat_id = sent.migrate_to_chat_id
            sent = await self._deps.notifier.send_meeting(chat_id, message)  # once only
        result = await self._settle_send(
            MeetingDelivery, send_id, attempts + 1, sent, message, telegram_chat_id=chat_id
        )
        if sent.error in ("kicked", "blocked"):
            await self._groups.mark_group_unreachable(chat_id, "kicked")
        return result

    async def _send_private(self, send_id: int, attempts: int) -> str:
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            if not await meetings.claim(s, MeetingInvite, send_id, attempts, now):
                return "lost"
            row = await meetings.private_send(s, send_id)
            assert row is not None
            _, meeting, district, person = row
            if not is_open(meeting, now) or not person.privately_reachable:
                reason = "closed" if not is_open(meeting, now) else "blocked"
                await _settle(s, MeetingInvite, send_id, now, _skip(reason))
                await uow.commit()
                return "skipped"
            [message] = await messages_for(s, [(meeting, district.id)], now, private=True)
            chat_id, language = person.telegram_user_id, person.language
            await uow.commit()
        sent = await self._deps.notifier.send_meeting(chat_id, message, language)
        result = await self._settle_send(MeetingInvite, send_id, attempts + 1, sent, None)
        if sent.error == "blocked":
            await self._people.mark_person_unreachable(chat_id)
        return result

    async def _settle_send(
        self,
        model: meetings.AnySend,
        send_id: int,
        attempts: int,
        sent: Sent,
        shown: MeetingMessage | None,
        **extra: Any,
    ) -> str:
        now = self._deps.clock.now()
        if sent.ok:
            values: dict[str, Any] = {
                "status": DeliveryStatus.SENT,
                "message_id": sent.message_id,
                "last_error": None,
                "retry_at": None,
            }
            if shown is not None:  # what the group message shows: count edits start from it
                values |= {"shown_text_hash": shown.shown_hash(), "last_edited_at": now}
            result = "sent"
        elif sent.error == "retry" and attempts < self._settings.max_attempts:
            values = {
                "retry_at": now + self._settings.backoff(attempts),
                "last_error": _reason("retry", sent.description),
            }
            result = "retry"
        else:
            values = {
                "status": DeliveryStatus.FAILED,
                "last_error": _reason(sent.error or "failed", sent.description),
                "retry_at": None,
            }
            result = "failed"
        async with self._deps.uow() as uow:
            await _settle(uow.session, model, send_id, now, values | extra)
            await uow.commit()
        return result


def _reason(kind: str, detail: str) -> str:
    return f"{kind}: {detail}"[:255] if detail else kind


def _skip(reason: str) -> dict[str, Any]:
    return {"status": DeliveryStatus.SKIPPED, "last_error": reason, "retry_at": None}


async def _settle(
    s: Any, model: meetings.AnySend, send_id: int, now: datetime, values: dict[str, Any]
) -> None:
    await meetings.settle(s, model, send_id, updated_at=now, **values)
