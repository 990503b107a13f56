"""Reminders against the fakes: once per person and round, never to the answered or away,
never after closing, never twice — not after a crash mid-send, not after a restart."""

from __future__ import annotations

import pytest
from checkin_fakes import CheckInNotifier, Crash
from checkin_world import CHRIS, OVERVECHT, Net, set_district
from fakes import FakeClock
from sqlalchemy import select
from world import World

from services.access import Actor
from services.checkins import CheckIns
from storage.models import DeliveryStatus, MemberDelivery, Person, Reminder

REMINDED = [3002, 3004, 3101, 3102, 3103]  # not Fatima (answered), not Els (away), no Zuilen


def reminded(notifier: CheckInNotifier) -> list[int]:
    """The chats that got a reminder, in order."""
    return [chat for chat, _, message in notifier.posts if message.reminder]


async def test_a_reminder_goes_once_to_each_who_has_not_answered_and_is_not_away(
    net: Net, notifier: CheckInNotifier, clock: FakeClock, world: World
) -> None:
    checkin_id = await net.sent()  # 6 hours: halfway after 3
    await net.press(3001, checkin_id, 2)
    await world.services.away.set_away(Actor(3003, "Els"), None)
    clock.advance(hours=2, minutes=59)
    assert (await net.checkins.reminders.send_due()).sent == 0
    clock.advance(minutes=1)
    done = await net.checkins.reminders.send_due()
    assert (done.sent, done.failed) == (5, 0)
    assert reminded(notifier) == REMINDED
    [message] = [m for chat, _, m in notifier.posts if chat == 3002 and m.reminder]
    assert message.private and message.open and message.checkin_id == checkin_id
    # Once: another pass, and a fresh service as after a restart, send nothing more.
    assert (await net.checkins.reminders.send_due()).sent == 0
    restarted = CheckIns.build(
        net.checkins.broadcast._deps,
        net.checkins.settings,
        world.services.group_lifecycle,
        world.services.people,
    )
    clock.advance(hours=1)
    assert (await restarted.reminders.send_due()).sent == 0
    assert reminded(notifier) == REMINDED


async def test_a_press_on_ones_own_reminder_answers_and_on_anothers_does_not(
    net: Net, notifier: CheckInNotifier, clock: FakeClock
) -> None:
    checkin_id = await net.sent()
    clock.advance(hours=3)
    await net.checkins.reminders.send_due()
    [(mid, _)] = [(mid, m) for mid, m in notifier.posted_to(3002) if m.reminder]
    # Ahmed's reminder pressed from Youssef's chat is no message of Youssef's.
    refused = await net.press(3004, checkin_id, 2, message_id=mid, chat_id=3004)
    assert type(refused).__name__ == "NotForYou"
    recorded = await net.press(3002, checkin_id, 2, message_id=mid, chat_id=3002)
    assert type(recorded).__name__ == "Recorded"


async def test_no_reminder_after_the_check_in_closed(
    net: Net, notifier: CheckInNotifier, clock: FakeClock
) -> None:
    checkin_id = await net.sent()
    await net.checkins.closing.close_checkin(checkin_id, CHRIS)
    clock.advance(hours=3)
    assert (await net.checkins.reminders.send_due()).sent == 0
    assert reminded(notifier) == []


@pytest.mark.parametrize("when", ["before", "after"])
async def test_a_crash_around_a_send_never_sends_that_reminder_again(
    net: Net, notifier: CheckInNotifier, clock: FakeClock, world: World, when: str
) -> None:
    await net.sent()
    clock.advance(hours=3)
    (notifier.crash_before if when == "before" else notifier.crash_after).add(3002)
    with pytest.raises(Crash):
        await net.checkins.reminders.send_due()
    await net.checkins.reminders.send_due()  # the next pass goes on with the others
    everyone = [3001, 3002, 3003, 3004, 3101, 3102, 3103]
    # Crashed before Telegram saw it: lost. After it accepted: there, once. Never twice.
    expected = [r for r in everyone if r != 3002 or when == "after"]
    assert sorted(reminded(notifier)) == expected
    rows = {r.person_id: r for r in await world.rows(select(Reminder))}
    unsettled = [r for r in rows.values() if r.status is DeliveryStatus.PENDING]
    assert len(unsettled) == 1 and unsettled[0].message_id is None


async def test_private_copies_skip_the_away_without_counting_them_failed_and_note_reminders(
    net: Net, notifier: CheckInNotifier, clock: FakeClock, world: World
) -> None:
    await set_district(world, OVERVECHT, ask_privately=True)
    await world.services.away.set_away(Actor(3003, "Els"), None)
    await net.sent(districts=[OVERVECHT])
    [(_, report)] = notifier.reports
    assert (report.private_sent, report.private_failed, report.private_pending) == (3, 0, 0)
    assert sorted(chat for chat, _, m in notifier.posts if m.private) == [3001, 3002, 3004]
    await net.press(3001, 1, 2)
    clock.advance(hours=3)
    await net.checkins.reminders.send_due()
    assert reminded(notifier) == [3002, 3004]
    rows = {d.person_id: d for d in await world.rows(select(MemberDelivery))}
    people = {p.telegram_user_id: p.id for p in await world.rows(select(Person))}
    assert rows[people[3002]].reminded_at == clock.now()
    assert rows[people[3001]].reminded_at is None
    assert rows[people[3003]].status is DeliveryStatus.SKIPPED
