"""Retention: exactly what is due goes, nothing else, counted in the audit log, across restarts."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from checkin_world import CHRIS, OVERVECHT, Net
from fakes import FakeClock, FakeNotifier
from sqlalchemy import select
from world import CORA, World

from handlers.i18n import t
from services.checkins.outcomes import CheckInClosed
from services.checkins.views import CheckInSummary
from services.container import Services
from services.privacy.retention import RetentionRun
from storage.engine import create_engine, make_sessionmaker
from storage.models import Answer, AuditEntry, Escalation, FollowUp, Invitation, Person
from storage.uow import UnitOfWorkFactory

FATIMA, AHMED, ELS, YOUSSEF = 3001, 3002, 3003, 3004


async def _checkin_with_words(net: Net, clock: FakeClock, words: str) -> int:
    """A check-in answered by Fatima with a free text and a contact request, then closed."""
    checkin_id = await net.sent(districts=[OVERVECHT])
    await net.press(FATIMA, checkin_id, 3)
    await net.press(AHMED, checkin_id, 2)
    await net.checkins.followups.set_free_text(FATIMA, checkin_id, words)
    await net.checkins.followups.set_contact(FATIMA, checkin_id, True)
    await net.checkins.followups.set_direction(AHMED, checkin_id, "rising")
    closed = await net.checkins.closing.close_checkin(checkin_id, CORA)
    assert isinstance(closed, CheckInClosed)
    return checkin_id


async def _texts(world: World) -> dict[int, str | None]:
    return {f.checkin_id: f.free_text for f in await world.rows(select(FollowUp))
            if f.free_text is not None or f.contact_requested is not None}  # fmt: skip


def _counts(run: RetentionRun) -> dict[str, int]:
    return {k: v for k, v in run.counts.items() if v}


async def _restarted(services: Services, tmp_path: Path, clock: FakeClock) -> Services:
    """The services of a new process on the same database file."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'services.db'}")
    return Services(
        uow=UnitOfWorkFactory(make_sessionmaker(engine)),
        clock=clock,
        notifier=FakeNotifier(),
        tz=ZoneInfo("Europe/Amsterdam"),
        language="nl",
        coordinator_ids=services.coordinator_ids,
        texts=t,
        privacy_policy=services.privacy_policy,
    )


async def test_free_texts_go_after_their_period_and_nothing_else(
    net: Net, services: Services, clock: FakeClock, world: World, tmp_path: Path
) -> None:
    first = await _checkin_with_words(net, clock, "Onrust bij de school")
    clock.advance(days=30)
    second = await _checkin_with_words(net, clock, "Nog steeds onrust")
    clock.advance(days=60, minutes=1)  # the first closed 90 days ago, the second 60
    # An invitation made now and still open stays; the 12 used at the start go (30 days).
    await world.invite(OVERVECHT)

    dry = await services.retention.run(dry_run=True)
    assert _counts(dry) == {"free_texts": 1, "escalations": 1, "invitations": 12}
    assert await _texts(world) == {first: "Onrust bij de school", second: "Nog steeds onrust"}
    assert await world.audit("retention.removed") == []

    done = await services.retention.run()
    assert _counts(done) == _counts(dry)
    assert await _texts(world) == {second: "Nog steeds onrust"}
    assert [e.checkin_id for e in await world.rows(select(Escalation))] == [second]
    assert len(await world.rows(select(Invitation))) == 1
    # What stays for summaries: the answers, the directions.
    assert len(await world.rows(select(Answer))) == 4
    (entry,) = await world.audit("retention.removed")
    assert entry.actor_telegram_id is None
    assert {k: v for k, v in entry.details.items() if v} == _counts(done)

    # A restart runs again at once: nothing more is due, nothing is counted twice.
    again = await _restarted(services, tmp_path, clock)
    assert (await again.retention.run()).total == 0
    assert len(await world.audit("retention.removed")) == 1
    clock.advance(days=30)
    assert _counts(await again.retention.run()) == {"free_texts": 1, "escalations": 1}
    assert await _texts(world) == {}
    await again.uow.sessionmaker.kw["bind"].dispose()


async def test_answers_become_anonymous_counts_and_summaries_stay_true(
    net: Net, services: Services, clock: FakeClock, world: World
) -> None:
    checkin_id = await _checkin_with_words(net, clock, "Woorden")
    before = await net.checkins.summaries.summary(checkin_id)
    clock.advance(days=729)
    assert "answers" not in _counts(await services.retention.run())
    clock.advance(days=1, minutes=1)
    assert _counts(await services.retention.run())["answers"] == 2
    after = await net.checkins.summaries.summary(checkin_id)
    assert isinstance(before, CheckInSummary) and isinstance(after, CheckInSummary)
    assert [(d.responded, d.counts, d.median, d.directions) for d in after.districts] == [
        (d.responded, d.counts, d.median, d.directions) for d in before.districts
    ]
    owners = {p.id: p.telegram_user_id for p in await world.rows(select(Person))}
    assert all(owners[a.person_id] < 0 for a in await world.rows(select(Answer)))
    assert "answers" not in _counts(await services.retention.run())


async def test_people_who_left_are_erased_after_their_period_unless_they_rejoin(
    net: Net, services: Services, clock: FakeClock, world: World
) -> None:
    await services.members.confirm_leave(YOUSSEF)
    await services.members.confirm_leave(ELS)
    assert "left_people" not in _counts(await services.retention.run())  # noticed now
    clock.advance(days=45)
    await world.join(OVERVECHT, ELS, "Els")  # back: no longer gone
    clock.advance(days=45, minutes=1)
    assert _counts(await services.retention.run())["left_people"] == 1
    assert await world.person(YOUSSEF) is None
    assert await world.person(ELS) is not None
    # Coordinators and chiefs stay, whatever their memberships.
    assert await world.person(CORA.telegram_user_id) is not None
    assert await world.person(CHRIS.telegram_user_id) is not None


async def test_old_audit_entries_go_and_the_count_is_logged(
    net: Net, services: Services, clock: FakeClock, world: World
) -> None:
    old = len(await world.audit())
    clock.advance(days=1825, minutes=1)
    run = await services.retention.run()
    assert run.counts["audit_entries"] == old
    assert [e.action for e in await world.audit()] == ["retention.removed"]
    assert (await world.audit())[0].details["audit_entries"] == old
    assert await world.count(AuditEntry) == 1
