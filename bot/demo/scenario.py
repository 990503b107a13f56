"""The demo's story: a network is built, a chief asks, key figures answer, the chief reads."""

from __future__ import annotations

import dataclasses
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import func, select

from bot.app import AnyApp, build_application
from bot.demo import meeting
from bot.demo.people import TIMEOUT, Actors, contains, starts
from bot.runner import running
from bot.settings import PrivacySettings, Settings
from sandbox import Sandbox
from sandbox.models import Chat, Message
from sandbox.people import Person
from services.checkins.views import CheckInSummary
from services.container import Services
from services.meetings.views import Headcount
from storage.migrate import upgrade_url
from storage.models import Answer, Delivery, DeliveryStatus

# A token in Telegram's shape for the sandbox only: the demo never talks to Telegram.
DEMO_TOKEN = "7000000001:DEMO-sandbox-only-not-a-real-token_000"
EVENT = "Aanslag op een moskee in Québec"
DISTRICTS = ("Overvecht", "Kanaleneiland", "Zuilen")
KEY_FIGURES = 8
# Per district, the levels its eight key figures press (5 = acuut, 0 = weet niet).
LEVELS = {
    "Overvecht": ("Onrust", "Onrust", "Spanning loopt op", "Onderwerp van gesprek", "Onrust",
                  "Acuut", "Weet niet", "Spanning loopt op"),
    "Kanaleneiland": ("Onderwerp van gesprek", "Onrust", "Onderwerp van gesprek", "Rustig",
                      "Onrust", "Onderwerp van gesprek", "Weet niet", "Onderwerp van gesprek"),
    "Zuilen": ("Rustig", "Rustig", "Onderwerp van gesprek", "Rustig", "Rustig",
               "Onderwerp van gesprek", "Rustig", "Weet niet"),
}  # fmt: skip
NAMES = ("Fatima", "Mehmet", "Sanne", "Youssef", "Ilse", "Bilal", "Noor", "Daan", "Hatice",
         "Rachid", "Eva", "Samir", "Anouk", "Karim", "Lotte", "Said", "Mila", "Hamza", "Fleur",
         "Omar", "Jasmijn", "Ayoub", "Roos", "Yasmina")  # fmt: skip


def demo_settings(sandbox: Sandbox, database_url: str, coordinator: Person) -> Settings:
    """Settings that point the bot at the sandbox, with a throw-away pseudonym key."""
    return Settings(
        token=SecretStr(DEMO_TOKEN),
        database_url=database_url,
        telegram_api_url=sandbox.base_url,
        telegram_file_url=sandbox.base_file_url,
        coordinators=[coordinator.id],
        privacy=PrivacySettings(pseudonym_key=SecretStr(secrets.token_urlsafe(24))),
    )


def _services(app: AnyApp) -> Services:
    services = app.bot_data.services
    assert services is not None
    return services


async def _build(actors: Actors, coordinator: Person, chief: Person) -> dict[str, list[Person]]:
    """The coordinator creates three districts with linked groups and invites everyone."""
    sb = actors.sandbox
    started = await coordinator.start(actors.bot)
    await sb.next_message(started.chat, after=started, timeout=TIMEOUT)
    members: dict[str, list[Person]] = {}
    names = iter(NAMES)
    for district in DISTRICTS:
        await actors.say(coordinator, f"/wijk {district}", expect=contains("aangemaakt"))
        people = [sb.add_person(next(names), language_code="nl") for _ in range(KEY_FIGURES)]
        group = await coordinator.create_group(
            f"Bondgenoten {district}", [chief, *people], [actors.bot]
        )
        await sb.next_message(group, timeout=TIMEOUT)  # the bot says hello
        await actors.say(coordinator, f"/koppel {district}", group, contains("gekoppeld"))
        await actors.invite_and_join(coordinator, chief, district, "chef")
        for person in people:
            await actors.invite_and_join(coordinator, person, district, "bondgenoot")
        members[district] = people
    return members


async def _ask(actors: Actors, chief: Person) -> int:
    """The chief starts a check-in through the real wizard and sends it; return its id."""
    wizard = await actors.say(chief, f"/peiling {EVENT}", expect=contains("Welke wijken"))
    await actors.tap(chief, wizard, "Verder ➡️", "Hoe lang blijft")
    await actors.tap(chief, wizard, "6 uur", "Mogen de bondgenoten")
    await actors.tap(chief, wizard, "Live tonen", "Voorbeeld")
    await actors.tap(chief, wizard, "✅ Versturen", "verstuurd naar")
    return int((wizard.text or "").split("#", 1)[1].split(" ", 1)[0])


async def _answer(
    actors: Actors, groups: dict[str, Chat], members: dict[str, list[Person]]
) -> int:
    """Every key figure presses a level in their group; a few tell more privately."""
    pressed = 0
    for district, people in members.items():
        message = await actors.sandbox.next_message(
            groups[district], predicate=starts("📣 Peiling"), timeout=TIMEOUT
        )
        for person, label in zip(people, LEVELS[district], strict=True):
            await person.press(message, text=label, timeout=TIMEOUT)
            pressed += 1
        await _follow_up(actors, people[0], "Loopt op", "Polarisatie",
                         "Jongeren praten over wraak; ouders maken zich zorgen.")  # fmt: skip
        await _follow_up(actors, people[1], "Gelijk", "Discriminatie", None, contact=True)
    return pressed


async def _follow_up(
    actors: Actors,
    person: Person,
    direction: str,
    theme: str,
    text: str | None,
    contact: bool = False,
) -> None:
    panel = await actors.wait_private(person, contains("Dank je. Wil je meer vertellen?"))
    await actors.tap(person, panel, direction)
    await actors.tap(person, panel, theme)
    if contact:
        await actors.tap(person, panel, "📞 Ja, contact")
    if text is not None:
        await actors.tap(person, panel, "💬 Iets vertellen")
        await actors.say(person, text, expect=contains("bewaard"))


def _groups(sandbox: Sandbox) -> dict[str, Chat]:
    titles = {c.title or "": c for c in sandbox.world.groups.values()}
    return {t.removeprefix("Bondgenoten "): c for t, c in titles.items() if t.startswith("Bond")}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


async def play(database_url: str, workdir: Path) -> dict[str, Any]:
    """Run the story and return what happened, with the texts the chief received."""
    async with Sandbox() as sandbox:
        bot = sandbox.add_bot(DEMO_TOKEN, "bondgenoten_demo_bot", first_name="Bondgenoten")
        coordinator = sandbox.add_person("Carla", "Coördinator", language_code="nl")
        chief = sandbox.add_person("Jan", "de Vries", language_code="nl")
        actors = Actors(sandbox, bot)
        await upgrade_url(database_url)
        app = build_application(demo_settings(sandbox, database_url, coordinator))
        async with running(app, poll_timeout=1):
            members = await _build(actors, coordinator, chief)
            checkin_id = await _ask(actors, chief)
            report = await actors.wait_private(chief, starts("📬 Verzendrapport"))
            pressed = await _answer(actors, _groups(sandbox), members)
            await actors.say(chief, f"/sluit {checkin_id}", expect=contains("gesloten"))
            await actors.wait_private(chief, starts("📊 Samenvatting"))
            chat = chief.chat_with(bot)
            alerts = [m.text for m in sandbox.sent(chat) if m.text and m.text[0] in "🚨📞"]
            summary_text = _summary_texts(sandbox, chat, report)
            result = await _result(app, checkin_id, pressed, members, report)
            # After the check-in, the meal: invitation, RSVPs by button, needs, headcount.
            services = _services(app)
            meeting_id = await meeting.plan_meeting(actors, chief, services)
            await meeting.answer(actors, _groups(sandbox), members)
            counted_text = await meeting.headcount(actors, chief)
            counted = await services.meetings.headcount.headcount(
                services.actor(chief.id, "Jan de Vries"), meeting_id
            )
            assert isinstance(counted, Headcount)
            return result | {
                "alerts": alerts,
                "summary_text": summary_text,
                "meeting": meeting.as_json(counted, counted_text),
            }


def _summary_texts(sandbox: Sandbox, chat: Chat, report: Message) -> list[str]:
    sent = [m for m in sandbox.sent(chat) if m.message_id > report.message_id and m.text]
    first = next(i for i, m in enumerate(sent) if (m.text or "").startswith("📊 Samenvatting"))
    return [m.text or "" for m in sent[first:] if not (m.text or "").startswith("🔒")]


async def _result(
    app: AnyApp,
    checkin_id: int,
    pressed: int,
    members: dict[str, list[Person]],
    report: Message,
) -> dict[str, Any]:
    services = _services(app)
    async with services.uow() as uow:
        s = uow.session
        stored = await s.scalar(
            select(func.count(Answer.id)).where(Answer.checkin_id == checkin_id)
        )
        statuses = (await s.scalars(select(Delivery.status).where(
            Delivery.checkin_id == checkin_id))).all()  # fmt: skip
    summary = await services.checkins.summaries.summary(checkin_id)
    assert isinstance(summary, CheckInSummary)
    return {
        "checkin_id": checkin_id,
        "districts": len(members),
        "members": sum(len(p) for p in members.values()),
        "answers_pressed": pressed,
        "answers_stored": int(stored or 0),
        "deliveries_sent": sum(1 for st in statuses if st is DeliveryStatus.SENT),
        "deliveries_failed": sum(1 for st in statuses if st is DeliveryStatus.FAILED),
        "delivery_report": report.text or "",
        "summary": _plain(dataclasses.asdict(summary)),
    }
