"""Every chief of a targeted district gets the closing summary of their own districts.

A coordinator asks all districts after a national event (the main case); at the close the
coordinator gets every district, and each chief one message with only their districts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest

from bot.app import AnyApp, build_application
from bot.runner import running
from bot.settings import Settings
from sandbox import Sandbox
from sandbox.models import BotAccount
from sandbox.people import Person
from tests.e2e.e2e_world import ShiftedClock, ask, build_network, find_in, join_as, next_in, tap

pytestmark = pytest.mark.e2e

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam
SUMMARY = "📊 Samenvatting peiling #1"


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock(START)


@pytest.fixture
async def app(
    make_settings: Callable[..., Settings], clock: ShiftedClock
) -> AsyncIterator[AnyApp]:
    application = build_application(make_settings(), clock=clock, tally_interval=0.2)
    async with running(application, poll_timeout=1):
        yield application


async def test_each_chief_gets_one_summary_of_their_own_districts_after_an_all_district_ask(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    names = {"Kanaleneiland": 1, "Overvecht": 2, "Zuilen": 1}
    net = await build_network(sandbox, tg_bot, coordinator, names)
    jan, petra, ahmed = (net[n].chief for n in names)
    assert jan is not None and petra is not None and ahmed is not None
    # Ahmed is chief of Zuilen and of Overvecht too: one message with both.
    await join_as(sandbox, tg_bot, coordinator, ahmed, "Overvecht", "chef")

    wizard = await ask(sandbox, coordinator, tg_bot, "/peiling Nationale gebeurtenis")
    await tap(sandbox, coordinator, wizard, "▫️ Alle wijken")
    await sandbox.wait_for(lambda: "✅ Alle wijken" in wizard.button_texts)
    await tap(sandbox, coordinator, wizard, "Verder ➡️", "Hoe lang")
    await tap(sandbox, coordinator, wizard, "2 uur", "Mogen de bondgenoten")
    await tap(sandbox, coordinator, wizard, "Live tonen", "Voorbeeld")
    await tap(sandbox, coordinator, wizard, "✅ Versturen", "verstuurd naar")
    overvecht = await next_in(sandbox, net["Overvecht"].group, "📣 Peiling")
    # Every group has it before the close (under load a slow send would read "nog onderweg").
    for name in ("Kanaleneiland", "Zuilen"):
        await next_in(sandbox, net[name].group, "📣 Peiling")
    # Answered (and committed) once the press is acknowledged; the tally may follow later.
    await tap(sandbox, net["Overvecht"].key_figures[0], overvecht, "Onrust")

    await ask(sandbox, coordinator, tg_bot, "/sluit 1", lambda m: "gesloten" in (m.text or ""))
    full = await find_in(sandbox, coordinator.chat_with(tg_bot), SUMMARY)
    for name in names:
        assert f"{name}: " in (full.text or "")
    mine = await find_in(sandbox, jan.chat_with(tg_bot), SUMMARY)
    assert "Kanaleneiland: 0 van 1 gereageerd" in (mine.text or "")
    assert "Overvecht" not in (mine.text or "") and "Zuilen" not in (mine.text or "")
    mine = await find_in(sandbox, petra.chat_with(tg_bot), SUMMARY)
    assert "Overvecht: 1 van 2 gereageerd" in (mine.text or "")
    assert "Kanaleneiland" not in (mine.text or "") and "Zuilen" not in (mine.text or "")
    mine = await find_in(sandbox, ahmed.chat_with(tg_bot), SUMMARY)
    assert "Overvecht: 1 van 2 gereageerd" in (mine.text or "")
    assert "Zuilen: 0 van 1 gereageerd" in (mine.text or "")
    assert "Kanaleneiland" not in (mine.text or "")
    # One summary each: Ahmed's two districts came in one message; nobody got it twice.
    for person in (coordinator, jan, petra, ahmed):
        chat = person.chat_with(tg_bot)
        got = [m for m in sandbox.sent(chat, tg_bot) if (m.text or "").startswith(SUMMARY)]
        assert len(got) == 1, person.first_name
    # A key figure is no chief: no summary.
    figure_chat = net["Zuilen"].key_figures[0].chat_with(tg_bot)
    assert not [m for m in sandbox.sent(figure_chat, tg_bot) if SUMMARY in (m.text or "")]
