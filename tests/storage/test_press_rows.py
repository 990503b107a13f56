"""The press path's plain rows: read and written past SQLAlchemy on SQLite, as the models do.

On SQLite storage/queries/presses.py and the inbox send their statements to the driver
itself (storage/driver.py). What they write must read back through the models exactly as
if the models had written it, and stand in the file in the same form; what they read must
be what the models read. The same tests run on PostgreSQL, where those functions go through
SQLAlchemy Core.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.driver import translated
from storage.models import (
    Answer,
    AnswerChange,
    CheckIn,
    CheckInStatus,
    Delivery,
    DeliveryStatus,
    District,
    Event,
    InboxUpdate,
    Membership,
    Person,
    Role,
)
from storage.queries import inbox, presses

# Odd microseconds and a moment across midnight: a format slip would show.
NOW = datetime(2026, 12, 5, 23, 59, 58, 120034, tzinfo=UTC)


async def _world(session: AsyncSession) -> tuple[CheckIn, District, District, list[Person]]:
    noord = District(name="Noord", name_key="noord", created_at=NOW)
    zuid = District(name="Zuid", name_key="zuid", created_at=NOW)
    event = Event(description="Aanslag op een moskee", created_at=NOW)
    people = [
        Person(telegram_user_id=20_000_000_000 + n, display_name=f"Lid {n}", created_at=NOW)
        for n in range(3)
    ]
    session.add_all([noord, zuid, event, *people])
    await session.flush()
    # The first is a key figure of Noord (and chief of Zuid), the second chief only, the
    # third nothing at all.
    session.add_all(
        [
            Membership(
                person_id=people[0].id, district_id=zuid.id, role=Role.CHIEF, joined_at=NOW
            ),
            Membership(
                person_id=people[0].id, district_id=noord.id, role=Role.KEY_FIGURE, joined_at=NOW
            ),
            Membership(
                person_id=people[1].id, district_id=noord.id, role=Role.CHIEF, joined_at=NOW
            ),
        ]
    )
    checkin = CheckIn(
        event_id=event.id,
        status=CheckInStatus.OPEN,
        opened_at=NOW - timedelta(hours=1),
        closes_at=NOW + timedelta(hours=5),
        practice=True,
    )
    session.add(checkin)
    await session.flush()
    session.add(
        Delivery(
            checkin_id=checkin.id,
            district_id=noord.id,
            telegram_chat_id=-1001,
            status=DeliveryStatus.SENT,
            attempts=1,
            message_id=77,
            uncertain=True,
            updated_at=NOW,
        )
    )
    await session.flush()
    return checkin, noord, zuid, people


async def test_what_the_press_path_reads_is_what_the_models_hold(session: AsyncSession) -> None:
    checkin, noord, zuid, people = await _world(session)

    sheet = await presses.sheet(session, checkin.id, lock=True)
    assert sheet == presses.Sheet(
        checkin.id,
        CheckInStatus.OPEN,
        NOW - timedelta(hours=1),
        NOW + timedelta(hours=5),
        None,
        True,
        "Aanslag op een moskee",
    )
    assert sheet.closes_at.tzinfo is not None and sheet.status is CheckInStatus.OPEN
    assert await presses.sheet(session, checkin.id + 1000, lock=False) is None

    ids = [p.telegram_user_id for p in people] + [99]  # 99: nobody
    found = {p.telegram_user_id: p for p in await presses.pressers(session, ids)}
    assert found == {
        people[0].telegram_user_id: presses.Presser(
            people[0].id, people[0].telegram_user_id, noord.id
        ),
        people[1].telegram_user_id: presses.Presser(
            people[1].id, people[1].telegram_user_id, None
        ),
        people[2].telegram_user_id: presses.Presser(
            people[2].id, people[2].telegram_user_id, None
        ),
    }

    [group] = await presses.group_messages(session, [checkin.id], [noord.id, zuid.id])
    assert group[1:] == (checkin.id, noord.id, -1001, 77, True, "Noord")
    assert await presses.district_names(session, [zuid.id, 12345]) == {zuid.id: "Zuid"}
    assert await presses.pressers(session, []) == []
    assert await presses.group_messages(session, [], [noord.id]) == []


async def test_answers_written_past_the_models_read_back_through_them(
    session: AsyncSession,
) -> None:
    checkin, noord, _, people = await _world(session)
    a, b = people[0].id, people[1].id
    later = NOW + timedelta(minutes=3, microseconds=7)

    first = await presses.store_answers(
        session, [(checkin.id, a, noord.id, 2), (checkin.id, b, noord.id, 4)], at=NOW
    )
    second = await presses.store_answers(
        session, [(checkin.id, a, noord.id, 2), (checkin.id, b, noord.id, 1)], at=later
    )
    assert first == {(checkin.id, a): "new", (checkin.id, b): "new"}
    assert second == {(checkin.id, a): "same", (checkin.id, b): "changed"}

    stored = (await session.scalars(select(Answer).order_by(Answer.person_id))).all()
    assert [
        (x.person_id, x.district_id, x.code, x.changes, x.first_answered_at, x.answered_at)
        for x in stored
    ] == [(a, noord.id, 2, 0, NOW, NOW), (b, noord.id, 1, 1, NOW, later)]
    history = (await session.scalars(select(AnswerChange).order_by(AnswerChange.id))).all()
    assert [(x.person_id, x.code, x.at) for x in history] == [
        (a, 2, NOW),
        (b, 4, NOW),
        (b, 1, later),
    ]

    # In the file, the same form as a datetime the models wrote (here: the check-in's).
    written = (
        await session.execute(
            text("SELECT answered_at, typeof(answered_at) FROM answers ORDER BY person_id")
            if session.get_bind().dialect.name == "sqlite"
            else text("SELECT answered_at::text, pg_typeof(answered_at)::text FROM answers")
        )
    ).all()
    model = (
        await session.execute(
            text("SELECT opened_at, typeof(opened_at) FROM checkins")
            if session.get_bind().dialect.name == "sqlite"
            else text("SELECT opened_at::text, pg_typeof(opened_at)::text FROM checkins")
        )
    ).one()
    assert {kind for _, kind in written} == {model[1]}
    assert all(len(value) == len(model[0]) for value, _ in written)


async def test_the_inbox_keeps_a_batch_once_in_the_models_form_and_forgets_it(
    session: AsyncSession,
) -> None:
    await inbox.keep(session, [(5, '{"update_id": 5}'), (6, '{"update_id": 6}')], NOW)
    await inbox.keep(session, [(6, '{"update_id": 6, "again": 1}')], NOW + timedelta(seconds=1))

    kept = (await session.scalars(select(InboxUpdate).order_by(InboxUpdate.update_id))).all()
    assert [(x.update_id, x.payload, x.received_at) for x in kept] == [
        (5, '{"update_id": 5}', NOW),
        (6, '{"update_id": 6}', NOW),  # a redelivered update changes nothing
    ]

    await inbox.keep(session, [(7, '{"update_id": 7}')], NOW)
    await inbox.forget(session, [5, 6, 404])  # 404: never kept
    assert [x.update_id for x in (await session.scalars(select(InboxUpdate))).all()] == [7]


async def test_a_broken_constraint_past_the_models_is_sqlalchemys_error_without_values(
    session: AsyncSession,
) -> None:
    checkin, noord, _, people = await _world(session)
    with pytest.raises(IntegrityError) as raised:  # codes run 0-9 (a CHECK constraint)
        await presses.store_answers(session, [(checkin.id, people[0].id, noord.id, 42)], at=NOW)
    assert "42" not in str(raised.value)  # a statement's values are never in an error


def test_the_drivers_errors_become_the_ones_callers_tell_an_outage_by() -> None:
    full = translated(
        "INSERT INTO inbox ...", sqlite3.OperationalError("database or disk is full")
    )
    locked = translated("BEGIN IMMEDIATE", sqlite3.OperationalError("database is locked"))
    broken = translated("INSERT ...", sqlite3.IntegrityError("CHECK constraint failed"))
    assert isinstance(full, OperationalError) and isinstance(locked, OperationalError)
    assert isinstance(broken, IntegrityError)
