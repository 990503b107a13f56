"""Answering: server-side checks, one answer per person, history, batches, escalation."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from checkin_fakes import CheckInNotifier
from checkin_world import CHRIS, GROUPS, KANALENEILAND, OVERVECHT, ZUILEN, Net, set_district
from fakes import FakeClock
from sqlalchemy import select
from world import CORA, World

from services.checkins.outcomes import (
    AnswerOutcome,
    CheckInStarted,
    Closed,
    NotAMember,
    NotForYou,
    OffScale,
    Press,
    Recorded,
    Unknown,
)
from storage.models import Answer, AnswerChange, District, MemberDelivery
from storage.queries import answers


async def _history(world: World, checkin_id: int, user: int) -> list[int]:
    async with world.services.uow() as uow:
        person = await world.person(user)
        assert person is not None
        return await answers.history(uow.session, checkin_id, person.id)


async def test_first_press_is_recorded_with_until_when_it_can_change(
    net: Net, world: World
) -> None:
    checkin_id = await net.sent()
    outcome = await net.press(3001, checkin_id, 3)
    assert isinstance(outcome, Recorded)
    assert (outcome.code, outcome.label_key, outcome.district) == (3, "scale.3", OVERVECHT)
    assert (outcome.first_time, outcome.changed) == (True, False)
    [answer] = await world.rows(select(Answer))
    assert outcome.changeable_until > answer.answered_at
    assert (answer.code, answer.changes, answer.district_id) == (
        3,
        0,
        net.district_ids[OVERVECHT],
    )
    assert await _history(world, checkin_id, 3001) == [3]


async def test_double_press_and_redelivered_update_count_once(net: Net, world: World) -> None:
    checkin_id = await net.sent()
    await net.press(3001, checkin_id, 3)
    again = await net.press(3001, checkin_id, 3)
    assert isinstance(again, Recorded) and (again.first_time, again.changed) == (False, False)
    [answer] = await world.rows(select(Answer))
    assert answer.changes == 0
    assert await world.count(AnswerChange) == 1


async def test_a_changed_answer_keeps_its_history(
    net: Net, world: World, clock: FakeClock
) -> None:
    checkin_id = await net.sent()
    await net.press(3001, checkin_id, 3)
    clock.advance(minutes=5)
    changed = await net.press(3001, checkin_id, 4)
    assert isinstance(changed, Recorded) and (changed.first_time, changed.changed) == (False, True)
    clock.advance(minutes=5)
    await net.press(3001, checkin_id, 3)
    [answer] = await world.rows(select(Answer))
    assert (answer.code, answer.changes) == (3, 2)
    assert answer.answered_at - answer.first_answered_at == (
        clock.now() - answer.first_answered_at
    )
    assert await _history(world, checkin_id, 3001) == [3, 4, 3]


async def test_forged_and_stale_presses_store_nothing(
    net: Net, world: World, notifier: CheckInNotifier
) -> None:
    first = await net.sent()
    second = await net.sent(event="Tweede gebeurtenis")
    ov_first = notifier.message_id(GROUPS[OVERVECHT], first)
    ka_first = notifier.message_id(GROUPS[KANALENEILAND], first)
    # Another check-in's id on this message.
    assert await net.press(3001, second, 3, message_id=ov_first) == NotForYou()
    # Another district's id on this message (the key figure's own district is Overvecht).
    forged = await net.press(
        3001, first, 3, KANALENEILAND, message_id=ov_first, chat_id=GROUPS[OVERVECHT]
    )
    assert forged == NotForYou()
    # The right message id, but in another group's chat: ids count per chat.
    assert await net.press(3001, first, 3, message_id=ov_first, chat_id=GROUPS[ZUILEN]) == (
        NotForYou()
    )
    # A made-up message id.
    assert await net.press(3001, first, 3, message_id=ka_first + 99) == NotForYou()
    # Codes off the scale.
    for code in (6, 7, -1, 42):
        assert await net.press(3001, first, code) == OffScale(str(code))
    # A check-in that does not exist.
    assert await net.press(3001, 987654, 3, message_id=ov_first) == Unknown()
    assert await world.count(Answer) == 0 and await world.count(AnswerChange) == 0


async def test_only_key_figures_of_that_district_can_answer(net: Net, world: World) -> None:
    checkin_id = await net.sent()
    # Another district's key figure pressing this district's real message.
    assert await net.press(3101, checkin_id, 3, OVERVECHT) == NotAMember(OVERVECHT)
    # Somebody without any role, a chief, and a coordinator.
    for user in (9999, CHRIS.telegram_user_id, CORA.telegram_user_id):
        assert await net.press(user, checkin_id, 3, OVERVECHT) == NotAMember(OVERVECHT)
    # A district the check-in never reached.
    assert await net.press(3201, checkin_id, 3, ZUILEN, message_id=1) == NotForYou()
    assert await world.count(Answer) == 0


async def test_presses_after_closing_or_past_the_deadline_are_refused(
    net: Net, world: World, clock: FakeClock
) -> None:
    closed = await net.sent()
    await net.checkins.closing.close_checkin(closed, CHRIS)
    assert await net.press(3001, closed, 3) == Closed(clock.now())
    late = await net.sent(hours=1)
    clock.advance(hours=1)  # the deadline has passed, the close job has not run yet
    outcome = await net.press(3001, late, 3)
    assert isinstance(outcome, Closed) and outcome.closed_at == clock.now()
    assert await world.count(Answer) == 0


async def test_a_press_on_the_private_message_counts_too(
    net: Net, world: World, notifier: CheckInNotifier
) -> None:
    await set_district(world, OVERVECHT, ask_privately=True)
    checkin_id = await net.sent()
    [(private_id, _)] = notifier.posted_to(3001)
    # The same message id in someone else's chat is not this person's private question.
    assert await net.press(3001, checkin_id, 2, message_id=private_id, chat_id=3002) == (
        NotForYou()
    )
    outcome = await net.press(3001, checkin_id, 2, message_id=private_id, chat_id=3001)
    assert isinstance(outcome, Recorded) and outcome.first_time
    # Somebody else's private message is not theirs to press.
    [(other_id, _)] = notifier.posted_to(3002)
    assert await net.press(3001, checkin_id, 2, message_id=other_id) == NotForYou()
    assert len(await world.rows(select(MemberDelivery))) == 4


def _plain(outcomes: list[AnswerOutcome]) -> list[AnswerOutcome]:
    # The same presses on two check-ins differ only in the check-in, its event and deadline.
    return [
        dataclasses.replace(o, checkin_id=0, changeable_until=None, event="")  # type: ignore[arg-type]
        if isinstance(o, Recorded)
        else o
        for o in outcomes
    ]


async def test_a_batch_gives_the_same_outcomes_as_pressing_one_by_one(
    net: Net, world: World, notifier: CheckInNotifier
) -> None:
    one, batch = await net.sent(), await net.sent(event="Tweede")

    def presses(checkin_id: int) -> list[Press]:
        ov = net.district_ids[OVERVECHT]
        mid = notifier.message_id(GROUPS[OVERVECHT], checkin_id)
        return [
            Press(3001, checkin_id, ov, mid, 3, GROUPS[OVERVECHT]),
            Press(3002, checkin_id, ov, mid, 1, GROUPS[OVERVECHT]),
            Press(3001, checkin_id, ov, mid, 3, GROUPS[OVERVECHT]),  # double press
            Press(3001, checkin_id, ov, mid, 5, GROUPS[OVERVECHT]),  # changed (and acute)
            Press(3101, checkin_id, ov, mid, 2, GROUPS[OVERVECHT]),  # not a member here
            Press(3003, checkin_id, ov, mid, 9, GROUPS[OVERVECHT]),  # off the scale
            Press(3003, checkin_id, ov, mid + 1000, 2, GROUPS[OVERVECHT]),  # wrong message
            Press(3004, checkin_id, ov, mid, 0, GROUPS[OVERVECHT]),
        ]

    record = net.checkins.answers.record_answer
    singles = [await record(*dataclasses.astuple(p)[:-1], chat_id=p.chat_id) for p in presses(one)]
    together = await net.checkins.answers.record_answers(presses(batch))
    assert _plain(together) == _plain(singles)
    rows = await world.rows(select(Answer).order_by(Answer.person_id))
    by_checkin = {
        c: [(a.person_id, a.code, a.changes) for a in rows if a.checkin_id == c]
        for c in (one, batch)
    }
    assert by_checkin[one] == by_checkin[batch]
    assert len(by_checkin[one]) == 3
    assert len(notifier.with_key("checkin.alert_acute")) == 2  # once per check-in


async def test_acute_answer_alerts_the_districts_chiefs_once(
    net: Net, notifier: CheckInNotifier
) -> None:
    checkin_id = await net.sent()
    await net.press(3001, checkin_id, 5)
    alerts = notifier.with_key("checkin.alert_acute")
    assert alerts == [
        (
            CHRIS.telegram_user_id,
            {
                "district": OVERVECHT,
                "event": "Aanslag op moskee in Québec",
                "name": "Fatima",
                "telegram_user_id": 3001,
                "checkin_id": checkin_id,
            },
        )
    ]
    # Re-press, change away and back: no repeat.
    for code in (5, 3, 5):
        await net.press(3001, checkin_id, code)
    assert len(notifier.with_key("checkin.alert_acute")) == 1
    await net.press(3002, checkin_id, 5)
    assert [p["name"] for _, p in notifier.with_key("checkin.alert_acute")] == ["Fatima", "Ahmed"]
    # Non-acute answers alert nobody.
    await net.press(3003, checkin_id, 4)
    assert len(notifier.with_key("checkin.alert_acute")) == 2


async def test_acute_answer_in_a_district_without_chiefs_reaches_coordinators(
    net: Net, world: World, notifier: CheckInNotifier
) -> None:
    await world.district("Lunetten")
    await world.linked_group("Lunetten", -400, "Bondgenoten Lunetten")
    await world.join("Lunetten", 3301, "Bram")
    [lunetten] = await world.rows(select(District).where(District.name == "Lunetten"))
    started = await net.checkins.start.start_checkin(
        CORA, "Onrust", ["Lunetten"], timedelta(hours=2)
    )
    assert isinstance(started, CheckInStarted)
    await net.checkins.broadcast.broadcast(started.checkin_id)
    mid = notifier.message_id(-400, started.checkin_id)
    outcome = await net.checkins.answers.record_answer(
        3301, started.checkin_id, lunetten.id, mid, 5, chat_id=-400
    )
    assert isinstance(outcome, Recorded)
    assert [cid for cid, _ in notifier.with_key("checkin.alert_acute")] == [1001, 1002]
