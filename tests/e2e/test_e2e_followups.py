"""The private follow-up end to end: direction, themes, a free text and a contact request.

After a first press in the group, the key figure gets one panel privately; every button on
it edits that panel to show what is noted. The world (two districts, their groups, a chief,
key figures) and the check-in come from test_e2e_answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import AnyApp
from bot.settings import Settings
from sandbox import Sandbox
from sandbox.models import BotAccount, Message
from sandbox.people import Person, wait_answer
from storage.models import Escalation, FollowUp
from storage.models import Person as PersonRow
from tests.e2e.test_e2e_answers import (
    EVENT,
    PANEL,
    STALE,
    FakeClock,
    World,
    alerts,
    bot_on,
    build_world,
    count,
    forged,
    settle,
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def app(make_settings: Callable[..., Settings], clock: FakeClock) -> AsyncIterator[AnyApp]:
    """The real bot on the sandbox, on the test's clock."""
    async with bot_on(make_settings, clock) as application:
        yield application


@pytest.fixture
async def world(app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person) -> World:
    return await build_world(app, sandbox, tg_bot, coordinator)


NOTHING_ASKED = "Ik heb je niets gevraagd"


def about(checkin: int) -> str:
    """The panel's first line: which check-in, in which district."""
    return f"📣 Peiling #{checkin} — {EVENT} (Overvecht)"


HTML_LIKE = 'Jongeren zeggen <b>"wraak"</b> & <script>alert(1)</script> — \'t is onrustig'


async def answered(world: World, person: Person, level: str = "Onrust") -> tuple[int, Message]:
    """Start a check-in, press a level in the group; return the check-in and the panel."""
    checkin = await world.start_checkin()
    message = await world.group_message(checkin, world.overvecht)
    await person.press(message, text=level)
    panel = await world.sandbox.next_message(
        person.chat_with(world.bot), predicate=lambda m: PANEL in (m.text or "")
    )
    return checkin, panel


async def stored(
    world: World, checkin: int, person: Person
) -> tuple[str | None, list[str], str | None, bool | None] | None:
    """The person's follow-up as stored: (direction, themes, free text, contact), or None."""
    async with world.services.uow() as uow:
        row = await uow.session.scalar(
            select(FollowUp)
            .join(PersonRow, PersonRow.id == FollowUp.person_id)
            .where(FollowUp.checkin_id == checkin, PersonRow.telegram_user_id == person.id)
        )
        if row is None:
            return None
        direction = None if row.direction is None else str(row.direction)
        return direction, list(row.themes), row.free_text, row.contact_requested


async def test_direction_themes_text_and_contact_are_noted_and_the_chief_told(
    world: World,
) -> None:
    fatima, sandbox = world.fatima, world.sandbox
    checkin, panel = await answered(world, fatima)
    # The very first panel already says which check-in and district it is about.
    assert str(panel.text).startswith(f"{about(checkin)}\n{PANEL}")

    assert (await fatima.press(panel, text="Loopt op")).text is None
    assert str(panel.text).startswith(f"{about(checkin)}\n{PANEL}\n")
    assert "Richting: loopt op" in str(panel.text)
    assert panel.button_texts[:3] == ["✓ Loopt op", "Gelijk", "Neemt af"]
    # The same button again shows the same panel: Telegram says "not modified", no harm done.
    failed_edits = len(sandbox.calls("editMessageText", ok=False))
    assert (await fatima.press(panel, text="✓ Loopt op")).text is None
    assert len(sandbox.calls("editMessageText", ok=False)) == failed_edits + 1
    assert "Richting: loopt op" in str(panel.text)

    await fatima.press(panel, text="Polarisatie")
    await fatima.press(panel, text="Overlast")
    await fatima.press(panel, text="Armoede")
    await fatima.press(panel, text="✓ Armoede")  # and off again
    assert "Thema's: polarisatie, overlast" in str(panel.text)
    assert "✓ Polarisatie" in panel.button_texts and "Armoede" in panel.button_texts
    assert panel.button_texts[-1] == "Klaar"

    await fatima.press(panel, text="💬 Iets vertellen")
    question = await sandbox.next_message(panel.chat, after=panel)
    assert str(question.text).startswith("Wat hoor je in je achterban?")
    sent = await fatima.send(world.bot, HTML_LIKE)
    new_panel = await sandbox.next_message(panel.chat, after=sent)
    # Stored as written, shown as written (escaped for Telegram, so no tags take effect).
    assert str(new_panel.text).startswith(f"{about(checkin)}\n✅ Je tekst is bewaard.\n{PANEL}")
    assert f"Jouw woorden: {HTML_LIKE}" in str(new_panel.text)
    assert panel.keyboard == []  # only the newest panel can be pressed
    assert "💬 Tekst wijzigen" in new_panel.button_texts

    contact = await fatima.press(new_panel, text="📞 Ja, contact")
    assert contact.text == "Genoteerd: je wilt contact. We geven het meteen door."
    assert "📞 Je wilt contact met politie of gemeente." in str(new_panel.text)
    await sandbox.wait_for(lambda: len(alerts(world, "Contactverzoek")) == 1)
    assert alerts(world, "Contactverzoek") == [
        "📞 Contactverzoek uit Overvecht\n"
        f"Fatima (id {fatima.id}) wil contact met politie of gemeente, naar aanleiding van "
        f"peiling #{checkin}: {EVENT}."
    ]
    await fatima.press(new_panel, text="✓ 📞 Ja, contact")  # again: no second alert

    assert (await fatima.press(new_panel, text="Klaar")).text is None
    assert new_panel.keyboard == []
    assert new_panel.text == (
        f"{about(checkin)}\n"
        "Dank je! Dit is genoteerd:\n"
        "Richting: loopt op\n"
        "Thema's: polarisatie, overlast\n"
        f"Jouw woorden: {HTML_LIKE}\n"
        "📞 Je wilt contact met politie of gemeente."
    )
    assert await stored(world, checkin, fatima) == (
        "rising",
        ["polarisatie", "overlast"],
        HTML_LIKE,
        True,
    )
    await settle(world)
    assert len(alerts(world, "Contactverzoek")) == 1
    assert await count(world, Escalation) == 1
    # Done means done: a later plain text is not taken as the free text.
    sent = await fatima.send(world.bot, "nog iets")
    reply = await sandbox.next_message(panel.chat, after=sent)
    assert str(reply.text).startswith(NOTHING_ASKED)


async def test_a_free_text_that_is_too_long_can_be_sent_again(world: World) -> None:
    mehmet, sandbox = world.mehmet, world.sandbox
    checkin, panel = await answered(world, mehmet, "Rustig")
    await mehmet.press(panel, text="💬 Iets vertellen")
    await sandbox.next_message(panel.chat, after=panel)
    sent = await mehmet.send(world.bot, "x" * 1001)
    reply = await sandbox.next_message(panel.chat, after=sent)
    assert reply.text == (
        "Dat zijn 1001 tekens; er passen er 1000. Maak het wat korter en stuur het opnieuw."
    )
    assert await stored(world, checkin, mehmet) is None
    sent = await mehmet.send(world.bot, "Rustig, wel veel gepraat bij de moskee.")
    reply = await sandbox.next_message(panel.chat, after=sent)
    assert "Jouw woorden: Rustig, wel veel gepraat bij de moskee." in str(reply.text)
    assert await stored(world, checkin, mehmet) == (
        None,
        [],
        "Rustig, wel veel gepraat bij de moskee.",
        None,
    )


async def test_skipping_stores_nothing(world: World) -> None:
    checkin, panel = await answered(world, world.mehmet, "Weet niet")
    assert panel.button_texts[-1] == "Overslaan"
    assert (await world.mehmet.press(panel, text="Overslaan")).text is None
    assert panel.text == (
        f"{about(checkin)}\nPrima, dank je. Je antwoord op de peiling staat genoteerd."
    )
    assert panel.keyboard == []
    assert await stored(world, checkin, world.mehmet) is None


async def test_after_closing_the_panel_stores_nothing(world: World, clock: FakeClock) -> None:
    fatima, sandbox = world.fatima, world.sandbox
    checkin, panel = await answered(world, fatima)
    await fatima.press(panel, text="Gelijk")
    await fatima.press(panel, text="💬 Iets vertellen")
    await sandbox.next_message(panel.chat, after=panel)
    buttons = {text: panel.find_button(text=text) for text in ("Polarisatie", "📞 Ja, contact")}

    await world.close(checkin)
    # The text asked for before closing comes after it.
    sent = await fatima.send(world.bot, "Er wordt veel over gepraat.")
    reply = await sandbox.next_message(panel.chat, after=sent)
    assert reply.text == "Deze peiling is gesloten; je tekst is niet bewaard."

    closed = await fatima.press(panel, text="Polarisatie")
    assert closed.text == "Deze peiling is gesloten."
    assert panel.keyboard == []  # the stale buttons are taken away
    # An outdated client still showing them.
    for button in buttons.values():
        assert button is not None
        answer = await forged(world, fatima, panel, str(button["callback_data"]))
        assert answer == "Deze peiling is gesloten."
    await settle(world)
    assert await stored(world, checkin, fatima) == ("same", [], None, None)
    assert alerts(world, "Contactverzoek") == []


async def test_forged_follow_up_presses_store_nothing(world: World) -> None:
    fatima, mehmet = world.fatima, world.mehmet
    checkin, panel = await answered(world, fatima)
    other = await world.start_checkin(("Kanaleneiland",))
    for data in (
        f"fthm:{checkin}:voetbal",  # not a theme
        f"fdir:{checkin}:omhoog",  # not a direction
        f"fdir:{other}:rising",  # a check-in she did not answer
        f"fcon:{other}:1",
        "fdir:99999:rising",
        f"fcon:{checkin}:ja",  # malformed
        f"fend:{checkin}:1",
    ):
        assert await forged(world, fatima, panel, data) == STALE, data
    assert PANEL in str(panel.text) and "Richting" not in str(panel.text)

    # Mehmet did not answer: the same buttons, forged in his own chat, do nothing.
    welcome = world.sandbox.sent(mehmet.chat_with(world.bot), world.bot)[-1]
    for data in (f"fdir:{checkin}:rising", f"fcon:{checkin}:1", f"ftxt:{checkin}"):
        assert await forged(world, mehmet, welcome, data) == STALE, data
    sent = await mehmet.send(world.bot, "hallo")
    reply = await world.sandbox.next_message(sent.chat, after=sent)
    assert str(reply.text).startswith(NOTHING_ASKED)

    await settle(world)
    assert await count(world, FollowUp) == 0
    assert alerts(world, "Contactverzoek") == []


async def test_the_panel_works_until_the_deadline(world: World, clock: FakeClock) -> None:
    fatima = world.fatima
    checkin, panel = await answered(world, fatima)
    clock.advance(timedelta(hours=10, minutes=59))
    await fatima.press(panel, text="Neemt af")
    assert "Richting: neemt af" in str(panel.text)
    clock.advance(timedelta(minutes=1))
    query = await fatima.tap(panel, text="✓ Neemt af")
    assert (await wait_answer(query)).text == "Deze peiling is gesloten."
    assert await stored(world, checkin, fatima) == ("easing", [], None, None)
