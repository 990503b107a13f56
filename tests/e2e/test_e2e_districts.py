"""Districts end to end: a coordinator manages them in the private chat, others are refused."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import AnyApp
from sandbox import Sandbox
from sandbox.models import BotAccount, Message
from sandbox.people import Person
from services.checkins.outcomes import CheckInStarted
from services.container import Services
from services.intake import Joined
from services.invitations import InvitationCreated
from storage.models import Answer, AuditEntry, District, Role
from storage.models import Person as PersonRow
from tests.e2e.e2e_world import build_network, checkin_messages, tap


async def ask(sandbox: Sandbox, person: Person, bot: BotAccount, text: str) -> str:
    """Send text to the bot privately and return the text of its next reply."""
    sent = await person.send(bot, text)
    reply = await sandbox.next_message(sent.chat, after=sent, timeout=5)
    assert reply.text is not None
    return reply.text


async def begin(sandbox: Sandbox, person: Person, bot: BotAccount) -> None:
    """Press Start and wait for the welcome, so later replies are not mixed up with it."""
    started = await person.start(bot)
    await sandbox.next_message(started.chat, after=started, timeout=5)


def services_of(app: AnyApp) -> Services:
    services = app.bot_data.services
    assert services is not None
    return services


async def stored_districts(app: AnyApp) -> dict[str, bool]:
    """Every district in the database: name → archived."""
    async with services_of(app).uow() as uow:
        rows = await uow.session.scalars(select(District).order_by(District.id))
        return {d.name: d.archived_at is not None for d in rows}


async def audit_actions(app: AnyApp, prefix: str) -> list[str]:
    """The audit log's actions that start with prefix, oldest first."""
    async with services_of(app).uow() as uow:
        query = select(AuditEntry.action).where(AuditEntry.action.startswith(prefix))
        return list(await uow.session.scalars(query.order_by(AuditEntry.id)))


async def test_coordinator_creates_lists_renames_archives_and_restores(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    await begin(sandbox, coordinator, tg_bot)
    assert "aangemaakt" in await ask(sandbox, coordinator, tg_bot, "/wijk Overvecht")
    # Same name with other case and spaces: refused, the existing spelling shown.
    text = await ask(sandbox, coordinator, tg_bot, "/wijk   overVECHT  ")
    assert text == "Er is al een wijk met die naam: Overvecht."
    assert "aangemaakt" in await ask(sandbox, coordinator, tg_bot, "/wijk Kanaleneiland")

    listing = await ask(sandbox, coordinator, tg_bot, "/wijken")
    assert listing.startswith("2 wijken")
    assert listing.count("Groep: nog niet gekoppeld") == 2
    assert "0 bondgenoten · nog geen chef" in listing

    text = await ask(
        sandbox, coordinator, tg_bot, "/wijk hernoem kanaleneiland = Kanaleneiland-Noord"
    )
    assert text == "Wijk Kanaleneiland heet nu Kanaleneiland-Noord."
    # Wrong syntax (no '='), no arguments: the usage line.
    for wrong in ("/wijk hernoem Overvecht Noord", "/wijk", "/wijk archiveer"):
        assert (await ask(sandbox, coordinator, tg_bot, wrong)).startswith("Zo werkt /wijk:")
    # A typo: the closest names.
    text = await ask(sandbox, coordinator, tg_bot, "/wijk archiveer Overvect")
    assert text == "Ik ken geen wijk ‘Overvect’. Bedoel je: Overvecht?"

    assert "gearchiveerd" in await ask(sandbox, coordinator, tg_bot, "/wijk archiveer Overvecht")
    text = await ask(sandbox, coordinator, tg_bot, "/wijk archiveer overvecht")
    assert text == "Wijk Overvecht was al gearchiveerd."
    assert "Overvecht · gearchiveerd" in await ask(sandbox, coordinator, tg_bot, "/wijken")
    assert await stored_districts(app) == {"Overvecht": True, "Kanaleneiland-Noord": False}

    text = await ask(sandbox, coordinator, tg_bot, "/wijk herstel Overvecht")
    assert text == "Wijk Overvecht is weer in gebruik."
    assert await stored_districts(app) == {"Overvecht": False, "Kanaleneiland-Noord": False}
    assert await audit_actions(app, "district.") == [
        "district.created",
        "district.created",
        "district.renamed",
        "district.archived",
        "district.unarchived",
    ]


async def test_strangers_and_chiefs_get_one_friendly_line(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    await begin(sandbox, coordinator, tg_bot)
    await ask(sandbox, coordinator, tg_bot, "/wijk Overvecht")
    await ask(sandbox, coordinator, tg_bot, "/wijk Zuilen")
    # The chief joins through the intake services (the intake conversation is tested elsewhere).
    services = services_of(app)
    chief = sandbox.add_person("Charlotte", "Chef", language_code="nl")
    cor = services.actor(coordinator.id, "Cor")
    made = await services.invitations.create_invitation(cor, "Overvecht", Role.CHIEF)
    assert isinstance(made, InvitationCreated)
    joined = await services.intake.accept_invitation(made.token, chief.id, "Charlotte Chef", "nl")
    assert isinstance(joined, Joined)
    await begin(sandbox, chief, tg_bot)

    stranger = sandbox.add_person("Sam", language_code="nl")
    await begin(sandbox, stranger, tg_bot)
    refusal = "Wijken beheren kan alleen een coördinator."
    # Existing, unknown and malformed all read alike: nothing reveals what exists.
    for person in (stranger, chief):
        answers = {
            await ask(sandbox, person, tg_bot, command)
            for command in (
                "/wijk Overvecht",
                "/wijk Nergenshuizen",
                "/wijk archiveer Overvecht",
                "/wijk archiveer Nergenshuizen",
                "/wijk hernoem Overvecht = Kapot",
                "/wijk hernoem Nergens = Kapot",
                "/wijk",
            )
        }
        assert len(answers) == 1 and next(iter(answers)).startswith(refusal)

    assert (await ask(sandbox, stranger, tg_bot, "/wijken")).startswith("Je hebt geen wijken")
    # A chief sees their own district only.
    listing = await ask(sandbox, chief, tg_bot, "/wijken")
    assert listing.startswith("1 wijk\n")
    assert "Overvecht" in listing and "Zuilen" not in listing
    assert "chef: Charlotte Chef" in listing
    assert await stored_districts(app) == {"Overvecht": False, "Zuilen": False}


async def test_wijk_in_a_group_and_edited_commands_are_ignored(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    await begin(sandbox, coordinator, tg_bot)
    tg_bot.privacy_mode = False  # let the sandbox deliver everything; the bot must still ignore
    group = await coordinator.create_group("Losse groep", bots=[tg_bot])
    hello = await sandbox.next_message(group, timeout=5)  # the bot says how to link it
    await coordinator.send(group, "/wijk Groepwijk")
    sent: Message = await coordinator.send(tg_bot, "/wijk Eerst")
    await sandbox.next_message(sent.chat, after=sent, timeout=5)
    await coordinator.edit(sent, "/wijk Later")
    # A later command's answer proves the earlier updates were handled (in order) already.
    assert "aangemaakt" in await ask(sandbox, coordinator, tg_bot, "/wijk Daarna")
    assert await stored_districts(app) == {"Eerst": False, "Daarna": False}
    assert sandbox.sent(group, tg_bot) == [hello]


async def test_private_question_set_with_wijk_reaches_each_key_figure(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    network = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 2, "Zuilen": 1})
    text = await ask(sandbox, coordinator, tg_bot, "/wijk privé overvecht AAN")
    assert text == "Wijk Overvecht is bijgewerkt: privé vraag: aan · telling: zichtbaar."
    text = await ask(sandbox, coordinator, tg_bot, "/wijk prive Overvecht aan")
    assert text == "Wijk Overvecht stond al zo ingesteld: privé vraag: aan · telling: zichtbaar."
    text = await ask(sandbox, coordinator, tg_bot, "/wijk telling Zuilen verbergen")
    assert text == "Wijk Zuilen is bijgewerkt: privé vraag: uit · telling: verborgen."
    for wrong in ("/wijk privé Overvecht misschien", "/wijk telling Zuilen", "/wijk privé"):
        assert (await ask(sandbox, coordinator, tg_bot, wrong)).startswith("Zo werkt /wijk:")
    listing = await ask(sandbox, coordinator, tg_bot, "/wijken")
    assert "2 bondgenoten · chef: Jan de Vries\nprivé vraag: aan · telling: zichtbaar" in listing
    assert "1 bondgenoot · chef: Petra Bakker\nprivé vraag: uit · telling: verborgen" in listing
    # A chief may not change it, and hears nothing about which districts exist.
    chief = network["Overvecht"].chief
    assert chief is not None
    for command in ("/wijk privé Overvecht uit", "/wijk telling Nergens tonen"):
        reply = await ask(sandbox, chief, tg_bot, command)
        assert reply.startswith("Wijken beheren kan alleen een coördinator.")
    assert await audit_actions(app, "district.configured") == ["district.configured"] * 2

    services = services_of(app)
    actor = services.actor(coordinator.id, "Cor Dinator")
    # Urgent: this test runs on the real clock, and quiet hours would hold the private copies.
    started = await services.checkins.start.start_checkin(
        actor, "Brand bij de moskee", ["Overvecht", "Zuilen"], timedelta(hours=2), urgent=True
    )
    assert isinstance(started, CheckInStarted)
    await services.checkins.broadcast.broadcast(started.checkin_id)

    fatima, mehmet = network["Overvecht"].key_figures
    [sanne] = network["Zuilen"].key_figures
    for person in (fatima, mehmet):
        chat = person.chat_with(tg_bot)
        await sandbox.wait_for(lambda c=chat: checkin_messages(sandbox, c, tg_bot), timeout=10)
        [question] = checkin_messages(sandbox, chat, tg_bot)
        assert "Hoe is de stemming in Overvecht?" in (question.text or "")
        assert "Alleen de chefs van je wijk en de coördinatoren zien je antwoord." in (
            question.text or ""
        )
        assert question.button_texts == [
            "Rustig",
            "Onderwerp van gesprek",
            "Onrust",
            "Spanning loopt op",
            "Acuut",
            "Weet niet",
        ]
    # Zuilen asks in its group only; the chief is no key figure and gets no question.
    assert checkin_messages(sandbox, sanne.chat_with(tg_bot), tg_bot) == []
    assert checkin_messages(sandbox, chief.chat_with(tg_bot), tg_bot) == []
    assert len(checkin_messages(sandbox, network["Zuilen"].group, tg_bot)) == 1

    [private] = checkin_messages(sandbox, fatima.chat_with(tg_bot), tg_bot)
    answer = await tap(sandbox, fatima, private, "Onrust")
    assert (answer.text or "").startswith("Genoteerd: Onrust — je kunt dit wijzigen tot ")
    async with services.uow() as uow:
        rows = await uow.session.execute(
            select(PersonRow.display_name, Answer.code)
            .join(PersonRow, PersonRow.id == Answer.person_id)
            .where(Answer.checkin_id == started.checkin_id)
        )
        assert list(rows) == [("Fatima", 3)]
