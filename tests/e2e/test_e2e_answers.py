"""Answer presses end to end: key figures press the real buttons on the real group message.

The network is built as people build it (tests/e2e/e2e_world.py: /wijk, /koppel, invitation
links); the check-in is started and broadcast through the services, so these tests do not
depend on the /peiling wizard. What each person sees (their callback answer, their private
chat, the chief's alerts) and what the database holds are asserted.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import AnyApp, build_application
from bot.runner import running
from bot.settings import Settings
from sandbox import Sandbox
from sandbox.models import BotAccount, Chat, Message
from sandbox.people import Person, wait_answer
from services.checkins import ALL
from services.checkins.outcomes import CheckInStarted
from services.container import Services
from storage.engine import create_engine, make_sessionmaker
from storage.models import (
    Answer,
    AnswerChange,
    AuditEntry,
    Delivery,
    District,
    Escalation,
    FollowUp,
)
from storage.models import Person as PersonRow
from tests.e2e.e2e_world import build_network, services_of, texts
from tests.e2e.idle import idle

EVENT = "Aanslag op moskee in Québec"
# Monday 1 March 2027, 10:00 in Amsterdam; a check-in of 11 hours closes at 21:00 there.
START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
UNTIL = "ma 1 mrt 21:00"
STALE = "Deze knop werkt niet (meer)."
PANEL = "Dank je. Wil je meer vertellen? Alles is optioneel."


class FakeClock:
    """A clock that stands still until a test moves it (ahead of the real one, so no job
    scheduled by wall time fires during a test)."""

    def __init__(self) -> None:
        self.at = START

    def now(self) -> datetime:
        """Return the current fake time."""
        return self.at

    def advance(self, delta: timedelta) -> None:
        """Move the time forward."""
        self.at += delta


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@asynccontextmanager
async def bot_on(
    make_settings: Callable[..., Settings], clock: FakeClock
) -> AsyncIterator[AnyApp]:
    """Run the real bot on the sandbox, on the test's clock, with a migrated database."""
    from storage.migrate import upgrade_url

    settings = make_settings()
    await upgrade_url(settings.database_url)
    async with running(build_application(settings, clock=clock), poll_timeout=1) as application:
        yield application


@pytest.fixture
async def app(make_settings: Callable[..., Settings], clock: FakeClock) -> AsyncIterator[AnyApp]:
    """The real bot on the sandbox, on the test's clock."""
    async with bot_on(make_settings, clock) as application:
        yield application


@dataclass
class World:
    """Overvecht (chief Jan; key figures Fatima, Mehmet) and Kanaleneiland (key figure Sanne).

    The Overvecht group also holds Sanne (a key figure elsewhere) and Karim (never joined).
    """

    app: AnyApp
    sandbox: Sandbox
    bot: BotAccount
    coordinator: Person
    chief: Person
    fatima: Person
    mehmet: Person
    sanne: Person
    karim: Person
    overvecht: Chat
    kanaleneiland: Chat

    @property
    def services(self) -> Services:
        return services_of(self.app)

    async def district_id(self, name: str) -> int:
        async with self.services.uow() as uow:
            found = await uow.session.scalar(select(District.id).where(District.name == name))
            assert found is not None
            return int(found)

    async def start_checkin(self, districts: tuple[str, ...] | None = None) -> int:
        """Start a check-in (all districts by default) and send it; return its id."""
        checkins = self.services.checkins
        actor = self.services.actor(self.coordinator.id, "Cor Dinator")
        started = await checkins.start.start_checkin(
            actor, EVENT, districts or ALL, timedelta(hours=11)
        )
        assert isinstance(started, CheckInStarted)
        await checkins.broadcast.broadcast(started.checkin_id)
        return started.checkin_id

    async def close(self, checkin_id: int) -> None:
        """Close it as the coordinator would with /sluit."""
        actor = self.services.actor(self.coordinator.id, "Cor Dinator")
        await self.services.checkins.closing.close_checkin(checkin_id, actor)

    async def group_message(self, checkin_id: int, group: Chat) -> Message:
        """The check-in's message in a group, as the group sees it now."""
        async with self.services.uow() as uow:
            deliveries = (
                await uow.session.execute(
                    select(
                        Delivery.telegram_chat_id,
                        Delivery.status,
                        Delivery.message_id,
                        Delivery.attempts,
                        Delivery.last_error,
                        Delivery.claimed_at,
                    ).where(Delivery.checkin_id == checkin_id)
                )
            ).all()
        message_id = next(
            (d.message_id for d in deliveries if d.telegram_chat_id == group.id), None
        )
        found = [m for m in self.sandbox.sent(group, self.bot) if m.message_id == message_id]
        # What the database and the sandbox hold, should this ever fail (it did once under CI).
        sent = [(m.message_id, (m.text or "")[:30]) for m in self.sandbox.sent(group, self.bot)]
        assert found, (
            f"no check-in {checkin_id} in {group.title} ({group.id}): {deliveries}, {sent}"
        )
        return found[0]

    def inbox(self, person: Person) -> list[str]:
        """The texts the bot sent privately to a person, oldest first."""
        return texts(self.sandbox, person.chat_with(self.bot), self.bot)


async def build_world(
    app: AnyApp, sandbox: Sandbox, bot: BotAccount, coordinator: Person
) -> World:
    """Two districts built as people build them, plus two outsiders in Overvecht's group."""
    net = await build_network(sandbox, bot, coordinator, {"Overvecht": 2, "Kanaleneiland": 1})
    overvecht, kanaleneiland = net["Overvecht"], net["Kanaleneiland"]
    assert overvecht.chief is not None
    [fatima, mehmet], [sanne] = overvecht.key_figures, kanaleneiland.key_figures
    karim = sandbox.add_person("Karim", language_code="nl")
    for outsider in (sanne, karim):
        await outsider.join(overvecht.group)
    return World(
        app,
        sandbox,
        bot,
        coordinator,
        overvecht.chief,
        fatima,
        mehmet,
        sanne,
        karim,
        overvecht.group,
        kanaleneiland.group,
    )


@pytest.fixture
async def world(app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person) -> World:
    return await build_world(app, sandbox, tg_bot, coordinator)


async def answers_of(world: World, checkin_id: int) -> dict[str, tuple[int, int]]:
    """Stored answers of a check-in: first name → (code, number of changes)."""
    async with world.services.uow() as uow:
        rows = await uow.session.execute(
            select(PersonRow.display_name, Answer.code, Answer.changes)
            .join(PersonRow, PersonRow.id == Answer.person_id)
            .where(Answer.checkin_id == checkin_id)
        )
        return {name: (code, changes) for name, code, changes in rows}


async def history_of(world: World, checkin_id: int, person: Person) -> list[int]:
    """Every code a person pressed that was stored, in order."""
    async with world.services.uow() as uow:
        rows = await uow.session.scalars(
            select(AnswerChange.code)
            .join(PersonRow, PersonRow.id == AnswerChange.person_id)
            .where(AnswerChange.checkin_id == checkin_id, PersonRow.telegram_user_id == person.id)
            .order_by(AnswerChange.id)
        )
        return list(rows)


async def count(world: World, model: type[object]) -> int:
    async with world.services.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


async def settle(world: World) -> None:
    """Wait until the bot is idle: what it has not sent or stored by then, it will not."""
    await idle(world.app, world.sandbox, world.bot)


async def test_first_press_is_noted_privately_and_the_follow_up_offered(world: World) -> None:
    checkin = await world.start_checkin()
    message = await world.group_message(checkin, world.overvecht)
    assert message.button_texts == [
        "Rustig",
        "Onderwerp van gesprek",
        "Onrust",
        "Spanning loopt op",
        "Acuut",
        "Weet niet",
    ]

    answer = await world.fatima.press(message, text="Onrust")
    assert answer.text == f"Genoteerd: Onrust — je kunt dit wijzigen tot {UNTIL}"
    assert not answer.show_alert  # a toast for the presser only, nothing in the group
    assert await answers_of(world, checkin) == {"Fatima": (3, 0)}

    panel = await world.sandbox.next_message(
        world.fatima.chat_with(world.bot), predicate=lambda m: PANEL in (m.text or "")
    )
    assert panel.button_texts[:3] == ["Loopt op", "Gelijk", "Neemt af"]
    assert "Overslaan" in panel.button_texts
    # The group saw no text from the press: only the check-in itself (and the link replies).
    assert not [
        m for m in world.sandbox.sent(world.overvecht, world.bot) if "Genoteerd" in (m.text or "")
    ]


async def test_double_press_keeps_one_answer_and_one_follow_up(world: World) -> None:
    checkin = await world.start_checkin()
    message = await world.group_message(checkin, world.overvecht)
    # Two presses before the bot answered the first: a double tap on a slow connection.
    first = await world.fatima.tap(message, text="Onrust")
    second = await world.fatima.tap(message, text="Onrust")
    noted = await wait_answer(first)
    assert noted.text == f"Genoteerd: Onrust — je kunt dit wijzigen tot {UNTIL}"
    assert (await wait_answer(second)).text == (
        f"Je antwoord staat al op Onrust — wijzigen kan tot {UNTIL}"
    )
    await settle(world)
    assert await answers_of(world, checkin) == {"Fatima": (3, 0)}
    assert await history_of(world, checkin, world.fatima) == [3]
    assert len([t for t in world.inbox(world.fatima) if PANEL in t]) == 1


async def test_a_changed_answer_keeps_its_history(world: World) -> None:
    checkin = await world.start_checkin()
    message = await world.group_message(checkin, world.overvecht)
    await world.mehmet.press(message, text="Onrust")
    changed = await world.mehmet.press(message, text="Rustig")
    assert changed.text == f"Gewijzigd naar Rustig — wijzigen kan tot {UNTIL}"
    back = await world.mehmet.press(message, text="Spanning loopt op")
    assert back.text == f"Gewijzigd naar Spanning loopt op — wijzigen kan tot {UNTIL}"
    await settle(world)
    assert await answers_of(world, checkin) == {"Mehmet": (4, 2)}
    assert await history_of(world, checkin, world.mehmet) == [3, 1, 4]
    # Only the first answer offers the follow-up.
    assert len([t for t in world.inbox(world.mehmet) if PANEL in t]) == 1


async def forged(world: World, person: Person, message: Message, data: str) -> str | None:
    """Send a press with made-up data on a real message (a modified client); the answer."""
    query = await person.forge_press(message, data)
    return (await wait_answer(query)).text


async def test_forged_presses_are_answered_and_store_nothing(world: World) -> None:
    # Message ids count per chat; a chat in Kanaleneiland moves its ids past Overvecht's, so
    # the forged district below names a message that is not its check-in message. (The
    # service compares message ids, not chats: had the ids coincided, the answer would be
    # "for the key figures of Kanaleneiland" — still a refusal, still nothing stored.)
    await world.sanne.send(world.kanaleneiland, "Goedemorgen allemaal")
    first = await world.start_checkin()
    second = await world.start_checkin(("Kanaleneiland",))
    overvecht = await world.district_id("Overvecht")
    kanaleneiland = await world.district_id("Kanaleneiland")
    message = await world.group_message(first, world.overvecht)
    fatima = world.fatima
    for data in (
        f"a:{second}:{overvecht}:3",  # another check-in's id on this message
        f"a:{first}:{kanaleneiland}:3",  # another district's
        f"a:{first}:{overvecht}:7",  # a code off the scale
        f"a:{first}:{overvecht}:-1",
        f"a:99999:{overvecht}:3",  # no such check-in
        f"a:{first}:{overvecht}",  # a field missing
        f"a:{first}:{overvecht}:3:1",  # one too many
        f"a:{first}:{overvecht}:drie",
        "a",
        "zzz:1:2",  # nobody's prefix: the catch-all answers it
        "x" * 64,
        f"fdir:{first}:rising",  # a follow-up button forged onto the group message
        f"fcon:{first}:1",
    ):
        assert await forged(world, fatima, message, data) == STALE, data
    await settle(world)
    assert await count(world, Answer) == 0
    assert await count(world, AnswerChange) == 0
    assert await count(world, FollowUp) == 0
    assert await count(world, Escalation) == 0
    assert world.inbox(fatima)[-1].startswith("Welkom")  # no follow-up was offered
    # The coordinators can see someone probing: one audit entry, not one per press.
    async with world.services.uow() as uow:
        refused = (
            await uow.session.execute(
                select(AuditEntry.actor_telegram_id, AuditEntry.subject).where(
                    AuditEntry.action == "refused"
                )
            )
        ).all()
    assert refused == [(fatima.id, "press")]


async def test_presses_by_people_outside_the_district_are_refused(world: World) -> None:
    checkin = await world.start_checkin()
    message = await world.group_message(checkin, world.overvecht)
    refusal = "Deze vraag is voor de bondgenoten van Overvecht."
    # A key figure of another district, somebody who never joined, and the chief himself.
    for person in (world.sanne, world.karim, world.chief):
        assert (await person.press(message, text="Onrust")).text == refusal
    # Sanne's own district's message works for her.
    own = await world.group_message(checkin, world.kanaleneiland)
    assert (await world.sanne.press(own, text="Rustig")).text == (
        f"Genoteerd: Rustig — je kunt dit wijzigen tot {UNTIL}"
    )
    await settle(world)
    assert await answers_of(world, checkin) == {"Sanne": (1, 0)}
    assert world.inbox(world.karim) == []  # nothing written to someone who never started
    assert not [t for t in world.inbox(world.chief) if PANEL in t]


async def test_presses_after_closing_are_refused_and_store_nothing(
    world: World, clock: FakeClock
) -> None:
    checkin = await world.start_checkin()
    message = await world.group_message(checkin, world.overvecht)
    data = message.find_button(text="Onrust")
    assert data is not None
    await world.fatima.press(message, text="Rustig")

    # Past the deadline, before anybody closed it: the buttons still show, but count no more.
    clock.advance(timedelta(hours=11))
    closed = "Deze peiling is gesloten."
    assert (await world.mehmet.press(message, text="Onrust")).text == closed
    assert (await world.fatima.press(message, text="Onrust")).text == closed

    # Closed (/sluit): the group message loses its buttons; a client that still shows them
    # sends the old data.
    await world.close(checkin)
    await world.sandbox.wait_for(lambda: message.keyboard == [])
    assert "Gesloten." in str(message.text)
    assert await forged(world, world.mehmet, message, str(data["callback_data"])) == closed
    await settle(world)
    assert await answers_of(world, checkin) == {"Fatima": (1, 0)}
    assert await history_of(world, checkin, world.mehmet) == []
    assert not [t for t in world.inbox(world.mehmet) if PANEL in t]


def alerts(world: World, kind: str) -> list[str]:
    """What the chief got of one kind ('Acuut', 'Contactverzoek')."""
    return [t for t in world.inbox(world.chief) if t.startswith(("🚨 ", "📞 ")) and kind in t]


async def test_an_acute_answer_alerts_the_chief_once(world: World) -> None:
    checkin = await world.start_checkin()
    message = await world.group_message(checkin, world.overvecht)
    answer = await world.mehmet.press(message, text="Acuut")
    assert answer.text == f"Genoteerd: Acuut — je kunt dit wijzigen tot {UNTIL}"
    await world.sandbox.wait_for(lambda: len(alerts(world, "Acuut")) == 1)
    assert alerts(world, "Acuut") == [
        "🚨 Acuut in Overvecht\n"
        f"Mehmet (id {world.mehmet.id}) antwoordde ‘Acuut’ op peiling #{checkin}: {EVENT}.\n"
        "Neem zo snel mogelijk contact op."
    ]
    # Pressed again, changed away and back: still the one alert.
    await world.mehmet.press(message, text="Acuut")
    await world.mehmet.press(message, text="Onrust")
    await world.mehmet.press(message, text="Acuut")
    await settle(world)
    assert len(alerts(world, "Acuut")) == 1
    assert await count(world, Escalation) == 1
    assert await history_of(world, checkin, world.mehmet) == [5, 3, 5]
    # Fatima's calm answer alerts nobody.
    await world.fatima.press(message, text="Rustig")
    await settle(world)
    assert len(alerts(world, "Acuut")) == 1


async def test_an_answer_from_someone_who_blocked_the_bot_still_counts(world: World) -> None:
    checkin = await world.start_checkin()
    message = await world.group_message(checkin, world.overvecht)
    await world.fatima.block(world.bot)
    answer = await world.fatima.press(message, text="Onderwerp van gesprek")
    assert answer.text == f"Genoteerd: Onderwerp van gesprek — je kunt dit wijzigen tot {UNTIL}"
    await settle(world)
    assert await answers_of(world, checkin) == {"Fatima": (2, 0)}
    async with world.services.uow() as uow:
        reachable = await uow.session.scalar(
            select(PersonRow.privately_reachable).where(
                PersonRow.telegram_user_id == world.fatima.id
            )
        )
    assert reachable is False
    # The bot keeps answering presses afterwards.
    assert (await world.fatima.press(message, text="Onrust")).text == (
        f"Gewijzigd naar Onrust — wijzigen kan tot {UNTIL}"
    )


async def test_while_the_database_is_down_a_press_is_refused_plainly_and_told_once(
    world: World,
    clock: FakeClock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    checkin_id = await world.start_checkin(("Overvecht",))
    message = await world.group_message(checkin_id, world.overvecht)
    uow = world.services.uow
    working = uow.sessionmaker
    # A database that cannot be opened: every unit of work now fails as on an outage.
    down = create_engine(f"sqlite+aiosqlite:///{tmp_path}/gone/bondgenoten.db")
    uow.sessionmaker = make_sessionmaker(down)
    refused = (
        "De database is even niet bereikbaar. Er is niets opgeslagen; probeer het over een "
        "minuut opnieuw."
    )
    try:
        with caplog.at_level(logging.INFO):
            assert (await world.fatima.press(message, text="Onrust")).text == refused
            clock.advance(timedelta(minutes=4))
            assert (await world.mehmet.press(message, text="Rustig")).text == refused
            assert (await world.fatima.press(message, text="Acuut")).text == refused
    finally:
        uow.sessionmaker = working
        await down.dispose()

    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage().split(":")[0] for r in logged] == ["database unreachable"]
    outage = [t for t in world.inbox(world.coordinator) if "database" in t]
    assert len(outage) == 1 and outage[0].startswith("⚠️ De database van de bot is sinds")
    assert await world.services.database.probe()
    back = [t for t in world.inbox(world.coordinator) if "database" in t]
    assert back[-1].startswith("✅ De database van de bot is weer bereikbaar")
    assert await answers_of(world, checkin_id) == {}
