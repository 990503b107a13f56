"""Refused presses and commands reach the audit log, at most once per person per window."""

from __future__ import annotations

from fakes import FakeClock
from world import World

from services.container import Services


async def test_refusals_are_counted_once_per_person_per_window(
    services: Services, world: World, clock: FakeClock
) -> None:
    refusals = services.refusals
    await refusals.refused(3001, "press")
    for _ in range(40):
        await refusals.refused(3001, "press")
    await refusals.refused(3002, "/export")

    entries = await world.audit("refused")
    assert [(e.actor_telegram_id, e.subject, e.details) for e in entries] == [
        (3001, "press", {"count": 1}),
        (3002, "/export", {"count": 1}),
    ]

    clock.advance(minutes=10)
    await refusals.refused(3001, "/wijk")
    entries = await world.audit("refused")
    assert (entries[-1].actor_telegram_id, entries[-1].subject, entries[-1].details) == (
        3001,
        "/wijk",
        {"count": 41},
    )
