"""Closing the loop end to end: after closing, feedback reaches every chosen group once.

A coordinator asks all districts, key figures answer (one adds depth privately), the
check-in closes, and the feedback is written from the button under the summary or with
/terugkoppeling: preview, districts, send. The starter is reminded once when none came.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import AnyApp, build_application
from bot.runner import running
from bot.settings import Settings
from sandbox import Sandbox
from sandbox.models import BotAccount, Chat, Message
from sandbox.people import Person
from storage.engine import create_engine, make_sessionmaker
from storage.models import DeliveryStatus, District, FeedbackSend
from tests.e2e.e2e_world import (
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
from tests.e2e.test_e2e_peiling import coordinator_asks_all

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam
PANEL = "Dank je. Wil je meer vertellen? Alles is optioneel."
BotRunner = Callable[[], AbstractAsyncContextManager[AnyApp]]
FEEDBACK = "We hoorden <zorgen> over de moskee. We doen: extra wijkagenten dit weekend."


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock(START)


@pytest.fixture
async def app(
    make_settings: Callable[..., Settings], clock: ShiftedClock
) -> AsyncIterator[AnyApp]:
    """The real bot on the sandbox, on the test's clock."""
    application = build_application(make_settings(), clock=clock, tally_interval=0.2)
    async with running(application, poll_timeout=1):
        yield application


def feedback_in(sandbox: Sandbox, chat: Chat, bot: BotAccount) -> list[str]:
    """The feedback messages the bot posted in a chat."""
    return [text for text in texts(sandbox, chat, bot) if text.startswith("📬 Terugkoppeling")]


async def answered_and_closed(
    sandbox: Sandbox, bot: BotAccount, coordinator: Person, net: Network
) -> Message:
    """All districts asked; Kanaleneiland's key figure answers and adds a direction
    privately, one of Overvecht's only presses; closed with /sluit. Return the summary."""
    await coordinator_asks_all(sandbox, bot, coordinator)
    deep, plain = net["Kanaleneiland"].key_figures[0], net["Overvecht"].key_figures[0]
    message = await next_in(sandbox, net["Kanaleneiland"].group, "📣 Peiling")
    await deep.press(message, text="Onrust")
    panel = await sandbox.next_message(
        deep.chat_with(bot), predicate=lambda m: PANEL in (m.text or ""), timeout=10
    )
    await tap(sandbox, deep, panel, "Loopt op")
    await sandbox.wait_for(lambda: "✓ Loopt op" in panel.button_texts, timeout=10)
    await plain.press(await next_in(sandbox, net["Overvecht"].group, "📣 Peiling"), text="Rustig")
    await ask(sandbox, coordinator, bot, "/sluit 1", lambda m: "gesloten" in (m.text or ""))
    return await find_in(sandbox, coordinator.chat_with(bot), "📊 Samenvatting peiling #1")


async def test_feedback_from_the_summary_reaches_every_group_once_and_private_answerers(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Kanaleneiland": 1, "Overvecht": 2})
    summary = await answered_and_closed(sandbox, tg_bot, coordinator, net)
    chat = coordinator.chat_with(tg_bot)

    await coordinator.press(summary, text="📬 Terugkoppeling naar de groepen")
    prompt = await next_in(sandbox, chat, "📬 Terugkoppeling op peiling #1")
    assert "(Kanaleneiland, Overvecht)" in (prompt.text or "")
    preview = await ask(
        sandbox, coordinator, tg_bot, FEEDBACK, lambda m: "👀 Voorbeeld" in (m.text or "")
    )
    # The sandbox shows the text as Telegram renders the HTML: the brackets were escaped.
    assert FEEDBACK in (preview.text or "")
    assert preview.button_texts == [
        "✅ Kanaleneiland",
        "✅ Overvecht",
        "Versturen",
        "Tekst aanpassen",
        "Annuleren",
    ]
    await tap(sandbox, coordinator, preview, "Versturen")
    done = await next_in(sandbox, chat, "📬 Terugkoppeling op peiling #1 verstuurd")
    assert done.text == (
        "📬 Terugkoppeling op peiling #1 verstuurd naar Kanaleneiland, Overvecht.\n"
        "1 bondgenoot kreeg het ook privé."
    )

    for district in ("Kanaleneiland", "Overvecht"):
        [posted] = feedback_in(sandbox, net[district].group, tg_bot)
        assert posted.startswith(f"📬 Terugkoppeling — Aanslag op moskee in Québec\n\n{FEEDBACK}")
        assert posted.endswith(f"Dank voor jullie signalen over {district}.")
    deep, plain = net["Kanaleneiland"].key_figures[0], net["Overvecht"].key_figures[0]
    [private] = feedback_in(sandbox, deep.chat_with(tg_bot), tg_bot)
    assert FEEDBACK in private
    assert feedback_in(sandbox, plain.chat_with(tg_bot), tg_bot) == []

    # Once: a second try is refused, and nothing more reaches the groups.
    again = await ask(sandbox, coordinator, tg_bot, "/terugkoppeling 1")
    assert (again.text or "").startswith("De terugkoppeling op peiling #1 is al verstuurd (")
    answer = await coordinator.press(summary, text="📬 Terugkoppeling naar de groepen")
    assert (answer.text or "").startswith("De terugkoppeling op peiling #1 is al verstuurd")
    async with services_of(app).uow() as uow:
        rows = await uow.session.execute(select(FeedbackSend.kind, FeedbackSend.status))
        sends = sorted((kind, status) for kind, status in rows)
    assert sends == [
        ("group", DeliveryStatus.SENT),
        ("group", DeliveryStatus.SENT),
        ("private", DeliveryStatus.SENT),
    ]
    for district in ("Kanaleneiland", "Overvecht"):
        assert len(feedback_in(sandbox, net[district].group, tg_bot)) == 1
    refused = await ask(sandbox, plain, tg_bot, "/terugkoppeling 1")
    assert refused.text == (
        "Terugkoppeling geeft wie de peiling startte, een coördinator of een chef van een "
        "gepeilde wijk."
    )
    listed = await ask(
        sandbox, plain, tg_bot, "/peilingen", lambda m: (m.text or "").startswith("📋")
    )
    assert f"📬 Terugkoppeling (ma 2 nov 10:00): {FEEDBACK}" in (listed.text or "")


async def test_one_reminder_then_feedback_to_some_districts_only(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person, clock: ShiftedClock
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Kanaleneiland": 1, "Overvecht": 2})
    await answered_and_closed(sandbox, tg_bot, coordinator, net)
    chat = coordinator.chat_with(tg_bot)

    clock.advance(timedelta(days=3, minutes=1))
    assert app.job_queue is not None
    [job] = app.job_queue.get_jobs_by_name("feedback-reminders")
    job.job.modify(next_run_time=datetime.now(UTC))
    reminder = await next_in(sandbox, chat, "🔔 Peiling #1")
    assert "/terugkoppeling 1" in (reminder.text or "")
    assert await services_of(app).feedback.remind_due() == 0  # never twice

    prompt = await ask(
        sandbox, coordinator, tg_bot, "/terugkoppeling", lambda m: bool(m.text)
    )  # the only check-in waiting for feedback: no list to choose from
    assert (prompt.text or "").startswith("📬 Terugkoppeling op peiling #1")
    preview = await ask(
        sandbox, coordinator, tg_bot, FEEDBACK, lambda m: "👀 Voorbeeld" in (m.text or "")
    )
    await tap(sandbox, coordinator, preview, "✅ Overvecht")
    await sandbox.wait_for(lambda: "⬜ Overvecht" in preview.button_texts, timeout=10)
    await tap(sandbox, coordinator, preview, "Versturen")
    done = await next_in(sandbox, chat, "📬 Terugkoppeling op peiling #1 verstuurd")
    assert done.text == (
        "📬 Terugkoppeling op peiling #1 verstuurd naar Kanaleneiland.\n"
        "1 bondgenoot kreeg het ook privé."
    )
    assert len(feedback_in(sandbox, net["Kanaleneiland"].group, tg_bot)) == 1
    assert feedback_in(sandbox, net["Overvecht"].group, tg_bot) == []


@pytest.fixture
def bot_on(make_settings: Callable[..., Settings], clock: ShiftedClock) -> BotRunner:
    """Start a fresh bot on this test's database and clock (again and again)."""
    settings = make_settings()

    @asynccontextmanager
    async def run() -> AsyncIterator[AnyApp]:
        application = build_application(settings, clock=clock, tally_interval=0.2)
        async with running(application, poll_timeout=1):
            yield application

    return run


async def group_sends(db_url: str) -> dict[str, tuple[DeliveryStatus, bool]]:
    """Each feedback send by district (groups) or 'private': status, and claimed or not."""
    engine = create_engine(db_url)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = await session.execute(
                select(FeedbackSend, District.name).join(
                    District, District.id == FeedbackSend.district_id
                )
            )
            return {
                (name if send.kind == "group" else "private"): (
                    send.status,
                    send.claimed_at is not None,
                )
                for send, name in rows
            }
    finally:
        await engine.dispose()


async def test_killed_mid_send_every_group_gets_the_feedback_exactly_once(
    bot_on: BotRunner, db_url: str, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    async with bot_on():
        net = await build_network(
            sandbox, tg_bot, coordinator, {"Kanaleneiland": 1, "Overvecht": 1}, chiefs=False
        )
        groups = net.groups
        summary = await answered_and_closed(sandbox, tg_bot, coordinator, net)
        # Telegram is slow for Overvecht (and then fails): the bot dies while it waits.
        sandbox.inject_fault(
            "sendMessage", hang=3.0, error_code=502, chat_id=groups["Overvecht"].id
        )
        await coordinator.press(summary, text="📬 Terugkoppeling naar de groepen")
        await next_in(sandbox, coordinator.chat_with(tg_bot), "📬 Terugkoppeling op peiling #1")
        preview = await ask(
            sandbox, coordinator, tg_bot, FEEDBACK, lambda m: "👀 Voorbeeld" in (m.text or "")
        )
        await tap(sandbox, coordinator, preview, "Versturen")
        await next_in(sandbox, groups["Kanaleneiland"], "📬 Terugkoppeling")
        for _ in range(200):  # until the Overvecht send is claimed, i.e. waiting on Telegram
            if (await group_sends(db_url)).get("Overvecht", (None, False))[1]:
                break
            await asyncio.sleep(0.02)
        for task in asyncio.all_tasks():  # what dying does to the sends in flight
            if task.get_name().startswith("feedback-"):
                task.cancel()
    before = await group_sends(db_url)
    assert before == {
        "Kanaleneiland": (DeliveryStatus.SENT, False),
        "Overvecht": (DeliveryStatus.PENDING, True),
        "private": (DeliveryStatus.PENDING, False),
    }
    assert [len(feedback_in(sandbox, g, tg_bot)) for g in groups.values()] == [1, 0]

    async with bot_on():
        await next_in(sandbox, groups["Overvecht"], "📬 Terugkoppeling")
        deep = net["Kanaleneiland"].key_figures[0]
        await next_in(sandbox, deep.chat_with(tg_bot), "📬 Terugkoppeling")
    after = await group_sends(db_url)
    assert {key: status for key, (status, _) in after.items()} == dict.fromkeys(
        before, DeliveryStatus.SENT
    )
    assert [len(feedback_in(sandbox, g, tg_bot)) for g in groups.values()] == [1, 1]
    assert len(feedback_in(sandbox, deep.chat_with(tg_bot), tg_bot)) == 1
