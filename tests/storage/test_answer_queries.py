"""Storing many answers in one statement: what each press did, and the history it leaves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Answer, AnswerChange, CheckIn, CheckInStatus, District, Event, Person
from storage.queries import answers

NOW = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the night clocks go back in Amsterdam


async def _world(session: AsyncSession) -> tuple[int, int, list[int]]:
    district = District(name="Kanaleneiland", name_key="kanaleneiland", created_at=NOW)
    event = Event(description="Mislukte staatsgreep", created_at=NOW)
    people = [
        Person(telegram_user_id=10_000_000_000 + n, display_name=f"Lid {n}", created_at=NOW)
        for n in range(3)
    ]
    session.add_all([district, event, *people])
    await session.flush()
    checkin = CheckIn(
        event_id=event.id,
        status=CheckInStatus.OPEN,
        opened_at=NOW,
        closes_at=NOW + timedelta(hours=6),
    )
    session.add(checkin)
    await session.flush()
    return checkin.id, district.id, [p.id for p in people]


async def test_upsert_many_tells_new_changed_and_same_and_keeps_the_history(
    session: AsyncSession,
) -> None:
    checkin, district, (a, b, c) = await _world(session)
    first = await answers.upsert_many(
        session, [(checkin, a, district, 3), (checkin, b, district, 4)], at=NOW
    )
    assert first == {(checkin, a): "new", (checkin, b): "new"}

    later = NOW + timedelta(minutes=5)
    second = await answers.upsert_many(
        session,
        [(checkin, a, district, 3), (checkin, b, district, 1), (checkin, c, district, 0)],
        at=later,
    )
    assert second == {(checkin, a): "same", (checkin, b): "changed", (checkin, c): "new"}
    await session.commit()

    stored = (await session.execute(select(Answer).order_by(Answer.person_id))).scalars().all()
    assert [(x.person_id, x.code, x.changes) for x in stored] == [(a, 3, 0), (b, 1, 1), (c, 0, 0)]
    assert [(x.first_answered_at, x.answered_at) for x in stored] == [
        (NOW, NOW),
        (NOW, later),
        (later, later),
    ]
    history = (
        await session.execute(
            select(AnswerChange.person_id, AnswerChange.code, AnswerChange.at).order_by(
                AnswerChange.id
            )
        )
    ).all()
    # The repeated 3 of the first person left no trace: nothing changed.
    assert [tuple(row) for row in history] == [
        (a, 3, NOW),
        (b, 4, NOW),
        (b, 1, later),
        (c, 0, later),
    ]


async def test_upsert_many_of_nothing_touches_nothing(session: AsyncSession) -> None:
    assert await answers.upsert_many(session, [], at=NOW) == {}
    assert (await session.execute(select(Answer))).first() is None
