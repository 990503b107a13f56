"""A whole scenario at DEBUG: the log holds no secret, no name and no text of anyone.

Invitations (deep-link tokens), joining, a check-in, an answer, a free text about the
neighbourhood: everything a key figure and a coordinator do, with every logger at DEBUG.
"""

from __future__ import annotations

import logging

import pytest

from bot.app import AnyApp
from sandbox import Sandbox
from sandbox.models import BotAccount
from sandbox.people import Person
from tests.e2e.conftest import TOKEN
from tests.e2e.e2e_world import LINK, ask, build_network, next_in, tap, texts

pytestmark = pytest.mark.e2e

FREE_TEXT = "Achterbuurman Kees zegt dat er vrijdag iets gebeurt bij de moskee"
EVENT = "Brand bij het buurthuis"


async def test_a_whole_scenario_at_debug_logs_no_secret_name_or_text(
    app: AnyApp,
    sandbox: Sandbox,
    tg_bot: BotAccount,
    coordinator: Person,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 2})
    district = net["Overvecht"]
    fatima = district.key_figures[0]
    spare = await ask(sandbox, coordinator, tg_bot, '/uitnodigen "Overvecht" bondgenoot')

    wizard = await ask(sandbox, coordinator, tg_bot, f"/peiling {EVENT}")
    await tap(sandbox, coordinator, wizard, "▫️ Alle wijken")
    await sandbox.wait_for(lambda: "✅ Alle wijken" in wizard.button_texts)
    for label, expect in (
        ("Verder ➡️", "Hoe lang"),
        ("2 uur", "Mogen de bondgenoten"),
        ("Live tonen", "Voorbeeld"),
        ("✅ Versturen", "verstuurd naar"),
    ):
        await tap(sandbox, coordinator, wizard, label, expect)
    message = await next_in(sandbox, district.group, "📣 Peiling")
    await fatima.press(message, text="Onrust")
    panel = await sandbox.next_message(
        fatima.chat_with(tg_bot), predicate=lambda m: "💬 Iets vertellen" in m.button_texts
    )
    await fatima.press(panel, text="💬 Iets vertellen")
    await sandbox.next_message(fatima.chat_with(tg_bot), after=panel)
    sent = await fatima.send(tg_bot, FREE_TEXT)
    await sandbox.next_message(fatima.chat_with(tg_bot), after=sent)

    links = [LINK.search(t) for t in texts(sandbox, coordinator.chat_with(tg_bot), tg_bot)]
    tokens = [found.group(1) for found in links if found]
    assert len(tokens) == 4 and LINK.search(spare.text or "")  # chief, two key figures, spare
    people = [p for p in (district.chief, *district.key_figures) if p is not None]
    names = [p.user.first_name for p in people]
    names += [p.user.last_name for p in people if p.user.last_name]
    # The product's records: the sandbox (the stand-in for Telegram) logs on its own.
    product = "\n".join(
        record.getMessage() + (record.exc_text or "")
        for record in caplog.records
        if not record.name.startswith(("sandbox", "aiohttp"))
    )
    assert "Calling Bot API endpoint `sendMessage`" in product  # DEBUG really was on
    leaked = [s for s in (TOKEN, *tokens, *names, FREE_TEXT, EVENT) if s in product]
    assert leaked == [], [
        f"{r.name}: {r.getMessage()[:300]}"
        for r in caplog.records
        if not r.name.startswith(("sandbox", "aiohttp"))
        and any(s in r.getMessage() for s in leaked)
    ][:5]
