"""The invitee's side: open a link, then join or decline; nothing is stored before joining."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.outbox import Deps, Outbox
from services.ports import Notice
from services.privacy.policy import PrivacyPolicy
from services.tokens import TokenHash, hash_token, looks_like_token
from storage.models import District, Invitation, Membership, Person, Role
from storage.queries import audit, invitations, memberships, people

# The version of the agreement shown when opening a link, under the default configuration;
# the running bot's comes from its PrivacyPolicy. Stored with each membership.
AGREEMENT_VERSION = PrivacyPolicy().agreement_version


@dataclass(frozen=True)
class LinkExpired:
    """The invitation's time ran out."""


@dataclass(frozen=True)
class LinkUsed:
    """The invitation was already used (it is single-use)."""


@dataclass(frozen=True)
class LinkRevoked:
    """A coordinator revoked the invitation (or archived its district)."""


@dataclass(frozen=True)
class LinkUnknown:
    """No such invitation: mistyped, forged, or never made."""


LinkProblem = LinkExpired | LinkUsed | LinkRevoked | LinkUnknown


@dataclass(frozen=True)
class InvitationValid:
    """The link works: show the agreement and the buttons to join or decline."""

    district: str
    role: Role
    agreement_version: str
    expires_at: datetime
    move_from: str | None  # joining as key figure would move them out of this district
    current_role: Role | None  # their role in this district already, if any


@dataclass(frozen=True)
class NeedsMoveConfirmation:
    """A key figure of another district must confirm moving before joining."""

    from_district: str
    to_district: str


@dataclass(frozen=True)
class Joined:
    """The person is now a member with this role (moved or with a changed role, if so)."""

    district: str
    role: Role
    moved_from: str | None = None
    previous_role: Role | None = None


@dataclass(frozen=True)
class AlreadyMember:
    """They already held this role here; the link is used up all the same."""

    district: str
    role: Role


@dataclass(frozen=True)
class Declined:
    """Declined; nothing about the person was stored."""

    district: str


def _problem(
    invitation: Invitation, district: District | None, now: datetime
) -> LinkProblem | None:
    if invitation.used_at is not None:
        return LinkUsed()
    if invitation.revoked_at is not None or district is None or district.archived_at is not None:
        return LinkRevoked()
    if now >= invitation.expires_at:  # the boundary itself is expired, as in the claim
        return LinkExpired()
    return None


async def _find(
    s: AsyncSession, token: str, now: datetime
) -> tuple[Invitation, District] | LinkProblem:
    if isinstance(token, TokenHash):  # opened before, kept sealed until the press
        digest = str(token)
    elif looks_like_token(token):
        digest = hash_token(token)
    else:
        return LinkUnknown()
    invitation = await invitations.by_hash(s, digest)
    if invitation is None:
        return LinkUnknown()
    district = await s.get(District, invitation.district_id)
    problem = _problem(invitation, district, now)
    if problem is not None:
        return problem
    assert district is not None
    return invitation, district


async def _standing(
    s: AsyncSession, telegram_user_id: int, district: District
) -> tuple[Person | None, Membership | None, tuple[Membership, District] | None]:
    """The person, their membership here, and their key-figure membership elsewhere."""
    person = await people.by_telegram_id(s, telegram_user_id)
    if person is None:
        return None, None, None
    own = await memberships.of_person(s, person.id)
    here = next((m for m, d in own if d.id == district.id), None)
    elsewhere = next(
        ((m, d) for m, d in own if m.role is Role.KEY_FIGURE and d.id != district.id), None
    )
    return person, here, elsewhere


async def _creator(s: AsyncSession, invitation: Invitation) -> Person | None:
    if invitation.created_by_id is None:
        return None
    return await s.get(Person, invitation.created_by_id)


class IntakeService:
    """Open, accept and decline personal invitations."""

    def __init__(self, deps: Deps, agreement_version: str = AGREEMENT_VERSION) -> None:
        self._deps = deps
        self._version = agreement_version

    async def open_invitation(
        self, token: str, telegram_user_id: int
    ) -> InvitationValid | LinkProblem:
        """Tell what the link offers, storing nothing."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            found = await _find(uow.session, token, now)
            if not isinstance(found, tuple):
                return found
            invitation, district = found
            _, here, elsewhere = await _standing(uow.session, telegram_user_id, district)
            moving = elsewhere if invitation.role is Role.KEY_FIGURE else None
            # Built inside: leaving the unit of work expires what it loaded.
            return InvitationValid(
                district.name,
                invitation.role,
                self._version,
                invitation.expires_at,
                moving[1].name if moving else None,
                here.role if here else None,
            )

    async def decline_invitation(self, token: str) -> Declined | LinkProblem:
        """Decline: store nothing about the person; the coordinator who invited is told."""
        now = self._deps.clock.now()
        outbox = Outbox()
        async with self._deps.uow() as uow:
            found = await _find(uow.session, token, now)
            if not isinstance(found, tuple):
                return found
            invitation, district = found
            creator = await _creator(uow.session, invitation)
            if creator:
                params = {"district": district.name, "role": invitation.role.value}
                outbox.tell(creator, Notice("invitation.declined", params))
            declined = Declined(district.name)
        await outbox.deliver(self._deps)
        return declined

    async def accept_invitation(
        self,
        token: str,
        telegram_user_id: int,
        display_name: str,
        language: str | None = None,
        confirm_move: bool = False,
    ) -> Joined | AlreadyMember | NeedsMoveConfirmation | LinkProblem:
        """Join: store the person, the membership and the agreement, and use the link up."""
        now = self._deps.clock.now()
        outbox = Outbox()
        async with self._deps.uow() as uow:
            s = uow.session
            found = await _find(s, token, now)
            if not isinstance(found, tuple):
                return found
            invitation, district = found
            _, here, elsewhere = await _standing(s, telegram_user_id, district)
            moving = elsewhere if invitation.role is Role.KEY_FIGURE else None
            if moving and not confirm_move:
                return NeedsMoveConfirmation(moving[1].name, district.name)
            # Claim first: the loser of a race stops here, before writing anything else.
            if not await invitations.claim(s, invitation.id, now):
                await s.refresh(invitation)
                return _problem(invitation, district, now) or LinkUsed()
            person = await people.get_or_add(
                s, telegram_user_id, display_name=display_name, at=now, language=language
            )
            # They are talking to the bot in private right now.
            person.privately_reachable = True
            invitation.used_by_id = person.id
            previous = here.role if here else None
            if moving:
                await memberships.remove(s, [moving[0].id])
            if here is None:
                s.add(
                    Membership(
                        person_id=person.id,
                        district_id=district.id,
                        role=invitation.role,
                        joined_at=now,
                        agreement_version=self._version,
                        invitation_id=invitation.id,
                    )
                )
            elif here.role is not invitation.role:
                here.role, here.invitation_id = invitation.role, invitation.id
                here.agreement_version = self._version
            audit.record(
                s,
                at=now,
                actor_telegram_id=telegram_user_id,
                action="invitation.accepted",
                subject=district.name,
                details={
                    "invitation_id": invitation.id,
                    "role": invitation.role.value,
                    "agreement_version": self._version,
                    "moved_from": moving[1].name if moving else None,
                    "previous_role": previous.value if previous else None,
                },
            )
            await outbox.push_commands(s, person)
            creator = await _creator(s, invitation)
            if creator:
                params = {
                    "name": person.display_name,
                    "district": district.name,
                    "role": invitation.role.value,
                }
                outbox.tell(creator, Notice("invitation.accepted", params))
            await uow.commit()
        await outbox.deliver(self._deps)
        if previous is invitation.role:
            return AlreadyMember(district.name, invitation.role)
        return Joined(district.name, invitation.role, moving[1].name if moving else None, previous)
