"""Export queries on SQLite and PostgreSQL: streamed in batches, filtered, folded right."""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.i18n import t
from services.exports import Exported, ExportRequest, ExportService
from services.ports import SystemClock
from storage.engine import create_engine, make_sessionmaker
from storage.models import (
    Answer,
    AuditEntry,
    CheckIn,
    CheckInStatus,
    Delivery,
    DeliveryStatus,
    Direction,
    District,
    Event,
    FollowUp,
    Membership,
    Person,
    Role,
)
from storage.queries import exports
from storage.queries.exports import Window
from storage.uow import UnitOfWorkFactory

TZ = ZoneInfo("Europe/Amsterdam")
T = datetime(2026, 3, 28, 21, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    """A UTC moment from 'YYYY-MM-DDTHH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
async def uow(db_url: str) -> AsyncIterator[UnitOfWorkFactory]:
    """A unit-of-work factory on a fresh migrated database of this test's own."""
    engine = create_engine(db_url)
    yield UnitOfWorkFactory(make_sessionmaker(engine))
    await engine.dispose()


async def build(uow: UnitOfWorkFactory) -> dict[str, int]:
    """Two districts, three key figures and a chief; one check-in across the clock change."""
    async with uow() as u:
        s = u.session
        north = District(name="Noord", name_key="noord", created_at=T)
        south = District(name="Zuid", name_key="zuid", created_at=T)
        people = [
            Person(telegram_user_id=10_000_000_000 + i, display_name=n, created_at=T)
            for i, n in enumerate(["Ann", "Bo", "Cas", "Chef"])
        ]
        event = Event(description="Onrust na wedstrijd", created_at=T)
        s.add_all([north, south, event, *people])
        await s.flush()
        roles = [(0, north, Role.KEY_FIGURE), (1, north, Role.KEY_FIGURE),
                 (2, south, Role.KEY_FIGURE), (3, north, Role.CHIEF)]  # fmt: skip
        s.add_all(
            Membership(person_id=people[i].id, district_id=d.id, role=r, joined_at=T)
            for i, d, r in roles
        )
        checkin = CheckIn(event_id=event.id, status=CheckInStatus.OPEN, opened_at=T, closes_at=T)
        s.add(checkin)
        await s.flush()
        s.add_all(
            Delivery(checkin_id=checkin.id, district_id=d.id, status=st, updated_at=T)
            for d, st in [(north, DeliveryStatus.SENT), (south, DeliveryStatus.FAILED)]
        )
        for person, district, code, when in [
            (people[0], north, 3, at("2026-03-29T00:30")),
            (people[1], north, 0, at("2026-03-29T01:30")),
            (people[2], south, 5, at("2026-03-29T02:30")),
        ]:
            s.add(Answer(checkin_id=checkin.id, person_id=person.id, district_id=district.id,
                         code=code, first_answered_at=when, answered_at=when))  # fmt: skip
        s.add(FollowUp(checkin_id=checkin.id, person_id=people[0].id, direction=Direction.RISING,
                       themes=["overlast"], free_text="@iedereen", contact_requested=True,
                       updated_at=T))  # fmt: skip
        s.add_all(AuditEntry(at=at(f"2026-03-2{d}T12:00"), action=f"a{d}") for d in (7, 8, 9))
        await u.commit()
        return {"north": north.id, "south": south.id, "checkin": checkin.id}


async def collect(batches: AsyncIterator[Any]) -> list[list[Any]]:
    """The batches of a stream, each as a list of rows."""
    return [list(batch) async for batch in batches]


async def test_answers_stream_in_batches_with_their_follow_up(uow: UnitOfWorkFactory) -> None:
    ids = await build(uow)
    async with uow() as u:
        batches = await collect(exports.answers(u.session, Window(), batch=2))

    assert [len(b) for b in batches] == [2, 1]
    ann, bo, cas = [row for batch in batches for row in batch]
    assert (ann.district, ann.code) == ("Noord", 3)
    # As the driver hands them over: the stored value string, JSON text, naive UTC.
    assert type(ann.direction) is str and ann.direction == Direction.RISING.value
    assert json.loads(ann.themes) == ["overlast"]
    assert (ann.free_text, ann.contact_requested, ann.display_name) == ("@iedereen", True, "Ann")
    assert ann.answered_at == at("2026-03-29T00:30").replace(tzinfo=None)
    assert (bo.direction, bo.themes, bo.free_text) == (None, None, None)
    assert cas.checkin_id == ids["checkin"] and cas.telegram_user_id == 10_000_000_002


async def test_answers_filter_by_half_open_window_and_districts(uow: UnitOfWorkFactory) -> None:
    ids = await build(uow)
    window = Window(at("2026-03-29T01:30"), at("2026-03-29T02:30"), None)
    north = Window(district_ids=frozenset({ids["north"]}))
    async with uow() as u:
        inside = [r for b in await collect(exports.answers(u.session, window)) for r in b]
        mine = [r for b in await collect(exports.answers(u.session, north)) for r in b]

    assert [r.display_name for r in inside] == ["Bo"]
    assert [r.display_name for r in mine] == ["Ann", "Bo"]


async def test_district_counts_come_grouped_by_checkin_and_district(
    uow: UnitOfWorkFactory,
) -> None:
    ids = await build(uow)
    async with uow() as u:
        rows = [r for b in await collect(exports.district_counts(u.session, Window())) for r in b]
        sizes = await exports.roster_sizes(u.session)

    # Zuid's group never got the message, but its member answered privately: it counts.
    assert [(r.district, r.code, r.n) for r in rows] == [
        ("Noord", 0, 1),
        ("Noord", 3, 1),
        ("Zuid", 5, 1),
    ]
    assert sizes == {ids["north"]: 2, ids["south"]: 1}


async def test_audit_entries_and_chief_districts(uow: UnitOfWorkFactory) -> None:
    await build(uow)
    window = Window(at("2026-03-28T00:00"), None, None)
    async with uow() as u:
        entries = [r for b in await collect(exports.audit_entries(u.session, window)) for r in b]
        chief = [d.name for d in await exports.chief_districts(u.session, 10_000_000_003)]
        none = await exports.chief_districts(u.session, 10_000_000_000)

    assert [e.action for e in entries] == ["a8", "a9"]
    assert chief == ["Noord"] and none == []


async def test_the_whole_export_on_this_database(uow: UnitOfWorkFactory, tmp_path: Path) -> None:
    await build(uow)
    service = ExportService(
        uow,
        SystemClock(),
        TZ,
        pseudonym_key=b"storage-test-key-0123456789",
        min_respondents=2,
        texts=t,
    )

    done = await service.export(None, ExportRequest("csv"), tmp_path / "a.csv")

    assert isinstance(done, Exported) and done.rows == 3
    rows = read(tmp_path / "a.csv")
    assert [r["answered_at"] for r in rows] == [
        "2026-03-29T01:30:00+01:00",
        "2026-03-29T03:30:00+02:00",
        "2026-03-29T04:30:00+02:00",
    ]
    assert rows[0]["free_text"] == "'@iedereen"
    async with uow() as u:
        entries = [r for b in await collect(exports.audit_entries(u.session, Window())) for r in b]
    assert entries[-1].action == "export.answers" and entries[-1].details["rows"] == 3


def read(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV export."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


async def test_a_stream_stopped_early_closes_its_cursor(uow: UnitOfWorkFactory) -> None:
    await build(uow)
    async with uow() as u:
        s: AsyncSession = u.session
        stream = exports.answers(s, Window(), batch=1)
        first = await anext(stream)
        await stream.aclose()
        # The session is still usable: the server-side cursor did not stay open.
        again = [r for b in await collect(exports.answers(s, Window())) for r in b]

    assert len(first) == 1 and len(again) == 3
