"""A district's usual level end to end: one alert to its chief when a check-in runs above it.

Three closed check-ins in Overvecht, each answered 'Onderwerp van gesprek' (median 2), make
its usual level; in the fourth the key figures press 'Onrust'. The bot runs on a clock that
starts on Monday 2 November 2026, 10:00 in Amsterdam.
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
from tests.e2e.e2e_world import ShiftedClock, ask, build_network, find_in, next_in, texts
from tests.e2e.test_e2e_peiling import start_checkin

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam
ALERT = "📈 Overvecht: duidelijk onrustiger dan gebruikelijk — mediaan 3, normaal 2"


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock(START)


@pytest.fixture
async def app(
    make_settings: Callable[..., Settings], clock: ShiftedClock
) -> AsyncIterator[AnyApp]:
    """The real bot on the sandbox, on the test's clock, refreshing tallies often."""
    application = build_application(make_settings(), clock=clock, tally_interval=0.2)
    async with running(application, poll_timeout=1):
        yield application


async def test_a_check_in_a_step_above_the_usual_level_alerts_the_chief_once(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 3})
    chief, group, figures = net["Overvecht"].chief, net["Overvecht"].group, net.key_figures
    assert chief is not None
    chat = chief.chat_with(tg_bot)

    def alerts() -> list[str]:
        return [text for text in texts(sandbox, chat, tg_bot) if text.startswith("📈")]

    for number in (1, 2, 3):
        await start_checkin(sandbox, tg_bot, chief, event=f"Gebeurtenis {number}")
        message = await next_in(sandbox, group, "📣 Peiling")
        for person in figures:
            await person.press(message, text="Onderwerp van gesprek")
        closed = f"🔒 Peiling #{number} is gesloten"
        await ask(
            sandbox, chief, tg_bot, f"/sluit {number}", lambda m, c=closed: c in (m.text or "")
        )
    assert alerts() == []

    await start_checkin(sandbox, tg_bot, chief, event="Aanslag op moskee in Québec")
    message = await next_in(sandbox, group, "📣 Peiling")
    await figures[0].press(message, text="Onrust")
    await figures[1].press(message, text="Onrust")
    # Two answers are not enough to call it unusual. (An alert goes out before the press is
    # acknowledged, so by now it would be there.)
    assert alerts() == []
    await figures[2].press(message, text="Onrust")
    await sandbox.wait_for(lambda: alerts(), timeout=10)
    [alert] = alerts()
    assert alert.startswith(ALERT)
    assert "Peiling #4: Aanslag op moskee in Québec" in alert

    # A changed answer afterwards does not alert again: once the tally shows it, still one.
    await figures[2].press(message, text="Spanning loopt op")
    await sandbox.wait_for(lambda: "Spanning loopt op 1" in (message.text or ""), timeout=10)
    await ask(sandbox, chief, tg_bot, "/sluit 4", lambda m: "is gesloten" in (m.text or ""))
    summary = await find_in(sandbox, chat, "📊 Samenvatting peiling #4")
    assert "Gebruikelijk: mediaan 2 (laatste 3 peilingen) — nu 1 hoger" in (summary.text or "")
    assert len(alerts()) == 1
