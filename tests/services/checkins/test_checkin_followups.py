"""Follow-ups: direction, themes, free text, contact — optional, for those who answered."""

from __future__ import annotations

from checkin_fakes import CheckInNotifier
from checkin_world import CHRIS, KANALENEILAND, OVERVECHT, Net
from fakes import FakeClock

from services.checkins.outcomes import (
    Closed,
    FollowUpState,
    NotAnswered,
    OffScale,
    TextTooLong,
    Unknown,
)
from storage.models import Direction, FollowUp


async def test_only_people_who_answered_an_open_checkin_can_follow_up(
    net: Net, clock: FakeClock
) -> None:
    followups = net.checkins.followups
    checkin_id = await net.sent()
    assert await followups.set_direction(3001, checkin_id, "rising") == NotAnswered()
    assert await followups.set_direction(9999, checkin_id, "rising") == NotAnswered()
    assert await followups.follow_up(3001, checkin_id + 50) == Unknown()
    await net.press(3001, checkin_id, 3)
    assert isinstance(await followups.set_direction(3001, checkin_id, "rising"), FollowUpState)
    await net.checkins.closing.close_checkin(checkin_id, CHRIS)
    assert await followups.set_direction(3001, checkin_id, "easing") == Closed(clock.now())


async def test_the_state_says_which_checkin_and_district_it_is_about(net: Net) -> None:
    followups = net.checkins.followups
    first = await net.sent()
    second = await net.sent(event="Rellen na <voetbal> & vuurwerk", districts=[KANALENEILAND])
    await net.press(3001, first, 3)
    await net.press(3101, second, 4)
    looked = await followups.follow_up(3001, first)
    changed = await followups.set_direction(3101, second, "rising")
    assert isinstance(looked, FollowUpState) and isinstance(changed, FollowUpState)
    assert (looked.checkin_id, looked.event, looked.district) == (
        first,
        "Aanslag op moskee in Québec",
        OVERVECHT,
    )
    # The event as written: escaping is for whoever renders it.
    assert (changed.checkin_id, changed.event, changed.district) == (
        second,
        "Rellen na <voetbal> & vuurwerk",
        KANALENEILAND,
    )


async def test_direction_themes_and_text_are_each_optional(net: Net) -> None:
    followups = net.checkins.followups
    checkin_id = await net.sent()
    await net.press(3001, checkin_id, 3)
    state = await followups.follow_up(3001, checkin_id)
    assert isinstance(state, FollowUpState)
    assert await net.world.count(FollowUp) == 0  # looking stores nothing
    assert (state.direction, state.themes, state.free_text, state.contact_requested) == (
        None,
        (),
        None,
        None,
    )
    assert state.directions == (Direction.RISING, Direction.SAME, Direction.EASING)
    assert state.theme_options[0] == "radicalisering" and len(state.theme_options) == 6
    state = await followups.set_direction(3001, checkin_id, "same")
    assert isinstance(state, FollowUpState) and state.direction is Direction.SAME
    assert await followups.set_direction(3001, checkin_id, "sideways") == OffScale("sideways")
    state = await followups.set_direction(3001, checkin_id, None)
    assert isinstance(state, FollowUpState) and state.direction is None


async def test_themes_toggle_and_several_may_be_on(net: Net) -> None:
    followups = net.checkins.followups
    checkin_id = await net.sent()
    await net.press(3001, checkin_id, 3)
    for theme in ("overlast", "polarisatie", "armoede", "overlast"):
        state = await followups.toggle_theme(3001, checkin_id, theme)
    assert isinstance(state, FollowUpState)
    assert state.themes == ("polarisatie", "armoede")  # scale order, overlast off again
    assert await followups.toggle_theme(3001, checkin_id, "voetbal") == OffScale("voetbal")


async def test_free_text_is_stored_as_written_and_limited(net: Net) -> None:
    followups = net.checkins.followups
    checkin_id = await net.sent()
    await net.press(3001, checkin_id, 3)
    text = "  Jongeren <b>boos</b> & bang\nna het nieuws "
    state = await followups.set_free_text(3001, checkin_id, text)
    assert isinstance(state, FollowUpState) and state.free_text == text
    assert await followups.set_free_text(3001, checkin_id, "x" * 1001) == TextTooLong(1000, 1001)
    state = await followups.set_free_text(3001, checkin_id, "x" * 1000)
    assert isinstance(state, FollowUpState) and state.free_text == "x" * 1000
    state = await followups.set_free_text(3001, checkin_id, "   ")
    assert isinstance(state, FollowUpState) and state.free_text is None


async def test_a_contact_request_alerts_the_chiefs_once(
    net: Net, notifier: CheckInNotifier
) -> None:
    followups = net.checkins.followups
    checkin_id = await net.sent()
    await net.press(3002, checkin_id, 2)
    state = await followups.set_contact(3002, checkin_id, False)
    assert isinstance(state, FollowUpState) and state.contact_requested is False
    assert notifier.with_key("checkin.alert_contact") == []
    for _ in range(2):
        state = await followups.set_contact(3002, checkin_id, True)
    assert isinstance(state, FollowUpState) and state.contact_requested is True
    assert notifier.with_key("checkin.alert_contact") == [
        (
            CHRIS.telegram_user_id,
            {
                "district": OVERVECHT,
                "event": "Aanslag op moskee in Québec",
                "name": "Ahmed",
                "telegram_user_id": 3002,
                "checkin_id": checkin_id,
            },
        )
    ]
    # An acute answer is its own kind: it still alerts after a contact request.
    await net.press(3002, checkin_id, 5)
    assert len(notifier.with_key("checkin.alert_acute")) == 1
