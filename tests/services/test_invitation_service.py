"""Invitations: unguessable single-use tokens, stored as a hash, listed and revoked."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from fakes import FakeClock, FakeNotifier
from sqlalchemy import select
from world import CORA, World, stranger

from handlers.i18n import t
from services.container import Services
from services.intake import LinkRevoked
from services.invitations import (
    InvitationAlreadyClosed,
    InvitationCreated,
    InvitationNotFound,
    InvitationRevoked,
)
from services.outcomes import DENIED, UnknownDistrict
from storage.models import Invitation, Role
from storage.uow import UnitOfWorkFactory


async def test_token_is_long_deep_link_safe_and_only_hashed(
    services: Services, world: World, clock: FakeClock
) -> None:
    await world.district("Overvecht")
    made = await services.invitations.create_invitation(CORA, "overvecht", Role.CHIEF)
    assert isinstance(made, InvitationCreated)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43,64}", made.token)  # 32 random bytes = 256 bits
    assert (made.district, made.role, made.expires_at) == (
        "Overvecht",
        Role.CHIEF,
        clock.now() + timedelta(days=7),
    )
    [stored] = await world.rows(select(Invitation))
    assert stored.token_hash == hashlib.sha256(made.token.encode()).hexdigest()
    assert made.token not in repr(vars(stored))
    [entry] = await world.audit("invitation.created")
    assert entry.details["invitation_id"] == made.invitation_id
    assert made.token not in str(entry.details)


async def test_tokens_differ(services: Services, world: World) -> None:
    await world.district("Overvecht")
    tokens = {await world.invite("Overvecht") for _ in range(5)}
    assert len(tokens) == 5


async def test_expiry_days_come_from_config(
    uow_factory: UnitOfWorkFactory, clock: FakeClock, notifier: FakeNotifier
) -> None:
    services = Services(
        uow_factory,
        clock,
        notifier,
        ZoneInfo("Europe/Amsterdam"),
        "nl",
        frozenset({1001}),
        t,
        invitation_expiry_days=3,
    )
    await services.districts.create_district(CORA, "Overvecht")
    made = await services.invitations.create_invitation(CORA, "Overvecht", Role.KEY_FIGURE)
    assert isinstance(made, InvitationCreated)
    assert made.expires_at == clock.now() + timedelta(days=3)


async def test_only_coordinators_invite_list_and_revoke(services: Services, world: World) -> None:
    await world.district("Overvecht")
    chief = await world.join("Overvecht", 3001, "Chef", Role.CHIEF)
    made = await services.invitations.create_invitation(CORA, "Overvecht", Role.KEY_FIGURE)
    assert isinstance(made, InvitationCreated)
    for actor in (chief, stranger()):
        assert await services.invitations.create_invitation(actor, "Overvecht") == DENIED
        assert await services.invitations.create_invitation(actor, "Nergens") == DENIED
        assert await services.invitations.list_invitations(actor) == DENIED
        assert await services.invitations.revoke_invitation(actor, made.invitation_id) == DENIED
    unknown = await services.invitations.create_invitation(CORA, "Nergens")
    assert unknown == UnknownDistrict("Nergens", ())


async def test_list_shows_only_open_invitations(
    services: Services, world: World, clock: FakeClock
) -> None:
    await world.district("Overvecht")
    used = await world.invite("Overvecht")
    await services.intake.accept_invitation(used, 2001, "Fatima")
    revoked = await services.invitations.create_invitation(CORA, "Overvecht", Role.KEY_FIGURE)
    assert isinstance(revoked, InvitationCreated)
    await services.invitations.revoke_invitation(CORA, revoked.invitation_id)
    await world.invite("Overvecht")  # will expire
    clock.advance(days=6)
    fresh = await services.invitations.create_invitation(
        CORA, "Overvecht", Role.CHIEF, "Wijkagent"
    )
    assert isinstance(fresh, InvitationCreated)
    clock.advance(days=1)

    listed = await services.invitations.list_invitations(CORA)
    assert isinstance(listed, list)
    assert [(i.invitation_id, i.role, i.created_by, i.note) for i in listed] == [
        (fresh.invitation_id, Role.CHIEF, "Cora", "Wijkagent")
    ]


async def test_revoke_closes_the_link(
    services: Services, world: World, notifier: FakeNotifier
) -> None:
    await world.district("Overvecht")
    made = await services.invitations.create_invitation(CORA, "Overvecht", Role.KEY_FIGURE)
    assert isinstance(made, InvitationCreated)
    revoked = await services.invitations.revoke_invitation(CORA, made.invitation_id)
    assert revoked == InvitationRevoked(made.invitation_id, "Overvecht", Role.KEY_FIGURE)
    assert await services.intake.open_invitation(made.token, 2001) == LinkRevoked()
    assert await services.intake.accept_invitation(made.token, 2001, "Fatima") == LinkRevoked()
    assert await world.person(2001) is None
    again = await services.invitations.revoke_invitation(CORA, made.invitation_id)
    assert again == InvitationAlreadyClosed(made.invitation_id, used=False)
    missing = await services.invitations.revoke_invitation(CORA, 4242)
    assert missing == InvitationNotFound(4242)
    [entry] = await world.audit("invitation.revoked")
    assert entry.details["invitation_id"] == made.invitation_id


async def test_used_invitation_cannot_be_revoked(services: Services, world: World) -> None:
    await world.district("Overvecht")
    made = await services.invitations.create_invitation(CORA, "Overvecht", Role.KEY_FIGURE)
    assert isinstance(made, InvitationCreated)
    await services.intake.accept_invitation(made.token, 2001, "Fatima")
    outcome = await services.invitations.revoke_invitation(CORA, made.invitation_id)
    assert outcome == InvitationAlreadyClosed(made.invitation_id, used=True)
