"""A person's privacy rights: what is kept (/privacy), a copy (/mijngegevens), erasure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from services.outbox import Deps, Outbox
from services.ports import Notice
from services.privacy.copy import PersonalCopy, collect
from services.privacy.erasure import ErasureCounts, erase_person
from services.privacy.policy import PrivacyPolicy
from storage.models import Person, Role
from storage.queries import audit, memberships, people

Via = Literal["chat", "cli"]


@dataclass(frozen=True)
class NotKnown:
    """Nothing is stored about this Telegram account."""


@dataclass(frozen=True)
class TooSoon:
    """A copy was made recently; the next one can be had from this time."""

    next_at: datetime


@dataclass(frozen=True)
class ErasureQuestion:
    """What erasure would end: the person's memberships, by district."""

    districts: tuple[str, ...]
    answers_kept_anonymously: bool


@dataclass(frozen=True)
class Erased:
    """The person is gone; the counts say what went (no personal data)."""

    counts: ErasureCounts


async def _known(s: AsyncSession, telegram_user_id: int) -> Person | None:
    person = await people.by_telegram_id(s, telegram_user_id)
    # Anonymous stand-ins have negative ids; no Telegram account can reach them.
    return person if person is not None and telegram_user_id > 0 else None


class PrivacyService:
    """Show what is kept, hand out copies, and erase people on request."""

    def __init__(self, deps: Deps, policy: PrivacyPolicy) -> None:
        self._deps = deps
        self.policy = policy

    async def copy(
        self, telegram_user_id: int, via: Via = "chat"
    ) -> PersonalCopy | NotKnown | TooSoon:
        """Collect everything stored about a person; in the chat at most once per interval."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            person = await _known(s, telegram_user_id)
            if person is None:
                return NotKnown()
            if via == "chat":
                # Chat copies carry the person as actor; the coordinator's (CLI) carry none.
                last = await audit.last_at(s, "privacy.copy", telegram_user_id)
                if last is not None and last + self.policy.copy_interval > now:
                    return TooSoon(last + self.policy.copy_interval)
            made = await collect(s, person, now)
            audit.record(
                s,
                at=now,
                actor_telegram_id=telegram_user_id if via == "chat" else None,
                action="privacy.copy",
                subject=str(telegram_user_id) if via == "cli" else "",
                details={"via": via},
            )
            await uow.commit()
        return made

    async def erasure_question(self, telegram_user_id: int) -> ErasureQuestion | NotKnown:
        """Tell a person what erasing them would end (the first step of /vergeetmij)."""
        async with self._deps.uow() as uow:
            person = await _known(uow.session, telegram_user_id)
            if person is None:
                return NotKnown()
            mine = await memberships.of_person(uow.session, person.id)
            keep = self.policy.erased_answers == "anonymise"
            return ErasureQuestion(tuple(d.name for _, d in mine), keep)

    async def erase(self, telegram_user_id: int, via: Via = "chat") -> Erased | NotKnown:
        """Erase a person; their chiefs and the coordinators hear that someone left, not who."""
        now = self._deps.clock.now()
        outbox = Outbox()
        async with self._deps.uow() as uow:
            s = uow.session
            person = await _known(s, telegram_user_id)
            if person is None:
                return NotKnown()
            mine = await memberships.of_person(s, person.id)
            coordinators = [p for p in await people.coordinators(s) if p.id != person.id]
            told: dict[int, tuple[Person, list[str]]] = {
                p.id: (p, [d.name for _, d in mine]) for p in coordinators
            }
            for _, district in mine:
                for _, chief in await memberships.of_district(s, district.id, [Role.CHIEF]):
                    if chief.id != person.id:
                        told.setdefault(chief.id, (chief, []))[1].append(district.name)
            language = person.language
            counts = await erase_person(s, person, self.policy.erased_answers, now)
            # No actor id: the record must not say who was erased.
            audit.record(
                s,
                at=now,
                actor_telegram_id=None,
                action="privacy.erased",
                subject="",
                details={"via": via, **counts.as_details()},
            )
            for recipient, districts in told.values():
                names = sorted(set(districts))
                key = "privacy.someone_left" if names else "privacy.someone_left_network"
                outbox.tell(recipient, Notice(key, {"districts": names}))
            outbox.reset_commands(telegram_user_id, language)
            await uow.commit()
        await outbox.deliver(self._deps)
        await self._deps.uow.scrub_freed()
        return Erased(counts)
