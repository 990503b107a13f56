"""The README's walkthrough, step by step, against the sandbox: from no coordinators to the
first answer to the first check-in."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.app import build_application
from bot.demo.people import LINK, Actors, contains, starts
from bot.runner import running
from bot.settings import Settings
from sandbox import Sandbox
from sandbox.models import BotAccount
from storage.migrate import upgrade_url

TIMEOUT = 20.0


async def test_from_token_to_the_first_check_in(
    sandbox: Sandbox, tg_bot: BotAccount, make_settings: Callable[..., Settings]
) -> None:
    actors = Actors(sandbox, tg_bot)
    owner = sandbox.add_person("Carla", language_code="nl")
    fatima = sandbox.add_person("Fatima", language_code="nl")

    # 1-2. The README's first command runs the bot without coordinators; /start tells the
    # owner their numeric id.
    first = make_settings(coordinators=[])
    assert first.warnings()[-1].startswith("no coordinators")
    await upgrade_url(first.database_url)
    async with running(build_application(first), poll_timeout=1):
        reply = await actors.say(owner, "/start")
    found = re.search(r"Je Telegram-id is (\d+)\.", reply.text or "")
    assert found is not None and int(found[1]) == owner.id

    # 3. With that id in coordinators, the bot knows its coordinator.
    second = make_settings(coordinators=[int(found[1])])
    async with running(build_application(second), poll_timeout=1):
        welcome = await actors.say(owner, "/start")
        assert (welcome.text or "").startswith("Welkom bij Bondgenoten, Carla.")
        assert "/wijk" in ((await actors.say(owner, "/help")).text or "")

        # 4. A district; 5. its group, with the bot in it, linked.
        await actors.say(owner, "/wijk Overvecht", expect=contains("aangemaakt"))
        group = await owner.create_group("Bondgenoten Overvecht", [fatima], [tg_bot])
        await sandbox.next_message(group, timeout=TIMEOUT)  # the bot says hello
        await actors.say(owner, "/koppel Overvecht", group, contains("gekoppeld"))

        # 6. A personal invitation; the key figure opens it and joins.
        made = await actors.say(
            owner, "/uitnodigen Overvecht bondgenoot", expect=contains("?start=")
        )
        token = LINK.search(made.text or "")
        assert token is not None
        started = await fatima.start(tg_bot, token[1])
        agreement = await sandbox.next_message(started.chat, after=started, timeout=TIMEOUT)
        await fatima.press(agreement, text="Doe mee", timeout=TIMEOUT)
        await sandbox.next_message(
            started.chat, after=agreement, predicate=starts("Welkom"), timeout=TIMEOUT
        )

        # 7. The first check-in, sent to the group; one press is an answer.
        wizard = await actors.say(
            owner, "/peiling Aanslag op een moskee in Québec", expect=contains("Welke wijken")
        )
        await owner.press(wizard, text="▫️ Overvecht", timeout=TIMEOUT)
        await sandbox.wait_for(lambda: "▫️ Overvecht" not in wizard.button_texts, TIMEOUT)
        await actors.tap(owner, wizard, "Verder ➡️", "Hoe lang blijft")
        await actors.tap(owner, wizard, "6 uur", "Mogen de bondgenoten")
        await actors.tap(owner, wizard, "Live tonen", "Voorbeeld")
        await actors.tap(owner, wizard, "✅ Versturen", "verstuurd naar")
        question = await sandbox.next_message(
            group, predicate=starts("📣 Peiling"), timeout=TIMEOUT
        )
        answer = await fatima.press(question, text="Onrust", timeout=TIMEOUT)
        assert answer.text is not None and answer.text.startswith("Genoteerd: Onrust")
