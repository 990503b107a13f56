"""Insight test data, built directly with the models: check-ins at chosen moments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from services.access import Actor
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
from storage.uow import UnitOfWorkFactory

BEFORE = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
CORA = Actor(1001, "Cora", is_coordinator=True)
CHRIS = Actor(2001, "Chris")  # chief of Overvecht
KARIN = Actor(2002, "Karin")  # chief of Kanaleneiland and of the archived Zuilen
ZOE = Actor(2003, "Zoë")  # chief of the archived Zuilen only
FATIMA = Actor(3001, "Fatima")  # key figure of Overvecht


def utc(text: str) -> datetime:
    """An aware UTC moment from 'YYYY-MM-DDTHH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class InsightWorld:
    """Add districts, people, check-ins, answers and audit entries; remember ids by name."""

    uow: UnitOfWorkFactory
    districts: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)

    async def add(self, *rows: Any) -> list[Any]:
        """Add model objects in one committed unit of work; return them with their ids."""
        async with self.uow() as uow:
            uow.session.add_all(rows)
            await uow.commit()
        return list(rows)

    async def district(self, name: str, archived: bool = False) -> int:
        """A district (archived if asked)."""
        [d] = await self.add(
            District(
                name=name,
                name_key=name.lower(),
                created_at=BEFORE,
                archived_at=BEFORE if archived else None,
            )
        )
        self.districts[name] = d.id
        return int(d.id)

    async def person(self, who: Actor, *roles: tuple[str, Role]) -> int:
        """A person with roles in districts: ('Overvecht', Role.CHIEF), …"""
        [p] = await self.add(
            Person(
                telegram_user_id=who.telegram_user_id,
                display_name=who.display_name,
                is_coordinator=who.is_coordinator,
                created_at=BEFORE,
            )
        )
        await self.add(
            *[
                Membership(
                    person_id=p.id,
                    district_id=self.districts[district],
                    role=role,
                    joined_at=BEFORE,
                )
                for district, role in roles
            ]
        )
        self.people[who.display_name] = p.id
        return int(p.id)

    async def key_figures(self, district: str, *names: str) -> None:
        """Key figures of a district, with made-up Telegram ids."""
        for name in names:
            number = 4000 + len(self.people)
            await self.person(Actor(number, name), (district, Role.KEY_FIGURE))

    async def checkin(
        self,
        event: str,
        opened_at: datetime,
        deliveries: dict[str, DeliveryStatus],
        *,
        closed_at: datetime | None = None,
        frozen: dict[str, int | None] | None = None,
    ) -> int:
        """A check-in delivered (or not) to districts; closed when closed_at is given."""
        [e] = await self.add(Event(description=event, created_at=opened_at))
        [c] = await self.add(
            CheckIn(
                event_id=e.id,
                status=CheckInStatus.OPEN if closed_at is None else CheckInStatus.CLOSED,
                opened_at=opened_at,
                closes_at=closed_at or opened_at.replace(year=opened_at.year + 1),
                closed_at=closed_at,
            )
        )
        await self.add(
            *[
                Delivery(
                    checkin_id=c.id,
                    district_id=self.districts[name],
                    status=status,
                    updated_at=opened_at,
                    key_figures_at_close=(frozen or {}).get(name),
                )
                for name, status in deliveries.items()
            ]
        )
        return int(c.id)

    async def answer(
        self,
        checkin_id: int,
        who: str,
        district: str,
        code: int,
        at: datetime,
        *,
        direction: Direction | None = None,
        contact: bool | None = None,
    ) -> None:
        """An answer, with a follow-up when a direction or contact request is given."""
        person_id = self.people[who]
        rows: list[Any] = [
            Answer(
                checkin_id=checkin_id,
                person_id=person_id,
                district_id=self.districts[district],
                code=code,
                first_answered_at=at,
                answered_at=at,
            )
        ]
        if direction is not None or contact is not None:
            rows.append(
                FollowUp(
                    checkin_id=checkin_id,
                    person_id=person_id,
                    direction=direction,
                    themes=[],
                    contact_requested=contact,
                    updated_at=at,
                )
            )
        await self.add(*rows)

    async def audit(self, count: int, actor: int | None = CORA.telegram_user_id) -> list[int]:
        """count audit entries a minute apart; return their ids, oldest first."""
        entries = [
            AuditEntry(
                at=utc(f"2026-11-{1 + i // 60:02d}T{10 + i // 60:02d}:{i % 60:02d}"),
                actor_telegram_id=actor,
                action="export.answers",
                subject=f"chat {i}",
                details={"format": "csv", "rows": i, "names": i % 2 == 0},
            )
            for i in range(count)
        ]
        await self.add(*entries)
        return [int(e.id) for e in entries]


async def build_standard(world: InsightWorld) -> dict[str, int]:
    """Four districts, chiefs and key figures, and four check-ins; return check-in ids.

    - 'aanslag' (closed 1 Oct): Overvecht answers 3, 4 and 'weet niet' of N 3; Kanaleneiland 2
      of N 2; Fatima asks for contact.
    - 'staatsgreep' (closed 1 Nov): Overvecht answers 1 and 2 of N 3, Fatima again asks for
      contact; Kanaleneiland's message failed and nobody there answered.
    - 'explosie' (closed 20 Nov): Kanaleneiland's group message failed, but Youssef answered
      4 privately; N 2.
    - 'rellen' (open since 29 Nov): Overvecht, Fatima answered 5, rising.
    - 'oud' (closed in May, before N was kept): Overvecht, one answer 2.
    """
    for name in ("Overvecht", "Kanaleneiland", "Lunetten"):
        await world.district(name)
    await world.district("Zuilen", archived=True)
    await world.person(CORA)
    await world.person(CHRIS, ("Overvecht", Role.CHIEF))
    await world.person(KARIN, ("Kanaleneiland", Role.CHIEF), ("Zuilen", Role.CHIEF))
    await world.person(ZOE, ("Zuilen", Role.CHIEF))
    await world.person(FATIMA, ("Overvecht", Role.KEY_FIGURE))
    await world.key_figures("Overvecht", "Ahmed", "Sanne")
    await world.key_figures("Kanaleneiland", "Youssef", "Lotte")
    sent, failed = DeliveryStatus.SENT, DeliveryStatus.FAILED
    old = await world.checkin(
        "Oude peiling",
        utc("2026-05-01T10:00"),
        {"Overvecht": sent},
        closed_at=utc("2026-05-02T10:00"),
        frozen={"Overvecht": None},
    )
    await world.answer(old, "Ahmed", "Overvecht", 2, utc("2026-05-01T11:00"))
    aanslag = await world.checkin(
        "Aanslag op een moskee",
        utc("2026-09-30T18:00"),
        {"Overvecht": sent, "Kanaleneiland": sent},
        closed_at=utc("2026-10-01T18:00"),
        frozen={"Overvecht": 3, "Kanaleneiland": 2},
    )
    await world.answer(aanslag, "Fatima", "Overvecht", 3, utc("2026-09-30T19:00"), contact=True)
    await world.answer(aanslag, "Ahmed", "Overvecht", 4, utc("2026-09-30T19:05"))
    await world.answer(aanslag, "Sanne", "Overvecht", 0, utc("2026-09-30T19:10"))
    await world.answer(aanslag, "Youssef", "Kanaleneiland", 2, utc("2026-09-30T20:00"))
    staatsgreep = await world.checkin(
        "Mislukte staatsgreep",
        utc("2026-11-01T08:00"),
        {"Overvecht": sent, "Kanaleneiland": failed},
        closed_at=utc("2026-11-01T20:00"),
        frozen={"Overvecht": 3, "Kanaleneiland": 2},
    )
    await world.answer(
        staatsgreep, "Fatima", "Overvecht", 1, utc("2026-11-01T09:00"), contact=True
    )
    await world.answer(
        staatsgreep, "Ahmed", "Overvecht", 2, utc("2026-11-01T09:30"), direction=Direction.SAME
    )
    explosie = await world.checkin(
        "Explosie bij een winkel",
        utc("2026-11-20T08:00"),
        {"Kanaleneiland": failed},
        closed_at=utc("2026-11-20T20:00"),
        frozen={"Kanaleneiland": 2},
    )
    await world.answer(explosie, "Youssef", "Kanaleneiland", 4, utc("2026-11-20T09:00"))
    rellen = await world.checkin(
        "Rellen na een wedstrijd", utc("2026-11-29T20:00"), {"Overvecht": sent}
    )
    await world.answer(
        rellen, "Fatima", "Overvecht", 5, utc("2026-11-29T21:00"), direction=Direction.RISING
    )
    return {
        "oud": old,
        "aanslag": aanslag,
        "staatsgreep": staatsgreep,
        "explosie": explosie,
        "rellen": rellen,
    }
