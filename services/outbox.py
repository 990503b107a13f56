"""What services need at hand, and the messages they send only after their commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from services.commands import commands_for
from services.ports import Clock, Notice, Notifier, Sent
from storage.models import Person
from storage.queries import memberships, people
from storage.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class Deps:
    """What every service needs: transactions, the time, and a way to tell people."""

    uow: UnitOfWorkFactory
    clock: Clock
    notifier: Notifier


# One send, and the person's Telegram id when it goes to a private chat (None for a group).
Send = tuple[int | None, Callable[[], Awaitable[Sent]]]


async def send_all(deps: Deps, sends: Iterable[Send]) -> None:
    """Send one after another; a person whose private chat answers 'blocked' is unreachable.

    The one path for sending after a commit: later sends skip unreachable people, since
    writing to someone who blocked the bot only costs flood budget.
    """
    blocked: list[int] = []
    for person, send in sends:
        sent = await send()
        if sent.error == "blocked" and person is not None:
            blocked.append(person)
    if blocked:
        async with deps.uow() as uow:
            for telegram_user_id in blocked:
                await people.set_reachable(uow.session, telegram_user_id, False)
            await uow.commit()


@dataclass(frozen=True)
class _Tell:
    chat_id: int
    notice: Notice
    language: str | None


@dataclass(frozen=True)
class _Commands:
    chat_id: int
    names: tuple[str, ...]
    language: str | None


@dataclass(frozen=True)
class _Leave:
    chat_id: int
    notice: Notice | None


class Outbox:
    """Collect sends during a transaction; deliver them once it has committed.

    Sending after the commit means nobody is told about a change that was rolled back;
    the price is that a crash between commit and send loses the message, never doubles it.
    """

    def __init__(self) -> None:
        self._items: list[_Tell | _Commands | _Leave] = []

    def tell(self, person: Person, notice: Notice) -> None:
        """Queue a private notice, skipping people known to have blocked the bot."""
        self.tell_many([person], notice)

    def tell_many(self, persons: Iterable[Person], notice: Notice) -> None:
        """Queue one notice for each of these people, once per person."""
        told: set[int] = set()  # someone who is both chief and coordinator hears it once
        for person in persons:
            # Writing to someone who blocked the bot only costs flood budget.
            if person.privately_reachable and person.telegram_user_id not in told:
                told.add(person.telegram_user_id)
                self._items.append(_Tell(person.telegram_user_id, notice, person.language))

    async def tell_coordinators(self, session: AsyncSession, notice: Notice) -> None:
        """Queue a notice for every coordinator."""
        self.tell_many(await people.coordinators(session), notice)

    async def push_commands(self, session: AsyncSession, person: Person) -> None:
        """Queue the person's command menu as their current roles allow."""
        await session.flush()  # the sessions do not autoflush; roles must include this change
        roles = await memberships.roles_of(session, person.id)
        names = tuple(commands_for(person.is_coordinator, roles))
        self._items.append(_Commands(person.telegram_user_id, names, person.language))

    def reset_commands(self, telegram_user_id: int, language: str | None) -> None:
        """Queue the menu of someone the bot no longer knows (after erasure)."""
        names = tuple(commands_for(False, ()))
        self._items.append(_Commands(telegram_user_id, names, language))

    def leave(self, chat_id: int, notice: Notice | None) -> None:
        """Queue a last notice in a group and leaving it."""
        self._items.append(_Leave(chat_id, notice))

    async def deliver(self, deps: Deps) -> None:
        """Send everything queued; a private 403 marks the person unreachable."""
        items, self._items = self._items, []
        await send_all(deps, (self._send(deps.notifier, item) for item in items))

    @staticmethod
    def _send(notifier: Notifier, item: _Tell | _Commands | _Leave) -> Send:
        if isinstance(item, _Tell):
            return item.chat_id, partial(notifier.notify, item.chat_id, item.notice, item.language)
        if isinstance(item, _Commands):
            names, language = item.names, item.language
            return item.chat_id, partial(notifier.set_commands, item.chat_id, names, language)
        return None, partial(notifier.leave_chat, item.chat_id, item.notice)
