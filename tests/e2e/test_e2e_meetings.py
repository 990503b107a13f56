"""Meetings with a meal end to end: the chief plans through /bijeenkomst, the invitation
reaches the group and the key figures privately, people answer with the real buttons, give
dietary needs in their own chat, and the chief gets the headcount — on SQLite and PostgreSQL.

The bot runs on a clock that starts on Monday 2 November 2026, 10:00 in Amsterdam.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.app import AnyApp, build_application
from bot.runner import running
from bot.settings import Settings
from sandbox import Sandbox
from sandbox.models import BotAccount, Message
from sandbox.people import Person, wait_answer
from services.checkins import ALL
from services.checkins.outcomes import CheckInStarted
from services.meetings.views import MeetingDetails, MeetingPlanned
from storage.models import AuditEntry, DietaryNeed, Rsvp, RsvpAnswer
from tests.e2e.e2e_world import (
    TIMEOUT,
    Network,
    ShiftedClock,
    ask,
    build_network,
    find_in,
    next_in,
    services_of,
    tap,
    texts,
)

pytestmark = pytest.mark.e2e

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam
INVITATION = "🍽 Bijeenkomst — Overvecht"
ASK_DIET = "🍽 Eten bij de bijeenkomst"
NOT_INVITED = "Deze uitnodiging is voor de bondgenoten van de uitgenodigde wijken."
NOT_ITS_MESSAGE = "Deze knop hoort bij een bijeenkomst die ik niet (meer) ken."
MEAL = "Marokkaanse maaltijd, bereid door stichting Al Amal"
CLOSED = "Aanmelden voor deze bijeenkomst is gesloten."


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock(START)


@pytest.fixture
async def app(
    make_settings: Callable[..., Settings], clock: ShiftedClock
) -> AsyncIterator[AnyApp]:
    """The real bot on the sandbox, on the test's clock, looking at meetings often."""
    from storage.migrate import upgrade_url

    settings = make_settings(checkins={"tally_edit_interval_seconds": 1})
    await upgrade_url(settings.database_url)
    application = build_application(settings, clock=clock, tally_interval=0.2, sweep_interval=0.2)
    async with running(application, poll_timeout=1):
        yield application


async def plan_meeting(sandbox: Sandbox, bot: BotAccount, chief: Person) -> Message:
    """/bijeenkomst by the chief of one district, typed and tapped through to 'Versturen'."""
    await ask(sandbox, chief, bot, "/bijeenkomst", lambda m: "Wanneer is" in (m.text or ""))
    await ask(sandbox, chief, bot, "20-11 18:30", lambda m: "Waar is het" in (m.text or ""))
    await ask(
        sandbox, chief, bot, "Politiebureau Overvecht", lambda m: "Wat eten" in (m.text or "")
    )
    wizard = await ask(sandbox, chief, bot, "Marokkaanse maaltijd, bereid door stichting Al Amal")
    assert (wizard.text or "").startswith("De bijeenkomst is op vr 20 nov 18:30."), wizard.text
    # 1, 2, 3 and 7 days before, at the same time of day: all still ahead on 2 November.
    assert wizard.button_texts == [
        "Tot do 19 nov 18:30",
        "Tot wo 18 nov 18:30",
        "Tot di 17 nov 18:30",
        "Tot vr 13 nov 18:30",
        "Annuleren",
    ]
    await tap(sandbox, chief, wizard, "Tot wo 18 nov 18:30", "Wil je er nog iets bij zetten")
    await tap(sandbox, chief, wizard, "Geen notitie", "Voorbeeld")
    assert "We eten samen: Marokkaanse maaltijd, bereid door stichting Al Amal" in (
        wizard.text or ""
    )
    await tap(sandbox, chief, wizard, "✅ Versturen", "is verstuurd naar Overvecht")
    return wizard


async def invitation_in(sandbox: Sandbox, chat: object) -> Message:
    return await find_in(sandbox, chat, INVITATION)  # type: ignore[arg-type]


async def test_plan_invite_rsvp_dietary_and_headcount(
    app: AnyApp,
    sandbox: Sandbox,
    tg_bot: BotAccount,
    coordinator: Person,
    clock: ShiftedClock,
) -> None:
    net: Network = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 2})
    district = net["Overvecht"]
    chief = district.chief
    assert chief is not None
    fatima, mehmet = district.key_figures

    wizard = await plan_meeting(sandbox, tg_bot, chief)
    assert "2 bondgenoten krijgen de uitnodiging ook privé" in (wizard.text or "")

    in_group = await invitation_in(sandbox, district.group)
    assert (in_group.text or "").splitlines() == [
        "🍽 Bijeenkomst — Overvecht",
        "Wanneer: vr 20 nov 18:30",
        "Waar: Politiebureau Overvecht",
        "We eten samen: Marokkaanse maaltijd, bereid door stichting Al Amal",
        "",
        "Laat je weten of je komt? Dat kan tot wo 18 nov 18:30.",
        "Nog geen reacties.",
    ]
    assert in_group.button_texts == ["Ik kom", "Misschien", "Ik kan niet"]
    mehmet_private = await invitation_in(sandbox, mehmet.chat_with(tg_bot))

    # Someone in the group who belongs to no invited district: refused, nothing stored.
    refused = await tap(sandbox, coordinator, in_group, "Ik kom")
    assert refused.text == NOT_INVITED

    # Fatima comes, and gives her needs in her own chat only.
    said = await tap(sandbox, fatima, in_group, "Ik kom")
    assert said.text == "Genoteerd: Ik kom — je kunt dit wijzigen tot wo 18 nov 18:30"
    asked = await next_in(sandbox, fatima.chat_with(tg_bot), ASK_DIET)
    assert "alleen voor de maaltijd" in (asked.text or "")
    await tap(sandbox, fatima, asked, "Ja, wensen opgeven", "Tik om een wens aan of uit")
    await tap(
        sandbox,
        fatima,
        asked,
        "▫️ Halal",
        "dieetwensen voor de bijeenkomst van vr 20 nov 18:30: Halal",
    )
    await tap(sandbox, fatima, asked, "▫️ Notenallergie", "Halal, Notenallergie")
    await tap(sandbox, fatima, asked, "Klaar", "Dank je, genoteerd voor de maaltijd")

    # A forged client puts the invitation's "Ik kan niet" on another bot message (her meal
    # question): refused in one line, her answer stays "Ik kom".
    [no_button] = [b for b in in_group.buttons if b["text"] == "Ik kan niet"]
    forged = await wait_answer(await fatima.forge_press(asked, str(no_button["callback_data"])))
    assert forged.text == NOT_ITS_MESSAGE

    # Mehmet first says maybe privately, then comes after all: one RSVP, counted once.
    await tap(sandbox, mehmet, mehmet_private, "Misschien")
    first_ask = await next_in(sandbox, mehmet.chat_with(tg_bot), ASK_DIET)
    await tap(sandbox, mehmet, first_ask, "Geen wensen", "Genoteerd: geen dieetwensen")
    again = await tap(sandbox, mehmet, in_group, "Ik kom")
    assert again.text == "Genoteerd: Ik kom — je kunt dit wijzigen tot wo 18 nov 18:30"
    same = await tap(sandbox, mehmet, in_group, "Ik kom")
    assert (same.text or "").startswith("Dat had je al gekozen: Ik kom")

    await sandbox.wait_for(lambda: "2 komen" in (in_group.text or ""), timeout=TIMEOUT)
    assert "misschien" not in (in_group.text or "")
    async with services_of(app).uow() as uow:
        rows = list(await uow.session.execute(select(Rsvp.answer, Rsvp.changes)))
        assert sorted(rows) == [(RsvpAnswer.YES, 0), (RsvpAnswer.YES, 1)]

    # The chief's headcount on request: numbers, never a name.
    listed = await ask(sandbox, chief, tg_bot, "/bijeenkomsten", lambda m: "#" in (m.text or ""))
    await tap(sandbox, chief, listed, "📋 Telling")
    count = await next_in(sandbox, chief.chat_with(tg_bot), "📋 Telling bijeenkomst")
    assert (count.text or "").splitlines()[1:] == [
        "Ik kom: 2 · Misschien: 0 · Ik kan niet: 0 (uitgenodigd: 2)",
        f"Eten voor 2 personen (komen + misschien): {MEAL}",
        "Dieetwensen (aantallen):",
        "• Halal: 1",
        "• Notenallergie: 1",
    ]
    await tap(sandbox, chief, listed, "📄 CSV")
    document = await sandbox.next_message(
        chief.chat_with(tg_bot), predicate=lambda m: m.document is not None, timeout=TIMEOUT
    )
    assert document.document is not None
    data = sandbox.file(document.document.file_id).data.decode("utf-8-sig")
    rows_csv = {(r["kind"], r["code"]): r["count"] for r in csv.DictReader(io.StringIO(data))}
    assert rows_csv[("rsvp", "headcount")] == "2"
    assert rows_csv[("dietary", "halal")] == "1"
    assert rows_csv[("dietary", "vegan")] == "0"
    assert "Fatima" not in data and "Mehmet" not in data

    # At the RSVP deadline: the group shows it closed, the chief gets the headcount by
    # himself, and a late press is refused.
    told = len(texts(sandbox, chief.chat_with(tg_bot), tg_bot))
    clock.set(datetime(2026, 11, 18, 17, 31, tzinfo=UTC))  # 18:31 in Amsterdam
    await sandbox.wait_for(
        lambda: "Aanmelden is gesloten." in (in_group.text or ""), timeout=TIMEOUT
    )
    assert in_group.button_texts == []
    await sandbox.wait_for(
        lambda: any(
            t.startswith("📋 Telling bijeenkomst")
            for t in texts(sandbox, chief.chat_with(tg_bot), tg_bot)[told:]
        ),
        timeout=TIMEOUT,
    )
    late = await tap(sandbox, mehmet, mehmet_private, "Ik kan niet")
    assert late.text == CLOSED

    # Dietary needs never stand next to a name outside the person's own chat.
    elsewhere = [
        *texts(sandbox, chief.chat_with(tg_bot), tg_bot),
        *texts(sandbox, coordinator.chat_with(tg_bot), tg_bot),
        *texts(sandbox, district.group, tg_bot),
        *texts(sandbox, mehmet.chat_with(tg_bot), tg_bot),
    ]
    for text in elsewhere:
        if "Halal" in text or "Notenallergie" in text:
            assert "Fatima" not in text and "Mehmet" not in text, text
    assert not any("Halal" in t for t in texts(sandbox, mehmet.chat_with(tg_bot), tg_bot))

    async with services_of(app).uow() as uow:
        s = uow.session
        audited = await s.scalars(select(AuditEntry.action).order_by(AuditEntry.id))
        assert {"meeting.plan", "meeting.export"} <= set(audited)
        assert await s.scalar(select(func.count(DietaryNeed.id))) == 1  # Fatima's only

    # After the meeting, needs not to be remembered are forgotten.
    clock.set(datetime(2026, 11, 21, 12, 0, tzinfo=UTC))

    async def needs_left() -> int:
        async with services_of(app).uow() as uow:
            return int(await uow.session.scalar(select(func.count(DietaryNeed.id))) or 0)

    await eventually(lambda: needs_left(), 0)

    # /overzicht shows the last and the next meeting of the district.
    overview = await ask(
        sandbox, chief, tg_bot, "/overzicht", lambda m: "Bijeenkomsten" in (m.text or "")
    )
    assert "Overvecht: laatste vr 20 nov 18:30, volgende niet gepland" in (overview.text or "")


async def eventually(probe: Callable[[], Awaitable[int]], expected: int) -> None:
    """Poll the database until it shows the expected value (a positive sign, not a sleep)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while (found := await probe()) != expected:
        assert loop.time() < deadline, f"still {found}, expected {expected}"
        await asyncio.sleep(0.05)


@asynccontextmanager
async def bot_on(settings: Settings, clock: ShiftedClock) -> AsyncIterator[AnyApp]:
    """Run the real bot once on this database (a test may start it again: a restart)."""
    application = build_application(settings, clock=clock, tally_interval=0.2, sweep_interval=0.2)
    async with running(application, poll_timeout=1):
        yield application


def count_texts(sandbox: Sandbox, person: Person, bot: BotAccount, start: str) -> int:
    return sum(1 for t in texts(sandbox, person.chat_with(bot), bot) if t.startswith(start))


async def test_reminders_quiet_hours_restart_and_cancelling(
    make_settings: Callable[..., Settings],
    sandbox: Sandbox,
    tg_bot: BotAccount,
    coordinator: Person,
    clock: ShiftedClock,
) -> None:
    from storage.migrate import upgrade_url

    settings = make_settings(checkins={"tally_edit_interval_seconds": 1})
    await upgrade_url(settings.database_url)
    # Saturday 21 November, 07:00 in Amsterdam; answers until Thursday 20:00.
    starts = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
    deadline = datetime(2026, 11, 19, 19, 0, tzinfo=UTC)
    async with bot_on(settings, clock) as app:
        net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 4})
        district = net["Overvecht"]
        chief = district.chief
        assert chief is not None
        fatima, mehmet, sanne, youssef = district.key_figures
        services = services_of(app)
        [option] = await services.meetings.planner.district_options(  # type: ignore[misc]
            services.actor(chief.id, "Jan de Vries")
        )
        details = MeetingDetails(starts, "Buurthuis De Dreef", MEAL, deadline)
        planned = await services.meetings.planner.plan(
            services.actor(chief.id, "Jan de Vries"), [option.district_id], details
        )
        assert isinstance(planned, MeetingPlanned)
        in_group = await invitation_in(sandbox, district.group)
        await tap(sandbox, fatima, in_group, "Ik kom")
        await tap(sandbox, mehmet, in_group, "Ik kan niet")

        # Wednesday 20:00 in Amsterdam, a day before the deadline: those who did not answer
        # get the invitation again, with its buttons; Fatima and Mehmet do not.
        clock.set(datetime(2026, 11, 18, 19, 0, tzinfo=UTC))
        reminder = await next_in(sandbox, youssef.chat_with(tg_bot), "⏰ Herinnering")
        assert reminder.button_texts == ["Ik kom", "Misschien", "Ik kan niet"]
        await next_in(sandbox, sanne.chat_with(tg_bot), "⏰ Herinnering")
        assert count_texts(sandbox, fatima, tg_bot, "⏰") == 0
        assert count_texts(sandbox, mehmet, tg_bot, "⏰") == 0

    # A restart half an hour later, still in the reminder window: nobody is reminded twice.
    clock.advance(timedelta(minutes=30))
    async with bot_on(settings, clock) as app:
        await tap(sandbox, sanne, in_group, "Misschien")
        # The count edit comes from the new process's meeting job: it has run since.
        await sandbox.wait_for(lambda: "1 misschien" in (in_group.text or ""), timeout=TIMEOUT)
        assert await services_of(app).meetings.reminders.send_due() == 0
        assert count_texts(sandbox, youssef, tg_bot, "⏰ Herinnering") == 1
        assert count_texts(sandbox, sanne, tg_bot, "⏰ Herinnering") == 1

        # Friday 07:30: a day before, but inside the quiet hours (22:00-08:00) — it waits.
        clock.set(datetime(2026, 11, 20, 6, 30, tzinfo=UTC))
        assert await services_of(app).meetings.reminders.send_due() == 0
        assert count_texts(sandbox, fatima, tg_bot, "⏰ Tot morgen") == 0
        # 08:00: those coming or maybe coming are reminded; Mehmet said no.
        clock.set(datetime(2026, 11, 20, 7, 0, tzinfo=UTC))
        await next_in(sandbox, fatima.chat_with(tg_bot), "⏰ Tot morgen")
        await next_in(sandbox, sanne.chat_with(tg_bot), "⏰ Tot morgen")
        assert count_texts(sandbox, mehmet, tg_bot, "⏰") == 0
        assert count_texts(sandbox, youssef, tg_bot, "⏰ Tot morgen") == 0

        # The chief cancels: everyone who said yes or maybe hears it, Mehmet does not.
        listed = await ask(
            sandbox, chief, tg_bot, "/bijeenkomsten", lambda m: "#" in (m.text or "")
        )
        await tap(sandbox, chief, listed, "❌ Afzeggen")
        confirm = await next_in(
            sandbox, chief.chat_with(tg_bot), f"Bijeenkomst #{planned.meeting_id} afzeggen?"
        )
        await tap(sandbox, chief, confirm, "Ja, afzeggen", "is afgezegd")
        assert "2 mensen die kwamen of misschien kwamen" in (confirm.text or "")
        gone = (
            "❌ De bijeenkomst van za 21 nov 07:00 (Overvecht, Buurthuis De Dreef) gaat niet door."
        )
        assert count_texts(sandbox, fatima, tg_bot, gone) == 1
        assert count_texts(sandbox, sanne, tg_bot, gone) == 1
        assert count_texts(sandbox, mehmet, tg_bot, "❌") == 0
        await sandbox.wait_for(
            lambda: "❌ Deze bijeenkomst gaat niet door." in (in_group.text or ""),
            timeout=TIMEOUT,
        )
        assert in_group.button_texts == []


async def test_talking_points_from_the_signals_and_actions_with_owners(
    app: AnyApp,
    sandbox: Sandbox,
    tg_bot: BotAccount,
    coordinator: Person,
    clock: ShiftedClock,
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 2})
    district = net["Overvecht"]
    chief = district.chief
    assert chief is not None
    fatima, mehmet = district.key_figures
    services = services_of(app)
    jan = services.actor(chief.id, "Jan de Vries")
    [option] = await services.meetings.planner.district_options(jan)  # type: ignore[misc]

    async def checkin(event: str, presses: dict[Person, str]) -> None:
        started = await services.checkins.start.start_checkin(jan, event, ALL, timedelta(hours=6))
        assert isinstance(started, CheckInStarted)
        await services.checkins.broadcast.broadcast(started.checkin_id)
        message = await next_in(sandbox, district.group, "📣 Peiling")
        for person, label in presses.items():
            await tap(sandbox, person, message, label)

    async def meeting(starts: datetime) -> int:
        details = MeetingDetails(
            starts, "Politiebureau Overvecht", MEAL, starts - timedelta(days=1)
        )
        planned = await services.meetings.planner.plan(jan, [option.district_id], details)
        assert isinstance(planned, MeetingPlanned)
        return planned.meeting_id

    # Before the first meeting: a calm check-in. Then the meeting (Thursday 5 November).
    await checkin("Oud nieuws", {fatima: "Rustig"})
    first = await meeting(datetime(2026, 11, 5, 17, 30, tzinfo=UTC))
    clock.set(datetime(2026, 11, 6, 9, 0, tzinfo=UTC))
    # At the meeting an action was agreed; recorded afterwards by the chief.
    added = await ask(
        sandbox,
        chief,
        tg_bot,
        f"/actie {first} Fatima 30-11 Buurtavond organiseren",
        lambda m: (m.text or "").startswith("✅ Actie"),
    )
    assert (added.text or "") == (
        "✅ Actie vastgelegd: #1 Overvecht: Buurtavond organiseren — Fatima, vóór 30 nov 2026"
    )
    await next_in(sandbox, fatima.chat_with(tg_bot), "📌 Op de bijeenkomst is een actie voor jou")
    # Since the meeting: unrest, and one acute answer.
    await checkin("Onrust na incident", {fatima: "Onrust", mehmet: "Acuut"})

    second = await meeting(datetime(2026, 11, 26, 17, 30, tzinfo=UTC))
    in_group = await find_in(sandbox, district.group, INVITATION)
    await tap(sandbox, fatima, in_group, "Ik kom")

    listed = await ask(
        sandbox, chief, tg_bot, "/bijeenkomsten", lambda m: f"#{second} " in (m.text or "")
    )
    await tap(sandbox, chief, listed, "📝 Gespreksonderwerpen")
    draft = await next_in(sandbox, chief.chat_with(tg_bot), "📝 Gespreksonderwerpen")
    lines = (draft.text or "").splitlines()
    assert lines[3] == "Overvecht (sinds 5 nov 2026)"
    # Only the check-in since the previous meeting, with its median and the change.
    assert lines[4] == (
        "• Peiling #2 (6 nov 2026): Onrust na incident — 2 reacties, mediaan 4 (Spanning loopt "
        "op) (+3 t.o.v. de peiling ervoor)"
    )
    assert "Oud nieuws" not in (draft.text or "")
    assert "• Contactverzoeken: 0 · acute meldingen: 1" in lines
    assert "• Open actie: Buurtavond organiseren — Fatima, vóór 30 nov 2026" in lines

    await tap(sandbox, chief, draft, "➕ Iets toevoegen")
    await next_in(sandbox, chief.chat_with(tg_bot), "Wat wil je toevoegen?")
    edited = await ask(
        sandbox,
        chief,
        tg_bot,
        "Samen kijken naar de avondklok-geruchten",
        lambda m: "Ook op tafel" in (m.text or ""),
    )
    assert (edited.text or "").endswith("Ook op tafel\n• Samen kijken naar de avondklok-geruchten")
    # The organiser leaves out a generated line they do not want to raise; it can come back.
    await tap(sandbox, chief, edited, "✂️ Weglaten: peiling #2")
    await sandbox.wait_for(lambda: "Peiling #2" not in (edited.text or ""), timeout=TIMEOUT)
    assert "↩️ Terugzetten: peiling #2" in edited.button_texts
    assert (
        "• Open actie: Buurtavond organiseren — Fatima, vóór 30 nov 2026"
        in (edited.text or "").splitlines()
    )
    await tap(sandbox, chief, edited, "↩️ Terugzetten: peiling #2", "Peiling #2")
    await tap(sandbox, chief, edited, "✂️ Weglaten: peiling #2")
    await sandbox.wait_for(lambda: "Peiling #2" not in (edited.text or ""), timeout=TIMEOUT)
    await tap(sandbox, chief, edited, "📨 Versturen aan wie komt")
    await next_in(sandbox, chief.chat_with(tg_bot), "De gespreksonderwerpen van bijeenkomst")
    got = await next_in(sandbox, fatima.chat_with(tg_bot), "📝 Gespreksonderwerpen")
    assert "Buurtavond organiseren" in (got.text or "")
    assert "Onrust na incident" not in (got.text or "")  # left out: not sent
    assert count_texts(sandbox, mehmet, tg_bot, "📝") == 0  # he did not say he would come

    # Two days before it is due, the owner is reminded — once; then closes it with a result.
    clock.set(datetime(2026, 11, 29, 11, 0, tzinfo=UTC))
    await next_in(sandbox, fatima.chat_with(tg_bot), "📌 Herinnering: actie #1")
    open_list = await ask(sandbox, fatima, tg_bot, "/acties", lambda m: "#1" in (m.text or ""))
    await tap(sandbox, fatima, open_list, "✅ Afronden")
    await next_in(sandbox, fatima.chat_with(tg_bot), "Wat is het resultaat van #1")
    closed = await ask(sandbox, fatima, tg_bot, "Buurtavond gehouden, 40 mensen")
    assert closed.text == "Actie #1 is afgerond: Buurtavond gehouden, 40 mensen"
    assert count_texts(sandbox, fatima, tg_bot, "📌 Herinnering") == 1
    none_open = await ask(
        sandbox, chief, tg_bot, "/acties", lambda m: "open acties" in (m.text or "")
    )
    assert none_open.text == "Er zijn geen open acties."
