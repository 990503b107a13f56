"""Groups: the bot added to one, and a coordinator linking it to a district."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.access import Actor, Need, resolve_district
from services.outbox import Deps, Outbox
from services.outcomes import DENIED, Denied, DistrictArchived, UnknownDistrict
from services.ports import Notice
from storage.models import Chat, ChatStatus, District
from storage.queries import audit, chats, districts, people


class GroupState(enum.StrEnum):
    """Where a group stands after the bot was added to it."""

    PENDING = "pending"  # waiting for a coordinator's /koppel within the grace period
    LINKED = "linked"  # already linked, nothing changed
    REACHABLE_AGAIN = "reachable_again"  # a linked group that had lost the bot has it back
    # Added by someone outside the network: left at once, silently, and nothing kept.
    LEFT_AT_ONCE = "left_at_once"


@dataclass(frozen=True)
class GroupAdded:
    """What the bot being added to a group means."""

    state: GroupState
    district: str | None
    added_by_coordinator: bool
    grace_minutes: int


@dataclass(frozen=True)
class GroupLinked:
    """The group now belongs to the district; a replaced group was unlinked and left."""

    district: str
    replaced_chat_id: int | None = None
    replaced_title: str | None = None


@dataclass(frozen=True)
class AlreadyLinked:
    """The group already belonged to this district."""

    district: str


@dataclass(frozen=True)
class GroupLinkedElsewhere:
    """The group belongs to another district."""

    district: str


@dataclass(frozen=True)
class NeedsConfirmation:
    """The district has another group; linking this one replaces it (ask first)."""

    district: str
    current_title: str
    current_chat_id: int


class GroupService:
    """Keep track of the district groups the bot is in."""

    def __init__(self, deps: Deps, grace: timedelta = timedelta(minutes=10)) -> None:
        self._deps = deps
        self._grace = grace

    @property
    def grace_minutes(self) -> int:
        """The grace period for linking, in whole minutes."""
        return int(self._grace.total_seconds() // 60)

    async def group_added(
        self, chat_id: int, title: str, chat_type: str, added_by_telegram_id: int | None
    ) -> GroupAdded:
        """Record that the bot is in a group; a linked group that lost the bot is back."""
        now = self._deps.clock.now()
        outbox = Outbox()
        async with self._deps.uow() as uow:
            s = uow.session
            adder = await people.by_telegram_id(s, added_by_telegram_id or 0)
            by_coordinator = adder is not None and adder.is_coordinator
            chat = await chats.by_telegram_id(s, chat_id)
            stranger = adder is None and (chat is None or chat.district_id is None)
            if stranger and chat_type != "supergroup":
                # Anyone can add a bot to a group: one the network does not know gets no
                # word from the police's bot, no row, and the bot gone before it is noticed.
                if chat is not None:
                    await s.delete(chat)
                await uow.commit()
                outbox.leave(chat_id, None)
                await outbox.deliver(self._deps)
                return GroupAdded(GroupState.LEFT_AT_ONCE, None, False, self.grace_minutes)
            if stranger:
                # A supergroup may be a district's group that was just upgraded (Telegram
                # tells of the new chat id separately): it waits out the grace period in
                # silence, with nothing kept about it or whoever added the bot.
                title, added_by_telegram_id = "", None
            if chat is None:
                chat = Chat(
                    telegram_chat_id=chat_id,
                    type=chat_type,
                    title=title,
                    status=ChatStatus.PENDING,
                    added_by_telegram_id=added_by_telegram_id,
                    added_at=now,
                    status_changed_at=now,
                )
                s.add(chat)
                await uow.commit()
                return GroupAdded(GroupState.PENDING, None, by_coordinator, self.grace_minutes)
            chat.title = title or chat.title
            district = await districts.by_id(s, chat.district_id)
            if not district:
                if chat.status is not ChatStatus.PENDING:
                    # Back after leaving or being removed: a fresh grace period starts.
                    chat.status, chat.status_changed_at = ChatStatus.PENDING, now
                    chat.added_at, chat.added_by_telegram_id = now, added_by_telegram_id
                    chat.migrated_to_chat_id = None
                await uow.commit()
                return GroupAdded(GroupState.PENDING, None, by_coordinator, self.grace_minutes)
            state = GroupState.LINKED
            if await chats.change_status(
                s, chat.id, expected={ChatStatus.UNREACHABLE}, new=ChatStatus.LINKED, at=now
            ):
                state = GroupState.REACHABLE_AGAIN
                audit.record(
                    s,
                    at=now,
                    actor_telegram_id=added_by_telegram_id,
                    action="group.reachable",
                    subject=district.name,
                    details={"chat_id": chat_id, "title": chat.title},
                )
                await outbox.tell_coordinators(
                    s, Notice("group.reachable_again", {"district": district.name, "title": title})
                )
            await uow.commit()
        await outbox.deliver(self._deps)
        return GroupAdded(state, district.name, by_coordinator, self.grace_minutes)

    async def link_group(
        self,
        actor: Actor,
        chat_id: int,
        chat_title: str,
        district_name: str,
        confirm: bool = False,
        chat_type: str = "group",
    ) -> (
        GroupLinked
        | AlreadyLinked
        | GroupLinkedElsewhere
        | NeedsConfirmation
        | Denied
        | UnknownDistrict
        | DistrictArchived
    ):
        """Link this group to a district (coordinators only); replacing a group needs confirm."""
        if not actor.is_coordinator:
            return DENIED
        now = self._deps.clock.now()
        outbox = Outbox()
        async with self._deps.uow() as uow:
            s = uow.session
            district = await resolve_district(s, actor, district_name, Need.COORDINATOR)
            if not isinstance(district, District):
                return district
            if district.archived_at is not None:
                return DistrictArchived(district.name)
            chat = await chats.by_telegram_id(s, chat_id)
            if chat is None:  # the command came before (or without) the 'bot added' update
                chat = Chat(
                    telegram_chat_id=chat_id,
                    type=chat_type,
                    title=chat_title,
                    status=ChatStatus.PENDING,
                    added_by_telegram_id=None,
                    added_at=now,
                    status_changed_at=now,
                )
                s.add(chat)
                await s.flush()
            chat.title = chat_title or chat.title
            if chat.district_id == district.id:
                # A command from the group proves the bot is in it again.
                chat.status, chat.status_changed_at = ChatStatus.LINKED, now
                await uow.commit()
                return AlreadyLinked(district.name)
            if chat.district_id is not None:
                other = await districts.by_id(s, chat.district_id)
                return GroupLinkedElsewhere(other.name if other else "")
            current = await chats.of_district(s, district.id)
            if current is not None and not confirm:
                return NeedsConfirmation(district.name, current.title, current.telegram_chat_id)
            if current is not None:
                current.district_id, current.status = None, ChatStatus.LEFT
                current.status_changed_at = now
                _audit_chat(s, now, actor, "group.unlinked", district.name, current)
                outbox.leave(
                    current.telegram_chat_id,
                    Notice("group.replaced_goodbye", {"district": district.name}),
                )
                await s.flush()  # free the district (unique) before the new group takes it
            chat.district_id, chat.status = district.id, ChatStatus.LINKED
            chat.linked_at = chat.status_changed_at = now
            _audit_chat(s, now, actor, "group.linked", district.name, chat)
            await uow.commit()
        await outbox.deliver(self._deps)
        if current is None:
            return GroupLinked(district.name)
        return GroupLinked(district.name, current.telegram_chat_id, current.title)


def _audit_chat(
    s: AsyncSession, now: datetime, actor: Actor, action: str, subject: str, chat: Chat
) -> None:
    audit.record(
        s,
        at=now,
        actor_telegram_id=actor.telegram_user_id,
        action=action,
        subject=subject,
        details={"chat_id": chat.telegram_chat_id, "title": chat.title},
    )
