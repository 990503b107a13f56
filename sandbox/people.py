"""Simulated people: a Person handle whose async methods act like a Telegram client."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from sandbox import actions
from sandbox.models import BotAccount, CallbackAnswer, CallbackQuery, Chat, Message, User
from sandbox.state import World

Target = BotAccount | Chat


class Person:
    """A simulated Telegram user; every action yields once so the bot can react."""

    def __init__(self, world: World, user: User) -> None:
        self.world = world
        self.user = user

    def __repr__(self) -> str:
        return f"Person({self.user.id}, {self.user.full_name!r})"

    @property
    def id(self) -> int:
        """The person's user id (also the id of their private chats)."""
        return self.user.id

    @property
    def first_name(self) -> str:
        """First name."""
        return self.user.first_name

    @property
    def username(self) -> str | None:
        """Username without '@', if any."""
        return self.user.username

    def chat_with(self, bot: BotAccount) -> Chat:
        """The private chat with a bot (created if needed, not started)."""
        chat = self.world.private_chat(bot, self.user)
        assert chat is not None
        return chat

    def inbox(self, bot: BotAccount) -> list[Message]:
        """What the bot sent (and did not delete) in its private chat with this person."""
        chat = self.world.private_chat(bot, self.user, create=False)
        if chat is None:
            return []
        return [m for m in chat.message_list() if m.sender.id == bot.id and not m.service]

    def _chat(self, target: Target) -> Chat:
        """Resolve where a message goes: a bot means the private chat with it."""
        if isinstance(target, BotAccount):
            return actions.open_private(self.world, self.user, target)
        return target

    async def start(self, bot: BotAccount, payload: str | None = None) -> Message:
        """Press Start (or open t.me/<bot>?start=<payload>)."""
        message = actions.start(self.world, self.user, bot, payload)
        await asyncio.sleep(0)
        return message

    async def send(self, target: Target, text: str, reply_to: Message | None = None) -> Message:
        """Send text or a command to a bot (private chat) or a group."""
        message = actions.send_text(self.world, self.user, self._chat(target), text, reply_to)
        await asyncio.sleep(0)
        return message

    async def reply(self, message: Message, text: str) -> Message:
        """Reply to a message in its chat."""
        return await self.send(message.chat, text, reply_to=message)

    async def edit(self, message: Message, text: str) -> Message:
        """Edit one of this person's messages (edited_message update)."""
        edited = actions.edit_text(self.world, self.user, message, text)
        await asyncio.sleep(0)
        return edited

    async def tap(
        self, message: Message, data: str | None = None, *, text: str | None = None
    ) -> CallbackQuery:
        """Press an inline button by callback_data or label, without waiting for the answer."""
        query = actions.press(self.world, self.user, message, data, text)
        await asyncio.sleep(0)
        return query

    async def press(
        self,
        message: Message,
        data: str | None = None,
        *,
        text: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        """Press an inline button and wait for the bot's answerCallbackQuery."""
        query = await self.tap(message, data, text=text)
        return await wait_answer(query, timeout)

    async def forge_press(
        self, message: Message, data: str, *, bot: BotAccount | None = None
    ) -> CallbackQuery:
        """Send a callback_query with arbitrary data for any bot message (a forged client)."""
        query = actions.press(self.world, self.user, message, data, forged=True, bot=bot)
        await asyncio.sleep(0)
        return query

    async def create_group(
        self,
        title: str,
        members: Iterable[Person] = (),
        bots: Iterable[BotAccount] = (),
        *,
        supergroup: bool = False,
        username: str | None = None,
    ) -> Chat:
        """Create a group (or supergroup) with members and bots."""
        chat = actions.create_group(
            self.world, self.user, title, [m.user for m in members], bots, supergroup, username
        )
        await asyncio.sleep(0)
        return chat

    async def add_bot(self, group: Chat, bot: BotAccount, *, admin: bool = False) -> None:
        """Add a bot to a group (my_chat_member + new_chat_members)."""
        actions.add_bot(self.world, self.user, group, bot, admin)
        await asyncio.sleep(0)

    async def remove_bot(self, group: Chat, bot: BotAccount) -> None:
        """Remove a bot from a group (my_chat_member + left_chat_member)."""
        actions.remove_bot(self.world, self.user, group, bot)
        await asyncio.sleep(0)

    async def set_bot_admin(self, group: Chat, bot: BotAccount, admin: bool = True) -> None:
        """Promote (or demote) a bot in a group."""
        actions.set_bot_admin(self.world, self.user, group, bot, admin)
        await asyncio.sleep(0)

    async def join(self, group: Chat, *, invited_by: Person | None = None) -> Message:
        """Join a group, or be added by someone (new_chat_members, chat_member)."""
        inviter = invited_by.user if invited_by else None
        message = actions.join(self.world, self.user, group, inviter)
        await asyncio.sleep(0)
        return message

    async def leave(self, group: Chat, *, removed_by: Person | None = None) -> Message:
        """Leave a group, or be removed by someone (left_chat_member, chat_member)."""
        remover = removed_by.user if removed_by else None
        message = actions.leave(self.world, self.user, group, remover)
        await asyncio.sleep(0)
        return message

    async def block(self, bot: BotAccount) -> None:
        """Block the bot (my_chat_member kicked; the bot's sends then fail with 403)."""
        actions.set_blocked(self.world, self.user, bot, True)
        await asyncio.sleep(0)

    async def unblock(self, bot: BotAccount) -> None:
        """Unblock the bot (my_chat_member member)."""
        actions.set_blocked(self.world, self.user, bot, False)
        await asyncio.sleep(0)

    async def migrate(self, group: Chat) -> Chat:
        """Upgrade a group this person administers to a supergroup; return the new chat."""
        chat = actions.migrate(self.world, self.user, group)
        await asyncio.sleep(0)
        return chat


async def wait_answer(
    query: CallbackQuery,
    timeout: float = 5.0,  # noqa: ASYNC109
) -> CallbackAnswer:
    """Wait for the bot to answer a callback query."""
    try:
        return await asyncio.wait_for(asyncio.shield(query.answered), timeout)
    except TimeoutError:
        raise TimeoutError(
            f"bot did not answer callback query {query.id} within {timeout} s"
        ) from None
