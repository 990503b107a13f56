"""The inbox keeps updates from receipt until handled, and forgets the stale ones."""

from __future__ import annotations

from datetime import timedelta

from fakes import FakeClock

from services.container import Services


async def test_kept_updates_stay_until_handled_and_then_go(
    services: Services, clock: FakeClock
) -> None:
    inbox = services.inbox
    await inbox.keep([(7, '{"update_id": 7}'), (8, '{"update_id": 8}')])
    await inbox.keep([(8, '{"update_id": 8}'), (9, '{"update_id": 9}')])  # 8 again: once

    inbox.handled(7)
    assert await inbox.unfinished() == ['{"update_id": 7}', '{"update_id": 8}', '{"update_id": 9}']
    assert await inbox.forget_handled() == 1
    assert await inbox.unfinished() == ['{"update_id": 8}', '{"update_id": 9}']
    assert await inbox.forget_handled() == 0


async def test_updates_a_day_old_are_not_handled_any_more(
    services: Services, clock: FakeClock
) -> None:
    await services.inbox.keep([(1, '{"update_id": 1}')])
    clock.advance(hours=23)
    await services.inbox.keep([(2, '{"update_id": 2}')])
    clock.advance(hours=2)
    assert await services.inbox.unfinished() == ['{"update_id": 2}']


async def test_beside_other_workers_only_updates_kept_a_while_count_as_left_behind(
    services: Services, clock: FakeClock
) -> None:
    await services.inbox.keep([(1, '{"update_id": 1}')])
    clock.advance(seconds=61)
    await services.inbox.keep([(2, '{"update_id": 2}')])
    assert await services.inbox.unfinished(timedelta(seconds=60)) == ['{"update_id": 1}']
    assert await services.inbox.unfinished() == ['{"update_id": 1}', '{"update_id": 2}']
