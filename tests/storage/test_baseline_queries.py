"""A district's earlier check-ins for its baseline: many districts in one go, as one by one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Answer, CheckIn, CheckInStatus, District, Event, Person
from storage.queries import baseline

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
RANKED = [1, 2, 3, 4]


async def test_earlier_codes_of_many_districts_are_each_districts_own(
    session: AsyncSession,
) -> None:
    districts = [
        District(name=name, name_key=name.lower(), created_at=NOW)
        for name in ("Overvecht", "Kanaleneiland", "Zuilen")
    ]
    event = Event(description="Onrust na de wedstrijd", created_at=NOW)
    people = [
        Person(telegram_user_id=20_000_000_000 + n, display_name=f"Lid {n}", created_at=NOW)
        for n in range(12)
    ]
    session.add_all([*districts, event, *people])
    await session.flush()
    ov, kan, zuilen = (d.id for d in districts)
    # Five check-ins an hour apart; the last is still open (it is the one being answered).
    checkins = [
        CheckIn(
            event_id=event.id,
            status=CheckInStatus.CLOSED if n < 4 else CheckInStatus.OPEN,
            opened_at=NOW + timedelta(hours=n),
            closes_at=NOW + timedelta(hours=n, minutes=30),
        )
        for n in range(5)
    ]
    session.add_all(checkins)
    await session.flush()
    c = [checkin.id for checkin in checkins]
    answered = {
        # (check-in, district): codes (0 is "don't know": not ranked, so not counted)
        (c[0], ov): [1, 2],
        (c[1], ov): [3],
        (c[2], ov): [0],  # only unranked: this check-in does not count for Overvecht
        (c[3], ov): [4, 4, 2],
        (c[1], kan): [2, 2],
        (c[4], ov): [4],  # the open one itself
        (c[4], kan): [1],
    }
    session.add_all(
        Answer(
            checkin_id=checkin_id,
            person_id=people[4 * [ov, kan, zuilen].index(district_id) + n].id,
            district_id=district_id,
            code=code,
            first_answered_at=NOW,
            answered_at=NOW,
            changes=0,
        )
        for (checkin_id, district_id), codes in answered.items()
        for n, code in enumerate(codes)
    )
    await session.flush()

    asked = dict(before=checkins[4].opened_at, exclude_id=c[4], ranked=RANKED, limit=2)
    many = await baseline.earlier_codes_of(session, [ov, kan, zuilen], **asked)
    one_by_one = {d: await baseline.earlier_codes(session, d, **asked) for d in (ov, kan, zuilen)}

    assert many == one_by_one
    # Newest first, at most `limit`, each list sorted for the comparison's sake.
    assert [sorted(codes) for codes in many[ov]] == [[2, 4, 4], [3]]
    assert many[kan] == [[2, 2]] and many[zuilen] == []
    assert await baseline.earlier_codes_of(session, [], **asked) == {}
