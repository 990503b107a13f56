"""A network for check-in tests: three districts with groups, chiefs and key figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from checkin_fakes import CheckInNotifier
from sqlalchemy import select, update
from world import World

from services.access import Actor
from services.checkins import CheckIns
from services.checkins.outcomes import AnswerOutcome, CheckInStarted
from storage.models import Delivery, District, Role

OVERVECHT, KANALENEILAND, ZUILEN = "Overvecht", "Kanaleneiland", "Zuilen"
GROUPS = {OVERVECHT: -100, KANALENEILAND: -200, ZUILEN: -300}
CHRIS = Actor(2001, "Chris")  # chief of Overvecht and Kanaleneiland
CARLA = Actor(2002, "Carla")  # chief of Zuilen
KEY_FIGURES = {
    OVERVECHT: [(3001, "Fatima"), (3002, "Ahmed"), (3003, "Els"), (3004, "Youssef")],
    KANALENEILAND: [(3101, "Mirjam"), (3102, "Hasan"), (3103, "Sanne")],
    ZUILEN: [(3201, "Karim"), (3202, "Lotte")],
}


def district_of(user: int) -> str:
    """The district a test key figure belongs to."""
    for district, people in KEY_FIGURES.items():
        if user in {u for u, _ in people}:
            return district
    raise KeyError(user)


@dataclass
class Net:
    """The network and its helpers."""

    world: World
    checkins: CheckIns
    notifier: CheckInNotifier
    district_ids: dict[str, int]

    async def start(
        self,
        actor: Actor = CHRIS,
        districts: list[str] | None = None,
        hours: float = 6,
        show_tally: bool = True,
        event: str = "Aanslag op moskee in Québec",
    ) -> CheckInStarted:
        """Start a check-in (Overvecht and Kanaleneiland by default) and return it."""
        started = await self.checkins.start.start_checkin(
            actor,
            event,
            districts or [OVERVECHT, KANALENEILAND],
            timedelta(hours=hours),
            show_tally,
        )
        assert isinstance(started, CheckInStarted), started
        return started

    async def sent(
        self,
        actor: Actor = CHRIS,
        districts: list[str] | None = None,
        hours: float = 6,
        show_tally: bool = True,
        event: str = "Aanslag op moskee in Québec",
    ) -> int:
        """Start and broadcast a check-in; return its id."""
        started = await self.start(actor, districts, hours, show_tally, event)
        await self.checkins.broadcast.broadcast(started.checkin_id)
        return started.checkin_id

    async def press(
        self,
        user: int,
        checkin_id: int,
        code: int,
        district: str | None = None,
        message_id: int | None = None,
        chat_id: int | None = None,
    ) -> AnswerOutcome:
        """Press a button on the group message of the person's (or a given) district."""
        district = district or district_of(user)
        if message_id is None:
            message_id = self.notifier.message_id(GROUPS[district], checkin_id)
        return await self.checkins.answers.record_answer(
            user,
            checkin_id,
            self.district_ids[district],
            message_id,
            code,
            chat_id=GROUPS[district] if chat_id is None else chat_id,
        )

    async def deliveries(self, checkin_id: int) -> dict[str, Delivery]:
        """The check-in's group deliveries by district name."""
        rows = await self.world.rows(select(Delivery).where(Delivery.checkin_id == checkin_id))
        names = {v: k for k, v in self.district_ids.items()}
        return {names[d.district_id]: d for d in rows}


async def build_network(world: World, checkins: CheckIns, notifier: CheckInNotifier) -> Net:
    """Create the districts, link their groups, and let everybody join."""
    for name, chat_id in GROUPS.items():
        await world.district(name)
        await world.linked_group(name, chat_id, f"Bondgenoten {name}")
    await world.join(OVERVECHT, CHRIS.telegram_user_id, CHRIS.display_name, Role.CHIEF)
    await world.join(KANALENEILAND, CHRIS.telegram_user_id, CHRIS.display_name, Role.CHIEF)
    await world.join(ZUILEN, CARLA.telegram_user_id, CARLA.display_name, Role.CHIEF)
    for district, people in KEY_FIGURES.items():
        for user, name in people:
            await world.join(district, user, name)
    ids = {d.name: d.id for d in await world.rows(select(District))}
    notifier.clear()
    return Net(world, checkins, notifier, ids)


async def set_district(world: World, name: str, **values: Any) -> None:
    """Change a district's settings directly (no service for them yet)."""
    async with world.services.uow() as uow:
        await uow.session.execute(update(District).where(District.name == name).values(**values))
        await uow.commit()
