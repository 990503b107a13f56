"""The live tally: n of N and counts per level, edited at most every 5 s, exact at closing."""

from __future__ import annotations

import asyncio

import pytest
from checkin_fakes import CheckInNotifier, failed, retry
from checkin_world import CHRIS, GROUPS, KANALENEILAND, OVERVECHT, Net, set_district
from fakes import FakeClock
from world import World

from services.checkins.outcomes import CheckInClosed, Unknown
from services.checkins.views import CheckInMessage, Count, TallyView
from services.ports import Sent

OV = GROUPS[OVERVECHT]


def _counts(**by_code: int) -> tuple[Count, ...]:
    return tuple(
        Count(str(code), f"scale.{code}", by_code.get(f"c{code}", 0))
        for code in (1, 2, 3, 4, 5, 0)
    )


async def test_tally_counts_responses_of_the_districts_key_figures(net: Net) -> None:
    checkin_id = await net.sent()
    for user, code in ((3001, 3), (3002, 3), (3003, 0), (3101, 5), (3002, 4)):
        await net.press(user, checkin_id, code)
    ov = net.district_ids[OVERVECHT]
    assert await net.checkins.tallies.tally(checkin_id, ov) == TallyView(
        3, 4, True, _counts(c3=1, c4=1, c0=1)
    )
    ka = net.district_ids[KANALENEILAND]
    assert await net.checkins.tallies.tally(checkin_id, ka) == TallyView(1, 3, True, _counts(c5=1))
    assert await net.checkins.tallies.tally(checkin_id + 1, ov) == Unknown()


async def test_a_hidden_tally_shows_only_n_of_n_until_closing(net: Net, world: World) -> None:
    hidden = await net.sent(show_tally=False)
    await net.press(3001, hidden, 2)
    ov = net.district_ids[OVERVECHT]
    assert await net.checkins.tallies.tally(hidden, ov) == TallyView(1, 4, False, ())
    # A district can hide its tally on its own, too.
    await set_district(world, OVERVECHT, show_tally=False)
    shown = await net.sent()
    await net.press(3001, shown, 2)
    assert await net.checkins.tallies.tally(shown, ov) == TallyView(1, 4, False, ())
    await net.checkins.closing.close_checkin(hidden, CHRIS)
    assert await net.checkins.tallies.tally(hidden, ov) == TallyView(1, 4, True, _counts(c2=1))


async def test_edits_only_when_changed_and_at_most_every_five_seconds(
    net: Net, notifier: CheckInNotifier, clock: FakeClock
) -> None:
    tallies = net.checkins.tallies
    checkin_id = await net.sent()
    assert await tallies.tally_edits_due() == []  # just posted: shows what it should
    await net.press(3001, checkin_id, 3)
    clock.advance(seconds=4)
    assert await tallies.tally_edits_due() == []  # too soon after the post
    clock.advance(seconds=1)
    [edit] = await tallies.tally_edits_due()
    assert (edit.chat_id, edit.message_id) == (OV, notifier.message_id(OV, checkin_id))
    assert edit.message.tally.responded == 1 and edit.message.open
    assert await tallies.refresh_tallies() == 1
    assert [m.tally.responded for _, _, m in notifier.edits] == [1]
    clock.advance(seconds=60)
    assert await tallies.tally_edits_due() == []  # nothing changed since
    await net.press(3001, checkin_id, 3)  # same answer again: nothing to show
    assert await tallies.tally_edits_due() == []
    await net.press(3002, checkin_id, 1)
    await net.press(3003, checkin_id, 1)
    assert len(await tallies.tally_edits_due()) == 1  # two presses, one edit
    await tallies.refresh_tallies()
    await net.press(3004, checkin_id, 1)
    assert await tallies.tally_edits_due() == []  # the last edit was just now
    clock.advance(seconds=5)
    assert await tallies.refresh_tallies() == 1
    assert [m.tally.responded for _, _, m in notifier.edits] == [1, 3, 4]


async def test_a_hidden_tally_is_edited_only_when_the_count_moves(
    net: Net, clock: FakeClock
) -> None:
    checkin_id = await net.sent(show_tally=False)
    await net.press(3001, checkin_id, 3)
    clock.advance(seconds=5)
    assert await net.checkins.tallies.refresh_tallies() == 1
    await net.press(3001, checkin_id, 4)  # a change of level is not visible
    clock.advance(seconds=5)
    assert await net.checkins.tallies.tally_edits_due() == []


async def test_failed_edits_are_tried_again_or_given_up(
    net: Net, notifier: CheckInNotifier, clock: FakeClock
) -> None:
    checkin_id = await net.sent()
    await net.press(3001, checkin_id, 3)
    clock.advance(seconds=5)
    notifier.edit_script.append(retry())
    assert await net.checkins.tallies.refresh_tallies() == 0
    assert await net.checkins.tallies.tally_edits_due() == []  # waits the interval again
    clock.advance(seconds=5)
    notifier.edit_script.append(failed("Bad Request: message to edit not found"))
    assert await net.checkins.tallies.refresh_tallies() == 0
    clock.advance(seconds=5)
    assert await net.checkins.tallies.tally_edits_due() == []  # given up on this state


async def test_closing_shows_the_exact_final_tally_at_once(
    net: Net, notifier: CheckInNotifier, clock: FakeClock
) -> None:
    checkin_id = await net.sent(show_tally=False)
    await net.press(3001, checkin_id, 3)
    await net.press(3101, checkin_id, 1)
    closed = await net.checkins.closing.close_checkin(checkin_id, CHRIS)  # within 5 s
    assert isinstance(closed, CheckInClosed)
    shown = {e.message.district: e.message for e in closed.edits}
    assert shown[OVERVECHT].tally == TallyView(1, 4, True, _counts(c3=1))
    assert shown[KANALENEILAND].tally == TallyView(1, 3, True, _counts(c1=1))
    assert not shown[OVERVECHT].open and shown[OVERVECHT].choices == ()
    assert sorted(chat for chat, _, _ in notifier.edits) == [-200, -100]
    clock.advance(minutes=1)
    assert await net.checkins.tallies.tally_edits_due() == []


async def test_the_groups_are_edited_side_by_side_and_one_failure_stops_no_other(
    net: Net, notifier: CheckInNotifier, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkin_id = await net.sent()
    await net.press(3001, checkin_id, 3)  # Overvecht
    await net.press(3101, checkin_id, 2)  # Kanaleneiland
    clock.advance(seconds=5)
    record = notifier.edit_checkin
    in_flight, most = 0, 0

    async def slow_edit(chat_id: int, message_id: int, message: CheckInMessage) -> Sent:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.01)  # Telegram answering
        in_flight -= 1
        if chat_id == OV:
            raise ConnectionError("the network went away")
        return await record(chat_id, message_id, message)

    monkeypatch.setattr(notifier, "edit_checkin", slow_edit)
    with pytest.raises(ConnectionError):
        await net.checkins.tallies.refresh_tallies()
    assert most == 2  # both groups at once, not one after the other
    # Kanaleneiland's edit went through and is remembered; Overvecht's is still due.
    assert [chat for chat, _, _ in notifier.edits] == [GROUPS[KANALENEILAND]]
    [due] = await net.checkins.tallies.tally_edits_due()
    assert due.chat_id == OV
