"""A district's usual level: one alert when an open check-in runs clearly above it."""

from __future__ import annotations

from checkin_fakes import CheckInNotifier
from checkin_world import CHRIS, KANALENEILAND, OVERVECHT, Net
from fakes import FakeClock
from sqlalchemy import select
from world import World

from services.checkins.views import CheckInSummary
from storage.models import BaselineAlert

OV = [3001, 3002, 3003, 3004]


async def _closed_round(net: Net, clock: FakeClock, codes: list[int]) -> int:
    """A check-in of Overvecht answered with these codes, then closed."""
    checkin_id = await net.sent(districts=[OVERVECHT])
    for user, code in zip(OV, codes, strict=False):
        await net.press(user, checkin_id, code)
    clock.advance(minutes=10)
    await net.checkins.closing.close_checkin(checkin_id, CHRIS)
    clock.advance(hours=1)
    return checkin_id


async def _history(net: Net, clock: FakeClock, rounds: int = 3) -> None:
    for _ in range(rounds):
        await _closed_round(net, clock, [2, 2, 3])  # median 2 each time
    net.notifier.clear()


async def test_running_median_a_step_above_the_baseline_alerts_the_chiefs_once(
    net: Net, clock: FakeClock, notifier: CheckInNotifier, world: World
) -> None:
    await _history(net, clock)
    checkin_id = await net.sent(districts=[OVERVECHT])
    await net.press(3001, checkin_id, 4)
    await net.press(3002, checkin_id, 3)
    assert notifier.with_key("baseline.alert_above") == []  # fewer than 3 answers
    await net.press(3003, checkin_id, 3)  # median 3 = baseline 2 + 1
    alerts = notifier.with_key("baseline.alert_above")
    assert alerts == [
        (
            CHRIS.telegram_user_id,
            {
                "district": OVERVECHT,
                "event": "Aanslag op moskee in Québec",
                "checkin_id": checkin_id,
                "median": 3.0,
                "usual": 2.0,
            },
        )
    ]
    for user, code in ((3004, 4), (3002, 4), (3002, 3)):
        await net.press(user, checkin_id, code)
    assert len(notifier.with_key("baseline.alert_above")) == 1
    [stored] = await world.rows(select(BaselineAlert))
    assert (stored.checkin_id, stored.reason, stored.baseline) == (checkin_id, "above", 2.0)


async def test_no_alert_at_the_usual_level_or_before_three_closed_check_ins(
    net: Net, clock: FakeClock, notifier: CheckInNotifier
) -> None:
    await _history(net, clock, rounds=2)
    checkin_id = await net.sent(districts=[OVERVECHT])
    for user in OV:
        await net.press(user, checkin_id, 4)
    assert notifier.with_key("baseline.alert_above") == []  # no baseline from two check-ins
    await net.checkins.closing.close_checkin(checkin_id, CHRIS)
    clock.advance(hours=1)
    # Now three closed (medians 2, 2, 4: baseline 2); an answer at 2,5 is not a step above.
    checkin_id = await net.sent(districts=[OVERVECHT])
    for user, code in zip(OV, [2, 3, 2, 3], strict=True):
        await net.press(user, checkin_id, code)
    assert notifier.with_key("baseline.alert_above") == []
    await net.press(3004, checkin_id, 4)  # 2, 3, 2, 4: median 2,5 — still below a step
    assert notifier.with_key("baseline.alert_above") == []


async def test_enough_high_answers_seen_rising_alert_without_a_baseline(
    net: Net, notifier: CheckInNotifier
) -> None:
    checkin_id = await net.sent(districts=[OVERVECHT, KANALENEILAND])
    for user in (3001, 3002, 3003):
        await net.press(user, checkin_id, 4)
        await net.checkins.followups.set_direction(user, checkin_id, "rising")
        if user != 3003:
            assert notifier.with_key("baseline.alert_rising") == []
    [(chat_id, params)] = notifier.with_key("baseline.alert_rising")
    assert (chat_id, params["district"], params["median"]) == (2001, OVERVECHT, 4.0)
    await net.checkins.followups.set_direction(3004, checkin_id, "rising")
    await net.press(3004, checkin_id, 4)
    assert len(notifier.with_key("baseline.alert_rising")) == 1


async def test_an_answer_changed_to_high_after_saying_rising_alerts(
    net: Net, notifier: CheckInNotifier
) -> None:
    # 'Rising' is said after a first answer; the answer changing to high is what tips it.
    checkin_id = await net.sent(districts=[OVERVECHT])
    for user in (3001, 3002, 3003):
        await net.press(user, checkin_id, 2)
        await net.checkins.followups.set_direction(user, checkin_id, "rising")
    for user in (3001, 3002):
        await net.press(user, checkin_id, 4)
    assert notifier.with_key("baseline.alert_rising") == []
    await net.press(3003, checkin_id, 4)
    [(chat_id, params)] = notifier.with_key("baseline.alert_rising")
    assert (chat_id, params["district"]) == (2001, OVERVECHT)


async def test_summary_says_the_usual_level(net: Net, clock: FakeClock) -> None:
    await _history(net, clock)
    checkin_id = await net.sent(districts=[OVERVECHT])
    await net.press(3001, checkin_id, 3)
    summary = await net.checkins.summaries.summary(checkin_id)
    assert isinstance(summary, CheckInSummary)
    [district] = summary.districts
    assert (district.baseline, district.baseline_checkins) == (2.0, 3)
