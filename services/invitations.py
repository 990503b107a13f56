"""Invitations made by coordinators: create one link per person, list open ones, revoke."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.access import Actor, Need, actor_person, resolve_district
from services.outbox import Deps
from services.outcomes import DENIED, Denied, DistrictArchived, UnknownDistrict
from services.tokens import hash_token, new_token
from storage.models import District, Invitation, Role
from storage.queries import audit
from storage.queries import invitations as queries


@dataclass(frozen=True)
class InvitationCreated:
    """A new invitation; the token is shown now and never again (only its hash is kept)."""

    invitation_id: int
    token: str
    district: str
    role: Role
    expires_at: datetime


@dataclass(frozen=True)
class OpenInvitation:
    """An invitation that can still be accepted."""

    invitation_id: int
    district: str
    role: Role
    created_at: datetime
    expires_at: datetime
    created_by: str | None
    note: str


@dataclass(frozen=True)
class InvitationRevoked:
    """The invitation can no longer be used."""

    invitation_id: int
    district: str
    role: Role


@dataclass(frozen=True)
class InvitationNotFound:
    """No invitation with this id."""

    invitation_id: int


@dataclass(frozen=True)
class InvitationAlreadyClosed:
    """The invitation was already used or revoked."""

    invitation_id: int
    used: bool


class InvitationService:
    """The coordinator's side of invitations."""

    def __init__(self, deps: Deps, expiry_days: int = 7) -> None:
        self._deps = deps
        self._expiry = timedelta(days=expiry_days)

    async def create_invitation(
        self, actor: Actor, district_name: str, role: Role = Role.KEY_FIGURE, note: str = ""
    ) -> InvitationCreated | Denied | UnknownDistrict | DistrictArchived:
        """Make a personal, single-use invitation for a district and a role."""
        if not actor.is_coordinator:
            return DENIED
        now = self._deps.clock.now()
        token = new_token()
        async with self._deps.uow() as uow:
            s = uow.session
            district = await resolve_district(s, actor, district_name, Need.COORDINATOR)
            if not isinstance(district, District):
                return district
            if district.archived_at is not None:
                return DistrictArchived(district.name)
            creator = await actor_person(s, actor, now)
            invitation = Invitation(
                token_hash=hash_token(token),
                district_id=district.id,
                role=role,
                note=note.strip()[:120],
                created_by_id=creator.id,
                created_at=now,
                expires_at=now + self._expiry,
            )
            s.add(invitation)
            await s.flush()
            audit.record(
                s,
                at=now,
                actor_telegram_id=actor.telegram_user_id,
                action="invitation.created",
                subject=district.name,
                details={
                    "invitation_id": invitation.id,
                    "role": role.value,
                    "expires_at": invitation.expires_at.isoformat(),
                },
            )
            await uow.commit()
        return InvitationCreated(invitation.id, token, district.name, role, invitation.expires_at)

    async def list_invitations(self, actor: Actor) -> list[OpenInvitation] | Denied:
        """List invitations that are neither used, revoked nor expired."""
        if not actor.is_coordinator:
            return DENIED
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            rows = await queries.open_with_context(uow.session, now)
            return [
                OpenInvitation(
                    inv.id, district, inv.role, inv.created_at, inv.expires_at, creator, inv.note
                )
                for inv, district, creator in rows
            ]

    async def revoke_invitation(
        self, actor: Actor, invitation_id: int
    ) -> InvitationRevoked | InvitationNotFound | InvitationAlreadyClosed | Denied:
        """Make an invitation unusable."""
        if not actor.is_coordinator:
            return DENIED
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            invitation = await queries.by_id(s, invitation_id)
            if invitation is None:
                return InvitationNotFound(invitation_id)
            if not await queries.revoke(s, invitation_id, now):
                return InvitationAlreadyClosed(invitation_id, used=invitation.used_at is not None)
            district = await s.get(District, invitation.district_id)
            name = district.name if district else ""
            audit.record(
                s,
                at=now,
                actor_telegram_id=actor.telegram_user_id,
                action="invitation.revoked",
                subject=name,
                details={"invitation_id": invitation_id, "role": invitation.role.value},
            )
            await uow.commit()
        return InvitationRevoked(invitation_id, name, invitation.role)
