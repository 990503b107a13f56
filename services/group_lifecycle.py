"""What happens to groups on their own: nobody links them, the bot is kicked, they migrate."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.outbox import Deps, Outbox
from services.ports import Notice
from storage.models import Chat, ChatStatus
from storage.queries import audit, chats, districts, people


@dataclass(frozen=True)
class ExpiredGroup:
    """A group nobody linked in time, which the bot has left."""

    chat_id: int
    title: str


class Migration(enum.StrEnum):
    """What came of a report that a group became a supergroup."""

    MIGRATED = "migrated"
    ALREADY_DONE = "already_done"
    UNKNOWN = "unknown"  # neither chat id is known to the bot


class GroupLifecycle:
    """React to group events that no coordinator asked for; every call is safe to repeat."""

    def __init__(self, deps: Deps, grace: timedelta = timedelta(minutes=10)) -> None:
        self._deps = deps
        self._grace = grace

    async def expire_unlinked_groups(
        self, now: datetime | None = None, grace: timedelta | None = None
    ) -> list[ExpiredGroup]:
        """Leave groups nobody linked within the grace period and tell the coordinators."""
        now = now or self._deps.clock.now()
        grace = grace or self._grace
        minutes = int(grace.total_seconds() // 60)
        outbox = Outbox()
        expired: list[ExpiredGroup] = []
        async with self._deps.uow() as uow:
            s = uow.session
            for chat in await chats.pending_added_before(s, now - grace):
                # Conditional: a /koppel or a concurrent sweep may have got there first.
                if not await chats.change_status(
                    s, chat.id, expected={ChatStatus.PENDING}, new=ChatStatus.LEFT, at=now
                ):
                    continue
                expired.append(ExpiredGroup(chat.telegram_chat_id, chat.title))
                audit.record(
                    s,
                    at=now,
                    actor_telegram_id=None,
                    action="group.left",
                    subject=chat.title,
                    details={
                        "chat_id": chat.telegram_chat_id,
                        "minutes": minutes,
                        "added_by": chat.added_by_telegram_id,
                    },
                )
                # A group hears the bot only if a coordinator brought it there (and it said
                # hello); coordinators hear of groups that someone of the network added.
                added_by = await people.by_telegram_id(s, chat.added_by_telegram_id or 0)
                goodbye = Notice("group.goodbye_unlinked", {"minutes": minutes})
                said_hello = added_by is not None and added_by.is_coordinator
                outbox.leave(chat.telegram_chat_id, goodbye if said_hello else None)
                if added_by is None:
                    continue
                await outbox.tell_coordinators(
                    s,
                    Notice(
                        "group.left_unlinked",
                        {
                            "title": chat.title,
                            "chat_id": chat.telegram_chat_id,
                            "minutes": minutes,
                        },
                    ),
                )
            await uow.commit()
        await outbox.deliver(self._deps)
        return expired

    async def mark_group_unreachable(self, chat_id: int, reason: str) -> bool:
        """Record that the bot lost a group (removed, or a 403); coordinators hear it once.

        Returns True only for the report that changed something; repeated 403s are no-ops.
        """
        now = self._deps.clock.now()
        outbox = Outbox()
        async with self._deps.uow() as uow:
            s = uow.session
            chat = await chats.by_telegram_id(s, chat_id)
            if chat is None or not await chats.change_status(
                s,
                chat.id,
                expected={ChatStatus.LINKED, ChatStatus.PENDING},
                new=ChatStatus.UNREACHABLE,
                at=now,
            ):
                return False
            district = await districts.by_id(s, chat.district_id)
            subject = district.name if district else chat.title
            audit.record(
                s,
                at=now,
                actor_telegram_id=None,
                action="group.unreachable",
                subject=subject,
                details={"chat_id": chat_id, "title": chat.title, "reason": reason},
            )
            if district:
                await outbox.tell_coordinators(
                    s,
                    Notice(
                        "group.unreachable",
                        {
                            "district": district.name,
                            "title": chat.title,
                            "chat_id": chat_id,
                            "reason": reason,
                        },
                    ),
                )
            await uow.commit()
        await outbox.deliver(self._deps)
        return True

    async def migrate_group(self, old_chat_id: int, new_chat_id: int) -> Migration:
        """Move a group to its supergroup's new chat id, with everything still to be sent."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            old = await chats.by_telegram_id(s, old_chat_id)
            if old is None:
                known = await chats.by_telegram_id(s, new_chat_id)
                return Migration.ALREADY_DONE if known else Migration.UNKNOWN
            district_id, was = old.district_id, old.status
            # Conditional: the service message and a 400 may both report this migration.
            if not await chats.mark_migrated(s, old.id, new_chat_id, now):
                return Migration.ALREADY_DONE
            new = await chats.by_telegram_id(s, new_chat_id)
            if new is None:
                new = Chat(
                    telegram_chat_id=new_chat_id,
                    type="supergroup",
                    title=old.title,
                    status=was,
                    added_by_telegram_id=old.added_by_telegram_id,
                    added_at=old.added_at,
                    status_changed_at=now,
                )
                s.add(new)
            else:
                new.added_at = min(new.added_at, old.added_at)
            if district_id is not None:
                # The bot heard of the migration, so it is in the supergroup: reachable.
                new.district_id, new.linked_at = district_id, old.linked_at
                new.status, new.status_changed_at = ChatStatus.LINKED, now
            moved = await chats.readdress_unsent_deliveries(s, old_chat_id, new_chat_id)
            district = await districts.by_id(s, district_id)
            audit.record(
                s,
                at=now,
                actor_telegram_id=None,
                action="group.migrated",
                subject=district.name if district else old.title,
                details={
                    "old_chat_id": old_chat_id,
                    "new_chat_id": new_chat_id,
                    "deliveries_readdressed": moved,
                },
            )
            await uow.commit()
        return Migration.MIGRATED
