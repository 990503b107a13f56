"""People as such: coordinators from the config, private reachability, command menus."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.commands import commands_for
from services.outbox import Deps, Outbox
from storage.models import Person
from storage.queries import audit, memberships, people


@dataclass(frozen=True)
class CoordinatorSync:
    """Which Telegram ids became coordinators, and which stopped being one."""

    granted: tuple[int, ...]
    revoked: tuple[int, ...]


class PeopleService:
    """Keep people's standing right: who coordinates, who can be written to, what menu."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    async def sync_coordinators(self, ids: Collection[int]) -> CoordinatorSync:
        """Make exactly the config's ids coordinators (at start-up) and refresh their menus."""
        now = self._deps.clock.now()
        wanted = set(ids)
        outbox = Outbox()
        async with self._deps.uow() as uow:
            s = uow.session
            known = {p.telegram_user_id: p for p in await people.by_telegram_ids(s, wanted)}
            for telegram_user_id in wanted - known.keys():
                # Their name is learned when they first write to the bot.
                known[telegram_user_id] = await people.get_or_add(
                    s, telegram_user_id, display_name="", at=now
                )
            granted = sorted(i for i, p in known.items() if not p.is_coordinator)
            revoked_people = [
                p for p in await people.coordinators(s) if p.telegram_user_id not in wanted
            ]
            for person in known.values():
                person.is_coordinator = True
            for person in revoked_people:
                person.is_coordinator = False
            for action, changed in (
                ("coordinator.granted", granted),
                ("coordinator.revoked", [p.telegram_user_id for p in revoked_people]),
            ):
                for telegram_user_id in changed:
                    audit.record(
                        s,
                        at=now,
                        actor_telegram_id=None,
                        action=action,
                        subject=str(telegram_user_id),
                        details={"source": "config"},
                    )
            # Every start-up, so a new version's command lists reach the menus too.
            for person in [*known.values(), *revoked_people]:
                await outbox.push_commands(s, person)
            await uow.commit()
        await outbox.deliver(self._deps)
        return CoordinatorSync(
            tuple(granted), tuple(sorted(p.telegram_user_id for p in revoked_people))
        )

    async def person_seen(self, telegram_user_id: int, display_name: str) -> bool:
        """Note that a known person wrote to the bot privately; True if reachable again.

        Strangers are not stored. Writes only when something changed, since this runs on
        every private message.
        """
        outbox = Outbox()
        async with self._deps.uow() as uow:
            s = uow.session
            person = await people.by_telegram_id(s, telegram_user_id)
            if person is None:
                return False
            back = not person.privately_reachable
            # A coordinator from the config is stored nameless until they first write; their
            # menu could not be set before that (no private chat yet), so it is set now.
            first = not person.display_name
            if not back and (not display_name or person.display_name == display_name):
                return False
            person.privately_reachable = True
            person.display_name = display_name or person.display_name
            if back or first:
                # The menu may not have reached them while they had blocked the bot.
                await outbox.push_commands(s, person)
            await uow.commit()
        await outbox.deliver(self._deps)
        return back

    async def mark_person_unreachable(self, telegram_user_id: int) -> bool:
        """Record that a private send got 403 (blocked); True if that is news."""
        async with self._deps.uow() as uow:
            changed = await people.set_reachable(uow.session, telegram_user_id, False)
            await uow.commit()
        return changed

    async def is_known(self, telegram_user_id: int) -> bool:
        """Tell whether this person belongs to the network: a coordinator or a member."""
        async with self._deps.uow.read_only() as uow:
            person = await people.by_telegram_id(uow.session, telegram_user_id)
            if person is None:
                return False
            return person.is_coordinator or bool(
                await memberships.roles_of(uow.session, person.id)
            )

    async def commands_for(self, telegram_user_id: int) -> list[str]:
        """Return the command names this person's roles allow."""
        async with self._deps.uow() as uow:
            person = await people.by_telegram_id(uow.session, telegram_user_id)
            return await _commands(uow.session, person)

    async def refresh_commands(self, telegram_user_id: int) -> list[str]:
        """Push the person's command menu to their private chat and return it."""
        outbox = Outbox()
        async with self._deps.uow() as uow:
            person = await people.by_telegram_id(uow.session, telegram_user_id)
            names = await _commands(uow.session, person)
            if person is not None:
                await outbox.push_commands(uow.session, person)
        if person is None:
            await self._deps.notifier.set_commands(telegram_user_id, names)
        await outbox.deliver(self._deps)
        return names


async def _commands(s: AsyncSession, person: Person | None) -> list[str]:
    if person is None:
        return commands_for(False, ())
    return commands_for(person.is_coordinator, await memberships.roles_of(s, person.id))
