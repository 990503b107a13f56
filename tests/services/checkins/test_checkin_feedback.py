"""Closing the loop: feedback to the groups once each, private copies, the one reminder."""

from __future__ import annotations

from datetime import timedelta

from checkin_fakes import CheckInNotifier
from checkin_world import CARLA, CHRIS, GROUPS, KANALENEILAND, OVERVECHT, ZUILEN, Net
from fakes import FakeClock
from sqlalchemy import select, update
from world import CORA, World

from services.access import Actor
from services.checkins.outcomes import CheckInLine
from services.container import Services
from services.feedback import FeedbackService
from services.feedback.outcomes import (
    AlreadyGiven,
    BadText,
    FeedbackSent,
    FeedbackStored,
    FeedbackTarget,
    NoDistricts,
    NotClosed,
)
from services.outcomes import Denied
from storage.models import DeliveryStatus, Feedback, FeedbackSend

TEXT = "Wat we hoorden: zorgen rond de moskee. Wat we doen: extra surveillance dit weekend."


def _feedback(services: Services, net: Net) -> FeedbackService:
    # The check-in services of the test world share its deps; feedback is built the same way.
    return services.feedback


async def _give(
    feedback: FeedbackService, actor: Actor, checkin_id: int, text: str, ids: list[int]
) -> FeedbackSent:
    """Write and send feedback as the wizard does: store it, then send it."""
    stored = await feedback.give(actor, checkin_id, text, ids)
    assert isinstance(stored, FeedbackStored), stored
    return await feedback.send(stored.feedback_id)


async def _closed(net: Net, clock: FakeClock) -> int:
    checkin_id = await net.sent()
    await net.press(3001, checkin_id, 3)
    await net.press(3002, checkin_id, 2)
    await net.press(3101, checkin_id, 3)
    # Fatima adds depth in the private chat; Ahmed only pressed in the group.
    await net.checkins.followups.set_direction(3001, checkin_id, "same")
    clock.advance(minutes=30)
    await net.checkins.closing.close_checkin(checkin_id, CHRIS)
    net.notifier.clear()
    return checkin_id


async def test_feedback_reaches_each_chosen_group_once_and_private_answerers(
    net: Net, clock: FakeClock, services: Services, notifier: CheckInNotifier, world: World
) -> None:
    checkin_id = await _closed(net, clock)
    feedback = _feedback(services, net)
    target = await feedback.target(CHRIS, checkin_id)
    assert isinstance(target, FeedbackTarget)
    assert [d.name for d in target.districts] == [KANALENEILAND, OVERVECHT]
    ids = [d.district_id for d in target.districts]

    sent = await _give(feedback, CHRIS, checkin_id, f"  {TEXT}\n", ids)
    assert sent == FeedbackSent(
        checkin_id, "Aanslag op moskee in Québec", (KANALENEILAND, OVERVECHT), (), 1
    )
    groups = notifier.with_key("feedback.group")
    assert sorted(chat for chat, _ in groups) == sorted([GROUPS[OVERVECHT], GROUPS[KANALENEILAND]])
    assert all(params["text"] == TEXT for _, params in groups)
    assert [chat for chat, _ in notifier.with_key("feedback.private")] == [3001]

    # Again, by a second press or a colleague: refused, and nothing is sent twice.
    again = await feedback.give(CORA, checkin_id, "Nog iets", ids)
    assert isinstance(again, AlreadyGiven)
    assert await feedback.sender.deliver(None, claimed_before=clock.now()) == 0
    assert len(notifier.with_key("feedback.group")) == 2
    [stored] = await world.rows(select(Feedback))
    assert (stored.checkin_id, stored.text) == (checkin_id, TEXT)
    sends = await world.rows(select(FeedbackSend))
    assert {s.status for s in sends} == {DeliveryStatus.SENT}


async def test_only_some_districts_and_who_may_write(
    net: Net, clock: FakeClock, services: Services, notifier: CheckInNotifier
) -> None:
    feedback = _feedback(services, net)
    open_id = await net.sent()
    assert isinstance(await feedback.target(CHRIS, open_id), NotClosed)
    checkin_id = await _closed(net, clock)
    assert isinstance(await feedback.target(CARLA, checkin_id), Denied)  # Zuilen not asked
    assert isinstance(await feedback.target(Actor(3001, "Fatima"), checkin_id), Denied)
    assert isinstance(await feedback.give(CHRIS, checkin_id, "   ", [1]), BadText)
    assert isinstance(await feedback.give(CHRIS, checkin_id, "x" * 1001, [1]), BadText)
    assert isinstance(
        await feedback.give(CHRIS, checkin_id, TEXT, [net.district_ids[ZUILEN]]), NoDistricts
    )

    sent = await _give(feedback, CHRIS, checkin_id, TEXT, [net.district_ids[KANALENEILAND]])
    assert isinstance(sent, FeedbackSent) and sent.groups == (KANALENEILAND,)
    assert [chat for chat, _ in notifier.with_key("feedback.group")] == [GROUPS[KANALENEILAND]]
    assert notifier.with_key("feedback.private") == []  # Fatima is of Overvecht


async def test_a_send_claimed_by_a_stopped_process_goes_once_after_the_restart(
    net: Net, clock: FakeClock, services: Services, notifier: CheckInNotifier, world: World
) -> None:
    checkin_id = await _closed(net, clock)
    feedback = _feedback(services, net)
    ov = net.district_ids[OVERVECHT]
    await _give(feedback, CHRIS, checkin_id, TEXT, [ov])
    # As if the process had stopped between claiming the group send and sending it.
    async with services.uow() as uow:
        await uow.session.execute(
            update(FeedbackSend).values(status=DeliveryStatus.PENDING, claimed_at=clock.now())
        )
        await uow.commit()
    notifier.clear()
    clock.advance(seconds=5)
    assert await feedback.sender.deliver(None) == 0  # a fresh claim is someone else's
    assert await feedback.sender.deliver(None, claimed_before=clock.now()) == 2
    assert await feedback.sender.deliver(None, claimed_before=clock.now()) == 0
    assert [chat for chat, _ in notifier.with_key("feedback.group")] == [GROUPS[OVERVECHT]]


async def test_one_gentle_reminder_after_three_days_without_feedback(
    net: Net, clock: FakeClock, services: Services, notifier: CheckInNotifier
) -> None:
    feedback = _feedback(services, net)
    reminded_id = await _closed(net, clock)
    given_id = await _closed(net, clock)
    await _give(feedback, CHRIS, given_id, TEXT, [net.district_ids[OVERVECHT]])
    clock.advance(days=3, minutes=-31)  # the first closed half an hour before the second
    assert await feedback.remind_due() == 0
    clock.advance(minutes=2)
    assert await feedback.remind_due() == 1
    [(chat, params)] = notifier.with_key("feedback.reminder")
    assert (chat, params["checkin_id"]) == (CHRIS.telegram_user_id, reminded_id)
    clock.advance(days=1)
    assert await feedback.remind_due() == 0
    assert len(notifier.with_key("feedback.reminder")) == 1


async def test_peilingen_shows_the_feedback(
    net: Net, clock: FakeClock, services: Services
) -> None:
    checkin_id = await _closed(net, clock)
    await _give(_feedback(services, net), CHRIS, checkin_id, TEXT, [net.district_ids[OVERVECHT]])
    lines = await net.checkins.listing.list_checkins(Actor(3002, "Ahmed"))
    assert isinstance(lines, list)
    [line] = [x for x in lines if x.checkin_id == checkin_id]
    assert isinstance(line, CheckInLine) and line.feedback == TEXT
    assert timedelta(0) <= clock.now() - (line.feedback_at or clock.now())


async def test_who_answered_from_a_reminder_gets_a_private_copy_too(
    net: Net, clock: FakeClock, services: Services, notifier: CheckInNotifier
) -> None:
    checkin_id = await net.sent()
    await net.press(3001, checkin_id, 2)  # Fatima, in the group, nothing more
    clock.advance(hours=3)
    await net.checkins.reminders.send_due()
    [(mid, _)] = [(mid, m) for mid, m in notifier.posted_to(3002) if m.reminder]
    await net.press(3002, checkin_id, 3, message_id=mid, chat_id=3002)  # Ahmed, privately
    await net.checkins.closing.close_checkin(checkin_id, CHRIS)
    notifier.clear()

    sent = await _give(
        _feedback(services, net), CHRIS, checkin_id, TEXT, [net.district_ids[OVERVECHT]]
    )
    assert sent.private == 1
    # Not Fatima (group only), nor Youssef (reminded, never answered).
    assert [chat for chat, _ in notifier.with_key("feedback.private")] == [3002]
