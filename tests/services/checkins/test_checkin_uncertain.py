"""A send whose outcome is unknown: retried, flagged, and a copy the bot never knew adopted."""

from __future__ import annotations

from checkin_fakes import CheckInNotifier, Crash
from checkin_world import GROUPS, KANALENEILAND, OVERVECHT, Net
from fakes import FakeClock

from services.checkins.outcomes import NotForYou, Recorded
from services.ports import Sent

OV, KA = GROUPS[OVERVECHT], GROUPS[KANALENEILAND]
# What Telegram may have posted although the bot's request timed out.
GHOST = 9999


def timed_out() -> Sent:
    return Sent(False, error="uncertain", description="Timed out")


async def test_a_timed_out_send_is_sent_again_and_the_chief_told_it_may_stand_twice(
    net: Net, notifier: CheckInNotifier
) -> None:
    notifier.answer(OV, timed_out())
    started = await net.start()

    report = await net.checkins.broadcast.broadcast(started.checkin_id)

    assert len(notifier.posted_to(OV)) == 1  # the retry the bot knows of
    assert report.sent == (KANALENEILAND, OVERVECHT)
    assert report.uncertain == (OVERVECHT,)
    deliveries = await net.deliveries(started.checkin_id)
    assert (deliveries[OVERVECHT].uncertain, deliveries[KANALENEILAND].uncertain) == (True, False)


async def test_a_press_on_the_unknown_copy_counts_and_the_copy_is_edited_along(
    net: Net, notifier: CheckInNotifier, clock: FakeClock
) -> None:
    notifier.answer(OV, timed_out())
    started = await net.start()
    await net.checkins.broadcast.broadcast(started.checkin_id)
    checkin = started.checkin_id
    known = notifier.message_id(OV, checkin)

    pressed = await net.press(3001, checkin, 3, message_id=GHOST)
    again = await net.press(3002, checkin, 2, message_id=GHOST)

    assert isinstance(pressed, Recorded) and isinstance(again, Recorded)
    clock.advance(seconds=10)
    edits = await net.checkins.tallies.tally_edits_due()
    [overvecht] = [e for e in edits if e.chat_id == OV]
    assert (overvecht.message_id, overvecht.copies) == (known, (GHOST,))
    await net.checkins.tallies.apply(edits)
    edited = {mid for cid, mid, _ in notifier.edits if cid == OV}
    assert edited == {known, GHOST}


async def test_without_doubt_an_unknown_message_is_still_refused(
    net: Net, notifier: CheckInNotifier
) -> None:
    checkin = await net.sent()
    assert await net.press(3001, checkin, 3, message_id=GHOST) == NotForYou()
    # Nor is a copy adopted in a chat that is not the district's group.
    notifier.answer(KA, timed_out())
    other = await net.sent(districts=[KANALENEILAND])
    assert await net.press(3101, other, 3, message_id=GHOST, chat_id=OV) == NotForYou()


async def test_a_send_taken_over_from_a_crashed_sender_is_uncertain(
    net: Net, notifier: CheckInNotifier, clock: FakeClock
) -> None:
    started = await net.start(districts=[OVERVECHT])
    notifier.crash_after.add(OV)
    try:
        await net.checkins.broadcast.broadcast(started.checkin_id)
    except Crash:
        pass
    await net.checkins.broadcast.resume_after_restart(clock.now())

    assert len(notifier.posted_to(OV)) == 2  # Telegram had it; the restart could not know
    assert (await net.deliveries(started.checkin_id))[OVERVECHT].uncertain
    [(_, report)] = notifier.reports
    assert report.uncertain == (OVERVECHT,)
