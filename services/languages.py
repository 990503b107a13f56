"""Each person's own language, and each district group's (issue 16).

A person's language is taken from Telegram at first contact when the bot has it, else the
configured one; /taal changes it. Every update asks which language its sender reads, so the
answer comes from memory: all stored choices are loaded once at start-up and kept up to date
here on every change (the answer press path must not add a database query).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from services.access import Actor, Need, resolve_district
from services.outbox import Deps, Outbox
from services.outcomes import Denied, UnknownDistrict
from storage.models import Chat, ChatStatus, District, Person
from storage.queries import audit, people
from storage.uow import UnitOfWork


def from_telegram(code: str | None, available: tuple[str, ...]) -> str | None:
    """The bot's language for Telegram's `language_code` ("en-GB" -> "en"), if it has it."""
    if not code:
        return None
    base = code.replace("_", "-").split("-", 1)[0].strip().lower()
    return base if base in available else None


@dataclass(frozen=True)
class GroupLanguageSet:
    """The district's group now gets its messages in this language."""

    district: str
    language: str


@dataclass(frozen=True)
class GroupNotLinked:
    """The group is not linked to a district: there is no district language to set."""


@dataclass(frozen=True)
class NotCoordinator:
    """Only a coordinator sets a district group's language."""


GroupLanguageOutcome = GroupLanguageSet | GroupNotLinked | NotCoordinator


class Languages:
    """Who reads which language: a map in memory, the database behind it."""

    def __init__(self, deps: Deps, default: str, available: tuple[str, ...]) -> None:
        self._deps = deps
        self.default = default
        self.available = available
        # Telegram user id -> language, for everyone seen or stored with a language.
        self._of: dict[int, str] = {}

    async def load(self) -> None:
        """Read every stored choice once (at start-up)."""
        async with self._deps.uow.read_only() as uow:
            rows = await uow.session.execute(
                select(Person.telegram_user_id, Person.language).where(
                    Person.language.is_not(None)
                )
            )
            for telegram_user_id, language in rows:
                self._of[telegram_user_id] = (
                    language if language in self.available else self.default
                )

    def of(self, telegram_user_id: int | None) -> str:
        """The language this person reads (the configured one for someone unknown)."""
        if telegram_user_id is None:
            return self.default
        return self._of.get(telegram_user_id, self.default)

    def knows(self, telegram_user_id: int) -> bool:
        """Whether this person's language is settled (stored, seen or chosen)."""
        return telegram_user_id in self._of

    async def first_contact(self, telegram_user_id: int, language_code: str | None) -> str:
        """Settle the language of someone seen for the first time since start-up.

        A stored choice stands; a stored person without one (a coordinator from the config)
        gets Telegram's when the bot has it; someone not stored keeps it in memory until they
        join (the intake stores it then).
        """
        found = from_telegram(language_code, self.available)
        async with self._deps.uow() as uow:
            person = await people.by_telegram_id(uow.session, telegram_user_id)
            if person is not None and person.language in self.available:
                found = person.language
            elif person is not None and found is not None:
                person.language = found
                await uow.commit()
        self._of[telegram_user_id] = found or self.default
        return self._of[telegram_user_id]

    def forget(self, telegram_user_id: int) -> None:
        """Drop an erased person's language; their next update settles it anew."""
        self._of.pop(telegram_user_id, None)

    async def choose(self, telegram_user_id: int, language: str) -> bool:
        """Store a person's own choice (/taal) and set their menu in it; False if unknown."""
        if language not in self.available:
            return False
        self._of[telegram_user_id] = language
        outbox = Outbox()
        async with self._deps.uow() as uow:
            s = uow.session
            person = await people.by_telegram_id(s, telegram_user_id)
            if person is not None:
                person.language = language
                await outbox.push_commands(s, person)
            else:
                outbox.reset_commands(telegram_user_id, language)
            await uow.commit()
        await outbox.deliver(self._deps)
        return True

    async def set_group(
        self, telegram_chat_id: int, telegram_user_id: int, is_coordinator: bool, language: str
    ) -> GroupLanguageOutcome:
        """A coordinator sets (in the group) the language of the district whose group it is."""
        if not is_coordinator:
            return NotCoordinator()
        if language not in self.available:
            return GroupNotLinked()
        async with self._deps.uow() as uow:
            s = uow.session
            district = await s.scalar(
                select(District)
                .join(Chat, Chat.district_id == District.id)
                .where(
                    Chat.telegram_chat_id == telegram_chat_id,
                    Chat.status == ChatStatus.LINKED,
                    District.archived_at.is_(None),
                )
            )
            if district is None:
                return GroupNotLinked()
            return await self._set_district(uow, district, telegram_user_id, language)

    async def set_district(
        self, actor: Actor, name: str, language: str
    ) -> GroupLanguageSet | Denied | UnknownDistrict:
        """A coordinator sets (from the private chat) the language of a district's group."""
        if language not in self.available:
            raise ValueError(f"no catalog for language {language!r}")
        async with self._deps.uow() as uow:
            district = await resolve_district(uow.session, actor, name, Need.COORDINATOR)
            if not isinstance(district, District):
                return district
            return await self._set_district(uow, district, actor.telegram_user_id, language)

    async def _set_district(
        self, uow: UnitOfWork, district: District, telegram_user_id: int, language: str
    ) -> GroupLanguageSet:
        district.language = language
        audit.record(
            uow.session,
            at=self._deps.clock.now(),
            actor_telegram_id=telegram_user_id,
            action="district.language",
            subject=district.name,
            details={"district_id": district.id, "language": language},
        )
        await uow.commit()
        return GroupLanguageSet(district.name, language)
