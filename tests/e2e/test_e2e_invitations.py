"""Invitations and intake end to end: links made, opened, joined, declined, expired, forged.

Districts are made by the coordinator's own `/wijk <naam>` (handlers/districts/commands.py).
The bot runs on a clock the tests move, so a link can expire without waiting a week.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.app import AnyApp, build_application
from bot.runner import running
from bot.settings import Settings
from sandbox import Sandbox
from sandbox.models import BotAccount, CallbackQuery, Message
from sandbox.people import Person, wait_answer
from services.container import Services
from services.intake import AGREEMENT_VERSION
from services.tokens import hash_token
from storage.models import AuditEntry, District, Invitation, Membership, Role
from storage.models import Person as PersonRow

LINK = re.compile(r"https://t\.me/bondgenoten_test_bot\?start=([A-Za-z0-9_-]{43})")


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self) -> None:
        self.now_ = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        """Return the current fake time."""
        return self.now_

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self.now_ += delta


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def app(make_settings: Callable[..., Settings], clock: FakeClock) -> AsyncIterator[AnyApp]:
    """The real bot on the sandbox, its clock in the test's hand."""
    from storage.migrate import upgrade_url

    settings = make_settings()
    await upgrade_url(settings.database_url)
    async with running(build_application(settings, clock=clock), poll_timeout=1) as application:
        yield application


def services_of(app: AnyApp) -> Services:
    services = app.bot_data.services
    assert services is not None
    return services


async def ask(sandbox: Sandbox, person: Person, bot: BotAccount, text: str) -> Message:
    """Send text privately and return the bot's next reply."""
    sent = await person.send(bot, text)
    return await sandbox.next_message(sent.chat, after=sent, timeout=5)


async def begin(sandbox: Sandbox, person: Person, bot: BotAccount) -> None:
    """Press Start and wait for the welcome."""
    started = await person.start(bot)
    await sandbox.next_message(started.chat, after=started, timeout=5)


async def make_districts(
    sandbox: Sandbox, coordinator: Person, bot: BotAccount, *names: str
) -> None:
    await begin(sandbox, coordinator, bot)
    for name in names:
        assert "aangemaakt" in str((await ask(sandbox, coordinator, bot, f"/wijk {name}")).text)


async def invite(
    sandbox: Sandbox, coordinator: Person, bot: BotAccount, args: str
) -> tuple[str, str]:
    """Have the coordinator make an invitation; return its token and the reply text."""
    reply = await ask(sandbox, coordinator, bot, f"/uitnodigen {args}")
    assert reply.text is not None
    found = LINK.search(reply.text)
    assert found, reply.text
    return found.group(1), reply.text


async def open_link(sandbox: Sandbox, person: Person, bot: BotAccount, token: str) -> Message:
    """Open t.me/<bot>?start=<token> and return what the bot shows."""
    started = await person.start(bot, token)
    return await sandbox.next_message(started.chat, after=started, timeout=5)


async def join(sandbox: Sandbox, person: Person, bot: BotAccount, token: str) -> str:
    """Open the link, press 'Doe mee', and return the welcome."""
    agreement = await open_link(sandbox, person, bot, token)
    await person.press(agreement, text="Doe mee")
    welcome = await sandbox.next_message(agreement.chat, after=agreement, timeout=5)
    assert welcome.text is not None
    return welcome.text


async def people_count(app: AnyApp) -> int:
    async with services_of(app).uow() as uow:
        return int(await uow.session.scalar(select(func.count(PersonRow.id))) or 0)


async def person_row(app: AnyApp, person: Person) -> tuple[str, bool] | None:
    """(display name, privately reachable) as stored, or None for a stranger."""
    async with services_of(app).uow() as uow:
        query = select(PersonRow).where(PersonRow.telegram_user_id == person.id)
        row = await uow.session.scalar(query)
        return (row.display_name, row.privately_reachable) if row else None


async def memberships_of(app: AnyApp, person: Person) -> list[tuple[str, Role, str | None]]:
    """(district, role, agreement version) of each of the person's memberships."""
    async with services_of(app).uow() as uow:
        rows = await uow.session.execute(
            select(District.name, Membership.role, Membership.agreement_version)
            .join(District, District.id == Membership.district_id)
            .join(PersonRow, PersonRow.id == Membership.person_id)
            .where(PersonRow.telegram_user_id == person.id)
            .order_by(District.name)
        )
        return [(name, role, version) for name, role, version in rows]


def texts(sandbox: Sandbox, person: Person, bot: BotAccount) -> list[str]:
    return [m.text or "" for m in sandbox.sent(person.chat_with(bot), bot)]


async def test_coordinator_invites_a_chief_and_five_key_figures_who_join(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    await make_districts(sandbox, coordinator, tg_bot, "Overvecht")
    token, made = await invite(sandbox, coordinator, tg_bot, "overvecht chef")
    assert made.startswith("Uitnodiging #1: chef van Overvecht")
    # Single-use, personal, and the expiry in local time (09:00 UTC is 10:00 in Amsterdam).
    assert "persoonlijk en werkt maar één keer" in made
    assert "Geldig tot ma 9 nov 10:00" in made

    chief = sandbox.add_person("Jan", "de Vries", language_code="nl")
    agreement = await open_link(sandbox, chief, tg_bot, token)
    assert agreement.text is not None
    assert agreement.text.startswith("Uitnodiging: chef van Overvecht")
    for promise in (
        "niet vrijblijvend: we staan samen voor de wijk",
        "Je Telegram-id en naam, je wijk en je rol, je antwoorden",
        "De chefs van je wijk en de coördinatoren",
        "onder een pseudoniem",
        "Toelichtingen en contactverzoeken: 90 dagen nadat de peiling sloot.",
        "niet end-to-end versleuteld",
        "stuur /stoppen",
        f"Afspraken versie {AGREEMENT_VERSION}",
    ):
        assert promise in agreement.text
    assert agreement.button_texts == ["Doe mee", "Nee, bedankt"]
    # Opening the link stored nothing: only the coordinator is known. What waits for the
    # press is the token sealed (its hash, as the invitations table keeps it), never the
    # token itself: webhook workers share this through the database.
    assert await people_count(app) == 1
    assert list(app.user_data[chief.id]["intake_tokens"].values()) == [hash_token(token)]

    await chief.press(agreement, text="Doe mee")
    welcome = await sandbox.next_message(agreement.chat, after=agreement, timeout=5)
    assert welcome.text is not None and welcome.text.startswith("Welkom als chef van Overvecht!")
    assert agreement.keyboard == []  # the agreement stays, its buttons are gone

    names = ["Fatima", "Mehmet", "Sanne", "Youssef", "Ilse"]
    figures = [sandbox.add_person(name, language_code="nl") for name in names]
    for figure in figures:
        link, _ = await invite(sandbox, coordinator, tg_bot, "Overvecht")
        welcome_text = await join(sandbox, figure, tg_bot, link)
        assert welcome_text.startswith("Welkom bij de bondgenoten van Overvecht!")
        assert "Wat er nu gebeurt" in welcome_text

    # The inviting coordinator was told about each.
    await sandbox.wait_for(
        lambda: len([t for t in texts(sandbox, coordinator, tg_bot) if "aangenomen" in t]) == 6
    )
    told = [t for t in texts(sandbox, coordinator, tg_bot) if "aangenomen" in t]
    assert told[0] == "Jan de Vries heeft je uitnodiging aangenomen en is nu chef van Overvecht."
    assert told[1] == "Fatima heeft je uitnodiging aangenomen en is nu bondgenoot van Overvecht."

    # The database: the people, their role, the agreement's version, every link used up.
    assert await memberships_of(app, chief) == [("Overvecht", Role.CHIEF, AGREEMENT_VERSION)]
    for figure in figures:
        assert await person_row(app, figure) == (figure.first_name, True)
        assert await memberships_of(app, figure) == [
            ("Overvecht", Role.KEY_FIGURE, AGREEMENT_VERSION)
        ]
    async with services_of(app).uow() as uow:
        invitations = list(await uow.session.scalars(select(Invitation)))
        assert len(invitations) == 6
        assert all(i.used_at is not None and i.used_by_id is not None for i in invitations)
        accepted = await uow.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "invitation.accepted")
        )
        assert accepted == 6
    # Nothing is left open.
    listing = await ask(sandbox, coordinator, tg_bot, "/uitnodigingen")
    assert listing.text == "Er staan geen uitnodigingen open."


async def test_declining_stores_nothing_and_tells_the_coordinator(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    await make_districts(sandbox, coordinator, tg_bot, "Overvecht")
    token, _ = await invite(sandbox, coordinator, tg_bot, "Overvecht")
    ali = sandbox.add_person("Ali", language_code="nl")
    agreement = await open_link(sandbox, ali, tg_bot, token)
    await ali.press(agreement, text="Nee, bedankt")  # answered, or press() would time out
    goodbye = await sandbox.next_message(agreement.chat, after=agreement, timeout=5)
    assert goodbye.text is not None
    assert goodbye.text.startswith(
        "Jammer, maar helemaal goed. We hebben niets over je opgeslagen."
    )
    await sandbox.wait_for(
        lambda: any("afgeslagen" in t for t in texts(sandbox, coordinator, tg_bot))
    )
    assert await person_row(app, ali) is None
    assert await people_count(app) == 1
    # A second press on the (now button-less) agreement, forged: nothing happens.
    query = await ali.forge_press(agreement, f"itk:{agreement_ref(agreement)}:1")
    answered = await query_answer(query)
    assert answered == "Deze knop werkt niet meer. Open je uitnodigingslink opnieuw."
    assert await person_row(app, ali) is None


def agreement_ref(message: Message) -> str:
    """The reference the agreement's buttons carried (read from its first version)."""
    markup = message.edits[0].reply_markup if message.edits else message.reply_markup
    assert markup is not None
    data = str(markup["inline_keyboard"][0][0]["callback_data"])
    return data.split(":")[1]


async def query_answer(query: CallbackQuery) -> str | None:
    """The text the bot answered a press with."""
    return (await wait_answer(query, 5)).text


async def test_expired_link_gets_a_clear_message_and_stores_nothing(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person, clock: FakeClock
) -> None:
    await make_districts(sandbox, coordinator, tg_bot, "Overvecht")
    early, _ = await invite(sandbox, coordinator, tg_bot, "Overvecht")
    late, _ = await invite(sandbox, coordinator, tg_bot, "Overvecht")
    sanne = sandbox.add_person("Sanne", language_code="nl")
    agreement = await open_link(sandbox, sanne, tg_bot, early)  # read on day one…
    clock.advance(timedelta(days=7))  # …and the week is over (the boundary is expired)

    await sanne.press(agreement, text="Doe mee")
    reply = await sandbox.next_message(agreement.chat, after=agreement, timeout=5)
    assert reply.text is not None and reply.text.startswith("Deze uitnodigingslink is verlopen.")
    ruud = sandbox.add_person("Ruud", language_code="nl")
    reply = await open_link(sandbox, ruud, tg_bot, late)
    assert reply.text is not None and reply.text.startswith("Deze uitnodigingslink is verlopen.")
    assert reply.keyboard == []
    assert await person_row(app, sanne) is None and await person_row(app, ruud) is None


async def test_forged_and_reused_links(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    await make_districts(sandbox, coordinator, tg_bot, "Overvecht")
    mallory = sandbox.add_person("Mallory", language_code="nl")
    unknown = "Deze uitnodigingslink ken ik niet."
    for forged in ("A" * 43, "kort"):
        reply = await open_link(sandbox, mallory, tg_bot, forged)
        assert reply.text is not None and reply.text.startswith(unknown)
    # Typed by hand, where a deep link could not carry it.
    for typed in ("/start ../../etc", "/start twee woorden", "/start <b>x</b>"):
        reply = await ask(sandbox, mallory, tg_bot, typed)
        assert reply.text is not None and reply.text.startswith(unknown)
    token, _ = await invite(sandbox, coordinator, tg_bot, "Overvecht")
    fatima = sandbox.add_person("Fatima", language_code="nl")
    await join(sandbox, fatima, tg_bot, token)
    # The used link, opened by somebody else.
    reply = await open_link(sandbox, mallory, tg_bot, token)
    assert reply.text is not None and reply.text.startswith(
        "Deze uitnodigingslink is al gebruikt."
    )
    # Opened again by Fatima herself: she already belongs, yet the link is used up.
    reply = await open_link(sandbox, fatima, tg_bot, token)
    assert reply.text is not None and "al gebruikt" in reply.text
    assert await person_row(app, mallory) is None


async def test_forged_presses_on_the_agreement_change_nothing(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    await make_districts(sandbox, coordinator, tg_bot, "Overvecht")
    token, _ = await invite(sandbox, coordinator, tg_bot, "Overvecht")
    fatima = sandbox.add_person("Fatima", language_code="nl")
    agreement = await open_link(sandbox, fatima, tg_bot, token)
    ref = agreement_ref(agreement)

    # Mallory copies Fatima's exact button data into a press of her own: not her reference.
    mallory = sandbox.add_person("Mallory", language_code="nl")
    await begin(sandbox, mallory, tg_bot)
    welcome = sandbox.last_sent(mallory.chat_with(tg_bot), tg_bot)
    assert welcome is not None
    stale = "Deze knop werkt niet meer. Open je uitnodigingslink opnieuw."
    for data in (f"itk:{ref}:1", f"itm:{ref}:1"):
        assert await query_answer(await mallory.forge_press(welcome, data)) == stale
    # Fatima's own client, forged: unknown reference, malformed data, a bad flag.
    for data in ("itk:AAAAAAAA:1", "itk:", "itk:" + ref + ":2", "itk:" + ref):
        assert await query_answer(await fatima.forge_press(agreement, data)) == stale
    # Her own valid reference, forged onto a bot message in a group: not the place for it.
    group = await coordinator.create_group("Overvecht", members=[fatima], bots=[tg_bot])
    hello = await sandbox.next_message(group, timeout=5)
    assert await query_answer(await fatima.forge_press(hello, f"itk:{ref}:0")) == stale
    assert hello.edits == []
    assert await people_count(app) == 1
    assert agreement.keyboard != []  # nothing changed for her either

    # Her real press still works.
    await fatima.press(agreement, text="Doe mee")
    welcome_text = await sandbox.next_message(agreement.chat, after=agreement, timeout=5)
    assert welcome_text.text is not None and welcome_text.text.startswith("Welkom bij")
    assert await memberships_of(app, mallory) == []


async def test_key_figure_invited_elsewhere_is_asked_to_move_and_moves(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    await make_districts(sandbox, coordinator, tg_bot, "Overvecht", "Kanaleneiland")
    fatima = sandbox.add_person("Fatima", language_code="nl")
    first, _ = await invite(sandbox, coordinator, tg_bot, "Overvecht")
    await join(sandbox, fatima, tg_bot, first)

    # Asked once, she stays where she is.
    second, _ = await invite(sandbox, coordinator, tg_bot, "Kanaleneiland")
    agreement = await open_link(sandbox, fatima, tg_bot, second)
    assert agreement.text is not None
    assert "je bent nu bondgenoot van Overvecht" in agreement.text
    await fatima.press(agreement, text="Doe mee")
    question = await sandbox.next_message(agreement.chat, after=agreement, timeout=5)
    assert question.text is not None
    assert question.text.startswith("Je bent bondgenoot van Overvecht.")
    await fatima.press(question, text="Nee, ik blijf in Overvecht")
    stayed = await sandbox.next_message(agreement.chat, after=question, timeout=5)
    assert stayed.text is not None and stayed.text.startswith("Goed, er verandert niets")
    assert await memberships_of(app, fatima) == [("Overvecht", Role.KEY_FIGURE, AGREEMENT_VERSION)]

    # Asked again, she moves.
    third, _ = await invite(sandbox, coordinator, tg_bot, "Kanaleneiland")
    agreement = await open_link(sandbox, fatima, tg_bot, third)
    await fatima.press(agreement, text="Doe mee")
    question = await sandbox.next_message(agreement.chat, after=agreement, timeout=5)
    await fatima.press(question, text="Ja, stap over naar Kanaleneiland")
    welcome = await sandbox.next_message(agreement.chat, after=question, timeout=5)
    assert welcome.text is not None
    assert welcome.text.startswith("Welkom bij de bondgenoten van Kanaleneiland!")
    assert welcome.text.endswith("Je bent geen bondgenoot van Overvecht meer.")
    assert question.keyboard == []
    assert await memberships_of(app, fatima) == [
        ("Kanaleneiland", Role.KEY_FIGURE, AGREEMENT_VERSION)
    ]


async def test_list_revoke_usage_and_refusals(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    await make_districts(sandbox, coordinator, tg_bot, "Overvecht", "Kanaleneiland Noord")
    usage = await ask(sandbox, coordinator, tg_bot, "/uitnodigen")
    assert usage.text is not None and usage.text.startswith("Zo maak je een persoonlijke")
    typo = await ask(sandbox, coordinator, tg_bot, "/uitnodigen Overvect chef")
    assert typo.text == "Ik ken geen wijk ‘Overvect’. Bedoel je: Overvecht?"

    token, made = await invite(sandbox, coordinator, tg_bot, "Kanaleneiland Noord")
    assert made.startswith("Uitnodiging #1: bondgenoot van Kanaleneiland Noord")
    await invite(sandbox, coordinator, tg_bot, "Overvecht chef")
    listing = await ask(sandbox, coordinator, tg_bot, "/uitnodigingen")
    assert listing.text is not None
    lines = listing.text.splitlines()
    assert lines[0] == "2 open uitnodigingen"
    assert lines[1] == (
        "#1 · Kanaleneiland Noord · bondgenoot · geldig tot ma 9 nov 10:00 · door Cor Dinator"
    )
    assert lines[2].startswith("#2 · Overvecht · chef ·")

    revoked = await ask(sandbox, coordinator, tg_bot, "/intrekken #1")
    assert revoked.text == (
        "Uitnodiging #1 (bondgenoot van Kanaleneiland Noord) is ingetrokken. "
        "De link werkt niet meer."
    )
    again = await ask(sandbox, coordinator, tg_bot, "/intrekken 1")
    assert again.text == "Uitnodiging #1 was al ingetrokken."
    missing = await ask(sandbox, coordinator, tg_bot, "/intrekken 99")
    assert missing.text is not None and missing.text.startswith("Er is geen uitnodiging #99.")
    for wrong in ("/intrekken", "/intrekken twee", "/intrekken 99999999999999"):
        reply = await ask(sandbox, coordinator, tg_bot, wrong)
        assert reply.text is not None and reply.text.startswith("Zo trek je een uitnodiging in")
    ali = sandbox.add_person("Ali", language_code="nl")
    reply = await open_link(sandbox, ali, tg_bot, token)
    assert reply.text is not None and reply.text.startswith("Deze uitnodiging is ingetrokken")

    # Somebody else: one refusal, the same for a real and an invented district.
    refusal = "Dat kan ik niet voor je doen: daarvoor heb je niet de juiste rol."
    for command in ("/uitnodigen Overvecht", "/uitnodigen Nergensland chef", "/uitnodigingen"):
        assert (await ask(sandbox, ali, tg_bot, command)).text == refusal
    assert (await ask(sandbox, ali, tg_bot, "/intrekken 2")).text == refusal
    # In a group, the link never appears.
    group = await coordinator.create_group("Overvecht", bots=[tg_bot])
    sent = await coordinator.send(group, "/uitnodigen Overvecht")
    reply = await sandbox.next_message(
        group, after=sent, timeout=5, predicate=lambda m: "privégesprek" in str(m.text)
    )
    assert str(reply.text).startswith("Dit werkt alleen in een privégesprek met mij")
    assert not any("t.me" in str(m.text) for m in sandbox.sent(group))
    async with services_of(app).uow() as uow:
        assert await uow.session.scalar(select(func.count(Invitation.id))) == 2
