"""Closing: by the deadline or by hand, once, race-safe; start-up closes what is overdue."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from checkin_fakes import CheckInNotifier
from checkin_world import CARLA, CHRIS, OVERVECHT, ZUILEN, Net
from fakes import FakeClock
from sqlalchemy import select, update
from world import COEN, CORA, World, stranger

from services.checkins.outcomes import (
    AlreadyClosed,
    CheckInClosed,
    NotYetDue,
    OpenCheckIn,
    Unknown,
)
from services.outcomes import DENIED
from storage.models import CheckIn, CheckInStatus, Delivery


async def test_the_starter_closes_and_everyone_sees_closed_with_a_summary(
    net: Net, notifier: CheckInNotifier, clock: FakeClock, world: World
) -> None:
    checkin_id = await net.sent()
    await net.press(3001, checkin_id, 2)
    clock.advance(hours=1)
    closed = await net.checkins.closing.close_checkin(checkin_id, CHRIS)
    assert isinstance(closed, CheckInClosed)
    assert (closed.closed_at, closed.by_deadline, closed.summary_sent) == (
        clock.now(),
        False,
        True,
    )
    assert {e.message.district for e in closed.edits} == {OVERVECHT, "Kanaleneiland"}
    assert all(not e.message.open for e in closed.edits)
    assert [chat for chat, _ in notifier.summaries] == [2001, 1001, 1002]
    [checkin] = await world.rows(select(CheckIn))
    assert checkin.status is CheckInStatus.CLOSED and checkin.summary_sent_at == clock.now()
    # The denominator is frozen: people joining later do not change this check-in's n of N.
    rows = await world.rows(select(Delivery))
    assert sorted(d.key_figures_at_close or 0 for d in rows) == [3, 4]
    [entry] = await world.audit("checkin.closed")
    assert entry.actor_telegram_id == CHRIS.telegram_user_id


async def test_closing_twice_changes_nothing_and_sends_no_second_summary(
    net: Net, notifier: CheckInNotifier, clock: FakeClock
) -> None:
    checkin_id = await net.sent(hours=1)
    first = await net.checkins.closing.close_checkin(checkin_id, CHRIS)
    assert isinstance(first, CheckInClosed)
    clock.advance(hours=2)
    again = await net.checkins.closing.close_checkin(checkin_id, CORA)
    assert again == AlreadyClosed(checkin_id, first.closed_at)
    assert await net.checkins.closing.close_checkin(checkin_id, None) == again
    assert await net.checkins.summaries.send_summary(checkin_id) is None
    assert len(notifier.summaries) == 3


async def test_who_may_close(net: Net) -> None:
    checkin_id = await net.sent(actor=CORA, districts=[OVERVECHT, ZUILEN])
    closing = net.checkins.closing
    for nobody in (stranger(), stranger(3001, "Fatima"), stranger(3101, "Mirjam")):
        assert await closing.close_checkin(checkin_id, nobody) == DENIED
    assert isinstance(await closing.close_checkin(checkin_id, CARLA), CheckInClosed)
    other = await net.sent(actor=CORA, districts=[OVERVECHT])
    assert await closing.close_checkin(other, CARLA) == DENIED  # not her district
    assert isinstance(await closing.close_checkin(other, CHRIS), CheckInClosed)
    third = await net.sent(actor=CHRIS, districts=[OVERVECHT])
    assert isinstance(await closing.close_checkin(third, COEN), CheckInClosed)
    assert await closing.close_checkin(999, CORA) == Unknown()


async def test_the_deadline_closes_only_when_it_has_come(net: Net, clock: FakeClock) -> None:
    checkin_id = await net.sent(hours=2)
    closes_at = clock.now() + timedelta(hours=2)
    assert await net.checkins.closing.close_checkin(checkin_id, None) == NotYetDue(closes_at)
    clock.set(closes_at)
    closed = await net.checkins.closing.close_checkin(checkin_id, None)
    assert isinstance(closed, CheckInClosed) and closed.by_deadline


async def test_racing_closes_close_once(
    net: Net, notifier: CheckInNotifier, clock: FakeClock
) -> None:
    checkin_id = await net.sent(hours=1)
    clock.advance(hours=1)
    closing = net.checkins.closing
    outcomes = await asyncio.gather(
        closing.close_checkin(checkin_id, None),
        closing.close_checkin(checkin_id, CHRIS),
        closing.close_checkin(checkin_id, CORA),
    )
    assert sum(isinstance(o, CheckInClosed) for o in outcomes) == 1
    assert sum(isinstance(o, AlreadyClosed) for o in outcomes) == 2
    assert len(notifier.summaries) == 3


async def test_start_up_closes_what_is_overdue_and_schedules_the_rest(
    net: Net, clock: FakeClock
) -> None:
    short = await net.sent(hours=1)
    long = await net.sent(hours=24)
    closing = net.checkins.closing
    start = clock.now()
    clock.advance(hours=3)  # the bot was down past the first deadline
    assert await closing.due_closings() == [OpenCheckIn(short, start + timedelta(hours=1))]
    [closed] = await closing.close_overdue()
    assert isinstance(closed, CheckInClosed) and closed.checkin_id == short
    assert await closing.close_overdue() == []  # safe to repeat
    assert await closing.open_checkins() == [OpenCheckIn(long, start + timedelta(hours=24))]
    assert await closing.due_closings() == []


async def test_a_stop_ends_closing_the_overdue_between_two_and_the_next_start_goes_on(
    net: Net, notifier: CheckInNotifier, clock: FakeClock
) -> None:
    first, second = await net.sent(hours=1), await net.sent(hours=2)
    clock.advance(hours=3)
    asked: list[int] = []

    def go_on() -> bool:  # the bot stops during the first closing
        asked.append(len(notifier.summaries))
        return not asked[1:]

    [closed] = await net.checkins.closing.close_overdue(go_on)
    assert isinstance(closed, CheckInClosed) and closed.checkin_id == first
    assert asked == [0, 3]  # asked before each closing; the first was summarised in full
    assert await net.checkins.closing.due_closings() == [
        OpenCheckIn(second, clock.now() - timedelta(hours=1))
    ]
    [closed] = await net.checkins.closing.close_overdue()
    assert isinstance(closed, CheckInClosed) and closed.checkin_id == second
    assert len(notifier.summaries) == 6


async def test_start_up_sends_a_summary_a_crash_left_unsent(
    net: Net, notifier: CheckInNotifier, world: World, clock: FakeClock
) -> None:
    checkin_id = await net.sent()
    await net.press(3001, checkin_id, 3)
    async with world.services.uow() as uow:  # closed, then the process died
        await uow.session.execute(
            update(CheckIn).values(status=CheckInStatus.CLOSED, closed_at=clock.now())
        )
        await uow.commit()
    assert await net.checkins.closing.close_overdue() == []
    assert [chat for chat, _ in notifier.summaries] == [2001, 1001, 1002]
    # The group messages get their final edit from the regular tally job.
    clock.advance(seconds=5)
    assert await net.checkins.tallies.refresh_tallies() == 2
    assert all(not m.open for _, _, m in notifier.edits)
    await net.checkins.closing.close_overdue()
    assert len(notifier.summaries) == 3
