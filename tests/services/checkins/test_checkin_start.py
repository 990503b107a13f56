"""Starting a check-in: who may ask which districts, validation, the preview, storing first."""

from __future__ import annotations

from datetime import timedelta

from checkin_fakes import CheckInNotifier
from checkin_world import CARLA, CHRIS, KANALENEILAND, OVERVECHT, ZUILEN, Net, set_district
from fakes import FakeClock
from sqlalchemy import select
from world import CORA, World, stranger

from services.checkins import ALL
from services.checkins.outcomes import (
    CheckInStarted,
    DistrictChoice,
    InvalidDuration,
    InvalidEvent,
    NothingToSend,
    Preview,
    RefusedDistrict,
)
from services.outcomes import DENIED
from storage.models import (
    CheckIn,
    CheckInStatus,
    Delivery,
    DeliveryStatus,
    Event,
    MemberDelivery,
)

SIX_HOURS = timedelta(hours=6)


async def test_chief_starts_for_own_districts_everything_stored_nothing_sent(
    net: Net, clock: FakeClock, notifier: CheckInNotifier, world: World
) -> None:
    started = await net.checkins.start.start_checkin(
        CHRIS, "  Aanslag op moskee in Québec ", [OVERVECHT, KANALENEILAND], SIX_HOURS, True
    )
    assert isinstance(started, CheckInStarted)
    assert started.event == "Aanslag op moskee in Québec"
    assert started.closes_at == clock.now() + SIX_HOURS
    assert started.targeted == (OVERVECHT, KANALENEILAND)
    assert started.refused == ()
    [checkin] = await world.rows(select(CheckIn))
    assert checkin.id == started.checkin_id and checkin.status is CheckInStatus.OPEN
    [event] = await world.rows(select(Event))
    assert event.description == "Aanslag op moskee in Québec"
    found = await net.deliveries(started.checkin_id)
    assert {k: (d.status, d.telegram_chat_id) for k, d in found.items()} == {
        OVERVECHT: (DeliveryStatus.PENDING, -100),
        KANALENEILAND: (DeliveryStatus.PENDING, -200),
    }
    # Stored first; sending is a separate step.
    assert notifier.posts == [] and notifier.post_attempts == []
    [entry] = await world.audit("checkin.started")
    assert entry.details["districts"] == [OVERVECHT, KANALENEILAND]


async def test_refused_districts_are_named_and_the_rest_still_goes(net: Net, world: World) -> None:
    await world.services.districts.archive_district(CORA, KANALENEILAND)
    await world.district("Lunetten")  # no group
    await world.services.group_lifecycle.mark_group_unreachable(-300, "kicked")
    started = await net.checkins.start.start_checkin(
        CORA, "Onrust", [OVERVECHT, KANALENEILAND, "lunetten", ZUILEN, "Nergens"], SIX_HOURS
    )
    assert isinstance(started, CheckInStarted)
    assert started.targeted == (OVERVECHT,)
    assert set(started.refused) == {
        RefusedDistrict("Nergens", "unknown"),
        RefusedDistrict(KANALENEILAND, "archived"),
        RefusedDistrict("Lunetten", "no_group"),
        RefusedDistrict(ZUILEN, "unreachable"),
    }
    rows = await world.rows(select(Delivery).order_by(Delivery.id))
    # Refused districts that exist get a skipped delivery, so report and summary name them.
    assert sorted((d.status.value, d.last_error) for d in rows) == [
        ("pending", None),
        ("skipped", "archived"),
        ("skipped", "no_group"),
        ("skipped", "unreachable"),
    ]


async def test_chief_cannot_ask_other_districts_and_learns_nothing_about_them(net: Net) -> None:
    started = await net.checkins.start.start_checkin(
        CHRIS, "Onrust", [OVERVECHT, ZUILEN, "Bestaat niet"], SIX_HOURS
    )
    assert isinstance(started, CheckInStarted)
    assert started.targeted == (OVERVECHT,)
    assert started.refused == (
        RefusedDistrict(ZUILEN, "denied"),
        RefusedDistrict("Bestaat niet", "denied"),
    )


async def test_all_means_every_district_for_coordinators_and_own_for_chiefs(net: Net) -> None:
    everything = await net.checkins.start.start_checkin(CORA, "Onrust", ALL, SIX_HOURS)
    assert isinstance(everything, CheckInStarted)
    assert set(everything.targeted) == {OVERVECHT, KANALENEILAND, ZUILEN}
    own = await net.checkins.start.start_checkin(CARLA, "Onrust", ALL, SIX_HOURS)
    assert isinstance(own, CheckInStarted)
    assert own.targeted == (ZUILEN,)


async def test_people_who_are_not_chiefs_cannot_start(net: Net, world: World) -> None:
    for actor in (stranger(), stranger(3001, "Fatima")):  # nobody, and a key figure
        assert await net.checkins.start.start_checkin(actor, "x", ALL, SIX_HOURS) == DENIED
        assert await net.checkins.start.preview(actor, "x", ALL, SIX_HOURS) == DENIED
        assert await net.checkins.start.district_choices(actor) == DENIED
    assert await world.count(CheckIn) == 0


async def test_event_text_is_required_and_limited(net: Net, world: World) -> None:
    start = net.checkins.start.start_checkin
    assert await start(CHRIS, "   ", ALL, SIX_HOURS) == InvalidEvent("empty", 500)
    assert await start(CHRIS, "x" * 501, ALL, SIX_HOURS) == InvalidEvent("too_long", 500)
    assert isinstance(await start(CHRIS, "x" * 500, ALL, SIX_HOURS), CheckInStarted)


async def test_duration_is_positive_and_at_most_seven_days(net: Net) -> None:
    start = net.checkins.start.start_checkin
    week = timedelta(days=7)
    for bad in (timedelta(0), timedelta(minutes=-5)):
        assert await start(CHRIS, "x", ALL, bad) == InvalidDuration("not_positive", week)
    too_long = week + timedelta(seconds=1)
    assert await start(CHRIS, "x", ALL, too_long) == InvalidDuration("too_long", week)
    assert isinstance(await start(CHRIS, "x", ALL, week), CheckInStarted)


async def test_nothing_to_send_stores_nothing(net: Net, world: World) -> None:
    await world.services.group_lifecycle.mark_group_unreachable(-300, "kicked")
    outcome = await net.checkins.start.start_checkin(CARLA, "Onrust", ALL, SIX_HOURS)
    assert outcome == NothingToSend((RefusedDistrict(ZUILEN, "unreachable"),))
    assert await net.checkins.start.start_checkin(CHRIS, "x", [], SIX_HOURS) == NothingToSend(())
    assert await world.count(CheckIn) == 0 and await world.count(Delivery) == 0


async def test_preview_is_exactly_what_the_groups_get(
    net: Net, world: World, notifier: CheckInNotifier
) -> None:
    preview = await net.checkins.start.preview(CHRIS, "Onrust", ALL, SIX_HOURS, show_tally=False)
    assert isinstance(preview, Preview)
    assert await world.count(CheckIn) == 0
    checkin_id = await net.sent(show_tally=False, event="Onrust")
    posted = {m.district: m for _, m in [*notifier.posted_to(-100), *notifier.posted_to(-200)]}
    assert [m.district for m in preview.messages] == [KANALENEILAND, OVERVECHT]
    for shown in preview.messages:
        sent = posted[shown.district]
        assert sent.checkin_id == checkin_id and shown.checkin_id is None
        assert shown == type(shown)(**{**sent.__dict__, "checkin_id": None})
    assert preview.messages[1].tally.key_figures == 4
    assert preview.messages[1].tally.shown is False


async def test_districts_asking_privately_get_member_deliveries_too(
    net: Net, world: World
) -> None:
    await set_district(world, OVERVECHT, ask_privately=True)
    await world.services.people.mark_person_unreachable(3004)
    started = await net.start()
    rows = await world.rows(
        select(MemberDelivery).where(MemberDelivery.checkin_id == started.checkin_id)
    )
    assert sorted(r.status.value for r in rows) == ["pending", "pending", "pending", "skipped"]
    assert {r.district_id for r in rows} == {net.district_ids[OVERVECHT]}


async def test_district_choices_mark_own_and_say_why_some_cannot_go(
    net: Net, world: World
) -> None:
    await world.services.group_lifecycle.mark_group_unreachable(-200, "kicked")
    assert await net.checkins.start.district_choices(CHRIS) == [
        DistrictChoice(KANALENEILAND, own=True, refusal="unreachable"),
        DistrictChoice(OVERVECHT, own=True, refusal=None),
    ]
    choices = await net.checkins.start.district_choices(CORA)
    assert isinstance(choices, list) and len(choices) == 3
    assert not any(c.own for c in choices)
