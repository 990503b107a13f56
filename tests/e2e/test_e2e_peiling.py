"""Starting, sending, closing and listing check-ins end to end, as the chief does it.

The network is built the way people build it (tests/e2e/e2e_world.py). The bot runs on a
clock that starts on Monday 2 November 2026, 10:00 in Amsterdam, and runs on from there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import AnyApp, build_application
from bot.runner import running
from bot.settings import Settings
from sandbox import Sandbox
from sandbox.models import BotAccount, Message
from sandbox.people import Person, wait_answer
from storage.models import Chat as ChatRow
from storage.models import (
    ChatStatus,
    CheckIn,
    CheckInStatus,
    Delivery,
    DeliveryStatus,
    District,
    Event,
)
from tests.e2e.e2e_world import (
    Network,
    ShiftedClock,
    ask,
    begin,
    build_network,
    checkin_messages,
    find_in,
    join_as,
    next_in,
    services_of,
    tap,
    texts,
)
from tests.e2e.idle import idle

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam
EVENT = "Aanslag op moskee in Québec"
SCALE = ["Rustig", "Onderwerp van gesprek", "Onrust", "Spanning loopt op", "Acuut", "Weet niet"]
NOT_ALLOWED = "Alleen een chef of een coördinator kan een peiling starten."


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock(START)


@pytest.fixture
async def app(
    make_settings: Callable[..., Settings], clock: ShiftedClock
) -> AsyncIterator[AnyApp]:
    """The real bot on the sandbox, on the test's clock, refreshing tallies often."""
    application = build_application(make_settings(), clock=clock, tally_interval=0.2)
    async with running(application, poll_timeout=1):
        yield application


async def start_checkin(
    sandbox: Sandbox,
    bot: BotAccount,
    chief: Person,
    event: str = EVENT,
    duration: str = "2 uur",
    tally: str = "Live tonen",
) -> Message:
    """/peiling <event> by a chief of one district, through to 'Versturen' and the delivery
    report (so later replies are not mixed up with it); return the wizard message."""
    wizard = await ask(
        sandbox, chief, bot, f"/peiling {event}", lambda m: "Hoe lang blijft" in (m.text or "")
    )
    await tap(sandbox, chief, wizard, duration, "Mogen de bondgenoten")
    await tap(sandbox, chief, wizard, tally, "Voorbeeld")
    await tap(sandbox, chief, wizard, "✅ Versturen", "verstuurd naar")
    number = (wizard.text or "").split("#", 1)[1].split(" ", 1)[0]
    await find_in(sandbox, chief.chat_with(bot), f"📬 Verzendrapport peiling #{number} ")
    return wizard


async def stored_checkins(app: AnyApp) -> list[tuple[CheckIn, str]]:
    async with services_of(app).uow() as uow:
        rows = await uow.session.execute(
            select(CheckIn, Event.description)
            .join(Event, Event.id == CheckIn.event_id)
            .order_by(CheckIn.id)
        )
        found = [(c, e) for c, e in rows]
        uow.session.expunge_all()  # keep the loaded values after the session ends
        return found


async def deliveries_of(app: AnyApp, checkin_id: int) -> dict[str, Delivery]:
    async with services_of(app).uow() as uow:
        rows = await uow.session.execute(
            select(Delivery, District.name)
            .join(District, District.id == Delivery.district_id)
            .where(Delivery.checkin_id == checkin_id)
        )
        found = {name: d for d, name in rows}
        uow.session.expunge_all()
        return found


async def two_district_chief(
    sandbox: Sandbox, bot: BotAccount, coordinator: Person
) -> tuple[Network, Person]:
    net = await build_network(sandbox, bot, coordinator, {"Kanaleneiland": 2, "Overvecht": 3})
    chief = net["Overvecht"].chief
    assert chief is not None
    await join_as(sandbox, bot, coordinator, chief, "Kanaleneiland", "chef")
    return net, chief


async def test_chief_runs_the_wizard_and_every_group_gets_the_check_in(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    net, chief = await two_district_chief(sandbox, tg_bot, coordinator)
    question = await ask(sandbox, chief, tg_bot, "/peiling")
    assert (question.text or "").startswith("📣 Nieuwe peiling\nWat is er gebeurd?")

    sent = await chief.send(tg_bot, EVENT)
    wizard = await sandbox.next_message(sent.chat, after=sent, timeout=10)
    assert wizard.text == (
        f"Gebeurtenis: {EVENT}\n\n"
        "Welke wijken wil je peilen? Tik op een wijk om die aan of uit te zetten, dan op Verder."
    )
    # Both own districts preselected; toggles change the label.
    assert wizard.button_texts == ["✅ Kanaleneiland", "✅ Overvecht", "Verder ➡️", "Annuleren"]
    await tap(sandbox, chief, wizard, "✅ Kanaleneiland")
    await sandbox.wait_for(lambda: "▫️ Kanaleneiland" in wizard.button_texts)
    await tap(sandbox, chief, wizard, "▫️ Kanaleneiland")
    await sandbox.wait_for(lambda: "✅ Kanaleneiland" in wizard.button_texts)
    await tap(sandbox, chief, wizard, "Verder ➡️", "Hoe lang blijft de peiling open?")
    assert "Wijken: Kanaleneiland, Overvecht" in (wizard.text or "")
    assert wizard.button_texts == [
        "2 uur",
        "6 uur",
        "24 uur",
        "3 dagen",
        "Ander tijdstip…",
        "Annuleren",
    ]
    await tap(sandbox, chief, wizard, "6 uur", "Mogen de bondgenoten")
    await tap(sandbox, chief, wizard, "Live tonen", "Voorbeeld")

    preview = wizard.text or ""
    group_text = (
        f"📣 Peiling — {EVENT}\n"
        "Hoe is de stemming in Kanaleneiland?\n\n"
        "Antwoorden kan tot ma 2 nov 16:00.\n"
        "0 van 2 bondgenoten hebben gereageerd."
    )
    assert preview.startswith(
        f"👀 Voorbeeld — zo ziet de groep van Kanaleneiland het bericht:\n\n{group_text}\n"
    )
    assert "Gaat naar 2 wijken: Kanaleneiland, Overvecht" in preview
    assert "Sluit: ma 2 nov 16:00." in preview
    practice = "🧪 Oefening? Tik om als oefening te versturen"
    assert wizard.button_texts == [*SCALE, practice, "✅ Versturen", "Annuleren"]
    sample = await tap(sandbox, chief, wizard, "Onrust")
    assert sample.text == "Dit is een voorbeeld: zo zien de bondgenoten de knoppen."
    assert await stored_checkins(app) == []  # a preview stores nothing

    await tap(sandbox, chief, wizard, "✅ Versturen", "verstuurd naar")
    assert wizard.text == (
        "✅ Peiling #1 verstuurd naar 2 wijken: Kanaleneiland, Overvecht; sluit ma 2 nov 16:00.\n"
        "Je krijgt een verzendrapport zodra alles is afgeleverd."
    )
    assert wizard.button_texts == []

    for name, district in net.districts.items():
        message = await next_in(sandbox, district.group, "📣 Peiling")
        assert message.button_texts == SCALE
        assert f"Hoe is de stemming in {name}?" in (message.text or "")
    kanaleneiland = checkin_messages(sandbox, net["Kanaleneiland"].group, tg_bot)
    assert [m.text for m in kanaleneiland] == [group_text]  # exactly what the preview showed
    report = await next_in(sandbox, chief.chat_with(tg_bot), "📬 Verzendrapport")
    assert f"Verzendrapport peiling #1 — {EVENT}" in (report.text or "")
    assert "✅ Verstuurd naar 2 wijken: Kanaleneiland, Overvecht" in (report.text or "")

    [(checkin, event)] = await stored_checkins(app)
    assert (event, checkin.status, checkin.show_tally) == (EVENT, CheckInStatus.OPEN, True)
    assert checkin.closes_at - checkin.opened_at == timedelta(hours=6)
    delivered = await deliveries_of(app, checkin.id)
    assert {n: d.status for n, d in delivered.items()} == {
        "Kanaleneiland": DeliveryStatus.SENT,
        "Overvecht": DeliveryStatus.SENT,
    }
    assert delivered["Kanaleneiland"].message_id == kanaleneiland[0].message_id
    # The deadline is in the job queue, by the check-in's id.
    assert app.job_queue is not None
    [job] = app.job_queue.get_jobs_by_name("close-1")
    assert job.next_t is not None
    expected = datetime.now(UTC) + (checkin.closes_at - services_of(app).clock.now())
    assert abs((job.next_t - expected).total_seconds()) < 2
    # A second tap on Versturen (a phone that still shows the button) sends nothing again.
    again = await wait_answer(await chief.forge_press(wizard, _data_of(wizard, "ok")), 10)
    assert again.text == "Deze peiling is al verstuurd als #1."
    assert len(await stored_checkins(app)) == 1


def _data_of(message: Message, action: str) -> str:
    """Callback data of the wizard's `action` button, taken from the message's history."""
    for version in [*message.edits, message]:
        markup = getattr(version, "reply_markup", None) or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = str(button.get("callback_data", ""))
                if data.startswith("pl:") and data.split(":")[2] == action:
                    return data
    raise AssertionError(f"no {action} button ever shown")


async def test_event_inline_hidden_tally_and_a_typed_closing_time(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 2})
    chief = net["Overvecht"].chief
    assert chief is not None
    # One district: nothing to choose, straight to how long.
    wizard = await ask(sandbox, chief, tg_bot, f"/peiling {EVENT}")
    assert wizard.text == (
        f"Gebeurtenis: {EVENT}\nWijken: Overvecht\n\nHoe lang blijft de peiling open?"
    )
    await tap(sandbox, chief, wizard, "Ander tijdstip…", "Tot wanneer blijft de peiling open?")
    for typed, answer in [
        ("als het kan snel", "Dat tijdstip begrijp ik niet."),
        ("vandaag 9:00", "ma 2 nov 09:00 is al voorbij. Kies een tijdstip in de toekomst."),
        ("2026-12-01 18:00", "di 1 dec 18:00 is te ver weg: een peiling staat hooguit 7 dagen"),
    ]:
        reply = await ask(sandbox, chief, tg_bot, typed)
        assert (reply.text or "").startswith(answer), reply.text
    step = await ask(sandbox, chief, tg_bot, "morgen 9:00")
    assert "Mogen de bondgenoten" in (step.text or "")
    await tap(sandbox, chief, step, "Verbergen tot sluiten", "Voorbeeld")
    assert "De verdeling wordt getoond als de peiling sluit." in (step.text or "")
    assert "Verdeling: verborgen tot de peiling sluit." in (step.text or "")
    assert "Sluit: di 3 nov 09:00." in (step.text or "")
    await tap(sandbox, chief, step, "✅ Versturen", "verstuurd naar 1 wijk: Overvecht")
    message = await next_in(sandbox, net["Overvecht"].group, "📣 Peiling")
    assert "Antwoorden kan tot di 3 nov 09:00." in (message.text or "")
    assert "De verdeling wordt getoond als de peiling sluit." in (message.text or "")
    [(checkin, _)] = await stored_checkins(app)
    assert checkin.show_tally is False
    # The service takes a duration, so the clock's run between reading it twice shows up.
    deadline = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    assert abs(checkin.closes_at - deadline) < timedelta(seconds=1)


async def test_refusals_in_one_line_and_commands_that_are_ignored(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 1})
    figure = net["Overvecht"].key_figures[0]
    chief = net["Overvecht"].chief
    assert chief is not None
    assert (await ask(sandbox, figure, tg_bot, f"/peiling {EVENT}")).text == NOT_ALLOWED
    stranger = sandbox.add_person("Onbekend", language_code="nl")
    await begin(sandbox, stranger, tg_bot)
    assert (await ask(sandbox, stranger, tg_bot, "/peiling")).text == NOT_ALLOWED

    group = net["Overvecht"].group
    reply = await ask(sandbox, chief, group, f"/peiling {EVENT}")
    assert reply.text == "Dat doen we in de privéchat: stuur mij daar /peiling."

    # An edited message and a command for another bot start nothing.
    tg_bot.privacy_mode = False
    await chief.send(group, "/peiling@otherbot")
    await chief.send(tg_bot, "/peiling@otherbot")
    typed = await chief.send(tg_bot, "/wijken")
    await sandbox.next_message(typed.chat, after=typed, timeout=10)
    await chief.edit(typed, "/peiling Nep")
    await ask(sandbox, chief, tg_bot, "/wijken")  # everything before it has been handled
    await idle(app, sandbox, tg_bot)  # and nothing it started is still under way
    assert not [t for t in texts(sandbox, chief.chat_with(tg_bot), tg_bot) if "Nep" in t]
    assert not [
        t for t in texts(sandbox, chief.chat_with(tg_bot), tg_bot) if "Hoe lang blijft" in t
    ]
    assert [t for t in texts(sandbox, group, tg_bot) if "privéchat" in t] == [reply.text]
    assert await stored_checkins(app) == []


async def test_an_archived_district_is_named_and_the_rest_still_goes(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 1, "Zuilen": 1})
    chief = net["Overvecht"].chief
    assert chief is not None
    await join_as(sandbox, tg_bot, coordinator, chief, "Zuilen", "chef")
    archived = await ask(sandbox, coordinator, tg_bot, "/wijk archiveer Zuilen")
    assert "gearchiveerd" in (archived.text or "")

    wizard = await ask(sandbox, chief, tg_bot, f"/peiling {EVENT}")
    assert wizard.button_texts == [
        "✅ Overvecht",
        "🚫 Zuilen — wijk is gearchiveerd",
        "Verder ➡️",
        "Annuleren",
    ]
    refused = await tap(sandbox, chief, wizard, "🚫 Zuilen — wijk is gearchiveerd")
    assert refused.text == "Zuilen kan deze peiling niet krijgen: wijk is gearchiveerd."
    assert refused.show_alert
    # Overvecht off: nothing that can go is chosen.
    await tap(sandbox, chief, wizard, "✅ Overvecht")
    await sandbox.wait_for(lambda: "▫️ Overvecht" in wizard.button_texts)
    nothing = await tap(sandbox, chief, wizard, "Verder ➡️")
    assert nothing.text == "Kies eerst minstens één wijk."
    await tap(sandbox, chief, wizard, "▫️ Overvecht")
    await sandbox.wait_for(lambda: "✅ Overvecht" in wizard.button_texts)
    await tap(sandbox, chief, wizard, "Verder ➡️", "Hoe lang")
    await tap(sandbox, chief, wizard, "24 uur", "Mogen de bondgenoten")
    await tap(sandbox, chief, wizard, "Live tonen", "Voorbeeld")
    assert "Gaat naar 1 wijk: Overvecht\nGaat niet naar:\n• Zuilen: wijk is gearchiveerd" in (
        wizard.text or ""
    )
    await tap(sandbox, chief, wizard, "✅ Versturen", "verstuurd naar")
    assert wizard.text == (
        "✅ Peiling #1 verstuurd naar 1 wijk: Overvecht; sluit di 3 nov 10:00.\n"
        "Gaat niet naar:\n• Zuilen: wijk is gearchiveerd\n"
        "Je krijgt een verzendrapport zodra alles is afgeleverd."
    )
    report = await next_in(sandbox, chief.chat_with(tg_bot), "📬 Verzendrapport")
    assert "• Zuilen: wijk is gearchiveerd" in (report.text or "")
    await next_in(sandbox, net["Overvecht"].group, "📣 Peiling")
    assert checkin_messages(sandbox, net["Zuilen"].group, tg_bot) == []
    delivered = await deliveries_of(app, 1)
    assert delivered["Zuilen"].status is DeliveryStatus.SKIPPED


async def test_nothing_to_send_and_expired_or_forged_buttons(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 1, "Zuilen": 1})
    await ask(sandbox, coordinator, tg_bot, "/wijk archiveer Zuilen")
    zuilen_chief = net["Zuilen"].chief
    assert zuilen_chief is not None
    reply = await ask(sandbox, zuilen_chief, tg_bot, f"/peiling {EVENT}")
    assert reply.text == (
        "Er is geen wijk die deze peiling nu kan krijgen:\n• Zuilen: wijk is gearchiveerd"
    )

    chief = net["Overvecht"].chief
    assert chief is not None
    old = await ask(sandbox, chief, tg_bot, "/peiling Eerste versie")
    new = await ask(sandbox, chief, tg_bot, "/peiling Tweede versie")
    stale = await tap(sandbox, chief, old, "2 uur")
    assert stale.text == "Dit concept is verlopen, begin opnieuw met /peiling"
    assert "Eerste versie" in (old.text or "")  # the old wizard did not move
    answer = await wait_answer(await chief.forge_press(new, "pl:zzzzzz:ok:0"), 10)
    assert answer.text == "Dit concept is verlopen, begin opnieuw met /peiling"
    garbage = await wait_answer(await chief.forge_press(new, "pl:bad"))
    assert garbage.text == "Deze knop werkt niet (meer)."
    # The new draft's own button for a later step is refused: first how long.
    draft_id = _data_of(new, "t").split(":")[1]
    early = await wait_answer(await chief.forge_press(new, f"pl:{draft_id}:ok:0"))
    assert early.text == "Deze knop werkt niet (meer)."
    await tap(sandbox, chief, new, "Annuleren", "Peiling geannuleerd. Er is niets verstuurd.")
    gone = await wait_answer(await chief.forge_press(new, f"pl:{draft_id}:t:0"))
    assert gone.text == "Dit concept is verlopen, begin opnieuw met /peiling"
    assert await stored_checkins(app) == []


async def coordinator_asks_all(sandbox: Sandbox, bot: BotAccount, coordinator: Person) -> Message:
    """The coordinator sends a check-in to 'alle wijken' (2 uur, live tally)."""
    wizard = await ask(sandbox, coordinator, bot, f"/peiling {EVENT}")
    await tap(sandbox, coordinator, wizard, "▫️ Alle wijken")
    await sandbox.wait_for(lambda: "✅ Alle wijken" in wizard.button_texts)
    await tap(sandbox, coordinator, wizard, "Verder ➡️", "Hoe lang")
    assert "Wijken: alle wijken" in (wizard.text or "")
    await tap(sandbox, coordinator, wizard, "2 uur", "Mogen de bondgenoten")
    await tap(sandbox, coordinator, wizard, "Live tonen", "Voorbeeld")
    await tap(sandbox, coordinator, wizard, "✅ Versturen", "verstuurd naar")
    return wizard


async def chats_by_id(app: AnyApp) -> dict[int, tuple[ChatStatus, int | None]]:
    async with services_of(app).uow() as uow:
        rows = await uow.session.scalars(select(ChatRow))
        return {c.telegram_chat_id: (c.status, c.migrated_to_chat_id) for c in rows}


async def test_a_429_waits_and_a_403_names_the_district_and_marks_it_unreachable(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    names = {"Kanaleneiland": 1, "Overvecht": 1, "Zuilen": 1}
    net = await build_network(sandbox, tg_bot, coordinator, names, chiefs=False)
    groups = net.groups
    kicked = "Forbidden: bot was kicked from the group chat"
    sandbox.inject_fault(
        "sendMessage", 2, error_code=429, retry_after=1, chat_id=groups["Kanaleneiland"].id
    )
    sandbox.inject_fault(
        "sendMessage", error_code=403, description=kicked, chat_id=groups["Overvecht"].id
    )
    wizard = await coordinator_asks_all(sandbox, tg_bot, coordinator)
    assert "verstuurd naar 3 wijken: Kanaleneiland, Overvecht, Zuilen" in (wizard.text or "")

    report = await next_in(sandbox, coordinator.chat_with(tg_bot), "📬 Verzendrapport")
    assert (report.text or "").split("\n")[1:4] == [
        "✅ Verstuurd naar 2 wijken: Kanaleneiland, Zuilen",
        "⚠️ Niet aangekomen:",
        f"• Overvecht: bot is uit de groep verwijderd ({kicked})",
    ]
    # Sent once each, the 429s waited out; nothing in the group the bot was kicked from.
    assert len(checkin_messages(sandbox, groups["Kanaleneiland"], tg_bot)) == 1
    assert len(checkin_messages(sandbox, groups["Zuilen"], tg_bot)) == 1
    assert checkin_messages(sandbox, groups["Overvecht"], tg_bot) == []
    tries = sandbox.calls("sendMessage", chat_id=groups["Kanaleneiland"].id)
    assert [c.error_code for c in tries][-3:] == [429, 429, None]

    delivered = await deliveries_of(app, 1)
    assert delivered["Overvecht"].status is DeliveryStatus.FAILED
    assert delivered["Overvecht"].last_error == f"kicked: {kicked}"
    assert (await chats_by_id(app))[groups["Overvecht"].id][0] is ChatStatus.UNREACHABLE
    # The next check-in shows the district as unreachable.
    wizard = await ask(sandbox, coordinator, tg_bot, "/peiling Tweede gebeurtenis")
    assert "🚫 Overvecht — groep niet bereikbaar" in wizard.button_texts


async def test_a_group_migrated_during_the_broadcast_gets_it_once_at_its_new_id(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    names = {"Kanaleneiland": 1, "Overvecht": 1}
    net = await build_network(sandbox, tg_bot, coordinator, names, chiefs=False)
    old = net["Overvecht"].group
    # Overvecht's send is slow; while it hangs, the group becomes a supergroup. The test
    # migrates as soon as the send has reached Telegram, so the hang needs no room for a busy
    # machine (a fixed pause before migrating once outlasted a 1.5 s hang).
    sandbox.inject_fault("sendMessage", hang=1.0, chat_id=old.id)
    await coordinator_asks_all(sandbox, tg_bot, coordinator)
    await next_in(sandbox, net["Kanaleneiland"].group, "📣 Peiling")
    await sandbox.wait_for(lambda: sandbox.calls_in_flight("sendMessage", chat_id=old.id))
    new = await coordinator.migrate(old)
    message = await next_in(sandbox, new, "📣 Peiling")
    assert "Hoe is de stemming in Overvecht?" in (message.text or "")
    report = await next_in(sandbox, coordinator.chat_with(tg_bot), "📬 Verzendrapport")
    assert "✅ Verstuurd naar 2 wijken: Kanaleneiland, Overvecht" in (report.text or "")
    await idle(app, sandbox, tg_bot)
    assert len(checkin_messages(sandbox, new, tg_bot)) == 1
    # The slow send reached the old id after the upgrade: Telegram's 400 named the new one.
    assert sandbox.calls("sendMessage", chat_id=old.id)[-1].error_code == 400
    assert checkin_messages(sandbox, old, tg_bot) == []
    delivered = await deliveries_of(app, 1)
    assert delivered["Overvecht"].status is DeliveryStatus.SENT
    assert delivered["Overvecht"].telegram_chat_id == new.id
    assert (await chats_by_id(app))[old.id] == (ChatStatus.MIGRATED, new.id)


async def test_a_send_that_timed_out_may_stand_twice_and_both_copies_count_and_close(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Kanaleneiland": 1, "Overvecht": 1})
    group = net["Overvecht"].group
    # Telegram takes the send but answers after the bot's 5 s read time-out: the bot cannot
    # know it was posted, sends it again, and the group has two copies.
    sandbox.inject_fault("sendMessage", hang=7.0, chat_id=group.id)
    await coordinator_asks_all(sandbox, tg_bot, coordinator)
    report = await next_in(sandbox, coordinator.chat_with(tg_bot), "📬 Verzendrapport")
    assert (
        "⚠️ In Overvecht antwoordde Telegram niet op tijd; de peiling staat daar mogelijk "
        "twee keer." in (report.text or "")
    )
    await sandbox.wait_for(lambda: len(checkin_messages(sandbox, group, tg_bot)) == 2, 10)
    known = (await deliveries_of(app, 1))["Overvecht"].message_id
    [ghost] = [m for m in checkin_messages(sandbox, group, tg_bot) if m.message_id != known]

    figure = net["Overvecht"].key_figures[0]
    answer = await figure.press(ghost, text="Onrust")
    assert (answer.text or "").startswith("Genoteerd: Onrust")

    closed = await ask(
        sandbox, coordinator, tg_bot, "/sluit 1", lambda m: "gesloten" in (m.text or "")
    )
    assert (closed.text or "").startswith("🔒 Peiling #1 is gesloten")
    copies = checkin_messages(sandbox, group, tg_bot)
    await sandbox.wait_for(lambda: all("Gesloten." in (m.text or "") for m in copies), 10)
    # The copy nobody knew of counted and was closed like the other: the same final tally.
    assert [
        (m.text or "").endswith("1 van 1 bondgenoten heeft gereageerd.\nOnrust 1") for m in copies
    ] == [True, True]


async def test_sluit_closes_the_group_messages_and_sends_the_summary(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 2})
    chief, group = net["Overvecht"].chief, net["Overvecht"].group
    assert chief is not None
    await start_checkin(sandbox, tg_bot, chief)
    message = await next_in(sandbox, group, "📣 Peiling")

    figure = net["Overvecht"].key_figures[0]
    assert (await ask(sandbox, figure, tg_bot, "/sluit 1")).text == (
        "Die peiling kun jij niet sluiten: dat kan wie hem startte, een chef van een van de "
        "wijken of een coördinator."
    )
    reply = await ask(sandbox, chief, tg_bot, "/sluit", lambda m: "gesloten" in (m.text or ""))
    assert reply.text == (
        f"🔒 Peiling #1 is gesloten: {EVENT}\n"
        "De groepen zien nu de eindstand. De samenvatting gaat naar wie de peiling startte, "
        "naar de coördinatoren en naar elke chef van een gevraagde wijk (over diens wijken)."
    )
    await sandbox.wait_for(lambda: "Gesloten." in (message.text or ""), timeout=10)
    assert message.button_texts == []
    assert "0 van 2 bondgenoten hebben gereageerd." in (message.text or "")
    for person in (chief, coordinator):
        summary = await find_in(sandbox, person.chat_with(tg_bot), "📊 Samenvatting peiling #1")
        assert "Overvecht: 0 van 2 gereageerd (0%)" in (summary.text or "")

    [(checkin, _)] = await stored_checkins(app)
    assert checkin.status is CheckInStatus.CLOSED and checkin.closed_by_id is not None
    assert app.job_queue is not None and app.job_queue.get_jobs_by_name("close-1") == ()
    assert (await ask(sandbox, chief, tg_bot, "/sluit")).text == "Er staat geen peiling open."
    assert (await ask(sandbox, chief, tg_bot, "/sluit #1")).text == (
        "Peiling #1 was al gesloten (ma 2 nov 10:00)."
    )
    assert (await ask(sandbox, chief, tg_bot, "/sluit 99")).text == "Ik ken geen peiling #99."
    usage = await ask(sandbox, chief, tg_bot, "/sluit de laatste")
    assert (usage.text or "").startswith("Zo werkt /sluit: /sluit 12 sluit peiling #12.")
    reply = await ask(sandbox, chief, group, "/sluit 1")
    assert reply.text == "Dat doen we in de privéchat: stuur mij daar /sluit."


async def test_sluit_with_two_open_asks_which_and_a_forged_pick_changes_nothing(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 1, "Zuilen": 1})
    chief = net["Overvecht"].chief
    assert chief is not None
    await start_checkin(sandbox, tg_bot, chief, "Eerste gebeurtenis")
    await start_checkin(sandbox, tg_bot, chief, "Tweede gebeurtenis", duration="24 uur")
    pick = await ask(sandbox, chief, tg_bot, "/sluit")
    assert pick.text == "Welke peiling wil je sluiten?"
    assert pick.button_texts == ["🔒 #2 Tweede gebeurtenis", "🔒 #1 Eerste gebeurtenis"]

    # The chief of another district forges a press for #2: refused, nothing closes.
    other = net["Zuilen"].chief
    assert other is not None
    own = await ask(sandbox, other, tg_bot, "/peilingen")
    forged = await wait_answer(await other.forge_press(own, "sl:2"), 10)
    assert (forged.text or "").startswith("Die peiling kun jij niet sluiten")
    assert [c.status for c, _ in await stored_checkins(app)] == [CheckInStatus.OPEN] * 2

    await tap(sandbox, chief, pick, "🔒 #2 Tweede gebeurtenis", "is gesloten")
    assert (pick.text or "").startswith("🔒 Peiling #2 is gesloten: Tweede gebeurtenis")
    statuses = [c.status for c, _ in await stored_checkins(app)]
    assert statuses == [CheckInStatus.OPEN, CheckInStatus.CLOSED]
    assert app.job_queue is not None
    assert len(app.job_queue.get_jobs_by_name("close-1")) == 1
    assert app.job_queue.get_jobs_by_name("close-2") == ()


def _listing(message: Message) -> bool:
    return (message.text or "").startswith("📋")


async def test_peilingen_lists_open_and_recent_with_the_own_answer(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 2})
    chief, figure = net["Overvecht"].chief, net["Overvecht"].key_figures[0]
    assert chief is not None
    await start_checkin(sandbox, tg_bot, chief)
    message = await next_in(sandbox, net["Overvecht"].group, "📣 Peiling")
    await figure.press(message, text="Onrust")

    assert (await ask(sandbox, chief, tg_bot, "/peilingen", _listing)).text == (
        "📋 Peilingen — open en recent\n\n"
        f"#1 {EVENT}\n"
        "🟢 open · sluit ma 2 nov 12:00\n"
        "Overvecht · 1 van 2 gereageerd"
    )
    listed = await ask(sandbox, figure, tg_bot, "/peilingen", _listing)
    assert (listed.text or "").endswith("Overvecht · 1 van 2 gereageerd\nJouw antwoord: Onrust")
    stranger = sandbox.add_person("Onbekend", language_code="nl")
    await begin(sandbox, stranger, tg_bot)
    assert (await ask(sandbox, stranger, tg_bot, "/peilingen")).text == (
        "Je hoort nog bij geen enkele wijk, dus er zijn geen peilingen voor je."
    )
    await ask(sandbox, chief, tg_bot, "/sluit 1", lambda m: "gesloten" in (m.text or ""))
    listed = await ask(
        sandbox, coordinator, tg_bot, "/peilingen", lambda m: "📋" in (m.text or "")
    )
    assert "🔒 gesloten ma 2 nov 10:00" in (listed.text or "")


async def test_the_deadline_closes_it_through_its_job_even_when_the_job_runs_late(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person, clock: ShiftedClock
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 1})
    chief = net["Overvecht"].chief
    assert chief is not None
    await start_checkin(sandbox, tg_bot, chief)
    message = await next_in(sandbox, net["Overvecht"].group, "📣 Peiling")
    assert app.job_queue is not None
    [job] = app.job_queue.get_jobs_by_name("close-1")

    clock.advance(timedelta(hours=2, seconds=1))
    # The bot gets to the job half a minute late (APScheduler's default grace is 1 s).
    job.job.modify(next_run_time=datetime.now(UTC) - timedelta(seconds=30))
    await sandbox.wait_for(lambda: "Gesloten." in (message.text or ""), timeout=10)
    summary = await find_in(sandbox, chief.chat_with(tg_bot), "📊 Samenvatting peiling #1")
    assert "Open van ma 2 nov 10:00 tot 12:00." in (summary.text or "")
    [(checkin, _)] = await stored_checkins(app)
    assert checkin.status is CheckInStatus.CLOSED and checkin.closed_by_id is None
