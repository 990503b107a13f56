"""A process killed with updates Telegram already forgot: the next process handles them.

PTB confirms updates to Telegram (by asking for the next ones) before their handlers have
committed. Here a key figure's press is fetched and confirmed while her earlier command
still waits on Telegram (one person's updates are handled in order); then the process is
killed with SIGKILL. Kept in the inbox on receipt, the press is stored by the next process.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

import seeding as seed
from sandbox import Sandbox
from sandbox.models import BotAccount
from sandbox.people import Person, wait_answer
from storage.engine import create_engine, make_sessionmaker
from storage.models import Answer
from storage.models import Person as PersonRow
from tests.e2e.e2e_world import ask, begin, checkin_messages, next_in, tap
from tests.e2e.processes import bot_process, process_env

pytestmark = pytest.mark.e2e


async def answers(db_url: str) -> list[tuple[int, int]]:
    """(Telegram id, code) of every stored answer."""
    engine = create_engine(db_url)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = await session.execute(
                select(PersonRow.telegram_user_id, Answer.code).join(
                    PersonRow, PersonRow.id == Answer.person_id
                )
            )
            return [(int(t), int(c)) for t, c in rows]
    finally:
        await engine.dispose()


async def test_a_press_confirmed_to_telegram_but_not_yet_handled_survives_sigkill(
    sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person, db_url: str
) -> None:
    fatima = sandbox.add_person("Fatima", language_code="nl")
    mehmet = sandbox.add_person("Mehmet", language_code="nl")
    group = await coordinator.create_group("Wijk 0", [fatima, mehmet], [tg_bot])
    sandbox.world.queues[tg_bot.id].drop_pending()  # the database says it is linked
    await seed.network(db_url, [seed.Group(group.id, (fatima.id, mehmet.id))], datetime.now(UTC))
    env = process_env(sandbox, db_url, coordinator)
    queue = sandbox.world.queues[tg_bot.id]

    async with bot_process(env) as first:
        await begin(sandbox, coordinator, tg_bot)
        wizard = await ask(sandbox, coordinator, tg_bot, "/peiling Brand bij de moskee")
        await tap(sandbox, coordinator, wizard, "▫️ Alle wijken")
        await sandbox.wait_for(lambda: "✅ Alle wijken" in wizard.button_texts)
        for label, then in (
            ("Verder ➡️", "Hoe lang"),
            ("2 uur", "Mogen de bondgenoten"),
            ("Live tonen", "Voorbeeld"),
            ("✅ Versturen", "verstuurd naar"),
        ):
            await tap(sandbox, coordinator, wizard, label, then)
        message = await next_in(sandbox, group, "📣 Peiling")

        # Fatima's /help waits on Telegram; her press, fetched meanwhile, waits behind it.
        sandbox.inject_fault("sendMessage", hang=60.0, chat_id=fatima.id)
        await fatima.send(tg_bot, "/help")
        await sandbox.wait_for(lambda: sandbox.calls_in_flight("sendMessage", chat_id=fatima.id))
        pressed = await fatima.tap(message, text="Onrust")
        # Asking for the next updates told Telegram to forget the press.
        await sandbox.wait_for(lambda: not queue.pending)
        first.kill()
        await first.wait()
    sandbox.clear_faults()
    assert await answers(db_url) == []

    async with bot_process(env):
        noted = await wait_answer(pressed, timeout=30)
        assert (noted.text or "").startswith("Genoteerd: Onrust")
        assert await answers(db_url) == [(fatima.id, 3)]
        # The next process handled it once: another person's press comes after, and counts.
        after = await mehmet.press(message, text="Rustig", timeout=30)
        assert (after.text or "").startswith("Genoteerd: Rustig")
    assert sorted(await answers(db_url)) == sorted([(fatima.id, 3), (mehmet.id, 1)])
    assert len(checkin_messages(sandbox, group, tg_bot)) == 1
