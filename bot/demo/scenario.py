"""The demo's story: a network is built, a chief asks, key figures answer, the chief reads."""

from __future__ import annotations

import dataclasses
import secrets
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from sqlalchemy import func, select

from bot.app import AnyApp, build_application
from bot.demo import meeting, practice, pulse
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
from storage.models import Answer, Delivery, DeliveryStatus, Membership, Reminder, Role

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
# What the chief tells the groups after closing: what was heard, what is done.
FEEDBACK = (
    "Dank voor jullie signalen. Wat we hoorden: zorgen en boosheid, vooral in Overvecht. "
    "Wat we doen: wijkagenten lopen dit weekend extra rondes bij de moskee, en donderdag "
    "praten we erover bij de maaltijd."
)
NAMES = ("Fatima", "Mehmet", "Sanne", "Youssef", "Ilse", "Bilal", "Noor", "Daan", "Hatice",
         "Rachid", "Eva", "Samir", "Anouk", "Karim", "Lotte", "Said", "Mila", "Hamza", "Fleur",
         "Omar", "Jasmijn", "Ayoub", "Roos", "Yasmina")  # fmt: skip


# The other chiefs: one district each (Jan, who asks, is chief of all three).
OTHER_CHIEFS = {"Kanaleneiland": ("Petra", "Bakker"), "Zuilen": ("Ahmed", "Yilmaz")}
# The key figure who does not answer in the group, and answers the reminder instead.
LATE = ("Zuilen", 7)


class DemoClock:
    """The real time plus an offset: today 10:00 in Amsterdam, then moved on by the story.

    The demo starts at 10:00 so that its reminder, halfway, is never inside quiet hours.
    """

    def __init__(self) -> None:
        tz = ZoneInfo("Europe/Amsterdam")
        ten = datetime.combine(datetime.now(tz).date(), time(10, 0), tz).astimezone(UTC)
        self.offset = ten - datetime.now(UTC)

    def now(self) -> datetime:
        """Return the shifted current time (aware, UTC)."""
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        """Move the time on."""
        self.offset += delta


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


async def _build(
    actors: Actors, coordinator: Person, chief: Person, others: dict[str, Person]
) -> dict[str, list[Person]]:
    """The coordinator creates three districts with linked groups and invites everyone."""
    sb = actors.sandbox
    started = await coordinator.start(actors.bot)
    await sb.next_message(started.chat, after=started, timeout=TIMEOUT)
    members: dict[str, list[Person]] = {}
    names = iter(NAMES)
    for district in DISTRICTS:
        await actors.say(coordinator, f"/wijk {district}", expect=contains("aangemaakt"))
        people = [sb.add_person(next(names), language_code="nl") for _ in range(KEY_FIGURES)]
        chiefs = [chief, *([others[district]] if district in others else [])]
        group = await coordinator.create_group(
            f"Bondgenoten {district}", [*chiefs, *people], [actors.bot]
        )
        await sb.next_message(group, timeout=TIMEOUT)  # the bot says hello
        await actors.say(coordinator, f"/koppel {district}", group, contains("gekoppeld"))
        for each in chiefs:
            await actors.invite_and_join(coordinator, each, district, "chef")
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
        for index, (person, label) in enumerate(zip(people, LEVELS[district], strict=True)):
            if (district, index) == LATE:
                continue  # answers the reminder instead
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


async def _feedback(actors: Actors, chief: Person) -> str:
    """The chief closes the loop from the button under the summary; return the bot's reply."""
    button = "📬 Terugkoppeling naar de groepen"
    summary = await actors.wait_private(chief, lambda m: button in m.button_texts)
    await actors.tap(chief, summary, button)
    await actors.wait_private(chief, starts("📬 Terugkoppeling op peiling"))
    preview = await actors.say(chief, FEEDBACK, expect=contains("👀 Voorbeeld"))
    await actors.tap(chief, preview, "Versturen")
    done = await actors.wait_private(
        chief, lambda m: starts("📬 Terugkoppeling op peiling")(m) and contains("verstuurd")(m)
    )
    return done.text or ""


def _feedback_messages(sandbox: Sandbox, groups: dict[str, Chat]) -> int:
    """How many feedback messages the groups received (one each, if all went well)."""
    return sum(
        1
        for group in groups.values()
        for m in sandbox.sent(group)
        if (m.text or "").startswith("📬 Terugkoppeling")
    )


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


async def _remind(actors: Actors, clock: DemoClock, members: dict[str, list[Person]]) -> int:
    """Halfway the one who has not answered gets a reminder, and answers with its button."""
    district, index = LATE
    late = members[district][index]
    clock.advance(timedelta(hours=3, seconds=1))  # a 6-hour check-in: halfway
    reminder = await actors.wait_private(late, starts("⏰ Herinnering"))
    await late.press(reminder, text=LEVELS[district][index], timeout=TIMEOUT)
    return 1


async def play(database_url: str, workdir: Path) -> dict[str, Any]:
    """Run the story and return what happened, with the texts the chief received."""
    async with Sandbox() as sandbox:
        bot = sandbox.add_bot(DEMO_TOKEN, "bondgenoten_demo_bot", first_name="Bondgenoten")
        coordinator = sandbox.add_person("Carla", "Coördinator", language_code="nl")
        chief = sandbox.add_person("Jan", "de Vries", language_code="nl")
        others = {
            district: sandbox.add_person(first, last, language_code="nl")
            for district, (first, last) in OTHER_CHIEFS.items()
        }
        actors = Actors(sandbox, bot)
        await upgrade_url(database_url)
        clock = DemoClock()
        settings = demo_settings(sandbox, database_url, coordinator)
        # Reminders are looked for twice a second: the story does not wait half a minute.
        app = build_application(settings, clock=clock, sweep_interval=0.5)
        async with running(app, poll_timeout=1):
            members = await _build(actors, coordinator, chief, others)
            checkin_id = await _ask(actors, chief)
            report = await actors.wait_private(chief, starts("📬 Verzendrapport"))
            pressed = await _answer(actors, _groups(sandbox), members)
            pressed += await _remind(actors, clock, members)
            await actors.say(chief, f"/sluit {checkin_id}", expect=contains("gesloten"))
            await actors.wait_private(chief, starts("📊 Samenvatting"))
            for other in others.values():
                await actors.wait_private(other, starts("📊 Samenvatting"))
            chat = chief.chat_with(bot)
            alerts = [m.text for m in sandbox.sent(chat) if m.text and m.text[0] in "🚨📞📈"]
            summary_text = _summary_texts(sandbox, chat, report)
            feedback_report = await _feedback(actors, chief)
            # After the check-in, the meal: invitation, RSVPs by button, needs, headcount.
            services = _services(app)
            meeting_id = await meeting.plan_meeting(actors, chief, services)
            await meeting.answer(actors, _groups(sandbox), members)
            counted_text = await meeting.headcount(actors, chief)
            counted = await services.meetings.headcount.headcount(
                services.actor(chief.id, "Jan de Vries"), meeting_id
            )
            assert isinstance(counted, Headcount)
            # Besides check-ins after events: a monthly pulse, scheduled and listed.
            pulsed = await pulse.schedule_and_list(actors, chief, services)
            # Practice before it matters: marked everywhere, counted nowhere, then wiped.
            practised = await practice.practise_and_wipe(
                actors,
                chief,
                coordinator,
                _groups(sandbox)["Zuilen"],
                members["Zuilen"][0],
                services,
            )
            result = await _result(app, checkin_id, pressed, members, report)
            summaries = [
                person
                for person in (chief, *others.values())
                if any(starts("📊 Samenvatting")(m) for m in sandbox.sent(person.chat_with(bot)))
            ]
            return result | {
                "alerts": alerts,
                "summary_text": summary_text,
                "feedback_report": feedback_report,
                "feedback_delivered": _feedback_messages(sandbox, _groups(sandbox)),
                "summaries_to_chiefs": len(summaries),
                "meeting": meeting.as_json(counted, counted_text),
                "pulse": pulsed,
                "practice": practised,
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
        reminded = (await s.execute(
            select(Reminder.person_id, Reminder.claimed_at).where(
                Reminder.checkin_id == checkin_id, Reminder.status == DeliveryStatus.SENT)
        )).all()  # fmt: skip
        answered = dict((await s.execute(
            select(Answer.person_id, Answer.first_answered_at).where(
                Answer.checkin_id == checkin_id)
        )).all())  # fmt: skip
        chiefs = await s.scalar(
            select(func.count(func.distinct(Membership.person_id)))
            .join(Delivery, Delivery.district_id == Membership.district_id)
            .where(Delivery.checkin_id == checkin_id, Membership.role == Role.CHIEF)
        )
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
        "reminders_sent": len(reminded),
        # Must be 0: a reminder goes only to whoever had not answered when it was sent.
        "reminders_to_people_who_had_answered": sum(
            1 for person, at in reminded if person in answered and answered[person] <= at
        ),
        "chiefs": int(chiefs or 0),
    }
