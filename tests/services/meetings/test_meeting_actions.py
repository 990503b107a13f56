"""Actions and talking points against fakes: owners, reminders once, closing, the draft."""

from __future__ import annotations

from datetime import timedelta

from fakes import FakeClock
from meeting_world import CHIEF, FATIMA, MEHMET, STARTS, MeetingNotifier, Net, own_press, plan
from world import CORA, World, stranger

from services.access import Actor
from services.container import Services
from services.meetings.views import ActionRefused, ActionView, TalkingPointsView
from services.outcomes import Denied

DUE = STARTS + timedelta(days=14)


async def test_actions_need_an_owner_a_future_date_and_the_right(
    services: Services, net: Net, world: World, clock: FakeClock
) -> None:
    meeting_id = await plan(services, net)
    actions = services.meetings.actions
    fatima = Actor(FATIMA, "Fatima")
    assert await actions.add(fatima, meeting_id, "Fatima", DUE, "x") == ActionRefused("denied")
    assert await actions.add(CHIEF, meeting_id, "Sanne", DUE, "x") == ActionRefused("no_owner")
    await world.join("Overvecht", 2003, "Fatma")
    assert await actions.add(CHIEF, meeting_id, "Fat", DUE, "x") == ActionRefused(
        "ambiguous_owner"
    )
    past = clock.now() - timedelta(days=1)
    assert await actions.add(CHIEF, meeting_id, "Fatima", past, "x") == ActionRefused("due_past")
    assert await actions.add(CHIEF, meeting_id, "gemeente", DUE, "  ") == ActionRefused("empty")
    by_role = await actions.add(CHIEF, meeting_id, "Gemeente", DUE, "Speeltuin repareren")
    assert isinstance(by_role, ActionView) and by_role.owner_role == "gemeente"
    assert by_role.owner_name is None


async def test_owner_reminded_once_across_a_restart_and_closes_with_a_result(
    services: Services, net: Net, clock: FakeClock, notifier: MeetingNotifier
) -> None:
    meeting_id = await plan(services, net)
    actions = services.meetings.actions
    mine = await actions.add(CHIEF, meeting_id, "Fatima", DUE, "Buurtavond organiseren")
    theirs = await actions.add(CHIEF, meeting_id, "politie", DUE, "Extra surveillance")
    assert isinstance(mine, ActionView) and isinstance(theirs, ActionView)
    assert [c for c, _ in notifier.with_key("meeting.action.assigned")] == [FATIMA]
    assert await actions.remind_due() == 0  # two weeks to go
    clock.set(DUE - timedelta(days=2))
    assert await actions.remind_due() == 2
    reminded = sorted(c for c, _ in notifier.with_key("meeting.action.reminder"))
    assert reminded == sorted([FATIMA, CHIEF.telegram_user_id])  # a role's: the organiser
    again = Services(
        uow=services.uow,
        clock=clock,
        notifier=notifier,
        tz=services.tz,
        language="nl",
        coordinator_ids=services.coordinator_ids,
        texts=services.texts,
    )
    assert await again.meetings.actions.remind_due() == 0

    mehmet = Actor(MEHMET, "Mehmet")
    assert await actions.close(mehmet, mine.action_id, "klaar") == ActionRefused("denied")
    closed = await actions.close(Actor(FATIMA, "Fatima"), mine.action_id, "40 mensen kwamen")
    assert isinstance(closed, ActionView) and closed.result == "40 mensen kwamen"
    assert await actions.close(CORA, mine.action_id, "nog eens") == ActionRefused("closed")
    assert [a.action_id for a in await actions.open_actions(mehmet)] == [theirs.action_id]


async def test_talking_points_carry_open_actions_and_notes_and_go_to_those_coming(
    services: Services, net: Net, notifier: MeetingNotifier
) -> None:
    meeting_id = await plan(services, net)
    await services.meetings.actions.add(CHIEF, meeting_id, "gemeente", DUE, "Bankjes terug")
    await services.meetings.rsvps.record(await own_press(services, FATIMA, meeting_id, "yes"))
    await services.meetings.rsvps.record(await own_press(services, MEHMET, meeting_id, "no"))
    talking = services.meetings.talking_points
    view = await talking.add_note(CHIEF, meeting_id, "Ramadan-avond?")
    assert not isinstance(view, type(None))
    [district] = view.districts  # type: ignore[union-attr]
    assert district.checkins == () and district.acute_alerts == 0
    assert [a.description for a in district.open_actions] == ["Bankjes terug"]
    assert view.notes == ("Ramadan-avond?",)  # type: ignore[union-attr]
    assert await talking.send(CHIEF, meeting_id) == 1
    assert [c for c, _ in notifier.points] == [FATIMA]
    cleared = await talking.clear_notes(CHIEF, meeting_id)
    assert cleared.notes == ()  # type: ignore[union-attr]


async def test_the_organiser_leaves_generated_lines_out_of_what_is_sent(
    services: Services, net: Net, notifier: MeetingNotifier
) -> None:
    meeting_id = await plan(services, net)
    await services.meetings.actions.add(CHIEF, meeting_id, "gemeente", DUE, "Bankjes terug")
    await services.meetings.rsvps.record(await own_press(services, FATIMA, meeting_id, "yes"))
    talking = services.meetings.talking_points
    draft = await talking.draft(CHIEF, meeting_id)
    assert isinstance(draft, TalkingPointsView)
    [key] = draft.line_keys()
    # A key that names no line of this draft (forged) is not stored.
    forged = await talking.toggle_line(CHIEF, meeting_id, "action:999")
    assert isinstance(forged, TalkingPointsView) and forged.left_out == ()
    left = await talking.toggle_line(CHIEF, meeting_id, key)
    assert isinstance(left, TalkingPointsView) and left.left_out == (key,)
    assert left.kept().districts[0].open_actions == ()
    assert await talking.send(CHIEF, meeting_id) == 1
    [(_, sent)] = notifier.points
    assert sent.districts[0].open_actions == () and sent.left_out == ()
    back = await talking.toggle_line(CHIEF, meeting_id, key)
    assert isinstance(back, TalkingPointsView) and back.left_out == ()
    assert isinstance(await talking.toggle_line(stranger(), meeting_id, key), Denied)
