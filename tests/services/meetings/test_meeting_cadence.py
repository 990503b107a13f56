"""The meeting cadence behind /overzicht: last and next meeting, and the flag."""

from __future__ import annotations

from datetime import timedelta

from fakes import FakeClock
from meeting_world import CHIEF, STARTS, Net, plan
from world import CORA, stranger

from services.container import Services
from services.outcomes import Denied


async def test_last_next_and_the_flag_after_too_many_days(
    services: Services, net: Net, clock: FakeClock
) -> None:
    cadence = services.meetings.cadence
    assert cadence.cadence_days == 90
    assert isinstance(await cadence.cadence(stranger()), Denied)
    before = {c.district: c for c in await cadence.cadence(CORA)}  # type: ignore[union-attr]
    assert before["Overvecht"].overdue and before["Overvecht"].last is None  # never met

    await plan(services, net)
    planned = {c.district: c for c in await cadence.cadence(CHIEF)}  # type: ignore[union-attr]
    assert list(planned) == ["Overvecht"]  # a chief sees their own districts
    assert planned["Overvecht"].next == STARTS and not planned["Overvecht"].overdue

    clock.set(STARTS + timedelta(days=90))
    held = (await cadence.cadence(CHIEF))[0]  # type: ignore[index]
    assert (held.last, held.next, held.overdue, held.days_since) == (STARTS, None, False, 90)
    clock.set(STARTS + timedelta(days=91))
    assert (await cadence.cadence(CHIEF))[0].overdue  # type: ignore[index]
