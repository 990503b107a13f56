"""The roster end to end: /leden, removal, roles taken, /stoppen, and per-person menus.

Districts are made by the coordinator's own `/wijk <naam>` (handlers/districts/commands.py); people
join through real invitation links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from bot.app import AnyApp
from sandbox import Sandbox
from sandbox.models import BotAccount, CallbackQuery, Message
from sandbox.people import Person, wait_answer
from services.container import Services
from storage.models import District, Membership, Role
from storage.models import Person as PersonRow

LINK = re.compile(r"\?start=([A-Za-z0-9_-]{43})")
REFUSAL = "Dat kan ik niet voor je doen: daarvoor heb je niet de juiste rol."


def services_of(app: AnyApp) -> Services:
    services = app.bot_data.services
    assert services is not None
    return services


async def ask(sandbox: Sandbox, person: Person, bot: BotAccount, text: str) -> str:
    """Send text privately and return the text of the bot's next reply."""
    sent = await person.send(bot, text)
    reply = await sandbox.next_message(sent.chat, after=sent, timeout=5)
    assert reply.text is not None
    return reply.text


async def ask_message(sandbox: Sandbox, person: Person, bot: BotAccount, text: str) -> Message:
    sent = await person.send(bot, text)
    return await sandbox.next_message(sent.chat, after=sent, timeout=5)


async def join(
    sandbox: Sandbox, coordinator: Person, bot: BotAccount, person: Person, invitation: str
) -> None:
    """The coordinator invites (`/uitnodigen <invitation>`); the person opens it and joins."""
    made = await ask(sandbox, coordinator, bot, f"/uitnodigen {invitation}")
    found = LINK.search(made)
    assert found, made
    started = await person.start(bot, found.group(1))
    agreement = await sandbox.next_message(started.chat, after=started, timeout=5)
    await person.press(agreement, text="Doe mee")
    welcome = await sandbox.next_message(started.chat, after=agreement, timeout=5)
    assert str(welcome.text).startswith("Welkom")


@dataclass
class Network:
    """Overvecht with a chief and two key figures; Kanaleneiland with one key figure."""

    chief: Person
    fatima: Person
    bilal: Person
    karim: Person


async def network(sandbox: Sandbox, bot: BotAccount, coordinator: Person) -> Network:
    started = await coordinator.start(bot)
    await sandbox.next_message(started.chat, after=started, timeout=5)
    for name in ("Overvecht", "Kanaleneiland"):
        assert "aangemaakt" in await ask(sandbox, coordinator, bot, f"/wijk {name}")
    net = Network(
        sandbox.add_person("Jan", "de Vries", language_code="nl"),
        sandbox.add_person("Fatima", language_code="nl"),
        sandbox.add_person("Bilal", language_code="nl"),
        sandbox.add_person("Karim", language_code="nl"),
    )
    await join(sandbox, coordinator, bot, net.chief, "Overvecht chef")
    await join(sandbox, coordinator, bot, net.fatima, "Overvecht")
    await join(sandbox, coordinator, bot, net.bilal, "Overvecht")
    await join(sandbox, coordinator, bot, net.karim, "Kanaleneiland")
    return net


async def memberships_of(app: AnyApp, person: Person) -> list[tuple[str, Role]]:
    async with services_of(app).uow() as uow:
        rows = await uow.session.execute(
            select(District.name, Membership.role)
            .join(District, District.id == Membership.district_id)
            .join(PersonRow, PersonRow.id == Membership.person_id)
            .where(PersonRow.telegram_user_id == person.id)
            .order_by(District.name)
        )
        return [(name, role) for name, role in rows]


def menu(sandbox: Sandbox, bot: BotAccount, person: Person) -> list[str]:
    """The commands in this person's own menu (per-chat scope)."""
    scope = {"type": "chat", "chat_id": person.id}
    return [c["command"] for c in sandbox.commands(bot, scope)]


async def next_text(sandbox: Sandbox, person: Person, bot: BotAccount, after: Message) -> str:
    message = await sandbox.next_message(person.chat_with(bot), after=after, timeout=5)
    return str(message.text)


async def test_roster_for_chief_and_coordinator_refused_to_others(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    net = await network(sandbox, tg_bot, coordinator)
    roster = await ask(sandbox, net.chief, tg_bot, "/leden overvecht")
    lines = roster.splitlines()
    assert lines[0] == "Overvecht: 3 leden"
    # Chiefs first, then key figures by name; the Telegram id to act on them.
    assert lines[1].startswith(f"• Jan de Vries {net.chief.id} — chef, lid sinds ")
    assert lines[3].startswith(f"• Bilal {net.bilal.id} — bondgenoot, lid sinds ")
    assert lines[4].strip() == "privé bereikbaar · laatste antwoord: nog geen"
    assert lines[5].startswith("• Fatima ")
    assert await ask(sandbox, coordinator, tg_bot, "/leden Overvecht") == roster

    # Bilal blocks the bot: the roster says so at once; unblocking makes him reachable again,
    # and his menu is set anew. (Updates are handled in order, so the next /leden sees it.)
    await net.bilal.block(tg_bot)
    roster = await ask(sandbox, coordinator, tg_bot, "/leden Overvecht")
    assert roster.splitlines()[4].strip().startswith("privé niet bereikbaar")
    sandbox.world.commands.clear()
    await net.bilal.unblock(tg_bot)
    roster = await ask(sandbox, coordinator, tg_bot, "/leden Overvecht")
    assert roster.splitlines()[4].strip().startswith("privé bereikbaar")
    await sandbox.wait_for(lambda: menu(sandbox, tg_bot, net.bilal) != [])
    # A send that got 403 marked him too; any private message makes him reachable again.
    await services_of(app).people.mark_person_unreachable(net.bilal.id)
    assert "privé niet bereikbaar" in (await ask(sandbox, coordinator, tg_bot, "/leden Overvecht"))
    await net.bilal.send(tg_bot, "hallo")
    # Updates are handled one at a time: once /help is answered, "hallo" has been seen.
    await ask(sandbox, net.bilal, tg_bot, "/help")
    roster = await ask(sandbox, coordinator, tg_bot, "/leden Overvecht")
    assert roster.splitlines()[4].strip().startswith("privé bereikbaar")
    # Strangers who block or write are not stored.
    stranger = sandbox.add_person("Stan", language_code="nl")
    started = await stranger.start(tg_bot)
    await sandbox.next_message(started.chat, after=started, timeout=5)  # the welcome
    await stranger.block(tg_bot)
    await stranger.unblock(tg_bot)
    # Answered (so its reply cannot pass for the reply to the next command).
    assert (await ask(sandbox, stranger, tg_bot, "hallo")).startswith("Ik heb je niets gevraagd")

    # The same refusal whether the district exists, is another's, or is made up.
    for who, district in (
        (net.chief, "Kanaleneiland"),
        (net.chief, "Nergensland"),
        (net.fatima, "Overvecht"),
        (net.karim, "Overvecht"),
    ):
        assert await ask(sandbox, who, tg_bot, f"/leden {district}") == REFUSAL
    assert await ask(sandbox, stranger, tg_bot, "/leden Overvecht") == REFUSAL
    assert await ask(sandbox, stranger, tg_bot, "/leden Nergensland") == REFUSAL
    # Only a coordinator learns that a name is unknown, with the closest ones.
    typo = await ask(sandbox, coordinator, tg_bot, "/leden Overvect")
    assert typo == "Ik ken geen wijk ‘Overvect’. Bedoel je: Overvecht?"
    assert (await ask(sandbox, coordinator, tg_bot, "/leden")).startswith("Zo zie je wie")
    async with services_of(app).uow() as uow:
        stored = select(PersonRow.id).where(PersonRow.telegram_user_id == stranger.id)
        assert await uow.session.scalar(stored) is None


async def test_removal_and_role_taken_tell_the_person_and_change_menus(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    net = await network(sandbox, tg_bot, coordinator)
    # Two people of the same name in one district.
    other_fatima = sandbox.add_person("Fatima", language_code="nl")
    await join(sandbox, coordinator, tg_bot, other_fatima, "Overvecht")

    assert menu(sandbox, tg_bot, net.fatima) == [
        "peilingen", "acties", "afwezig", "terug", "dieet", "privacy", "mijngegevens",
        "vergeetmij", "akkoord", "taal", "stoppen", "help",
    ]  # fmt: skip
    ambiguous = await ask(sandbox, coordinator, tg_bot, "/verwijderen Overvecht fatima")
    assert ambiguous.splitlines() == [
        "Meer mensen heten zo. Gebruik het nummer van degene die je bedoelt:",
        f"• Fatima — {net.fatima.id}",
        f"• Fatima — {other_fatima.id}",
    ]
    last = sandbox.last_sent(net.fatima.chat_with(tg_bot), tg_bot)
    assert last is not None
    done = await ask(sandbox, coordinator, tg_bot, f"/verwijderen Overvecht {net.fatima.id}")
    assert (
        done == "Fatima hoort niet meer bij Overvecht (was bondgenoot) en krijgt daarvan bericht."
    )
    told = await next_text(sandbox, net.fatima, tg_bot, last)
    assert told.startswith(
        "De coördinator heeft je uit Overvecht gehaald; je was daar bondgenoot."
    )
    assert await memberships_of(app, net.fatima) == []
    await sandbox.wait_for(
        lambda: menu(sandbox, tg_bot, net.fatima) == ["privacy", "taal", "start", "help"]
    )
    assert await memberships_of(app, other_fatima) == [("Overvecht", Role.KEY_FIGURE)]

    # A chief may not remove; nobody learns from the refusal whether the name exists.
    assert await ask(sandbox, net.chief, tg_bot, "/verwijderen Overvecht Bilal") == REFUSAL
    assert await ask(sandbox, net.chief, tg_bot, "/verwijderen Nergensland Bilal") == REFUSAL
    assert await memberships_of(app, net.bilal) == [("Overvecht", Role.KEY_FIGURE)]
    nobody = await ask(sandbox, coordinator, tg_bot, "/verwijderen Overvecht Niemand")
    assert nobody == "Ik vind niemand die ‘Niemand’ heet of dat nummer heeft."
    usage = await ask(sandbox, coordinator, tg_bot, "/verwijderen Overvecht")
    assert usage.startswith("Zo haal je iemand uit een wijk")

    # The chief's role, taken away everywhere: told, and the menu shrinks.
    chief_menu = menu(sandbox, tg_bot, net.chief)
    assert "peiling" in chief_menu and "leden" in chief_menu and "uitnodigen" not in chief_menu
    last = sandbox.last_sent(net.chief.chat_with(tg_bot), tg_bot)
    assert last is not None
    done = await ask(sandbox, coordinator, tg_bot, "/rolweg jan de vries chef")
    assert (
        done
        == "Jan de Vries is geen chef meer in: Overvecht. We hebben het Jan de Vries laten weten."
    )
    told = await next_text(sandbox, net.chief, tg_bot, last)
    assert told.startswith("Je bent geen chef meer (dat was je in: Overvecht).")
    await sandbox.wait_for(
        lambda: menu(sandbox, tg_bot, net.chief) == ["privacy", "taal", "start", "help"]
    )
    assert await memberships_of(app, net.chief) == []
    assert (await ask(sandbox, coordinator, tg_bot, "/rolweg Jan")).startswith("Zo neem je")
    assert await ask(sandbox, net.bilal, tg_bot, f"/rolweg {net.karim.id} bondgenoot") == REFUSAL


async def test_menus_differ_per_role(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    net = await network(sandbox, tg_bot, coordinator)
    coordinator_menu = menu(sandbox, tg_bot, coordinator)
    chief_menu = menu(sandbox, tg_bot, net.chief)
    figure_menu = menu(sandbox, tg_bot, net.fatima)
    assert {"uitnodigen", "verwijderen", "wijk", "leden", "export", "audit"} <= set(
        coordinator_menu
    )
    assert {"peiling", "leden", "stoppen", "export", "trend", "overzicht"} <= set(chief_menu)
    # The audit log shows everybody's doings: coordinators only.
    assert not {"uitnodigen", "verwijderen", "wijk", "audit"} & set(chief_menu)
    assert figure_menu == [
        "peilingen", "acties", "afwezig", "terug", "dieet", "privacy", "mijngegevens",
        "vergeetmij", "akkoord", "taal", "stoppen", "help",
    ]  # fmt: skip
    assert len({tuple(coordinator_menu), tuple(chief_menu), tuple(figure_menu)}) == 3
    # The menu's descriptions are the Dutch ones.
    scope = {"type": "chat", "chat_id": net.fatima.id}
    assert {"command": "stoppen", "description": "Stoppen als bondgenoot of chef"} in (
        sandbox.commands(tg_bot, scope)
    )
    # A key figure who becomes chief of a second district gets the chief's menu as well.
    await join(sandbox, coordinator, tg_bot, net.fatima, "Kanaleneiland chef")
    await sandbox.wait_for(lambda: "peiling" in menu(sandbox, tg_bot, net.fatima))
    assert {"peiling", "leden", "peilingen"} <= set(menu(sandbox, tg_bot, net.fatima))


async def test_stopping_with_confirmation(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    net = await network(sandbox, tg_bot, coordinator)
    # One membership: yes or no.
    question = await ask_message(sandbox, net.bilal, tg_bot, "/stoppen")
    assert str(question.text).startswith("Je bent nu:\n• bondgenoot van Overvecht")
    assert question.button_texts == ["Ja, stoppen", "Nee, ik blijf"]
    await net.bilal.press(question, text="Nee, ik blijf")
    await sandbox.wait_for(
        lambda: question.text == "Goed, er verandert niets. Fijn dat je blijft!"
    )
    assert await memberships_of(app, net.bilal) == [("Overvecht", Role.KEY_FIGURE)]

    question = await ask_message(sandbox, net.bilal, tg_bot, "/stoppen")
    # A forged press first: another reference, an index out of range.
    ref = str(question.buttons[0]["callback_data"]).split(":")[1]
    stale = "Deze knop werkt niet meer. Stuur /stoppen opnieuw."
    for data in ("stop:AAAAAAAA:0", f"stop:{ref}:5", f"stop:{ref}:-2", "stop:x"):
        query = await net.bilal.forge_press(question, data)
        assert (await _answer(query)) == stale
    assert await memberships_of(app, net.bilal) == [("Overvecht", Role.KEY_FIGURE)]
    # Karim presses Bilal's very button data in his own chat: it is not his to press.
    karim_question = await ask_message(sandbox, net.karim, tg_bot, "/stoppen")
    query = await net.karim.forge_press(karim_question, f"stop:{ref}:0")
    assert (await _answer(query)) == stale
    assert await memberships_of(app, net.karim) == [("Kanaleneiland", Role.KEY_FIGURE)]
    # Bilal's own valid reference, forged onto a bot message in a group: refused there.
    group = await coordinator.create_group("Overvecht", members=[net.bilal], bots=[tg_bot])
    hello = await sandbox.next_message(group, timeout=5)
    for data in (f"stop:{ref}:0", f"stpx:{ref}"):
        assert (await _answer(await net.bilal.forge_press(hello, data))) == stale
    assert hello.edits == []

    last_chief = sandbox.last_sent(net.chief.chat_with(tg_bot), tg_bot)
    assert last_chief is not None
    await net.bilal.press(question, text="Ja, stoppen")
    await sandbox.wait_for(lambda: str(question.text).startswith("Je bent gestopt als"))
    assert question.text == (
        "Je bent gestopt als bondgenoot van Overvecht. Bedankt voor je inzet voor de wijk! "
        "Wil je later weer meedoen? Vraag de coördinator dan om een nieuwe uitnodiging."
    )
    assert question.keyboard == []
    assert await memberships_of(app, net.bilal) == []
    # The district's chief and the coordinator hear it; Bilal's menu shrinks.
    told = await next_text(sandbox, net.chief, tg_bot, last_chief)
    assert told == "Bilal is gestopt als bondgenoot van Overvecht."
    await sandbox.wait_for(
        lambda: any(
            m.text == "Bilal is gestopt als bondgenoot van Overvecht."
            for m in sandbox.sent(coordinator.chat_with(tg_bot), tg_bot)
        )
    )
    await sandbox.wait_for(
        lambda: menu(sandbox, tg_bot, net.bilal) == ["privacy", "taal", "start", "help"]
    )
    # Pressing the old button again, or /stoppen with nothing left: friendly, nothing changes.
    query = await net.bilal.forge_press(question, f"stop:{ref}:0")
    assert (await _answer(query)) == stale
    assert await ask(sandbox, net.bilal, tg_bot, "/stoppen") == (
        "Je bent op dit moment geen bondgenoot of chef van een wijk, dus er valt niets te stoppen."
    )
    stranger = sandbox.add_person("Stan", language_code="nl")
    assert (await ask(sandbox, stranger, tg_bot, "/stoppen")).startswith("Je bent op dit moment")


async def test_a_chief_of_two_districts_picks_one_then_leaves_everywhere(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    net = await network(sandbox, tg_bot, coordinator)
    await join(sandbox, coordinator, tg_bot, net.chief, "Kanaleneiland chef")
    question = await ask_message(sandbox, net.chief, tg_bot, "/stoppen")
    assert question.button_texts == [
        "Stoppen in Kanaleneiland",
        "Stoppen in Overvecht",
        "Overal stoppen",
        "Nee, ik blijf",
    ]
    await net.chief.press(question, text="Stoppen in Overvecht")
    await sandbox.wait_for(lambda: str(question.text).startswith("Je bent gestopt als"))
    assert str(question.text).startswith("Je bent gestopt als chef van Overvecht.")
    assert await memberships_of(app, net.chief) == [("Kanaleneiland", Role.CHIEF)]

    question = await ask_message(sandbox, net.chief, tg_bot, "/stoppen")
    assert question.button_texts == ["Ja, stoppen", "Nee, ik blijf"]
    await join(sandbox, coordinator, tg_bot, net.chief, "Overvecht chef")
    question = await ask_message(sandbox, net.chief, tg_bot, "/stoppen")
    await net.chief.press(question, text="Overal stoppen")
    await sandbox.wait_for(lambda: str(question.text).startswith("Je bent gestopt in 2 wijken"))
    assert str(question.text).startswith(
        "Je bent gestopt in 2 wijken: chef van Kanaleneiland, chef van Overvecht."
    )
    assert await memberships_of(app, net.chief) == []


async def _answer(query: CallbackQuery) -> str | None:
    """The text the bot answered a press with."""
    return (await wait_answer(query, 5)).text
