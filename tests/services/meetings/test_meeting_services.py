"""Meetings against fakes: sends claimed and settled, RSVPs checked, needs only counted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fakes import FakeClock
from meeting_world import (
    CHIEF,
    DEADLINE,
    DETAILS,
    FATIMA,
    KANALENEILAND_GROUP,
    MEHMET,
    OVERVECHT_GROUP,
    SANNE,
    STARTS,
    Crash,
    MeetingNotifier,
    Net,
    own_press,
    plan,
)
from sqlalchemy import select
from world import CORA, World, stranger

from services.access import Actor
from services.container import Services
from services.meetings.dietary import DietaryRefused, DietaryView
from services.meetings.rsvp import RsvpPress
from services.meetings.views import PlanRefused, RsvpCounts, RsvpRecorded, RsvpRefused
from services.outcomes import Denied
from storage.models import DeliveryStatus, DietaryNeed, MeetingDelivery, Rsvp, RsvpAnswer


async def test_invitations_go_to_the_group_and_each_key_figure_once(
    services: Services, net: Net, notifier: MeetingNotifier, world: World
) -> None:
    meeting_id = await plan(services, net)
    sent = await services.meetings.sender.deliver_pending(meeting_id)
    assert (sent.sent, sent.failed) == (3, 0)  # the group, Fatima, Mehmet
    [group] = notifier.posted_to(OVERVECHT_GROUP)
    assert group.districts == ("Overvecht",) and group.open and not group.private
    assert [m.private for m in notifier.posted_to(FATIMA)] == [True]
    assert notifier.posted_to(KANALENEILAND_GROUP) == [] and notifier.posted_to(SANNE) == []
    again = await services.meetings.sender.deliver_pending(None)
    assert again.sent == 0 and len(notifier.posts) == 3
    [entry] = await world.audit("meeting.plan")
    assert entry.actor_telegram_id == CHIEF.telegram_user_id


async def test_a_send_caught_by_a_crash_is_resumed_once_after_the_lease(
    services: Services, net: Net, notifier: MeetingNotifier, clock: FakeClock, world: World
) -> None:
    meeting_id = await plan(services, net)
    notifier.crash_before.add(OVERVECHT_GROUP)
    with pytest.raises(Crash):
        await services.meetings.sender.deliver_pending(meeting_id)
    # A pass soon after (another process) leaves the claimed send to its (dead) sender...
    await services.meetings.sender.deliver_pending(meeting_id)
    assert notifier.posted_to(OVERVECHT_GROUP) == []
    # ...and takes it over once the claim is older than the lease: exactly one post.
    clock.advance(minutes=3)
    await services.meetings.sender.deliver_pending(meeting_id)
    await services.meetings.sender.deliver_pending(meeting_id)
    assert len(notifier.posted_to(OVERVECHT_GROUP)) == 1
    statuses = await world.rows(select(MeetingDelivery.status))
    assert statuses == [DeliveryStatus.SENT]


async def test_only_chiefs_of_the_district_and_coordinators_may_plan(
    services: Services, net: Net
) -> None:
    planner = services.meetings.planner
    assert isinstance(await planner.district_options(stranger()), Denied)
    refused = await planner.plan(CHIEF, [net.kanaleneiland], DETAILS)
    assert refused == PlanRefused("denied")
    late = DETAILS.__class__(STARTS, "x", "y", STARTS + timedelta(hours=1))
    assert await planner.plan(CHIEF, [net.overvecht], late) == PlanRefused("deadline_after_start")
    both = await planner.plan(CORA, [net.overvecht, net.kanaleneiland], DETAILS)
    assert not isinstance(both, PlanRefused) and both.districts == ("Kanaleneiland", "Overvecht")
    assert both.private_invites == 3


async def test_rsvp_refused_when_not_invited_or_late_and_changes_count_once(
    services: Services, net: Net, clock: FakeClock, world: World
) -> None:
    meeting_id = await plan(services, net)
    rsvps = services.meetings.rsvps
    # Sanne belongs to Kanaleneiland, which is not invited; a stranger belongs nowhere.
    assert await rsvps.record(await own_press(services, SANNE, meeting_id, "yes")) == RsvpRefused(
        "not_invited"
    )
    assert await rsvps.record(await own_press(services, 9999, meeting_id, "yes")) == RsvpRefused(
        "not_invited"
    )
    assert await rsvps.record(
        await own_press(services, FATIMA, meeting_id, "perhaps")
    ) == RsvpRefused("unknown")
    assert await rsvps.record(await own_press(services, FATIMA, 999, "yes")) == RsvpRefused(
        "unknown"
    )

    first = await rsvps.record(await own_press(services, FATIMA, meeting_id, "maybe"))
    assert isinstance(first, RsvpRecorded) and first.before is None and first.asks_dietary
    changed = await rsvps.record(await own_press(services, FATIMA, meeting_id, "yes"))
    assert isinstance(changed, RsvpRecorded) and changed.before == "maybe"
    same = await rsvps.record(await own_press(services, FATIMA, meeting_id, "yes"))
    assert isinstance(same, RsvpRecorded) and not same.asks_dietary
    await rsvps.record(await own_press(services, MEHMET, meeting_id, "no"))
    assert await world.count(Rsvp) == 2

    headcount = await services.meetings.headcount.headcount(CHIEF, meeting_id)
    assert not isinstance(headcount, Denied)
    assert headcount.counts == RsvpCounts(yes=1, maybe=0, no=1)
    assert headcount.counts.headcount == 1

    clock.set(DEADLINE)
    assert await rsvps.record(await own_press(services, MEHMET, meeting_id, "yes")) == RsvpRefused(
        "closed"
    )


async def test_headcount_at_the_deadline_goes_once_even_across_a_restart(
    services: Services, net: Net, clock: FakeClock, notifier: MeetingNotifier
) -> None:
    meeting_id = await plan(services, net)
    await services.meetings.rsvps.record(await own_press(services, FATIMA, meeting_id, "yes"))
    assert await services.meetings.headcount.send_due() == 0  # not yet due
    clock.set(DEADLINE + timedelta(seconds=1))
    assert await services.meetings.headcount.send_due() == 1
    [(chat_id, headcount)] = notifier.headcounts
    assert chat_id == CHIEF.telegram_user_id and headcount.counts.yes == 1
    # A new process on the same database finds it sent.
    restarted = services.__class__(
        uow=services.uow,
        clock=clock,
        notifier=notifier,
        tz=services.tz,
        language="nl",
        coordinator_ids=services.coordinator_ids,
        texts=services.texts,
    )
    assert await restarted.meetings.headcount.send_due() == 0
    assert len(notifier.headcounts) == 1


async def test_dietary_needs_need_consent_are_counted_not_named_and_forgotten(
    services: Services, net: Net, clock: FakeClock, world: World
) -> None:
    meeting_id = await plan(services, net)
    dietary = services.meetings.dietary
    # Not coming: nothing to give.
    assert await dietary.view(FATIMA, meeting_id) == DietaryRefused("not_coming")
    await services.meetings.rsvps.record(await own_press(services, FATIMA, meeting_id, "yes"))
    await services.meetings.rsvps.record(await own_press(services, MEHMET, meeting_id, "maybe"))
    # A toggle without consent stores nothing.
    assert await dietary.change(FATIMA, meeting_id, "toggle", 0) == DietaryRefused("unknown")
    assert await world.count(DietaryNeed) == 0
    await dietary.change(FATIMA, meeting_id, "consent")
    view = await dietary.change(FATIMA, meeting_id, "toggle", 0)  # halal
    assert isinstance(view, DietaryView) and view.needs == ("halal",)
    await dietary.change(MEHMET, meeting_id, "consent")
    await dietary.change(MEHMET, meeting_id, "toggle", 0)
    await dietary.change(MEHMET, meeting_id, "toggle", 6)  # nut allergy
    await dietary.change(MEHMET, meeting_id, "text", text="geen vis")
    await dietary.change(MEHMET, meeting_id, "remember")

    headcount = await services.meetings.headcount.headcount(CHIEF, meeting_id)
    assert not isinstance(headcount, Denied)
    assert headcount.dietary == {"halal": 2, "nut_allergy": 1, "other": 1}
    assert headcount.other_needs == ("geen vis",)
    assert "Fatima" not in repr(headcount) and "Mehmet" not in repr(headcount)
    # A key figure may not see the headcount.
    assert isinstance(
        await services.meetings.headcount.headcount(Actor(FATIMA, "Fatima"), meeting_id), Denied
    )
    csv = await services.meetings.headcount.csv(CHIEF, meeting_id)
    assert isinstance(csv, bytes) and b"Fatima" not in csv and b"halal,2" in csv

    # Saying no drops the needs that were only for this meal.
    await services.meetings.rsvps.record(await own_press(services, FATIMA, meeting_id, "no"))
    await dietary.after_rsvp(FATIMA, meeting_id, RsvpAnswer.NO)
    # After the meeting: forgotten, except what Mehmet asked to remember.
    clock.set(STARTS + timedelta(days=1))
    await dietary.forget_after_meetings()
    assert await world.count(DietaryNeed) == 1
    remembered = await dietary.remembered(MEHMET)
    assert remembered is not None and remembered.needs == ["halal", "nut_allergy"]
    # Clearing erases everything, remembered needs included.
    assert await dietary.clear_all(MEHMET) == 1
    assert await world.count(DietaryNeed) == 0


async def test_dietary_needs_past_their_meeting_are_removed_by_retention_and_counted(
    services: Services, net: Net, clock: FakeClock, world: World
) -> None:
    meeting_id = await plan(services, net)
    dietary = services.meetings.dietary
    await services.meetings.rsvps.record(await own_press(services, FATIMA, meeting_id, "yes"))
    await dietary.change(FATIMA, meeting_id, "consent")
    await dietary.change(FATIMA, meeting_id, "toggle", 0)
    clock.set(STARTS + timedelta(hours=11))
    assert (await services.retention.run(dry_run=True)).counts["dietary_needs"] == 0

    clock.set(STARTS + timedelta(hours=13))
    dry = await services.retention.run(dry_run=True)  # `bondgenoten retention --dry-run`
    assert dry.counts["dietary_needs"] == 1 and await world.count(DietaryNeed) == 1
    assert await dietary.forget_after_meetings() == 1
    assert await world.count(DietaryNeed) == 0
    [entry] = await world.audit("retention.removed")  # counted like every removal
    assert entry.details == {"dietary_needs": 1}


async def test_rsvp_press_only_counts_on_the_meetings_own_invitation(
    services: Services, net: Net, notifier: MeetingNotifier, world: World
) -> None:
    meeting_id = await plan(services, net)
    await services.meetings.sender.deliver_pending(meeting_id)
    [(_, group_message, _)] = [p for p in notifier.posts if p[0] == OVERVECHT_GROUP]
    [(_, mehmets, _)] = [p for p in notifier.posts if p[0] == MEHMET]
    rsvps = services.meetings.rsvps
    unknown = RsvpRefused("unknown")
    # Another message in the group, the right id in another chat, someone else's invitation.
    assert (
        await rsvps.record(
            RsvpPress(FATIMA, meeting_id, "yes", OVERVECHT_GROUP, group_message + 50)
        )
        == unknown
    )
    assert (
        await rsvps.record(
            RsvpPress(FATIMA, meeting_id, "yes", KANALENEILAND_GROUP, group_message)
        )
        == unknown
    )
    assert await rsvps.record(RsvpPress(FATIMA, meeting_id, "yes", MEHMET, mehmets)) == unknown
    assert await rsvps.record(RsvpPress(FATIMA, meeting_id, "yes", FATIMA, mehmets)) == unknown
    assert await world.count(Rsvp) == 0
    # The group's invitation and the person's own both count.
    in_group = await rsvps.record(
        RsvpPress(FATIMA, meeting_id, "yes", OVERVECHT_GROUP, group_message)
    )
    assert isinstance(in_group, RsvpRecorded)
    own = await rsvps.record(RsvpPress(MEHMET, meeting_id, "no", MEHMET, mehmets))
    assert isinstance(own, RsvpRecorded)
    assert await world.count(Rsvp) == 2
