"""The privacy rights end to end: /privacy, /mijngegevens and /vergeetmij in the private chat.

The network is built as people build it (tests/e2e/e2e_world.py); a key figure answers a
check-in by pressing the real button in the group, asks for a copy of their data (two files
arrive as documents and are read back), and has themselves erased with the real buttons.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import AnyApp, build_application
from bot.runner import running
from bot.settings import Settings
from sandbox import Sandbox
from sandbox.models import BotAccount, Message
from sandbox.people import Person
from services.checkins import ALL
from services.checkins.outcomes import CheckInStarted
from storage.models import AuditEntry, Base, FollowUp
from storage.models import Person as PersonRow
from tests.e2e.e2e_world import (
    ShiftedClock,
    ask,
    build_network,
    checkin_messages,
    find_in,
    services_of,
    tap,
    texts,
)

pytestmark = pytest.mark.e2e
CONTACT = "privacy@utrecht.example"
TIMEOUT = 10.0


@pytest.fixture
async def app(make_settings: Callable[..., Settings]) -> AsyncIterator[AnyApp]:
    """The real bot with a privacy contact and a free-text retention of 60 days."""
    from storage.migrate import upgrade_url

    settings = make_settings(privacy={"contact": CONTACT}, retention={"free_texts_days": 60})
    await upgrade_url(settings.database_url)
    async with running(build_application(settings), poll_timeout=1) as application:
        yield application


async def _documents(sandbox: Sandbox, person: Person, bot: BotAccount, n: int) -> list[Message]:
    chat = person.chat_with(bot)
    await sandbox.wait_for(
        lambda: len([m for m in sandbox.sent(chat, bot) if m.document]) >= n, timeout=TIMEOUT
    )
    return [m for m in sandbox.sent(chat, bot) if m.document]


async def test_privacy_copy_and_erasure(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 2})
    fatima, mehmet = net["Overvecht"].key_figures
    chief = net["Overvecht"].chief
    assert chief is not None
    services = services_of(app)
    actor = services.actor(coordinator.id, "Cor Dinator")
    started = await services.checkins.start.start_checkin(
        actor, "Aanslag op moskee", ALL, timedelta(hours=6)
    )
    assert isinstance(started, CheckInStarted)
    await services.checkins.broadcast.broadcast(started.checkin_id)
    [posted] = checkin_messages(sandbox, net["Overvecht"].group, tg_bot)
    await fatima.press(posted, text="Onrust", timeout=TIMEOUT)
    await mehmet.press(posted, text="Rustig", timeout=TIMEOUT)

    # /privacy: the configured retention and contact, rendered.
    statement = await ask(sandbox, fatima, tg_bot, "/privacy")
    assert "Privacy bij Bondgenoten" in str(statement.text)
    assert "Toelichtingen en contactverzoeken: 60 dagen nadat de peiling sloot." in str(
        statement.text
    )
    assert CONTACT in str(statement.text)

    # /mijngegevens: a JSON file and a readable text, then a polite "not yet".
    await fatima.send(tg_bot, "/mijngegevens")
    json_doc, text_doc = await _documents(sandbox, fatima, tg_bot, 2)
    assert json_doc.document is not None and text_doc.document is not None
    assert json_doc.document.filename.endswith(".json")
    copy = json.loads(sandbox.file(json_doc.document.file_id).data)
    assert copy["telegram_user_id"] == fatima.id
    assert copy["people"][0]["display_name"] == "Fatima"
    assert [a["code"] for a in copy["answers"]] == [3]
    assert copy["memberships"][0]["district"] == "Overvecht"
    readable = sandbox.file(text_doc.document.file_id).data.decode()
    assert "Je antwoorden (1)" in readable and "Fatima" in readable
    again = await ask(sandbox, fatima, tg_bot, "/mijngegevens")
    assert str(again.text).startswith("Je hebt net een kopie gekregen.")

    # /vergeetmij: "no" keeps everything; "yes" erases.
    question = await ask(sandbox, fatima, tg_bot, "/vergeetmij")
    assert question.button_texts == ["Ja, wis alles over mij", "Nee, niets wissen"]
    await tap(sandbox, fatima, question, "Nee, niets wissen", expect="Er is niets gewist.")
    question = await ask(sandbox, fatima, tg_bot, "/vergeetmij")
    assert "Overvecht" in str(question.text)
    await tap(
        sandbox, fatima, question, "Ja, wis alles over mij", expect="Alles over je is gewist"
    )

    told = "Iemand uit Overvecht heeft het netwerk verlaten"
    for person in (chief, coordinator):
        notice = await find_in(sandbox, person.chat_with(tg_bot), told)
        assert "Fatima" not in str(notice.text)
    async with services.uow() as uow:
        assert (
            await uow.session.scalar(
                select(PersonRow).where(PersonRow.telegram_user_id == fatima.id)
            )
            is None
        )
        entries = [
            (e.action, e.actor_telegram_id, dict(e.details))
            for e in await uow.session.scalars(select(AuditEntry))
        ]
    assert not [e for e in entries if fatima.id in (e[1], *e[2].values())]
    # No row of any table holds her name or id any more (on SQLite and on PostgreSQL).
    async with services.uow() as uow:
        values = [
            str(v)
            for table in Base.metadata.sorted_tables
            for row in await uow.session.execute(select(table))
            for v in row
        ]
    assert not [v for v in values if "Fatima" in v or v == str(fatima.id)]
    assert [e[2]["via"] for e in entries if e[0] == "privacy.erased"] == ["chat"]

    # Afterwards the account is a stranger, and its menu says so.
    helped = await ask(sandbox, fatima, tg_bot, "/help")
    assert "/vergeetmij" not in str(helped.text) and "/privacy" in str(helped.text)
    unknown = await ask(sandbox, fatima, tg_bot, "/vergeetmij")
    assert unknown.text == (
        "Ik ken je niet: er is niets over je opgeslagen, dus er valt niets te wissen."
    )
    # The same in a group points to the private chat, and nothing is erased there.
    in_group = await ask(sandbox, mehmet, net["Overvecht"].group, "/vergeetmij")
    assert str(in_group.text).startswith("Dit werkt alleen in een privégesprek met mij")
    assert not [t for t in texts(sandbox, mehmet.chat_with(tg_bot), tg_bot) if "gewist" in t]


async def test_a_stranger_asking_for_erasure_is_answered_plainly(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount
) -> None:
    stranger = sandbox.add_person("Onbekend", language_code="nl")
    reply = await ask(sandbox, stranger, tg_bot, "/vergeetmij")
    assert reply.text == (
        "Ik ken je niet: er is niets over je opgeslagen, dus er valt niets te wissen."
    )
    copy = await ask(sandbox, stranger, tg_bot, "/mijngegevens")
    assert copy.text == "Er is niets over je opgeslagen."


async def _eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Wait for a positive sign in the database (the job runs in the bot's own time)."""
    for _ in range(int(TIMEOUT * 10)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the database never showed it")


async def test_the_retention_job_clears_old_free_texts_in_the_running_bot(
    make_settings: Callable[..., Settings],
    sandbox: Sandbox,
    tg_bot: BotAccount,
    coordinator: Person,
) -> None:
    from storage.migrate import upgrade_url

    settings = make_settings()
    await upgrade_url(settings.database_url)
    clock = ShiftedClock()
    application = build_application(settings, clock=clock, retention_interval=0.2)
    async with running(application, poll_timeout=1) as app:
        net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 1})
        [fatima] = net["Overvecht"].key_figures
        services = services_of(app)
        actor = services.actor(coordinator.id, "Cor Dinator")
        started = await services.checkins.start.start_checkin(
            actor, "Rellen", ALL, timedelta(hours=6)
        )
        assert isinstance(started, CheckInStarted)
        await services.checkins.broadcast.broadcast(started.checkin_id)
        [posted] = checkin_messages(sandbox, net["Overvecht"].group, tg_bot)
        await fatima.press(posted, text="Onrust", timeout=TIMEOUT)
        await services.checkins.followups.set_free_text(fatima.id, started.checkin_id, "Boos")
        await services.checkins.closing.close_checkin(started.checkin_id, actor)

        async def free_texts() -> list[str | None]:
            async with services.uow() as uow:
                return list(await uow.session.scalars(select(FollowUp.free_text)))

        assert await free_texts() == ["Boos"]  # closed just now: kept
        clock.advance(timedelta(days=91))

        async def cleared() -> bool:
            return await free_texts() == [None]

        await _eventually(cleared)


async def test_a_new_agreement_after_a_restart_is_asked_once_and_accepted(
    make_settings: Callable[..., Settings],
    sandbox: Sandbox,
    tg_bot: BotAccount,
    coordinator: Person,
) -> None:
    from storage.migrate import upgrade_url

    first = make_settings()
    await upgrade_url(first.database_url)
    async with running(build_application(first), poll_timeout=1):
        net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 1})
    [fatima] = net["Overvecht"].key_figures
    # The retention promised changes: a new agreement version, and the bot restarts with it.
    second = make_settings(retention={"free_texts_days": 60})
    async with running(build_application(second), poll_timeout=1) as app:
        version = services_of(app).agreement.version
        assert version.startswith("2026-12-v3/60-")
        asked = await find_in(
            sandbox, fatima.chat_with(tg_bot), "De afspraken van Bondgenoten zijn bijgewerkt"
        )
        assert version in str(asked.text) and "/akkoord" in str(asked.text)
        accepted = await ask(sandbox, fatima, tg_bot, "/akkoord")
        assert accepted.text == f"Dank je. Je doet mee onder de afspraken versie {version}."
        again = await ask(sandbox, fatima, tg_bot, "/akkoord")
        assert again.text == f"Je hebt de afspraken versie {version} al geaccepteerd."
        stranger = sandbox.add_person("Onbekend", language_code="nl")
        nothing = await ask(sandbox, stranger, tg_bot, "/akkoord")
        assert str(nothing.text).startswith("Je bent nergens lid")
