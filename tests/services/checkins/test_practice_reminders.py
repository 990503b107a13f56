"""A practice check-in's reminders carry its mark: the private copy and the group nudge."""

from __future__ import annotations

from datetime import timedelta

from checkin_fakes import CheckInNotifier
from checkin_world import CHRIS, GROUPS, OVERVECHT, Net, set_district
from fakes import FakeClock
from world import World

from services.checkins.outcomes import CheckInStarted


async def test_reminders_of_a_practice_checkin_are_marked(
    net: Net, notifier: CheckInNotifier, clock: FakeClock, world: World
) -> None:
    await set_district(world, OVERVECHT, group_nudge=True)
    started = await net.checkins.start.start_checkin(
        CHRIS, "Oefenen", [OVERVECHT], timedelta(hours=6), True, practice=True
    )
    assert isinstance(started, CheckInStarted)
    await net.checkins.broadcast.broadcast(started.checkin_id)
    await net.press(3001, started.checkin_id, 2)
    clock.advance(hours=3)
    done = await net.checkins.reminders.send_due()
    assert (done.sent, done.nudges) == (3, 1)
    reminders = [m for _, _, m in notifier.posts if m.reminder]
    assert len(reminders) == 3 and all(m.practice for m in reminders)
    assert [key for key, _ in notifier.to(GROUPS[OVERVECHT])] == ["practice.nudge"]
