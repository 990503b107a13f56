"""Reminders and away, end to end: real presses, real private chats, the clock moved by the test.

The bot looks for due reminders every 0.2 s here (sweep_interval). A test that proves a
reminder did *not* go calls the reminder service itself once more: its answer (nothing sent)
is the positive sign, not a wait.
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
from storage.models import Answer, DeliveryStatus, Reminder
from storage.models import Person as PersonRow
from tests.e2e.e2e_world import (
    ShiftedClock,
    ask,
    build_network,
    find_in,
    next_in,
    services_of,
    tap,
)
from tests.e2e.test_e2e_peiling import start_checkin

pytestmark = pytest.mark.e2e

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam
REMINDER = "⏰ Herinnering"


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


def reminders_in(sandbox: Sandbox, person: Person, bot: BotAccount) -> list[Message]:
    """The reminders the bot sent this person privately."""
    chat = person.chat_with(bot)
    return [m for m in sandbox.sent(chat, bot) if (m.text or "").startswith(REMINDER)]


async def stored_reminders(app: AnyApp) -> list[tuple[str, int, DeliveryStatus]]:
    """(first name, round, status) of every reminder row."""
    async with services_of(app).uow() as uow:
        rows = await uow.session.execute(
            select(PersonRow.display_name, Reminder.round, Reminder.status)
            .join(PersonRow, PersonRow.id == Reminder.person_id)
            .order_by(Reminder.id)
        )
        return [(name.split()[0], r, status) for name, r, status in rows]


async def test_a_reminder_reaches_who_has_not_answered_and_its_button_answers(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person, clock: ShiftedClock
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 3})
    district = net["Overvecht"]
    chief = district.chief
    assert chief is not None
    fatima, mehmet, sanne = district.key_figures
    nudge = await ask(sandbox, coordinator, tg_bot, "/wijk herinnering Overvecht aan")
    assert "groepsherinnering aan" in (nudge.text or "")
    # Sanne is away: no reminder for her, and out of the denominator.
    away = await ask(sandbox, sanne, tg_bot, "/afwezig")
    assert (away.text or "").startswith("🏖 Je staat op afwezig.")
    roster = await ask(sandbox, chief, tg_bot, "/leden Overvecht")
    assert "🏖 afwezig tot /terug" in (roster.text or "")

    await start_checkin(sandbox, tg_bot, chief)  # 2 uur: closes 12:00, halfway 11:00
    message = await next_in(sandbox, district.group, "📣 Peiling")
    assert "0 van 2 bondgenoten hebben gereageerd, 1 afwezig." in (message.text or "")
    await tap(sandbox, fatima, message, "Onrust")

    clock.advance(timedelta(hours=1, seconds=1))
    reminder = await find_in(sandbox, mehmet.chat_with(tg_bot), REMINDER)
    text = reminder.text or ""
    assert "📣 Peiling — Aanslag op moskee in Québec" in text
    assert "Antwoorden kan tot ma 2 nov 12:00." in text
    group_nudge = await next_in(sandbox, district.group, "Nog 1 van 2")
    assert group_nudge.text == (
        "Nog 1 van 2 bondgenoten heeft niet gereageerd — je kunt tot ma 2 nov 12:00 antwoorden."
    )
    # One press on the reminder in the private chat answers, checked like any press.
    answer = await tap(sandbox, mehmet, reminder, "Rustig")
    assert (answer.text or "").startswith("Genoteerd: Rustig")
    await sandbox.wait_for(
        lambda: "2 van 2 bondgenoten hebben gereageerd, 1 afwezig." in (message.text or ""),
        timeout=10,
    )

    # Only Mehmet was reminded, once: the pass that reminded him is settled in the database,
    # and another pass sends nothing.
    assert await stored_reminders(app) == [("Mehmet", 0, DeliveryStatus.SENT)]
    again = await services_of(app).checkins.reminders.send_due()
    assert (again.sent, again.nudges) == (0, 0)
    assert reminders_in(sandbox, fatima, tg_bot) == []
    assert reminders_in(sandbox, sanne, tg_bot) == []
    assert len(reminders_in(sandbox, mehmet, tg_bot)) == 1

    back = await ask(sandbox, sanne, tg_bot, "/terug")
    assert (back.text or "").startswith("👋 Welkom terug.")
    roster = await ask(sandbox, chief, tg_bot, "/leden Overvecht")
    assert "afwezig" not in (roster.text or "")


async def test_a_press_is_taken_only_on_the_persons_own_reminder(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person, clock: ShiftedClock
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 2})
    chief = net["Overvecht"].chief
    assert chief is not None
    fatima, mehmet = net["Overvecht"].key_figures
    await start_checkin(sandbox, tg_bot, chief)
    clock.advance(timedelta(hours=1, seconds=1))
    reminder = await find_in(sandbox, mehmet.chat_with(tg_bot), REMINDER)
    await find_in(sandbox, fatima.chat_with(tg_bot), REMINDER)
    data = reminder.reply_markup["inline_keyboard"][0][0]["callback_data"]
    # Fatima sends that button's data on another bot message in her own chat (her welcome):
    # it is no reminder, so the press counts nothing.
    welcome = find_welcome(sandbox, fatima, tg_bot)
    forged = await wait_answer(await fatima.forge_press(welcome, data), 10)
    assert forged.text == "Deze knop werkt niet (meer)."
    async with services_of(app).uow() as uow:
        assert list(await uow.session.scalars(select(Answer))) == []


def find_welcome(sandbox: Sandbox, person: Person, bot: BotAccount) -> Message:
    """The welcome the bot sent after the person joined."""
    chat = person.chat_with(bot)
    return next(m for m in sandbox.sent(chat, bot) if (m.text or "").startswith("Welkom"))


async def test_no_reminder_after_an_early_close(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person, clock: ShiftedClock
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 2})
    chief = net["Overvecht"].chief
    assert chief is not None
    await start_checkin(sandbox, tg_bot, chief)
    await ask(sandbox, chief, tg_bot, "/sluit 1", lambda m: "gesloten" in (m.text or ""))
    clock.advance(timedelta(hours=1, seconds=1))
    done = await services_of(app).checkins.reminders.send_due()
    assert (done.sent, done.failed) == (0, 0)
    assert await stored_reminders(app) == []
    for person in net["Overvecht"].key_figures:
        assert reminders_in(sandbox, person, tg_bot) == []


@pytest.mark.parametrize(
    ("opened", "too_early", "quiet_end"),
    [
        # Saturday 24 October 2026, 20:00 CEST; 24 hours: halfway is Sunday 06:00 UTC, 07:00
        # in Amsterdam after the clocks went back — quiet until 08:00 CET, 07:00 UTC.
        (
            datetime(2026, 10, 24, 18, 0, tzinfo=UTC),
            datetime(2026, 10, 25, 6, 30, tzinfo=UTC),
            datetime(2026, 10, 25, 7, 0, tzinfo=UTC),
        ),
        # Saturday 27 March 2027, 18:00 CET; halfway is Sunday 05:00 UTC, 07:00 in Amsterdam
        # after the clocks went forward — quiet until 08:00 CEST, 06:00 UTC.
        (
            datetime(2027, 3, 27, 17, 0, tzinfo=UTC),
            datetime(2027, 3, 28, 5, 30, tzinfo=UTC),
            datetime(2027, 3, 28, 6, 0, tzinfo=UTC),
        ),
    ],
    ids=["october", "march"],
)
async def test_a_reminder_in_quiet_hours_waits_for_their_end_across_the_clock_change(
    app: AnyApp,
    sandbox: Sandbox,
    tg_bot: BotAccount,
    coordinator: Person,
    clock: ShiftedClock,
    opened: datetime,
    too_early: datetime,
    quiet_end: datetime,
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 1})
    chief = net["Overvecht"].chief
    assert chief is not None
    [fatima] = net["Overvecht"].key_figures
    clock.set(opened)
    await start_checkin(sandbox, tg_bot, chief, duration="24 uur")

    clock.set(too_early)  # the moment has come, but it is still quiet in Amsterdam
    done = await services_of(app).checkins.reminders.send_due()
    assert done.sent == 0
    # A claim is committed before its send; a pass of the job racing this one has committed.
    assert await stored_reminders(app) == []
    assert reminders_in(sandbox, fatima, tg_bot) == []

    clock.set(quiet_end + timedelta(seconds=1))
    await find_in(sandbox, fatima.chat_with(tg_bot), REMINDER)
    async with services_of(app).uow() as uow:
        # Claimed (and committed) before it was sent: when it went, not before.
        [claimed_at] = list(await uow.session.scalars(select(Reminder.claimed_at)))
    assert claimed_at >= quiet_end


async def test_a_reminder_claimed_before_a_crash_is_not_sent_again_after_a_restart(
    make_settings: Callable[..., Settings],
    sandbox: Sandbox,
    tg_bot: BotAccount,
    coordinator: Person,
    clock: ShiftedClock,
) -> None:
    settings = make_settings()
    first = build_application(settings, clock=clock, tally_interval=0.2, sweep_interval=0.2)
    async with running(first, poll_timeout=1):
        net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 2})
        chief = net["Overvecht"].chief
        assert chief is not None
        fatima, mehmet = net["Overvecht"].key_figures
        await start_checkin(sandbox, tg_bot, chief)
        # What a crash between claiming Mehmet's reminder and sending it leaves behind.
        services = services_of(first)
        async with services.uow() as uow:
            person = await uow.session.scalar(
                select(PersonRow).where(PersonRow.telegram_user_id == mehmet.id)
            )
            assert person is not None
            uow.session.add(
                Reminder(
                    checkin_id=1,
                    person_id=person.id,
                    district_id=1,
                    round=0,
                    status=DeliveryStatus.PENDING,
                    claimed_at=clock.now() + timedelta(hours=1),
                )
            )
            await uow.commit()
        clock.advance(timedelta(hours=1, seconds=1))
        await find_in(sandbox, fatima.chat_with(tg_bot), REMINDER)

    second = build_application(settings, clock=clock, tally_interval=0.2, sweep_interval=0.2)
    async with running(second, poll_timeout=1):
        done = await services_of(second).checkins.reminders.send_due()
        assert done.sent == 0
        assert await stored_reminders(second) == [
            ("Mehmet", 0, DeliveryStatus.PENDING),
            ("Fatima", 0, DeliveryStatus.SENT),
        ]
    assert len(reminders_in(sandbox, fatima, tg_bot)) == 1
    assert reminders_in(sandbox, mehmet, tg_bot) == []
