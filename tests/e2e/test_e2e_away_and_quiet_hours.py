"""Away that ends by itself, private copies held by quiet hours unless urgent, the default
duration from the config — end to end, on the test's clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import AnyApp, build_application
from bot.runner import running
from bot.settings import Settings
from sandbox import Sandbox
from sandbox.models import BotAccount, Chat, Message
from sandbox.people import Person
from storage.models import CheckIn
from tests.e2e.e2e_world import (
    ShiftedClock,
    ask,
    build_network,
    checkin_messages,
    find_in,
    next_in,
    services_of,
    tap,
)
from tests.e2e.test_e2e_peiling import start_checkin

pytestmark = pytest.mark.e2e

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock(START)


@pytest.fixture
async def app(
    make_settings: Callable[..., Settings], clock: ShiftedClock
) -> AsyncIterator[AnyApp]:
    application = build_application(
        make_settings(checkins={"default_duration_hours": 12}),
        clock=clock,
        tally_interval=0.2,
        sweep_interval=0.2,
    )
    async with running(application, poll_timeout=1):
        yield application


async def test_away_until_a_date_ends_by_itself_on_that_day(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person, clock: ShiftedClock
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 3})
    district = net["Overvecht"]
    chief = district.chief
    assert chief is not None
    sanne = district.key_figures[2]
    assert (await ask(sandbox, sanne, tg_bot, "/afwezig tot 1-11")).text == (
        "Die datum is al voorbij. Noem een dag die nog komt, bijvoorbeeld "
        "/afwezig tot 12 december."
    )
    usage = await ask(sandbox, sanne, tg_bot, "/afwezig tot later")
    assert (usage.text or "").startswith("Zo werkt /afwezig:")
    assert (await ask(sandbox, chief, tg_bot, "/afwezig")).text == (
        "Afwezig melden is voor bondgenoten van een wijk."
    )
    away = await ask(sandbox, sanne, tg_bot, "/afwezig tot woensdag")
    assert (away.text or "").startswith("🏖 Je staat op afwezig tot 4 nov 2026.")
    roster = await ask(sandbox, chief, tg_bot, "/leden Overvecht")
    assert "🏖 afwezig tot 4 nov 2026" in (roster.text or "")

    await start_checkin(sandbox, tg_bot, chief, event="Eerste")
    first = await next_in(sandbox, district.group, "📣 Peiling")
    assert "0 van 2 bondgenoten hebben gereageerd, 1 afwezig." in (first.text or "")
    # A private question would not reach her either; her tally counts her out until then.
    clock.set(datetime(2026, 11, 3, 22, 59, tzinfo=UTC))  # Tuesday 23:59
    roster = await ask(sandbox, chief, tg_bot, "/leden Overvecht")
    assert "afwezig" in (roster.text or "")

    clock.set(datetime(2026, 11, 4, 9, 0, tzinfo=UTC))  # Wednesday 10:00: she is back
    roster = await ask(sandbox, chief, tg_bot, "/leden Overvecht")
    assert "afwezig" not in (roster.text or "")
    await start_checkin(sandbox, tg_bot, chief, event="Tweede")
    second = await posted(sandbox, district.group, tg_bot, "Tweede")
    assert "0 van 3 bondgenoten hebben gereageerd." in (second.text or "")


async def posted(sandbox: Sandbox, chat: Chat, bot: BotAccount, event: str) -> Message:
    """The check-in about this event in a chat, waiting for it."""

    def found() -> Message | None:
        return next(
            (m for m in checkin_messages(sandbox, chat, bot) if event in (m.text or "")), None
        )

    await sandbox.wait_for(found, timeout=10)
    message = found()
    assert message is not None
    return message


@pytest.mark.parametrize("urgent", [False, True], ids=["held", "urgent"])
async def test_private_copies_wait_for_the_end_of_quiet_hours_unless_urgent(
    app: AnyApp,
    sandbox: Sandbox,
    tg_bot: BotAccount,
    coordinator: Person,
    clock: ShiftedClock,
    urgent: bool,
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 1})
    chief = net["Overvecht"].chief
    assert chief is not None
    [fatima] = net["Overvecht"].key_figures
    await ask(sandbox, coordinator, tg_bot, "/wijk privé Overvecht aan")
    clock.set(datetime(2026, 11, 2, 21, 30, tzinfo=UTC))  # Monday 22:30: quiet hours

    wizard = await ask(
        sandbox, chief, tg_bot, "/peiling Brand", lambda m: "Hoe lang blijft" in (m.text or "")
    )
    await tap(sandbox, chief, wizard, "24 uur", "Mogen de bondgenoten")
    await tap(sandbox, chief, wizard, "Live tonen", "Voorbeeld")
    assert "🔕 Privé pas na de stille uren (tik voor urgent)" in wizard.button_texts
    if urgent:
        await tap(sandbox, chief, wizard, "🔕 Privé pas na de stille uren (tik voor urgent)")
        await sandbox.wait_for(
            lambda: "🔔 Urgent: privé ook nu, in de stille uren" in wizard.button_texts
        )
    await tap(sandbox, chief, wizard, "✅ Versturen", "verstuurd naar")
    # The group gets it at once: an acute event cannot wait for the morning.
    await next_in(sandbox, net["Overvecht"].group, "📣 Peiling")
    report = await find_in(sandbox, chief.chat_with(tg_bot), "📬 Verzendrapport")
    private = fatima.chat_with(tg_bot)
    if urgent:
        assert "Privé aan bondgenoten: 1 verstuurd, 0 mislukt, 0 onderweg." in (report.text or "")
        assert len(checkin_messages(sandbox, private, tg_bot)) == 1
        return
    # The broadcast is done (its report came) and held the private copy back.
    assert "Privé aan bondgenoten: 0 verstuurd, 0 mislukt, 1 onderweg." in (report.text or "")
    assert checkin_messages(sandbox, private, tg_bot) == []
    services = services_of(app)
    clock.set(datetime(2026, 11, 3, 6, 59, tzinfo=UTC))  # Tuesday 07:59: still quiet
    assert (await services.checkins.broadcast.deliver_pending()).sent == 0
    clock.set(datetime(2026, 11, 3, 7, 0, 1, tzinfo=UTC))  # 08:00: quiet hours are over
    # What the periodic sweep does (it may get there first; the claim keeps it single).
    await services.checkins.broadcast.deliver_pending()
    await next_in(sandbox, private, "📣 Peiling")
    assert len(checkin_messages(sandbox, private, tg_bot)) == 1
    async with services.uow() as uow:
        [checkin] = list(await uow.session.scalars(select(CheckIn)))
        assert checkin.urgent is False


async def test_the_wizard_offers_the_configured_default_duration(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 1})
    chief = net["Overvecht"].chief
    assert chief is not None
    wizard = await ask(
        sandbox, chief, tg_bot, "/peiling Brand", lambda m: "Hoe lang blijft" in (m.text or "")
    )
    assert wizard.button_texts[0] == "⭐ 12 uur (standaard)"
    await tap(sandbox, chief, wizard, "⭐ 12 uur (standaard)", "Mogen de bondgenoten")
    await tap(sandbox, chief, wizard, "Live tonen", "Voorbeeld")
    assert "Sluit: ma 2 nov 22:00." in (wizard.text or "")
