"""Intake: open a link (nothing stored), join race-safely, decline, move, expire."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from fakes import FakeClock, FakeNotifier
from sqlalchemy import select
from world import World

import services.intake as intake_module
from services.container import Services
from services.intake import (
    AGREEMENT_VERSION,
    AlreadyMember,
    Declined,
    InvitationValid,
    Joined,
    LinkExpired,
    LinkUnknown,
    LinkUsed,
    NeedsMoveConfirmation,
)
from services.tokens import new_token
from storage.models import AuditEntry, Invitation, Membership, Person, Role


async def _nothing_stored(world: World) -> tuple[int, int, int]:
    return (
        await world.count(Person),
        await world.count(Membership),
        await world.count(AuditEntry),
    )


async def test_open_shows_offer_and_stores_nothing(
    services: Services, world: World, clock: FakeClock
) -> None:
    await world.district("Overvecht")
    token = await world.invite("Overvecht")
    before = await _nothing_stored(world)
    opened = await services.intake.open_invitation(token, 2001)
    assert opened == InvitationValid(
        "Overvecht",
        Role.KEY_FIGURE,
        AGREEMENT_VERSION,
        clock.now() + timedelta(days=7),
        None,
        None,
    )
    assert await _nothing_stored(world) == before


async def test_accept_stores_person_membership_agreement_and_uses_link(
    services: Services, world: World, clock: FakeClock, notifier: FakeNotifier
) -> None:
    await world.district("Overvecht")
    token = await world.invite("Overvecht")
    notifier.clear()
    joined = await services.intake.accept_invitation(token, 2001, "Fatima", "en")
    assert joined == Joined("Overvecht", Role.KEY_FIGURE)

    person = await world.person(2001)
    assert person is not None
    assert (person.display_name, person.language, person.privately_reachable) == (
        "Fatima",
        "en",
        True,
    )
    [membership] = await world.rows(select(Membership))
    [invitation] = await world.rows(select(Invitation))
    assert (membership.role, membership.joined_at, membership.agreement_version) == (
        Role.KEY_FIGURE,
        clock.now(),
        AGREEMENT_VERSION,
    )
    assert membership.invitation_id == invitation.id
    assert (invitation.used_at, invitation.used_by_id) == (clock.now(), person.id)
    [entry] = await world.audit("invitation.accepted")
    assert (entry.actor_telegram_id, entry.subject) == (2001, "Overvecht")
    assert entry.details["agreement_version"] == AGREEMENT_VERSION
    assert notifier.menus[2001] == [
        "peilingen", "acties", "afwezig", "terug", "dieet", "privacy", "mijngegevens",
        "vergeetmij", "akkoord", "taal", "stoppen", "help",
    ]  # fmt: skip
    assert notifier.to(1001) == [
        ("invitation.accepted", {"name": "Fatima", "district": "Overvecht", "role": "bondgenoot"})
    ]
    assert await services.intake.accept_invitation(token, 2002, "Hasan") == LinkUsed()
    assert await services.intake.open_invitation(token, 2001) == LinkUsed()


async def test_two_concurrent_accepts_one_wins(services: Services, world: World) -> None:
    await world.district("Overvecht")
    token = await world.invite("Overvecht")
    outcomes = await asyncio.gather(
        services.intake.accept_invitation(token, 2001, "Fatima"),
        services.intake.accept_invitation(token, 2002, "Hasan"),
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Joined", "LinkUsed"]
    assert len(await world.memberships()) == 1
    assert len(await world.audit("invitation.accepted")) == 1


async def test_same_person_accepting_twice_concurrently(services: Services, world: World) -> None:
    await world.district("Overvecht")
    token = await world.invite("Overvecht")
    outcomes = await asyncio.gather(
        *(services.intake.accept_invitation(token, 2001, "Fatima") for _ in range(3))
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Joined", "LinkUsed", "LinkUsed"]
    assert await world.memberships() == {(2001, "Overvecht", Role.KEY_FIGURE)}


async def test_expiry_boundary(services: Services, world: World, clock: FakeClock) -> None:
    await world.district("Overvecht")
    token = await world.invite("Overvecht")
    clock.advance(days=7, seconds=-1)
    assert isinstance(await services.intake.open_invitation(token, 2001), InvitationValid)
    clock.advance(seconds=1)
    before = await _nothing_stored(world)
    assert await services.intake.open_invitation(token, 2001) == LinkExpired()
    assert await services.intake.accept_invitation(token, 2001, "Fatima") == LinkExpired()
    assert await services.intake.decline_invitation(token) == LinkExpired()
    assert await _nothing_stored(world) == before


async def test_forged_or_unknown_tokens(services: Services, world: World) -> None:
    await world.district("Overvecht")
    await world.invite("Overvecht")
    before = await _nothing_stored(world)
    for token in (new_token(), "", "x" * 65, "../../etc/passwd", "abc def", "ünïcode"):
        assert await services.intake.open_invitation(token, 2001) == LinkUnknown()
        assert await services.intake.accept_invitation(token, 2001, "Mallory") == LinkUnknown()
        assert await services.intake.decline_invitation(token) == LinkUnknown()
    assert await _nothing_stored(world) == before


async def test_decline_stores_nothing_about_the_person(
    services: Services, world: World, notifier: FakeNotifier
) -> None:
    await world.district("Overvecht")
    token = await world.invite("Overvecht", Role.CHIEF)
    before = await _nothing_stored(world)
    assert await services.intake.decline_invitation(token) == Declined("Overvecht")
    assert await _nothing_stored(world) == before
    assert notifier.to(1001) == [
        ("invitation.declined", {"district": "Overvecht", "role": "chef"})
    ]
    [invitation] = await world.rows(select(Invitation))
    assert invitation.used_at is None and invitation.used_by_id is None


async def test_key_figure_moves_only_after_confirmation(
    services: Services, world: World, notifier: FakeNotifier
) -> None:
    await world.district("Overvecht")
    await world.district("Zuilen")
    await world.join("Overvecht", 2001, "Fatima")
    token = await world.invite("Zuilen")

    opened = await services.intake.open_invitation(token, 2001)
    assert isinstance(opened, InvitationValid) and opened.move_from == "Overvecht"
    before = await _nothing_stored(world)
    asked = await services.intake.accept_invitation(token, 2001, "Fatima")
    assert asked == NeedsMoveConfirmation("Overvecht", "Zuilen")
    assert await _nothing_stored(world) == before
    [_, open_one] = await world.rows(select(Invitation).order_by(Invitation.id))
    assert open_one.used_at is None

    moved = await services.intake.accept_invitation(token, 2001, "Fatima", confirm_move=True)
    assert moved == Joined("Zuilen", Role.KEY_FIGURE, moved_from="Overvecht")
    assert await world.memberships() == {(2001, "Zuilen", Role.KEY_FIGURE)}
    [_, entry] = await world.audit("invitation.accepted")
    assert entry.details["moved_from"] == "Overvecht"


async def test_chief_may_hold_several_districts(services: Services, world: World) -> None:
    await world.district("Overvecht")
    await world.district("Zuilen")
    await world.join("Overvecht", 3001, "Chef", Role.CHIEF)
    token = await world.invite("Zuilen", Role.CHIEF)
    opened = await services.intake.open_invitation(token, 3001)
    assert isinstance(opened, InvitationValid) and opened.move_from is None
    assert await services.intake.accept_invitation(token, 3001, "Chef") == Joined(
        "Zuilen", Role.CHIEF
    )
    assert await world.memberships() == {
        (3001, "Overvecht", Role.CHIEF),
        (3001, "Zuilen", Role.CHIEF),
    }


async def test_already_member_and_role_change(
    services: Services, world: World, notifier: FakeNotifier
) -> None:
    await world.district("Overvecht")
    await world.join("Overvecht", 2001, "Fatima")
    same = await world.invite("Overvecht")
    opened = await services.intake.open_invitation(same, 2001)
    assert isinstance(opened, InvitationValid) and opened.current_role is Role.KEY_FIGURE
    outcome = await services.intake.accept_invitation(same, 2001, "Fatima B.")
    assert outcome == AlreadyMember("Overvecht", Role.KEY_FIGURE)
    person = await world.person(2001)
    assert person is not None and person.display_name == "Fatima B."

    promote = await world.invite("Overvecht", Role.CHIEF)
    changed = await services.intake.accept_invitation(promote, 2001, "Fatima B.")
    assert changed == Joined("Overvecht", Role.CHIEF, previous_role=Role.KEY_FIGURE)
    assert await world.memberships() == {(2001, "Overvecht", Role.CHIEF)}
    assert "peiling" in notifier.menus[2001]


async def test_accepting_makes_a_blocked_person_reachable(
    services: Services, world: World
) -> None:
    await world.district("Overvecht")
    await world.join("Overvecht", 3001, "Chef", Role.CHIEF)
    await services.people.mark_person_unreachable(3001)
    await world.district("Zuilen")
    await world.join("Zuilen", 3001, "Chef", Role.CHIEF)
    person = await world.person(3001)
    assert person is not None and person.privately_reachable


@pytest.mark.parametrize("later", [timedelta(0), timedelta(days=7)])
async def test_stale_read_loses_at_the_conditional_claim(
    services: Services,
    world: World,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    later: timedelta,
) -> None:
    """The claim re-checks every rule, so a read made before a rival's commit cannot win."""
    await world.district("Overvecht")
    token = await world.invite("Overvecht")
    if not later:
        await services.intake.accept_invitation(token, 2001, "Fatima")
    clock.advance(seconds=later.total_seconds())
    real, calls = intake_module._problem, []

    def stale_first_read(*args: Any) -> Any:
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(intake_module, "_problem", stale_first_read)
    outcome = await services.intake.accept_invitation(token, 2002, "Hasan")
    assert outcome == (LinkExpired() if later else LinkUsed())
    assert await world.person(2002) is None
    assert len(await world.audit("invitation.accepted")) == (0 if later else 1)
