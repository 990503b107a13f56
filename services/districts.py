"""Districts: create, list with their state, rename, archive, unarchive and configure."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.access import Actor, Need, resolve_district
from services.names import check_name, name_key
from services.outbox import Deps
from services.outcomes import (
    DENIED,
    Denied,
    DistrictExists,
    InvalidName,
    UnknownDistrict,
)
from storage.models import ChatStatus, District, Role
from storage.queries import audit, districts, invitations, memberships, people


@dataclass(frozen=True)
class DistrictCreated:
    """The district exists now under this name."""

    name: str


@dataclass(frozen=True)
class DistrictOverview:
    """One line of `/wijken`."""

    name: str
    archived: bool
    group_linked: bool
    group_reachable: bool
    group_title: str | None
    key_figures: int
    chiefs: tuple[str, ...]
    ask_privately: bool
    show_tally: bool
    group_nudge: bool = False


@dataclass(frozen=True)
class DistrictRenamed:
    """The district's name changed from old to new."""

    old: str
    new: str


@dataclass(frozen=True)
class ArchiveChanged:
    """The district is now archived (or not); changed is False if it already was."""

    name: str
    archived: bool
    changed: bool
    invitations_revoked: int = 0


@dataclass(frozen=True)
class DistrictConfigured:
    """The district's settings as they are now; changed is False if they already were."""

    name: str
    ask_privately: bool
    show_tally: bool
    changed: bool
    group_nudge: bool = False


class DistrictService:
    """Manage districts (coordinators), and show chiefs their own."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    async def create_district(
        self, actor: Actor, name: str
    ) -> DistrictCreated | Denied | InvalidName | DistrictExists:
        """Create a district with a name unique regardless of case and spaces."""
        if not actor.is_coordinator:
            return DENIED
        checked = check_name(name)
        if isinstance(checked, InvalidName):
            return checked
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            existing = await districts.by_key(uow.session, name_key(checked))
            if existing is not None:
                return DistrictExists(existing.name)
            district = District(name=checked, name_key=name_key(checked), created_at=now)
            uow.session.add(district)
            try:
                await uow.session.flush()
            except IntegrityError:
                # Another coordinator created the same name a moment ago.
                return DistrictExists(checked)
            audit.record(
                uow.session,
                at=now,
                actor_telegram_id=actor.telegram_user_id,
                action="district.created",
                subject=checked,
                details={"district_id": district.id},
            )
            await uow.commit()
        return DistrictCreated(checked)

    async def list_districts(
        self, actor: Actor, include_archived: bool = True
    ) -> list[DistrictOverview] | Denied:
        """List districts with group and people: all for coordinators, own for chiefs."""
        async with self._deps.uow() as uow:
            ids: list[int] | None = None
            if not actor.is_coordinator:
                ids = await _chief_district_ids(uow.session, actor)
                if not ids:
                    return DENIED
            rows = await districts.overview(uow.session, ids)
            # Built inside: leaving the unit of work expires what it loaded.
            return [
                DistrictOverview(
                    name=row.district.name,
                    archived=row.district.archived_at is not None,
                    group_linked=row.chat_status is not None,
                    group_reachable=row.chat_status is ChatStatus.LINKED,
                    group_title=row.chat_title,
                    key_figures=row.key_figures,
                    chiefs=row.chiefs,
                    ask_privately=row.district.ask_privately,
                    show_tally=row.district.show_tally,
                    group_nudge=row.district.group_nudge,
                )
                for row in rows
                if include_archived or row.district.archived_at is None
            ]

    async def rename_district(
        self, actor: Actor, name: str, new_name: str
    ) -> DistrictRenamed | Denied | UnknownDistrict | InvalidName | DistrictExists:
        """Give a district a new name (a change of case only is allowed too)."""
        checked = check_name(new_name)
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            district = await resolve_district(uow.session, actor, name, Need.COORDINATOR)
            if not isinstance(district, District):
                return district
            if isinstance(checked, InvalidName):
                return checked
            clash = await districts.by_key(uow.session, name_key(checked))
            if clash is not None and clash.id != district.id:
                return DistrictExists(clash.name)
            old = district.name
            district.name, district.name_key = checked, name_key(checked)
            audit.record(
                uow.session,
                at=now,
                actor_telegram_id=actor.telegram_user_id,
                action="district.renamed",
                subject=checked,
                details={"district_id": district.id, "old": old, "new": checked},
            )
            try:
                await uow.commit()
            except IntegrityError:
                return DistrictExists(checked)
        return DistrictRenamed(old, checked)

    async def archive_district(
        self, actor: Actor, name: str
    ) -> ArchiveChanged | Denied | UnknownDistrict:
        """Archive a district: history stays, no new check-ins, open invitations revoked."""
        return await self._set_archived(actor, name, archived=True)

    async def unarchive_district(
        self, actor: Actor, name: str
    ) -> ArchiveChanged | Denied | UnknownDistrict:
        """Bring an archived district back into use."""
        return await self._set_archived(actor, name, archived=False)

    async def configure_district(
        self,
        actor: Actor,
        name: str,
        *,
        ask_privately: bool | None = None,
        show_tally: bool | None = None,
        group_nudge: bool | None = None,
    ) -> DistrictConfigured | Denied | UnknownDistrict:
        """Set whether the question goes privately too, the tally shows early, the group is nudged.

        A setting left as None stays as it is.
        """
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            district = await resolve_district(uow.session, actor, name, Need.COORDINATOR)
            if not isinstance(district, District):
                return district
            before = _settings(district)
            if ask_privately is not None:
                district.ask_privately = ask_privately
            if show_tally is not None:
                district.show_tally = show_tally
            if group_nudge is not None:
                district.group_nudge = group_nudge
            after = _settings(district)
            configured = DistrictConfigured(district.name, **after, changed=after != before)
            if not configured.changed:
                return configured
            audit.record(
                uow.session,
                at=now,
                actor_telegram_id=actor.telegram_user_id,
                action="district.configured",
                subject=district.name,
                details={"district_id": district.id, **after, "before": before},
            )
            await uow.commit()
        return configured

    async def _set_archived(
        self, actor: Actor, name: str, *, archived: bool
    ) -> ArchiveChanged | Denied | UnknownDistrict:
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            district = await resolve_district(uow.session, actor, name, Need.COORDINATOR)
            if not isinstance(district, District):
                return district
            if (district.archived_at is not None) == archived:
                return ArchiveChanged(district.name, archived, changed=False)
            district.archived_at = now if archived else None
            revoked = 0
            if archived:
                # An invitation into an archived district could only lead nowhere.
                revoked = await invitations.revoke_open_of_district(uow.session, district.id, now)
            audit.record(
                uow.session,
                at=now,
                actor_telegram_id=actor.telegram_user_id,
                action="district.archived" if archived else "district.unarchived",
                subject=district.name,
                details={"district_id": district.id, "invitations_revoked": revoked},
            )
            await uow.commit()
        return ArchiveChanged(district.name, archived, changed=True, invitations_revoked=revoked)


def _settings(district: District) -> dict[str, bool]:
    return {
        "ask_privately": district.ask_privately,
        "show_tally": district.show_tally,
        "group_nudge": district.group_nudge,
    }


async def _chief_district_ids(session: AsyncSession, actor: Actor) -> list[int]:
    person = await people.by_telegram_id(session, actor.telegram_user_id)
    if person is None:
        return []
    pairs = await memberships.of_person(session, person.id)
    return [district.id for membership, district in pairs if membership.role is Role.CHIEF]
