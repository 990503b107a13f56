"""What the database itself guarantees: uniqueness, time zones, one district per key figure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Answer,
    CheckIn,
    CheckInStatus,
    Delivery,
    DeliveryStatus,
    District,
    Event,
    Membership,
    Person,
    Role,
)

NOW = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night clocks go forward in Amsterdam


async def _world(session: AsyncSession) -> tuple[District, Person, CheckIn]:
    district = District(name="Overvecht", name_key="overvecht", created_at=NOW)
    person = Person(telegram_user_id=10_000_000_001, display_name="Fatima", created_at=NOW)
    event = Event(description="Aanslag", created_at=NOW)
    session.add_all([district, person, event])
    await session.flush()
    checkin = CheckIn(event_id=event.id, status=CheckInStatus.OPEN, opened_at=NOW, closes_at=NOW)
    session.add(checkin)
    await session.flush()
    return district, person, checkin


async def test_one_answer_per_person_per_checkin(session: AsyncSession) -> None:
    district, person, checkin = await _world(session)
    common = dict(checkin_id=checkin.id, person_id=person.id, district_id=district.id)
    session.add(Answer(code=3, first_answered_at=NOW, answered_at=NOW, **common))
    await session.commit()
    session.add(Answer(code=4, first_answered_at=NOW, answered_at=NOW, **common))
    with pytest.raises(IntegrityError):
        await session.flush()
    await session.rollback()
    codes = (await session.scalars(select(Answer.code))).all()
    assert codes == [3]


async def test_one_delivery_per_checkin_and_district(session: AsyncSession) -> None:
    district, _, checkin = await _world(session)
    for _ in range(2):
        session.add(
            Delivery(
                checkin_id=checkin.id,
                district_id=district.id,
                status=DeliveryStatus.PENDING,
                updated_at=NOW,
            )
        )
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_key_figure_belongs_to_one_district_chief_to_many(session: AsyncSession) -> None:
    district, person, _ = await _world(session)
    other = District(name="Kanaleneiland", name_key="kanaleneiland", created_at=NOW)
    chief = Person(telegram_user_id=42, display_name="Chef", created_at=NOW)
    session.add_all([other, chief])
    await session.flush()
    for d in (district, other):
        session.add(
            Membership(person_id=chief.id, district_id=d.id, role=Role.CHIEF, joined_at=NOW)
        )
    session.add(
        Membership(
            person_id=person.id, district_id=district.id, role=Role.KEY_FIGURE, joined_at=NOW
        )
    )
    await session.commit()
    session.add(
        Membership(person_id=person.id, district_id=other.id, role=Role.KEY_FIGURE, joined_at=NOW)
    )
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_datetimes_come_back_aware_in_utc(session: AsyncSession) -> None:
    amsterdam_summer = timezone(timedelta(hours=2))
    local = datetime(2026, 7, 1, 21, 0, tzinfo=amsterdam_summer)
    district = District(name="Zuilen", name_key="zuilen", created_at=local)
    session.add(district)
    await session.commit()
    session.expunge_all()
    stored = await session.scalar(select(District.created_at).where(District.name == "Zuilen"))
    assert stored == datetime(2026, 7, 1, 19, 0, tzinfo=UTC)
    assert stored is not None and stored.utcoffset() == timedelta(0)


async def test_naive_datetimes_are_refused(session: AsyncSession) -> None:
    session.add(District(name="Naief", name_key="naief", created_at=datetime(2026, 1, 1)))  # noqa: DTZ001
    with pytest.raises(StatementError, match="naive datetime"):
        await session.flush()


async def test_unknown_enum_value_is_refused(session: AsyncSession) -> None:
    district, person, _ = await _world(session)
    session.add(
        Membership(person_id=person.id, district_id=district.id, role="koning", joined_at=NOW)  # type: ignore[arg-type]
    )
    with pytest.raises(StatementError):
        await session.flush()
