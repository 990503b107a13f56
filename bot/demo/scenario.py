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
from bot.demo.people import LINK, TIMEOUT, Actors, contains, starts
from bot.demo.texts import capital, numbered, shows
from bot.runner import running
from bot.settings import PrivacySettings, Settings
from handlers.i18n import t
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
DISTRICTS = ("Overvecht", "Kanaleneiland", "Zuilen")
KEY_FIGURES = 8
# Per district, the levels its eight key figures press: 1 rustig … 5 acuut, 0 weet niet. The
# buttons are pressed by their label in the demo's language (scale.<code>).
LEVELS = {
    "Overvecht": (3, 3, 4, 2, 3, 5, 0, 4),
    "Kanaleneiland": (2, 3, 2, 1, 3, 2, 0, 2),
    "Zuilen": (1, 1, 2, 1, 1, 2, 1, 0),
}
# What the chief types (the event, the feedback after closing: what was heard, what is done)
# and what a key figure tells, are in the demo's catalog (demo.po), in each language.
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


def demo_settings(
    sandbox: Sandbox, database_url: str, coordinator: Person, language: str = "nl"
) -> Settings:
    """Settings that point the bot at the sandbox, with a throw-away pseudonym key."""
    return Settings(
        token=SecretStr(DEMO_TOKEN),
        language=language,
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
    lang = actors.language
    started = await coordinator.start(actors.bot)
    await sb.next_message(started.chat, after=started, timeout=TIMEOUT)
    members: dict[str, list[Person]] = {}
    names = iter(NAMES)
    for district in DISTRICTS:
        created = shows("district.created", lang)
        await actors.say(coordinator, f"/wijk {district}", expect=created)
        people = [sb.add_person(next(names), language_code=lang) for _ in range(KEY_FIGURES)]
        chiefs = [chief, *([others[district]] if district in others else [])]
        group = await coordinator.create_group(
            f"Bondgenoten {district}", [*chiefs, *people], [actors.bot]
        )
        await sb.next_message(group, timeout=TIMEOUT)  # the bot says hello
        linked = shows("group.linked", lang)
        await actors.say(coordinator, f"/koppel {district}", group, linked)
        for each in chiefs:
            await actors.invite_and_join(coordinator, each, district, "chef")
        for person in people:
            await actors.invite_and_join(coordinator, person, district, "bondgenoot")
        members[district] = people
    return members


async def _ask(actors: Actors, chief: Person) -> int:
    """The chief starts a check-in through the real wizard and sends it; return its id."""
    lang = actors.language
    event = t("demo.event", lang)
    wizard = await actors.say(
        chief, f"/peiling {event}", expect=shows("peiling.ask_districts", lang)
    )
    steps = (
        ("peiling.button.next", "peiling.ask_duration"),
        ("peiling.duration.6h", "peiling.ask_tally"),
        ("peiling.button.tally_show", "peiling.preview.head"),
        ("peiling.button.send", "peiling.sent"),
    )
    for pressed, shown in steps:
        await actors.tap(chief, wizard, t(pressed, lang), shows(shown, lang))
    return numbered(wizard.text or "")


async def _answer(
    actors: Actors, groups: dict[str, Chat], members: dict[str, list[Person]]
) -> int:
    """Every key figure presses a level in their group; a few tell more privately."""
    lang = actors.language
    pressed = 0
    for district, people in members.items():
        message = await actors.sandbox.next_message(
            groups[district], predicate=shows("checkin.message.head", lang),
            timeout=TIMEOUT,
        )  # fmt: skip
        for index, (person, code) in enumerate(zip(people, LEVELS[district], strict=True)):
            if (district, index) == LATE:
                continue  # answers the reminder instead
            await person.press(message, text=t(f"scale.{code}", lang), timeout=TIMEOUT)
            pressed += 1
        told = t("demo.free_text", lang)
        await _follow_up(actors, people[0], "rising", "polarisatie", told)
        await _follow_up(actors, people[1], "same", "discriminatie", None, contact=True)
    return pressed


async def _follow_up(
    actors: Actors,
    person: Person,
    direction: str,
    theme: str,
    text: str | None,
    contact: bool = False,
) -> None:
    lang = actors.language
    panel = await actors.wait_private(person, contains(t("followup.intro", lang)))
    await actors.tap(person, panel, capital(t(f"direction.{direction}", lang)))
    await actors.tap(person, panel, capital(t(f"theme.{theme}", lang)))
    if contact:
        await actors.tap(person, panel, t("followup.button.contact_yes", lang))
    if text is not None:
        await actors.tap(person, panel, t("followup.button.text", lang))
        await actors.say(person, text, expect=contains(t("followup.text_saved", lang)))


async def _feedback(actors: Actors, chief: Person) -> str:
    """The chief closes the loop from the button under the summary; return the bot's reply."""
    lang = actors.language
    button = t("feedback.button.write", lang)
    summary = await actors.wait_private(chief, lambda m: button in m.button_texts)
    await actors.tap(chief, summary, button)
    await actors.wait_private(chief, shows("feedback.prompt", lang))
    preview = await actors.say(
        chief, t("demo.feedback", lang), expect=shows("feedback.preview", lang)
    )
    await actors.tap(chief, preview, t("feedback.button.send", lang))
    done = await actors.wait_private(chief, shows("feedback.sent", lang))
    return done.text or ""


def _feedback_messages(sandbox: Sandbox, groups: dict[str, Chat], language: str) -> int:
    """How many feedback messages the groups received (one each, if all went well)."""
    feedback = shows("feedback.group", language)
    return sum(1 for group in groups.values() for m in sandbox.sent(group) if feedback(m))


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
    reminder = await actors.wait_private(late, shows("reminder.head", actors.language))
    label = t(f"scale.{LEVELS[district][index]}", actors.language)
    await late.press(reminder, text=label, timeout=TIMEOUT)
    return 1


async def _english_key_figure(actors: Actors, coordinator: Person) -> dict[str, str]:
    """A key figure whose Telegram speaks English joins: the bot answers in English."""
    emma = actors.sandbox.add_person("Emma", "Clarke", language_code="en-GB")
    made = await actors.say(
        coordinator, f'/uitnodigen "{DISTRICTS[0]}" bondgenoot', expect=contains("?start=")
    )
    token = LINK.search(made.text or "")
    if token is None:
        raise RuntimeError(f"no invitation link in: {made.text}")
    started = await emma.start(actors.bot, token.group(1))
    agreement = await actors.sandbox.next_message(started.chat, after=started, timeout=TIMEOUT)
    await emma.press(agreement, text=t("intake.button.join", "en"), timeout=TIMEOUT)
    welcome = await actors.sandbox.next_message(
        started.chat, after=agreement, predicate=starts("Welcome"), timeout=TIMEOUT
    )
    return {"language": "en", "welcome": welcome.text or ""}


async def play(database_url: str, workdir: Path, language: str = "nl") -> dict[str, Any]:
    """Run the story in a language and return what happened, with the texts the chief received.

    Everyone in the story has Telegram set to that language, and the bot speaks it.
    """
    lang = language
    async with Sandbox() as sandbox:
        bot = sandbox.add_bot(DEMO_TOKEN, "bondgenoten_demo_bot", first_name="Bondgenoten")
        coordinator = sandbox.add_person("Carla", "Coördinator", language_code=lang)
        chief = sandbox.add_person("Jan", "de Vries", language_code=lang)
        others = {
            district: sandbox.add_person(first, last, language_code=lang)
            for district, (first, last) in OTHER_CHIEFS.items()
        }
        actors = Actors(sandbox, bot, lang)
        await upgrade_url(database_url)
        clock = DemoClock()
        settings = demo_settings(sandbox, database_url, coordinator, lang)
        # Reminders are looked for twice a second: the story does not wait half a minute.
        app = build_application(settings, clock=clock, sweep_interval=0.5)
        async with running(app, poll_timeout=1):
            members = await _build(actors, coordinator, chief, others)
            checkin_id = await _ask(actors, chief)
            report = await actors.wait_private(chief, shows("checkin.report.head", lang))
            pressed = await _answer(actors, _groups(sandbox), members)
            pressed += await _remind(actors, clock, members)
            await actors.say(chief, f"/sluit {checkin_id}", expect=shows("sluit.closed", lang))
            summary_head = shows("checkin.summary.head", lang)
            await actors.wait_private(chief, summary_head)
            for other in others.values():
                await actors.wait_private(other, summary_head)
            chat = chief.chat_with(bot)
            alerts = [m.text for m in sandbox.sent(chat) if m.text and m.text[0] in "🚨📞📈"]
            summary_text = _summary_texts(sandbox, chat, report, lang)
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
            # Last, so the story's figures stay as they were: someone reading English joins.
            english = await _english_key_figure(actors, coordinator)
            summaries = [
                person
                for person in (chief, *others.values())
                if any(summary_head(m) for m in sandbox.sent(person.chat_with(bot)))
            ]
            return result | {
                "language": lang,
                "alerts": alerts,
                "summary_text": summary_text,
                "feedback_report": feedback_report,
                "feedback_delivered": _feedback_messages(sandbox, _groups(sandbox), lang),
                "summaries_to_chiefs": len(summaries),
                "meeting": meeting.as_json(counted, counted_text),
                "pulse": pulsed,
                "english_key_figure": english,
                "practice": practised,
            }


def _summary_texts(sandbox: Sandbox, chat: Chat, report: Message, language: str) -> list[str]:
    sent = [m for m in sandbox.sent(chat) if m.message_id > report.message_id and m.text]
    head = shows("checkin.summary.head", language)
    first = next(i for i, m in enumerate(sent) if head(m))
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
