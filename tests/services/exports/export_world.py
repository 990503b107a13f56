"""Export test data, built directly with the models through a unit of work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

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

TZ = ZoneInfo("Europe/Amsterdam")
KEY = b"export-test-key-0123456789abcdef"
OTHER_KEY = b"another-export-key-fedcba9876543210"
BEFORE = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

CORA = Actor(1001, "Cora", is_coordinator=True)
CHRIS = Actor(2001, "Chris")  # chief of Overvecht
FATIMA = Actor(3001, "Fatima")  # key figure of Overvecht


def utc(text: str) -> datetime:
    """An aware UTC moment from 'YYYY-MM-DDTHH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class ExportWorld:
    """Add districts, people, check-ins and answers; remember ids by name."""

    uow: UnitOfWorkFactory
    districts: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)

    async def add(self, *rows: Any) -> list[Any]:
        """Add model objects in one committed unit of work; return them with their ids."""
        async with self.uow() as uow:
            uow.session.add_all(rows)
            await uow.commit()
        return list(rows)

    async def district(self, name: str) -> int:
        """A district."""
        [d] = await self.add(District(name=name, name_key=name.lower(), created_at=BEFORE))
        self.districts[name] = d.id
        return int(d.id)

    async def person(
        self, who: Actor, district: str | None = None, role: Role = Role.KEY_FIGURE
    ) -> int:
        """A person, with a role in a district if given."""
        [p] = await self.add(
            Person(
                telegram_user_id=who.telegram_user_id,
                display_name=who.display_name,
                created_at=BEFORE,
            )
        )
        if district is not None:
            await self.add(
                Membership(
                    person_id=p.id,
                    district_id=self.districts[district],
                    role=role,
                    joined_at=BEFORE,
                )
            )
        self.people[who.display_name] = p.id
        return int(p.id)

    async def checkin(
        self,
        event: str,
        opened_at: datetime,
        deliveries: dict[str, DeliveryStatus],
        frozen: dict[str, int] | None = None,
    ) -> int:
        """A check-in about an event, delivered (or not) to districts; N frozen if given."""
        [e] = await self.add(Event(description=event, created_at=opened_at))
        closed = frozen is not None
        [c] = await self.add(
            CheckIn(
                event_id=e.id,
                status=CheckInStatus.CLOSED if closed else CheckInStatus.OPEN,
                opened_at=opened_at,
                closes_at=opened_at,
                closed_at=opened_at if closed else None,
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
        themes: tuple[str, ...] = (),
        free_text: str | None = None,
        contact: bool | None = None,
    ) -> None:
        """An answer, with a follow-up when any of its parts is given."""
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
        if direction or themes or free_text or contact is not None:
            rows.append(
                FollowUp(
                    checkin_id=checkin_id,
                    person_id=person_id,
                    direction=direction,
                    themes=list(themes),
                    free_text=free_text,
                    contact_requested=contact,
                    updated_at=at,
                )
            )
        await self.add(*rows)

    async def audit(self, action: str | None = None) -> list[AuditEntry]:
        """Audit entries (of one action), oldest first."""
        async with self.uow() as uow:
            query = select(AuditEntry).order_by(AuditEntry.id)
            if action is not None:
                query = query.where(AuditEntry.action == action)
            entries = list(await uow.session.scalars(query))
            uow.session.expunge_all()  # keep them readable after the unit of work
            return entries


async def build_standard(world: ExportWorld) -> dict[str, int]:
    """Three districts, a chief, five key figures, two check-ins across the clock change.

    Clocks in Amsterdam go forward on 2026-03-29 at 01:00 UTC (02:00 CET becomes 03:00 CEST).
    """
    for name in ("Overvecht", "Kanaleneiland", "Lunetten"):
        await world.district(name)
    await world.person(CORA)
    await world.person(CHRIS, "Overvecht", Role.CHIEF)
    await world.person(FATIMA, "Overvecht")
    await world.person(Actor(3002, "Ahmed"), "Overvecht")
    await world.person(Actor(3003, "Sanne"), "Overvecht")
    await world.person(Actor(3101, "Youssef"), "Kanaleneiland")
    await world.person(Actor(3102, "Lotte"), "Kanaleneiland")
    sent = DeliveryStatus.SENT
    first = await world.checkin(
        "Aanslag op een moskee in Canada",
        utc("2026-03-28T21:00"),
        {"Overvecht": sent, "Kanaleneiland": sent},
    )
    await world.answer(
        first,
        "Fatima",
        "Overvecht",
        3,
        utc("2026-03-28T22:30"),
        direction=Direction.RISING,
        themes=("polarisatie", "discriminatie"),
        free_text="+31 6 12345678 graag bellen",
        contact=True,
    )
    await world.answer(first, "Ahmed", "Overvecht", 0, utc("2026-03-29T00:30"))
    await world.answer(
        first,
        "Sanne",
        "Overvecht",
        4,
        utc("2026-03-29T01:30"),
        direction=Direction.SAME,
        free_text="=1+2",
    )
    await world.answer(first, "Youssef", "Kanaleneiland", 2, utc("2026-03-29T22:30"))
    second = await world.checkin(
        "Mislukte staatsgreep in Turkije",
        utc("2026-04-10T10:00"),
        {"Overvecht": sent, "Kanaleneiland": DeliveryStatus.FAILED},
        frozen={"Overvecht": 4, "Kanaleneiland": 2},
    )
    await world.answer(second, "Fatima", "Overvecht", 1, utc("2026-04-10T11:00"))
    await world.answer(second, "Ahmed", "Overvecht", 2, utc("2026-04-10T11:05"))
    return {"first": first, "second": second}
