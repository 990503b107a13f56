"""The summary per district, as data: rates, levels, median, depth, pseudonyms, comparison."""

from __future__ import annotations

import pytest
from checkin_fakes import CheckInNotifier, kicked
from checkin_world import CHRIS, GROUPS, KANALENEILAND, OVERVECHT, ZUILEN, Net
from fakes import FakeClock
from world import CORA, World

from services.checkins.outcomes import CheckInClosed, Unknown
from services.checkins.views import CheckInSummary, Count, FreeText, Undelivered


async def _close(net: Net, checkin_id: int) -> CheckInSummary:
    closed = await net.checkins.closing.close_checkin(checkin_id, CORA)
    assert isinstance(closed, CheckInClosed)
    summary = await net.checkins.summaries.summary(checkin_id)
    assert isinstance(summary, CheckInSummary)
    return summary


async def test_summary_per_district(net: Net, notifier: CheckInNotifier, clock: FakeClock) -> None:
    notifier.answer(GROUPS[ZUILEN], kicked())
    checkin_id = await net.sent(actor=CORA, districts=[OVERVECHT, KANALENEILAND, ZUILEN])
    f = net.checkins.followups
    await net.press(3002, checkin_id, 4)  # first to answer: Bondgenoot A
    clock.advance(minutes=1)
    await net.press(3001, checkin_id, 3)  # B
    await net.press(3003, checkin_id, 0)  # C: weet niet, not in the median
    await net.press(3101, checkin_id, 2)  # D (Kanaleneiland)
    await net.press(3001, checkin_id, 2)  # B changes; the pseudonym stays
    await f.set_direction(3001, checkin_id, "rising")
    await f.set_direction(3002, checkin_id, "rising")
    await f.set_direction(3003, checkin_id, "same")
    await f.toggle_theme(3001, checkin_id, "polarisatie")
    await f.toggle_theme(3002, checkin_id, "polarisatie")
    await f.toggle_theme(3002, checkin_id, "overlast")
    await f.set_free_text(3001, checkin_id, "Veel <boosheid> op school")
    await f.set_free_text(3002, checkin_id, "Rustig in de moskee")
    await f.set_contact(3002, checkin_id, True)
    await f.set_contact(3001, checkin_id, False)
    summary = await _close(net, checkin_id)
    assert summary.event == "Aanslag op moskee in Québec"
    assert summary.undelivered == (
        Undelivered(ZUILEN, "kicked", "Forbidden: bot was kicked from the group"),
    )
    ka, ov = summary.districts  # by name
    assert (ov.district, ov.responded, ov.key_figures, ov.response_rate) == (
        OVERVECHT,
        3,
        4,
        0.75,
    )
    assert [(c.key, c.count) for c in ov.counts] == [
        ("1", 0),
        ("2", 1),
        ("3", 0),
        ("4", 1),
        ("5", 0),
        ("0", 1),
    ]
    assert ov.median == 3.0  # of 2 and 4: the average of the two middle codes
    assert ov.directions == (
        Count("rising", "direction.rising", 2),
        Count("same", "direction.same", 1),
        Count("easing", "direction.easing", 0),
    )
    assert [(t.key, t.count) for t in ov.themes if t.count] == [
        ("polarisatie", 2),
        ("overlast", 1),
    ]
    assert ov.themes[0] == Count("radicalisering", "theme.radicalisering", 0)
    assert ov.contact_requests == 1
    assert ov.free_texts == (
        FreeText("A", "Rustig in de moskee"),
        FreeText("B", "Veel <boosheid> op school"),
    )
    assert ov.previous is None
    assert (ka.district, ka.responded, ka.key_figures, ka.median) == (KANALENEILAND, 1, 3, 2.0)
    assert ka.free_texts == () and ka.contact_requests == 0


async def test_no_ranked_answers_means_no_median(net: Net) -> None:
    checkin_id = await net.sent()
    await net.press(3001, checkin_id, 0)
    summary = await _close(net, checkin_id)
    ov = summary.districts[1]
    assert (ov.district, ov.responded, ov.median) == (OVERVECHT, 1, None)
    assert summary.districts[0].response_rate == 0.0


async def test_change_against_the_districts_previous_checkin(
    net: Net, world: World, clock: FakeClock
) -> None:
    first = await net.sent(districts=[OVERVECHT])
    await net.press(3001, first, 2)
    await net.press(3002, first, 2)
    await _close(net, first)
    # A fifth key figure joins later: the first check-in keeps its N of 4.
    await world.join(OVERVECHT, 3005, "Noor")
    clock.advance(days=2)
    await net.sent(districts=[KANALENEILAND])  # another district's check-in is no comparison
    second = await net.sent(districts=[OVERVECHT])
    for user, code in ((3001, 3), (3002, 4), (3003, 4), (3005, 0)):
        await net.press(user, second, code, OVERVECHT)
    summary = await _close(net, second)
    [ov] = summary.districts
    assert (ov.responded, ov.key_figures, ov.median) == (4, 5, 4.0)
    previous = ov.previous
    assert previous is not None
    assert (previous.checkin_id, previous.median, previous.response_rate) == (first, 2.0, 0.5)
    assert previous.median_delta == 2.0
    assert previous.response_rate_delta == pytest.approx(0.8 - 0.5)


async def test_summary_goes_to_starter_and_coordinators_once(
    net: Net, notifier: CheckInNotifier
) -> None:
    checkin_id = await net.sent()
    assert await net.checkins.summaries.send_summary(checkin_id) is None  # still open
    closed = await net.checkins.closing.close_checkin(checkin_id, CHRIS)
    assert isinstance(closed, CheckInClosed) and closed.summary_sent
    assert [chat for chat, _ in notifier.summaries] == [2001, 1001, 1002]
    assert len({id(s) for _, s in notifier.summaries}) == 1
    assert await net.checkins.summaries.send_summary(checkin_id) is None
    assert await net.checkins.summaries.summary(999) == Unknown()
