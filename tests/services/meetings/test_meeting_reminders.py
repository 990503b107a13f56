"""Reminders, moving and cancelling against fakes: who hears what, when, and only once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from fakes import FakeClock
from meeting_world import (
    CHIEF,
    DEADLINE,
    DETAILS,
    FATIMA,
    MEHMET,
    STARTS,
    MeetingNotifier,
    Net,
    own_press,
    plan,
)
from world import World

from services.container import Services
from services.meetings.views import ChangeRefused, MeetingChanged, MeetingPlanned, RsvpRefused


def restarted(services: Services, clock: FakeClock, notifier: MeetingNotifier) -> Services:
    """A new process on the same database (nothing in memory carries over)."""
    return Services(
        uow=services.uow,
        clock=clock,
        notifier=notifier,
        tz=services.tz,
        language="nl",
        coordinator_ids=services.coordinator_ids,
        texts=services.texts,
    )


async def test_rsvp_reminder_goes_once_to_those_who_did_not_answer(
    services: Services, net: Net, clock: FakeClock, notifier: MeetingNotifier
) -> None:
    meeting_id = await plan(services, net)
    await services.meetings.sender.deliver_pending(meeting_id)
    await services.meetings.rsvps.record(await own_press(services, FATIMA, meeting_id, "no"))
    notifier.posts.clear()
    assert await services.meetings.reminders.send_due() == 0  # Monday: too early
    # Tuesday 18:30 in Amsterdam: a day before the deadline.
    clock.set(DEADLINE - timedelta(hours=24))
    assert await services.meetings.reminders.send_due() == 1
    [(chat_id, _, message)] = notifier.posts
    assert chat_id == MEHMET and message.reminder and message.private and message.open
    assert await services.meetings.reminders.send_due() == 0
    assert await restarted(services, clock, notifier).meetings.reminders.send_due() == 0
    assert len(notifier.posts) == 1


async def test_day_before_reminder_to_yes_and_maybe_only_once_across_a_restart(
    services: Services, net: Net, clock: FakeClock, notifier: MeetingNotifier
) -> None:
    meeting_id = await plan(services, net)
    await services.meetings.rsvps.record(await own_press(services, FATIMA, meeting_id, "maybe"))
    await services.meetings.rsvps.record(await own_press(services, MEHMET, meeting_id, "no"))
    clock.set(STARTS - timedelta(hours=24))
    notifier.clear()
    assert await services.meetings.reminders.send_due() == 1
    assert notifier.with_key("meeting.remind.tomorrow") == [
        (FATIMA, {"when": STARTS, "place": DETAILS.place, "meal": DETAILS.meal})
    ]
    clock.advance(hours=1)
    assert await restarted(services, clock, notifier).meetings.reminders.send_due() == 0
    assert len(notifier.with_key("meeting.remind.tomorrow")) == 1


async def test_no_reminder_in_quiet_hours_it_waits_for_the_morning(
    services: Services, net: Net, clock: FakeClock, notifier: MeetingNotifier
) -> None:
    # Saturday 5 December, 07:00 in Amsterdam: a day before is 07:00, inside the quiet hours.
    early = datetime(2026, 12, 5, 6, 0, tzinfo=UTC)
    details = replace(DETAILS, starts_at=early, rsvp_deadline=DEADLINE)
    planned = await services.meetings.planner.plan(CHIEF, [net.overvecht], details)
    assert isinstance(planned, MeetingPlanned)
    await services.meetings.rsvps.record(
        await own_press(services, FATIMA, planned.meeting_id, "yes")
    )
    notifier.clear()
    clock.set(early - timedelta(hours=24))  # Friday 07:00 local
    assert await services.meetings.reminders.send_due() == 0
    clock.set(datetime(2026, 12, 4, 6, 59, tzinfo=UTC))  # Friday 07:59 local
    assert await services.meetings.reminders.send_due() == 0
    clock.set(datetime(2026, 12, 4, 7, 0, tzinfo=UTC))  # Friday 08:00 local
    assert await services.meetings.reminders.send_due() == 1
    assert [c for c, _ in notifier.with_key("meeting.remind.tomorrow")] == [FATIMA]


async def test_cancelling_tells_everyone_who_said_yes_or_maybe(
    services: Services, net: Net, clock: FakeClock, notifier: MeetingNotifier, world: World
) -> None:
    meeting_id = await plan(services, net)
    await services.meetings.sender.deliver_pending(meeting_id)
    await services.meetings.rsvps.record(await own_press(services, FATIMA, meeting_id, "yes"))
    await services.meetings.rsvps.record(await own_press(services, MEHMET, meeting_id, "no"))
    notifier.clear()
    assert await services.meetings.changes.cancel(
        services.actor(FATIMA, "Fatima"), meeting_id
    ) == ChangeRefused("denied")
    cancelled = await services.meetings.changes.cancel(CHIEF, meeting_id)
    assert isinstance(cancelled, MeetingChanged) and cancelled.told == 1
    assert [c for c, _ in notifier.with_key("meeting.cancelled_notice")] == [FATIMA]
    assert await services.meetings.changes.cancel(CHIEF, meeting_id) == ChangeRefused("cancelled")
    # The group invitation shows it (the count job edits it, paced), without buttons.
    clock.advance(seconds=10)
    assert await services.meetings.rsvps.refresh() == 1
    [(_, _, shown)] = notifier.edits
    assert shown.cancelled and not shown.open
    rejected = await services.meetings.rsvps.record(
        await own_press(services, MEHMET, meeting_id, "yes")
    )
    assert rejected == RsvpRefused("cancelled")
    assert [e.action for e in await world.audit()][-1] == "meeting.cancel"


async def test_moving_tells_those_coming_and_reminds_anew(
    services: Services, net: Net, clock: FakeClock, notifier: MeetingNotifier, world: World
) -> None:
    meeting_id = await plan(services, net)
    await services.meetings.rsvps.record(await own_press(services, MEHMET, meeting_id, "maybe"))
    clock.set(STARTS - timedelta(hours=24))
    assert await services.meetings.reminders.send_due() == 1
    notifier.clear()
    later = STARTS + timedelta(days=7)
    moved = await services.meetings.changes.move(CHIEF, meeting_id, later)
    assert isinstance(moved, MeetingChanged) and moved.told == 1
    [(chat_id, params)] = notifier.with_key("meeting.moved_notice")
    assert chat_id == MEHMET and params["was"] == STARTS and params["when"] == later
    # A day before the new date, those coming are reminded again.
    clock.set(later - timedelta(hours=24))
    assert await services.meetings.reminders.send_due() == 1
    assert "meeting.move" in [e.action for e in await world.audit()]
