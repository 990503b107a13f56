"""Simulated people doing what real ones do in Telegram: typing, tapping, waiting for replies."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.demo.texts import shows
from handlers.i18n import t
from sandbox import Sandbox
from sandbox.models import BotAccount, Chat, Message
from sandbox.people import Person

TIMEOUT = 20.0
LINK = re.compile(r"\?start=([A-Za-z0-9_-]{20,64})")


def starts(prefix: str) -> Callable[[Message], bool]:
    """A predicate: the message text starts with prefix."""
    return lambda m: (m.text or "").startswith(prefix)


def contains(part: str) -> Callable[[Message], bool]:
    """A predicate: the message text contains part."""
    return lambda m: part in (m.text or "")


class Actors:
    """The sandbox and the bot, with the few moves the demo's people make."""

    def __init__(self, sandbox: Sandbox, bot: BotAccount, language: str = "nl") -> None:
        self.sandbox = sandbox
        self.bot = bot
        # The language the bot speaks in the demo: buttons are found by their label in it.
        self.language = language

    async def say(
        self,
        person: Person,
        text: str,
        where: Chat | None = None,
        expect: Callable[[Message], bool] | None = None,
    ) -> Message:
        """Send text privately (or in a group) and wait for the bot's reply to it."""
        sent = await person.send(where or self.bot, text)
        return await self.sandbox.next_message(
            sent.chat, after=sent, predicate=expect, timeout=TIMEOUT
        )

    async def tap(
        self,
        person: Person,
        message: Message,
        label: str,
        expect: str | Callable[[Message], bool] = "",
    ) -> None:
        """Press the button with this label; wait until the message shows `expect`."""
        await person.press(message, text=label, timeout=TIMEOUT)
        if expect:
            shown = contains(expect) if isinstance(expect, str) else expect
            await self.sandbox.wait_for(lambda: shown(message), timeout=TIMEOUT)

    async def wait_private(self, person: Person, predicate: Callable[[Message], bool]) -> Message:
        """The latest bot message in the person's private chat that matches, waiting for one."""
        chat = person.chat_with(self.bot)

        def found() -> Message | None:
            matching = [m for m in self.sandbox.sent(chat, self.bot) if predicate(m)]
            return matching[-1] if matching else None

        await self.sandbox.wait_for(found, timeout=TIMEOUT)
        message = found()
        assert message is not None
        return message

    async def invite_and_join(
        self, coordinator: Person, person: Person, district: str, role: str
    ) -> None:
        """The coordinator makes a personal link; the person opens it and presses 'Doe mee'."""
        made = await self.say(
            coordinator, f'/uitnodigen "{district}" {role}', expect=contains("?start=")
        )
        token = LINK.search(made.text or "")
        if token is None:
            raise RuntimeError(f"no invitation link in: {made.text}")
        started = await person.start(self.bot, token.group(1))
        agreement = await self.sandbox.next_message(started.chat, after=started, timeout=TIMEOUT)
        await person.press(agreement, text=t("intake.button.join", self.language), timeout=TIMEOUT)
        welcome = shows(f"intake.welcome.{role}", self.language)
        await self.sandbox.next_message(
            started.chat, after=agreement, predicate=welcome, timeout=TIMEOUT
        )
