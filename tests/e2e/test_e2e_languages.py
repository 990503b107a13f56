"""Each person in their own language, each district group in its own (issue 16), end to end.

A Dutch and an English key figure in the same district group: each gets the confirmation,
the follow-up and the reminder privately in their own language, while the group reads the
district's language (English here, set by the coordinator with /taal in the group). The Dutch
chief switches to English with /taal, closes with the English alias /close and gets the
summary in English; the coordinator still gets it in Dutch. The menus are set per language.
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
from sandbox.models import BotAccount
from sandbox.people import Person
from storage.models import District
from storage.models import Person as PersonRow
from tests.e2e.e2e_world import (
    LINK,
    TIMEOUT,
    ShiftedClock,
    ask,
    begin,
    build_network,
    find_in,
    next_in,
    services_of,
    tap,
)
from tests.e2e.test_e2e_peiling import start_checkin

pytestmark = pytest.mark.e2e

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam
EVENT = "Aanslag op moskee in Québec"


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock(START)


@pytest.fixture
async def app(
    make_settings: Callable[..., Settings], clock: ShiftedClock
) -> AsyncIterator[AnyApp]:
    """The bot, looking for due reminders every 0.2 s."""
    application = build_application(
        make_settings(), clock=clock, tally_interval=0.2, sweep_interval=0.2
    )
    async with running(application, poll_timeout=1):
        yield application


async def join_in_english(
    sandbox: Sandbox, bot: BotAccount, coordinator: Person, person: Person, district: str
) -> None:
    """Invited by the (Dutch) coordinator; the agreement and welcome come in English."""
    made = await ask(
        sandbox,
        coordinator,
        bot,
        f"/uitnodigen {district} bondgenoot",
        lambda m: LINK.search(m.text or "") is not None,
    )
    found = LINK.search(made.text or "")
    assert found is not None
    started = await person.start(bot, found.group(1))
    agreement = await sandbox.next_message(started.chat, after=started, timeout=TIMEOUT)
    await person.press(agreement, text="Join")
    welcome = await sandbox.next_message(
        started.chat,
        after=agreement,
        predicate=lambda m: (m.text or "").startswith("Welcome"),
        timeout=TIMEOUT,
    )
    assert f"Welcome to the key figures of {district}!" in (welcome.text or "")


def menu(sandbox: Sandbox, bot: BotAccount, person: Person) -> dict[str, str]:
    """The command menu of a person's private chat: name -> description."""
    scope = {"type": "chat", "chat_id": person.id}
    return {c["command"]: c["description"] for c in sandbox.commands(bot, scope)}


async def stored_language(app: AnyApp, person: Person) -> str | None:
    async with services_of(app).uow() as uow:
        return await uow.session.scalar(
            select(PersonRow.language).where(PersonRow.telegram_user_id == person.id)
        )


async def test_a_dutch_and_an_english_key_figure_each_read_their_own_language(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person, clock: ShiftedClock
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 1})
    district = net["Overvecht"]
    chief, [fatima] = district.chief, district.key_figures
    assert chief is not None
    emma = sandbox.add_person("Emma", "Clarke", language_code="en-GB")
    await emma.join(district.group, invited_by=coordinator)
    await join_in_english(sandbox, tg_bot, coordinator, emma, "Overvecht")
    assert await stored_language(app, emma) == "en"
    assert await stored_language(app, fatima) == "nl"

    # Menus: per person in their language (English aliases in English), and per language
    # for the private chats of people the bot does not know yet.
    emma_menu, fatima_menu = menu(sandbox, tg_bot, emma), menu(sandbox, tg_bot, fatima)
    assert emma_menu["checkins"] == "Open and recent check-ins"
    assert fatima_menu["peilingen"] == "Open en recente peilingen"
    assert "checkins" not in fatima_menu and "peilingen" not in emma_menu
    assert emma_menu["language"] == "Choose the bot's language"
    assert fatima_menu["taal"] == "Taal van de bot kiezen"
    private = {"type": "all_private_chats"}
    english = [c["command"] for c in sandbox.commands(tg_bot, private, "en")]
    dutch = [c["command"] for c in sandbox.commands(tg_bot, private, "nl")]
    assert (english, dutch) == (["start", "language", "help"], ["start", "taal", "help"])

    # The coordinator sets the group's language in the group; a key figure may not.
    refused = await ask(sandbox, fatima, district.group, "/taal")
    assert (refused.text or "").startswith("Alleen een coördinator")
    question = await ask(sandbox, coordinator, district.group, "/taal")
    await tap(sandbox, coordinator, question, "English", "From now on the bot posts")
    assert "(district Overvecht)" in (question.text or "")
    async with services_of(app).uow() as uow:
        assert await uow.session.scalar(select(District.language)) == "en"
    nudges = await ask(sandbox, coordinator, tg_bot, "/wijk herinnering Overvecht aan")
    assert "groepsherinnering aan" in (nudges.text or "")

    # The (Dutch) chief starts a check-in in Dutch; the group reads it in English.
    await start_checkin(sandbox, tg_bot, chief, EVENT)
    message = await next_in(sandbox, district.group, "📣 Check-in")
    assert "How is the mood in Overvecht?" in (message.text or "")

    # Fatima answers in the group: her confirmation and follow-up are Dutch.
    toast = await tap(sandbox, fatima, message, "Unrest")
    assert (toast.text or "").startswith("Genoteerd: Onrust")
    panel = await find_in(sandbox, fatima.chat_with(tg_bot), "📣 Peiling #1")
    assert "Dank je. Wil je meer vertellen?" in (panel.text or "")

    # Halfway: Emma, who has not answered, is reminded in English; the group nudged in English.
    clock.advance(timedelta(hours=1, seconds=1))
    reminder = await find_in(sandbox, emma.chat_with(tg_bot), "⏰ Reminder")
    assert f"📣 Check-in — {EVENT}" in (reminder.text or "")
    nudge = await next_in(sandbox, district.group, "1 of 2 key figures")
    assert "has not responded yet" in (nudge.text or "")
    answered = await tap(sandbox, emma, reminder, "Calm")
    assert (answered.text or "").startswith("Noted: Calm")
    follow = await find_in(sandbox, emma.chat_with(tg_bot), "📣 Check-in #1")
    assert "Would you like to tell more?" in (follow.text or "")

    # The chief switches to English: the confirmation is English, and so is their menu.
    asked = await ask(sandbox, chief, tg_bot, "/taal")
    assert (asked.text or "").startswith("In welke taal")
    await tap(sandbox, chief, asked, "English", "From now on the bot writes to you in English.")
    assert await stored_language(app, chief) == "en"
    await sandbox.wait_for(lambda: "close" in menu(sandbox, tg_bot, chief), timeout=TIMEOUT)
    assert "sluit" not in menu(sandbox, tg_bot, chief)

    # ... closes with the English alias, and reads the summary in English; the coordinator
    # reads it in Dutch; the group's message shows it closed, in English.
    closed = await ask(sandbox, chief, tg_bot, "/close 1", lambda m: "closed" in (m.text or ""))
    assert (closed.text or "").startswith("🔒 Check-in #1 is closed")
    await find_in(sandbox, chief.chat_with(tg_bot), "📊 Summary of check-in #1")
    await find_in(sandbox, coordinator.chat_with(tg_bot), "📊 Samenvatting peiling #1")
    await sandbox.wait_for(lambda: "🔒 Closed." in (message.text or ""), timeout=TIMEOUT)


async def test_taal_switches_back_and_an_unknown_code_gets_dutch(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    """A stranger with a language the bot lacks reads Dutch; /language switches to English."""
    pierre = sandbox.add_person("Pierre", language_code="fr")
    asked = await ask(sandbox, pierre, tg_bot, "/language")
    assert (asked.text or "").startswith("In welke taal")
    await tap(sandbox, pierre, asked, "English", "From now on the bot writes to you in English.")
    helped = await ask(sandbox, pierre, tg_bot, "/help")
    assert "/language — Choose the bot's language" in (helped.text or "")
    again = await ask(sandbox, pierre, tg_bot, "/taal")
    assert (again.text or "").startswith("Which language")
    await tap(
        sandbox, pierre, again, "Nederlands", "De bot schrijft je voortaan in het Nederlands."
    )
    scope = {"type": "chat", "chat_id": pierre.id}
    await sandbox.wait_for(
        lambda: "taal" in [c["command"] for c in sandbox.commands(tg_bot, scope)],
        timeout=TIMEOUT,
    )


async def test_a_coordinator_sets_a_district_groups_language_from_the_private_chat(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    await begin(sandbox, coordinator, tg_bot)
    made = await ask(sandbox, coordinator, tg_bot, "/wijk Zuilen")
    assert "aangemaakt" in (made.text or "")
    usage = await ask(sandbox, coordinator, tg_bot, "/wijk taal Zuilen klingon")
    assert (usage.text or "").startswith("Zo stel je de taal van een wijkgroep in")
    done = await ask(sandbox, coordinator, tg_bot, "/wijk taal Zuilen en")
    assert done.text == (
        "De bot plaatst zijn berichten in de groep van wijk Zuilen voortaan in deze taal: English."
    )
    async with services_of(app).uow() as uow:
        assert await uow.session.scalar(select(District.language)) == "en"
