"""The bot skeleton end to end: welcome, help, and commands it must leave alone."""

from __future__ import annotations

from bot.app import AnyApp
from sandbox import Sandbox
from sandbox.models import BotAccount, Message
from sandbox.people import Person
from tests.e2e.idle import idle


async def test_start_in_private_chat_gets_the_dutch_welcome(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount
) -> None:
    fatima = sandbox.add_person("Fatima", language_code="nl")
    await fatima.start(tg_bot)
    reply = await sandbox.next_message(fatima.chat_with(tg_bot), timeout=10)
    assert reply.text is not None
    assert reply.text.startswith("Welkom bij Bondgenoten, Fatima.")
    assert "uitnodigingslink" in reply.text


async def test_start_from_a_stranger_says_so_and_shows_their_numeric_id(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    fatima = sandbox.add_person("Fatima", language_code="nl")
    await fatima.start(tg_bot)
    reply = await sandbox.next_message(fatima.chat_with(tg_bot), timeout=10)
    assert reply.text is not None
    assert "Je hoort nog niet bij een netwerk van deze bot." in reply.text
    assert f"Je Telegram-id is {fatima.id}. Zet dat getal bij coordinators" in reply.text

    # Someone the bot knows (here a coordinator from the config) is not told that.
    await coordinator.start(tg_bot)
    known = await sandbox.next_message(coordinator.chat_with(tg_bot), timeout=10)
    assert known.text is not None and known.text.startswith("Welkom bij Bondgenoten, Cor.")
    assert "netwerk" not in known.text and str(coordinator.id) not in known.text


async def test_help_in_private_chat(app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount) -> None:
    ali = sandbox.add_person("Ali", language_code="nl")
    await ali.start(tg_bot)
    await sandbox.next_message(ali.chat_with(tg_bot), timeout=10)
    await ali.send(tg_bot, "/help")
    reply = await sandbox.next_message(ali.chat_with(tg_bot), timeout=10)
    assert reply.text is not None and "/help — Wat kan ik hier doen?" in reply.text


async def test_commands_for_other_bots_and_edited_commands_get_nothing(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    # Privacy off, so the sandbox really delivers "/help@otherbot": the bot must ignore it.
    tg_bot.privacy_mode = False
    ali = sandbox.add_person("Ali", language_code="nl")
    # A coordinator brings the bot (a stranger's group it would leave at once).
    group = await coordinator.create_group("Overvecht bondgenoten", [ali], [tg_bot])
    await ali.send(group, "/help@otherbot")
    sent = await ali.send(group, "hallo")
    await ali.edit(sent, "/help")
    # A command addressed to us, after the others, proves the bot was listening all along.
    await ali.send(group, f"/help@{tg_bot.username}")
    reply = await sandbox.next_message(group, predicate=_is_help, timeout=10)
    assert reply.text is not None and reply.text.startswith("Bondgenoten — snel peilen")
    await idle(app, sandbox, tg_bot)
    assert len([m for m in sandbox.sent(group, tg_bot) if _is_help(m)]) == 1


def _is_help(message: Message) -> bool:
    return "/help — Wat kan ik hier doen?" in (message.text or "")


async def test_help_lists_the_commands_of_the_persons_role(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    stranger = sandbox.add_person("Vreemde", language_code="nl")
    await stranger.start(tg_bot)
    await stranger.send(tg_bot, "/help")
    stranger_help = await sandbox.next_message(stranger.chat_with(tg_bot), predicate=_is_help)
    await coordinator.start(tg_bot)
    await coordinator.send(tg_bot, "/help")
    coordinator_help = await sandbox.next_message(
        coordinator.chat_with(tg_bot), predicate=_is_help
    )
    assert "/wijk — " not in (stranger_help.text or "")
    assert "/wijk — Wijk aanmaken, hernoemen of archiveren" in (coordinator_help.text or "")
    assert "/uitnodigen — " in (coordinator_help.text or "")


async def test_private_command_menu_is_set_in_dutch(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount
) -> None:
    menu = sandbox.commands(tg_bot, {"type": "all_private_chats"})
    assert {"command": "help", "description": "Wat kan ik hier doen?"} in menu


async def test_coordinator_fixture_is_configured(app: AnyApp, coordinator: Person) -> None:
    services = app.bot_data.services
    assert services is not None and coordinator.id in services.coordinator_ids
