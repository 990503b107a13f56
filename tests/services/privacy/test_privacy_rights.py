"""/mijngegevens and /vergeetmij as services: the copy, the rate limit, erasure."""

from __future__ import annotations

import dataclasses
from datetime import time, timedelta
from pathlib import Path

from checkin_fakes import CheckInNotifier
from checkin_world import CARLA, CHRIS, OVERVECHT, Net, set_district
from fakes import FakeClock
from sqlalchemy import select
from world import CORA, World

from services.access import Actor
from services.away import AwaySet
from services.checkins.outcomes import CheckInClosed
from services.checkins.views import CheckInSummary, DistrictSummary
from services.container import Services
from services.insight import Trend
from services.privacy import Erased, NotKnown, TooSoon
from services.privacy.agreement import AgreementService
from services.privacy.copy import PersonalCopy
from services.privacy.policy import PrivacyPolicy
from services.privacy.tables import PERSONAL_TABLES
from services.pulse.outcomes import PulseRequest, PulseScheduled
from storage.models import (
    Answer,
    AuditEntry,
    Base,
    DeliveryStatus,
    DietaryNeed,
    Feedback,
    FeedbackReminder,
    FeedbackSend,
    Meeting,
    MeetingAction,
    MeetingInvite,
    MeetingReminder,
    MeetingStatus,
    Person,
    PulseSchedule,
    Reminder,
    Rsvp,
    RsvpAnswer,
)

FATIMA, AHMED, YOUSSEF = 3001, 3002, 3004


async def _answered_checkin(net: Net, clock: FakeClock) -> int:
    """A closed check-in in which Fatima gave everything: answer, change, depth, contact."""
    await set_district(net.world, OVERVECHT, ask_privately=True)
    checkin_id = await net.sent()
    f = net.checkins.followups
    await net.press(FATIMA, checkin_id, 3)
    clock.advance(minutes=1)
    await net.press(FATIMA, checkin_id, 4)
    await net.press(AHMED, checkin_id, 2)
    await f.set_direction(FATIMA, checkin_id, "rising")
    await f.toggle_theme(FATIMA, checkin_id, "polarisatie")
    await f.set_free_text(FATIMA, checkin_id, "Boosheid bij de moskee van Fatima")
    await f.set_contact(FATIMA, checkin_id, True)
    await f.set_direction(AHMED, checkin_id, "same")
    clock.advance(hours=1)
    closed = await net.checkins.closing.close_checkin(checkin_id, CORA)
    assert isinstance(closed, CheckInClosed)
    return checkin_id


async def _reminded(services: Services, telegram_user_id: int) -> None:
    """A reminder row for the person, as the reminder service leaves one (issue 12)."""
    async with services.uow() as uow:
        s = uow.session
        person = await s.scalar(select(Person).where(Person.telegram_user_id == telegram_user_id))
        assert person is not None
        answer = await s.scalar(select(Answer).where(Answer.person_id == person.id))
        assert answer is not None
        s.add(Reminder(checkin_id=answer.checkin_id, person_id=person.id,
                       district_id=answer.district_id, round=1, status=DeliveryStatus.SENT,
                       claimed_at=services.clock.now()))  # fmt: skip
        await uow.commit()


async def _fed_back(services: Services, telegram_user_id: int, chief: int) -> None:
    """Feedback the chief wrote, sent privately to the person (issue 12), and its reminder."""
    async with services.uow() as uow:
        s = uow.session
        person = await s.scalar(select(Person).where(Person.telegram_user_id == telegram_user_id))
        writer = await s.scalar(select(Person).where(Person.telegram_user_id == chief))
        assert person is not None and writer is not None
        answer = await s.scalar(select(Answer).where(Answer.person_id == person.id))
        assert answer is not None
        now = services.clock.now()
        feedback = Feedback(checkin_id=answer.checkin_id, text="Wat we hoorden",
                            written_by_id=writer.id, created_at=now)  # fmt: skip
        s.add(feedback)
        await s.flush()
        s.add(FeedbackSend(feedback_id=feedback.id, kind="private", target_id=person.id,
                           district_id=answer.district_id, person_id=person.id,
                           telegram_chat_id=telegram_user_id, status=DeliveryStatus.SENT,
                           attempts=1, message_id=7, updated_at=now, sent_at=now))  # fmt: skip
        s.add(FeedbackReminder(checkin_id=answer.checkin_id, person_id=writer.id, at=now))
        await uow.commit()


async def _met(services: Services, telegram_user_id: int, organiser: int) -> None:
    """A meeting the organiser planned, with the person's invitation, answer, dietary needs,
    reminder and an action they own (issue 15), as the meeting services leave them."""
    async with services.uow() as uow:
        s = uow.session
        person = await s.scalar(select(Person).where(Person.telegram_user_id == telegram_user_id))
        planner = await s.scalar(select(Person).where(Person.telegram_user_id == organiser))
        assert person is not None and planner is not None
        answer = await s.scalar(select(Answer).where(Answer.person_id == person.id))
        assert answer is not None
        now, district = services.clock.now(), answer.district_id
        meeting = Meeting(starts_at=now, place="Bureau", meal="Soep", rsvp_deadline=now,
                          status=MeetingStatus.PLANNED, planned_by_id=planner.id,
                          created_at=now)  # fmt: skip
        s.add(meeting)
        await s.flush()
        s.add_all([
            MeetingInvite(meeting_id=meeting.id, person_id=person.id, district_id=district,
                          status=DeliveryStatus.SENT, updated_at=now),
            Rsvp(meeting_id=meeting.id, person_id=person.id, district_id=district,
                 answer=RsvpAnswer.YES, first_answered_at=now, answered_at=now),
            DietaryNeed(meeting_id=meeting.id, person_id=person.id, needs=["halal"],
                        consented_at=now, updated_at=now),
            MeetingReminder(meeting_id=meeting.id, person_id=person.id, kind="day_before",
                            at=now),
            MeetingAction(meeting_id=meeting.id, district_id=district, description="Avond",
                          owner_person_id=person.id, created_by_id=planner.id, due_at=now,
                          created_at=now),
        ])  # fmt: skip
        await uow.commit()


async def _pulsed(services: Services) -> None:
    """A monthly pulse the chief of Overvecht scheduled (issue 12)."""
    request = PulseRequest(0, 0, time(10, 0), timedelta(hours=24), "Hoe is de stemming?")
    assert isinstance(await services.pulses.schedule(CHRIS, request), PulseScheduled)


def _kinds(copy: PersonalCopy) -> dict[str, int]:
    return {kind: len(rows) for kind, rows in copy.sections}


async def test_the_copies_hold_every_kind_of_personal_data(
    net: Net, services: Services, clock: FakeClock
) -> None:
    await _answered_checkin(net, clock)
    await services.members.confirm_leave(YOUSSEF)
    await services.retention.run()  # notices that Youssef belongs nowhere now
    await AgreementService(services.deps, "2099-01-v9").ask_outdated()
    assert isinstance(await services.away.set_away(Actor(AHMED, "Ahmed"), None), AwaySet)
    await _reminded(services, FATIMA)
    await _fed_back(services, FATIMA, CHRIS.telegram_user_id)
    await _met(services, FATIMA, CHRIS.telegram_user_id)
    await _pulsed(services)
    # A wizard Fatima left unfinished, as webhook workers share it (issue 13).
    await services.user_states.save(FATIMA, b"draft")
    copies = {}
    for user in (FATIMA, AHMED, YOUSSEF, CHRIS.telegram_user_id, CORA.telegram_user_id):
        made = await services.privacy.copy(user, via="cli")
        assert isinstance(made, PersonalCopy), made
        copies[user] = made
    fatima = _kinds(copies[FATIMA])
    for kind in ("people", "memberships", "invitations", "member_deliveries", "answers"):
        assert fatima[kind] >= 1, kind
    assert fatima["answer_changes"] == 2  # the history: 3, then 4
    sections = dict(copies[FATIMA].sections)
    (follow,) = sections["follow_ups"]
    assert follow["free_text"] == "Boosheid bij de moskee van Fatima"
    assert follow["contact_requested"] is True and follow["themes"] == ["polarisatie"]
    assert [e["kind"] for e in sections["escalations"]] == ["contact"]
    assert sections["memberships"][0]["agreement_version"]
    assert sections["memberships"][0]["district"] == OVERVECHT
    assert any(e["action"] == "invitation.accepted" for e in sections["audit_log"])
    assert [r["person_id"] for r in dict(copies[YOUSSEF].sections)["left_people"]] != []
    # The unfinished conversation: that and when, not its bytes.
    (state,) = sections["user_states"]
    assert state["telegram_user_id"] == FATIMA and "data" not in state
    # Together the copies reach every registered table: a table added to the list
    # must show up here too (and so in the world this test builds).
    reached = {k for c in copies.values() for k, n in _kinds(c).items() if n}
    assert reached == {t.table for t in PERSONAL_TABLES}
    # The invitation note about the invitee stays out of the coordinator's copy.
    assert all(
        "note" not in row for row in dict(copies[CORA.telegram_user_id].sections)["invitations"]
    )


async def test_a_copy_in_the_chat_is_rate_limited_and_audited(
    net: Net, services: Services, clock: FakeClock, world: World
) -> None:
    first = await services.privacy.copy(FATIMA)
    assert isinstance(first, PersonalCopy)
    again = await services.privacy.copy(FATIMA)
    assert again == TooSoon(clock.now() + services.privacy.policy.copy_interval)
    clock.advance(minutes=61)
    assert isinstance(await services.privacy.copy(FATIMA), PersonalCopy)
    assert [e.actor_telegram_id for e in await world.audit("privacy.copy")] == [FATIMA, FATIMA]
    assert await services.privacy.copy(424242) == NotKnown()


def _comparable(district: DistrictSummary) -> tuple[object, ...]:
    # What anonymous counts keep; free texts and contact requests are erased on purpose.
    return (district.responded, district.counts, district.median, district.directions,
            district.themes)  # fmt: skip


def _file_bytes(folder: Path) -> list[bytes]:
    """The bytes of the test's SQLite file and its write-ahead log."""
    return [p.read_bytes() for p in folder.glob("services.db*")]


async def _everything(services: Services) -> list[str]:
    """Every value of every row of every table, as text."""
    values: list[str] = []
    async with services.uow() as uow:
        for table in Base.metadata.sorted_tables:
            for row in await uow.session.execute(select(table)):
                values += [str(v) for v in row]
    return values


async def test_erasure_leaves_no_trace_and_keeps_the_counts(
    net: Net,
    services: Services,
    clock: FakeClock,
    world: World,
    notifier: CheckInNotifier,
    tmp_path: Path,
) -> None:
    checkin_id = await _answered_checkin(net, clock)
    before = await net.checkins.summaries.summary(checkin_id)
    trend_before = await services.insight.trend(CORA)
    assert isinstance(before, CheckInSummary) and isinstance(trend_before, Trend)
    notifier.clear()
    await services.user_states.save(FATIMA, b"draft")  # an unfinished wizard (issue 13)

    erased = await services.privacy.erase(FATIMA)

    assert isinstance(erased, Erased)
    assert erased.counts.answers_anonymised == 1
    values = await _everything(services)
    assert not [v for v in values if "Fatima" in v or v == str(FATIMA)]
    assert await services.user_states.load(FATIMA) is None
    after = await net.checkins.summaries.summary(checkin_id)
    assert isinstance(after, CheckInSummary)
    assert [_comparable(d) for d in after.districts] == [_comparable(d) for d in before.districts]
    assert await services.insight.trend(CORA) == trend_before
    ov_after = next(d for d in after.districts if d.district == OVERVECHT)
    assert ov_after.free_texts == () and ov_after.contact_requests == 0
    # The chief of Overvecht and the coordinators hear that someone left, not who.
    told = notifier.with_key("privacy.someone_left")
    assert {chat for chat, _ in told} == {CHRIS.telegram_user_id, 1001, 1002}
    assert all(params == {"districts": [OVERVECHT]} for _, params in told)
    assert CARLA.telegram_user_id not in {chat for chat, _ in told}
    (entry,) = await world.audit("privacy.erased")
    assert entry.actor_telegram_id is None and entry.subject == ""
    assert "Fatima" not in str(entry.details) and str(FATIMA) not in str(entry.details)
    # Later the account is a stranger.
    assert await services.people.commands_for(FATIMA) == ["privacy", "taal", "start", "help"]
    assert await services.privacy.erase(FATIMA) == NotKnown()
    assert await services.privacy.copy(FATIMA) == NotKnown()
    # On SQLite the name is not in the file's bytes either (secure_delete, checkpoint).
    raw = b"".join(_file_bytes(tmp_path))
    assert b"Boosheid bij de moskee" not in raw and b"Fatima" not in raw


async def test_erasure_can_delete_the_answers_instead(
    net: Net, services: Services, clock: FakeClock
) -> None:
    checkin_id = await _answered_checkin(net, clock)
    policy = dataclasses.replace(services.privacy.policy, erased_answers="delete")
    services.privacy.policy = policy
    erased = await services.privacy.erase(FATIMA)
    assert isinstance(erased, Erased) and erased.counts.answers_deleted == 1
    after = await net.checkins.summaries.summary(checkin_id)
    assert isinstance(after, CheckInSummary)
    ov = next(d for d in after.districts if d.district == OVERVECHT)
    assert ov.responded == 1  # only Ahmed's answer is left


async def test_a_chief_erased_leaves_the_check_ins_they_started(
    net: Net, services: Services, clock: FakeClock, world: World
) -> None:
    await _answered_checkin(net, clock)
    await _pulsed(services)
    assert isinstance(await services.privacy.erase(CHRIS.telegram_user_id), Erased)
    assert await world.count(PulseSchedule) == 0  # their standing instruction went with them
    values = await _everything(services)
    assert not [v for v in values if v == "Chris" or v == str(CHRIS.telegram_user_id)]
    assert await world.count(AuditEntry) > 0


async def test_unknown_people_have_nothing_to_erase(services: Services) -> None:
    assert await services.privacy.erasure_question(55555) == NotKnown()
    assert await services.privacy.erase(55555) == NotKnown()
    assert isinstance(services.privacy.policy, PrivacyPolicy)
