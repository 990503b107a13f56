"""Broadcasting: every district once, retries with backoff, 403s, migrations, crashes."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from checkin_fakes import CheckInNotifier, Crash, blocked, failed, kicked, migrated, retry
from checkin_world import CHRIS, GROUPS, KANALENEILAND, OVERVECHT, Net, set_district
from fakes import FakeClock
from sqlalchemy import select
from world import World

from services.checkins import CheckIns
from services.checkins.views import CheckInMessage, DeliveryReport, Undelivered
from services.ports import Sent
from storage.models import Chat, ChatStatus, DeliveryStatus, MemberDelivery, Person

OV, KA = GROUPS[OVERVECHT], GROUPS[KANALENEILAND]


async def _chat_status(world: World, chat_id: int) -> ChatStatus:
    [chat] = await world.rows(select(Chat).where(Chat.telegram_chat_id == chat_id))
    return chat.status


async def test_each_group_gets_one_message_and_the_chief_a_report(
    net: Net, notifier: CheckInNotifier, clock: FakeClock
) -> None:
    started = await net.start()
    report = await net.checkins.broadcast.broadcast(started.checkin_id)
    assert notifier.post_attempts == [OV, KA]
    [(mid, message)] = notifier.posted_to(OV)
    assert message.checkin_id == started.checkin_id and message.district == OVERVECHT
    assert message.event == "Aanslag op moskee in Québec" and message.open
    assert message.closes_at == started.closes_at
    assert [c.code for c in message.choices] == [1, 2, 3, 4, 5, 0]
    assert [c.label_key for c in message.choices][:2] == ["scale.1", "scale.2"]
    assert (message.tally.responded, message.tally.key_figures) == (0, 4)
    found = await net.deliveries(started.checkin_id)
    assert found[OVERVECHT].status is DeliveryStatus.SENT
    assert found[OVERVECHT].message_id == mid and found[OVERVECHT].attempts == 1
    assert found[OVERVECHT].shown_text_hash == message.shown_hash()
    assert report == DeliveryReport(
        started.checkin_id,
        "Aanslag op moskee in Québec",
        started.closes_at,
        sent=(KANALENEILAND, OVERVECHT),
        undelivered=(),
        pending=(),
    )
    assert report.complete
    assert notifier.reports == [(CHRIS.telegram_user_id, report)]
    # Nothing is left to do: another pass sends nothing.
    again = await net.checkins.broadcast.deliver_pending(started.checkin_id)
    assert (again.sent, again.failed, again.retry_at) == (0, 0, None)
    assert len(notifier.posts) == 2


async def test_retryable_errors_back_off_exponentially_then_succeed(
    net: Net, notifier: CheckInNotifier, clock: FakeClock
) -> None:
    notifier.answer(OV, retry(), retry())
    started = await net.start()
    before = clock.now()
    report = await net.checkins.broadcast.broadcast(started.checkin_id)
    assert report.sent == (KANALENEILAND, OVERVECHT)
    assert notifier.post_attempts == [OV, KA, OV, OV]
    assert len(notifier.posted_to(OV)) == 1
    assert clock.now() - before == timedelta(seconds=2 + 4)
    assert (await net.deliveries(started.checkin_id))[OVERVECHT].attempts == 3


async def test_a_flood_limits_wait_is_honoured_when_longer_than_the_backoff(
    net: Net, notifier: CheckInNotifier, clock: FakeClock
) -> None:
    notifier.answer(OV, Sent(False, error="retry", description="429", retry_after=17.0), retry())
    started = await net.start()
    before = clock.now()
    await net.checkins.broadcast.broadcast(started.checkin_id)
    # 17 s as Telegram asked (not the 2 s backoff), then the usual 4 s for the next error.
    assert clock.now() - before == timedelta(seconds=17 + 4)
    assert len(notifier.posted_to(OV)) == 1


async def test_one_pass_tells_when_the_next_is_worth_running(
    net: Net, notifier: CheckInNotifier, clock: FakeClock
) -> None:
    notifier.answer(OV, retry())
    started = await net.start()
    done = await net.checkins.broadcast.deliver_pending(started.checkin_id)
    assert (done.sent, done.retrying, done.retry_at) == (1, 1, clock.now() + timedelta(seconds=2))
    # Not yet: the backoff has not passed.
    assert (await net.checkins.broadcast.deliver_pending()).sent == 0
    clock.advance(seconds=2)
    assert (await net.checkins.broadcast.deliver_pending()).sent == 1


async def test_retries_give_up_after_max_attempts_with_the_reason(
    net: Net, notifier: CheckInNotifier, clock: FakeClock
) -> None:
    notifier.answer(OV, *[retry("Timed out")] * 5)
    started = await net.start()
    before = clock.now()
    report = await net.checkins.broadcast.broadcast(started.checkin_id)
    assert report.sent == (KANALENEILAND,)
    assert report.undelivered == (Undelivered(OVERVECHT, "retry", "Timed out"),)
    assert notifier.posted_to(OV) == []
    assert clock.now() - before == timedelta(seconds=2 + 4 + 8 + 16)
    delivery = (await net.deliveries(started.checkin_id))[OVERVECHT]
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 5)


async def test_a_403_marks_the_group_unreachable_and_is_reported(
    net: Net, notifier: CheckInNotifier, world: World
) -> None:
    notifier.answer(OV, kicked())
    started = await net.start()
    report = await net.checkins.broadcast.broadcast(started.checkin_id)
    assert report.sent == (KANALENEILAND,)
    assert report.undelivered == (
        Undelivered(OVERVECHT, "kicked", "Forbidden: bot was kicked from the group"),
    )
    assert await _chat_status(world, OV) is ChatStatus.UNREACHABLE
    assert [cid for cid, _ in notifier.with_key("group.unreachable")] == [1001, 1002]
    assert notifier.post_attempts == [OV, KA]  # a 403 is not retried


async def test_other_failures_are_recorded_with_telegrams_words(
    net: Net, notifier: CheckInNotifier
) -> None:
    notifier.answer(KA, failed("Bad Request: not enough rights to send text messages"))
    started = await net.start()
    report = await net.checkins.broadcast.broadcast(started.checkin_id)
    assert report.undelivered == (
        Undelivered(
            KANALENEILAND, "failed", "Bad Request: not enough rights to send text messages"
        ),
    )
    assert notifier.post_attempts == [OV, KA]


async def test_a_migrated_group_gets_the_message_once_at_its_new_id(
    net: Net, notifier: CheckInNotifier, world: World
) -> None:
    notifier.answer(OV, migrated(-1001))
    started = await net.start()
    report = await net.checkins.broadcast.broadcast(started.checkin_id)
    assert report.sent == (KANALENEILAND, OVERVECHT)
    assert notifier.post_attempts == [OV, -1001, KA]
    assert len(notifier.posted_to(-1001)) == 1
    delivery = (await net.deliveries(started.checkin_id))[OVERVECHT]
    assert delivery.telegram_chat_id == -1001 and delivery.status is DeliveryStatus.SENT
    assert await _chat_status(world, OV) is ChatStatus.MIGRATED
    assert await _chat_status(world, -1001) is ChatStatus.LINKED


async def test_a_second_migration_in_a_row_fails_instead_of_looping(
    net: Net, notifier: CheckInNotifier
) -> None:
    notifier.answer(OV, migrated(-1001))
    notifier.answer(-1001, migrated(-1002))
    started = await net.start()
    report = await net.checkins.broadcast.broadcast(started.checkin_id)
    assert [u.reason for u in report.undelivered] == ["migrated"]
    assert notifier.post_attempts == [OV, -1001, KA]


async def test_crash_before_the_send_is_resumed_exactly_once(
    net: Net, notifier: CheckInNotifier, clock: FakeClock, checkins: CheckIns
) -> None:
    notifier.crash_before.add(OV)
    started = await net.start()
    with pytest.raises(Crash):
        await checkins.broadcast.broadcast(started.checkin_id)
    stuck = (await net.deliveries(started.checkin_id))[OVERVECHT]
    assert stuck.status is DeliveryStatus.PENDING and stuck.claimed_at is not None
    # While the claim is fresh, an ordinary pass leaves it alone (its sender may be busy).
    assert (await checkins.broadcast.deliver_pending()).sent == 1  # Kanaleneiland
    assert notifier.posted_to(OV) == []
    # Restart: the old process's claims are taken over at once, and only once.
    resumed = await checkins.broadcast.resume_after_restart()
    assert (resumed.sent, resumed.checkin_ids) == (1, frozenset({started.checkin_id}))
    assert (await checkins.broadcast.resume_after_restart()).sent == 0
    assert (await checkins.broadcast.deliver_pending()).sent == 0
    assert len(notifier.posted_to(OV)) == 1 and len(notifier.posted_to(KA)) == 1
    # The chief hears where it went once the resumed broadcast is through.
    assert notifier.reports[-1][1].sent == (KANALENEILAND, OVERVECHT)


async def test_a_restart_leaves_the_claims_of_its_own_process_to_their_sender(
    net: Net, notifier: CheckInNotifier, clock: FakeClock, checkins: CheckIns
) -> None:
    notifier.crash_before.add(OV)
    old = await net.start()
    with pytest.raises(Crash):
        await checkins.broadcast.broadcast(old.checkin_id)  # the previous process dies
    clock.advance(seconds=30)
    started_at = clock.now()  # this process starts
    clock.advance(seconds=1)
    notifier.crash_before.add(KA)
    new = await net.start(event="Tweede gebeurtenis")
    with pytest.raises(Crash):  # a send of this process, claimed and still "in flight"
        await checkins.broadcast.broadcast(new.checkin_id)
    notifier.crash_before.clear()

    resumed = await checkins.broadcast.resume_after_restart(started_at)
    # The old process's claim is taken over; this process's own is not sent a second time.
    assert resumed.checkin_ids == frozenset({old.checkin_id})
    assert len(notifier.posted_to(OV)) == 2  # the old check-in (resumed) and the new one
    assert len(notifier.posted_to(KA)) == 1  # the old check-in only
    new_ka = (await net.deliveries(new.checkin_id))[KANALENEILAND]
    assert new_ka.status is DeliveryStatus.PENDING and new_ka.claimed_at is not None


async def test_a_claim_older_than_the_lease_is_resumed_by_any_pass(
    net: Net, notifier: CheckInNotifier, clock: FakeClock, checkins: CheckIns
) -> None:
    notifier.crash_before.add(OV)
    started = await net.start()
    with pytest.raises(Crash):
        await checkins.broadcast.deliver_pending(started.checkin_id)
    clock.advance(minutes=2)
    assert (await checkins.broadcast.deliver_pending()).sent == 2
    assert len(notifier.posted_to(OV)) == 1


async def test_the_only_double_is_a_crash_between_telegrams_ok_and_the_commit(
    net: Net, notifier: CheckInNotifier, checkins: CheckIns
) -> None:
    """Documents the one window: Telegram posted it, the database never heard."""
    notifier.crash_after.add(OV)
    started = await net.start()
    with pytest.raises(Crash):
        await checkins.broadcast.broadcast(started.checkin_id)
    await checkins.broadcast.resume_after_restart()
    assert len(notifier.posted_to(OV)) == 2
    assert len(notifier.posted_to(KA)) == 1


async def test_concurrent_passes_never_send_a_district_twice(
    net: Net, notifier: CheckInNotifier, checkins: CheckIns
) -> None:
    started = await net.start(districts=[OVERVECHT, KANALENEILAND])
    passes = await asyncio.gather(
        *(checkins.broadcast.deliver_pending(started.checkin_id) for _ in range(4))
    )
    assert sum(p.sent for p in passes) == 2
    assert sorted(notifier.post_attempts) == sorted([OV, KA])


async def test_the_report_waits_for_sends_another_pass_has_in_flight(
    net: Net,
    notifier: CheckInNotifier,
    checkins: CheckIns,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started = await net.start(districts=[OVERVECHT, KANALENEILAND])
    slow, asked = asyncio.Event(), asyncio.Event()
    post = notifier.send_checkin

    async def slow_overvecht(
        chat_id: int, message: CheckInMessage, language: str | None = None
    ) -> Sent:
        if chat_id == OV:
            asked.set()
            await slow.wait()  # Telegram takes its time with this one
        return await post(chat_id, message, language)

    monkeypatch.setattr(notifier, "send_checkin", slow_overvecht)
    # The periodic sweep happens to pick up Overvecht first; then the broadcast runs.
    sweep = asyncio.create_task(checkins.broadcast.deliver_pending(None))
    await asked.wait()
    # The broadcast waits for the other pass by sleeping between looks, and the sleep of these
    # tests moves the clock: that is the sign that it waits.
    waits, advance = asyncio.Event(), clock.advance

    def advancing(**delta: float) -> datetime:
        waits.set()
        return advance(**delta)

    monkeypatch.setattr(clock, "advance", advancing)
    broadcast = asyncio.create_task(checkins.broadcast.broadcast(started.checkin_id))
    await asyncio.wait_for(waits.wait(), 5)
    assert not broadcast.done()  # it sent Kanaleneiland, and waits for Overvecht's sender
    assert len(notifier.posted_to(KA)) == 1
    slow.set()
    report = await broadcast
    await sweep
    assert sorted(report.sent) == sorted([OVERVECHT, KANALENEILAND]) and report.pending == ()
    assert len(notifier.posted_to(OV)) == 1 and len(notifier.posted_to(KA)) == 1


async def test_a_checkin_closed_before_sending_is_not_sent(
    net: Net, notifier: CheckInNotifier, checkins: CheckIns
) -> None:
    started = await net.start()
    await checkins.closing.close_checkin(started.checkin_id, CHRIS)
    report = await checkins.broadcast.broadcast(started.checkin_id)
    assert notifier.posts == []
    assert {u.reason for u in report.undelivered} == {"closed"}


async def test_private_deliveries_and_a_blocked_member(
    net: Net, notifier: CheckInNotifier, world: World
) -> None:
    await set_district(world, OVERVECHT, ask_privately=True)
    notifier.answer(3002, blocked())
    started = await net.start()
    report = await net.checkins.broadcast.broadcast(started.checkin_id)
    private = [(cid, m) for cid, _, m in notifier.posts if cid > 0]
    assert sorted(cid for cid, _ in private) == [3001, 3003, 3004]
    assert all(m.private and m.district == OVERVECHT for _, m in private)
    assert (report.private_sent, report.private_failed, report.private_pending) == (3, 1, 0)
    [person] = await world.rows(select(Person).where(Person.telegram_user_id == 3002))
    assert not person.privately_reachable
    rows = await world.rows(select(MemberDelivery).where(MemberDelivery.last_error.is_not(None)))
    assert [r.last_error for r in rows] == ["blocked: Forbidden: bot was blocked by the user"]


async def test_a_checkin_past_its_deadline_is_not_sent_after_a_long_outage(
    net: Net, notifier: CheckInNotifier, clock: FakeClock, checkins: CheckIns
) -> None:
    started = await net.start(hours=1)
    clock.advance(hours=2)  # the bot was down; the close job has not run yet
    await checkins.broadcast.resume_after_restart()
    assert notifier.posts == []
    report = await checkins.reports.delivery_report(started.checkin_id)
    assert isinstance(report, DeliveryReport)
    assert [u.reason for u in report.undelivered] == ["closed", "closed"]
