"""The simulated Telegram world: accounts, chats, messages, update routing and waiters."""

from __future__ import annotations

import asyncio
import itertools
import random
import secrets
from collections.abc import Callable
from typing import Any

from sandbox.entities import Entity
from sandbox.errors import ApiError, bad_request, chat_migrated, chat_not_found, forbidden
from sandbox.models import BotAccount, CallbackQuery, Chat, ChatType, Message, StoredFile, User
from sandbox.models import now as wall_now
from sandbox.serialize import message_json
from sandbox.updates import UpdateQueue

SERVICE_KEYS = frozenset(
    {
        "new_chat_members",
        "left_chat_member",
        "group_chat_created",
        "supergroup_chat_created",
        "migrate_to_chat_id",
        "migrate_from_chat_id",
        "new_chat_title",
        "pinned_message",
    }
)


class World:
    """All sandbox state; every mutation happens on one event loop, without awaits."""

    def __init__(self, seed: int | None = None) -> None:
        self.rng = random.Random(seed)
        self.users: dict[int, User] = {}
        self.bots: dict[int, BotAccount] = {}
        self.bots_by_token: dict[str, BotAccount] = {}
        self.queues: dict[int, UpdateQueue] = {}
        self.groups: dict[int, Chat] = {}
        self.private: dict[tuple[int, int], Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.photo_sets: dict[str, list[StoredFile]] = {}
        self.invite_links: dict[str, int] = {}
        self.profile: dict[tuple[int, str, str], str] = {}
        self.menu_buttons: dict[tuple[int, int], dict[str, Any]] = {}
        self.callbacks: dict[str, CallbackQuery] = {}
        self.commands: dict[tuple[int, str, int | None, int | None, str], list[dict[str, str]]]
        self.commands = {}
        self._chat_instances: dict[tuple[int, int], str] = {}
        self._person_ids = itertools.count(100_000_001)
        self._bot_ids = itertools.count(7_000_000_001)
        self._group_ids = itertools.count(4_000_000_001)
        self._supergroup_ids = itertools.count(2_000_000_001)
        self._query_ids = itertools.count(1)
        self._chat_waiters: dict[int, list[asyncio.Future[None]]] = {}
        self._change_waiters: list[asyncio.Future[None]] = []

    # ----- accounts -------------------------------------------------------------------

    def add_person(
        self,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        user_id: int | None = None,
    ) -> User:
        """Create a simulated person."""
        uid = user_id if user_id is not None else next(self._person_ids)
        if uid in self.users:
            raise ValueError(f"user id {uid} already exists")
        user = User(uid, first_name, False, last_name, username, language_code)
        self.users[uid] = user
        return user

    def add_bot(
        self,
        token: str | None = None,
        username: str = "sandbox_bot",
        first_name: str | None = None,
        can_join_groups: bool = True,
        privacy_mode: bool = True,
    ) -> BotAccount:
        """Register a bot; a token like '123:abc' gives it id 123."""
        if token is None:
            bot_id = next(self._bot_ids)
            token = f"{bot_id}:AA{secrets.token_urlsafe(24)}"
        prefix = token.split(":", 1)[0]
        if ":" not in token or not prefix.isdigit():
            raise ValueError("bot token must look like '<digits>:<secret>'")
        if token in self.bots_by_token or int(prefix) in self.users:
            raise ValueError(f"bot {prefix} already exists")
        if not username.lower().endswith("bot"):
            raise ValueError("a bot username must end in 'bot'")
        user = User(int(prefix), first_name or username, True, None, username)
        bot = BotAccount(user, token, can_join_groups, privacy_mode)
        self.users[user.id] = user
        self.bots[user.id] = bot
        self.bots_by_token[token] = bot
        self.queues[user.id] = UpdateQueue(
            first_update_id=self.rng.randrange(10**8, 9 * 10**8), on_taken=self.changed
        )
        return bot

    def bot_by_username(self, username: str) -> BotAccount | None:
        """Find a bot by username (case-insensitive, '@' optional)."""
        wanted = username.lstrip("@").lower()
        return next((b for b in self.bots.values() if b.username.lower() == wanted), None)

    # ----- chats ----------------------------------------------------------------------

    def private_chat(self, bot: BotAccount, person: User, create: bool = True) -> Chat | None:
        """The private chat between a person and a bot (created on demand)."""
        key = (bot.id, person.id)
        chat = self.private.get(key)
        if chat is None and create:
            chat = Chat(person.id, "private", person=person, bot_id=bot.id)
            self.private[key] = chat
        return chat

    def new_group(self, title: str, supergroup: bool = False) -> Chat:
        """Create an empty group (negative id) or supergroup (-100… id)."""
        kind: ChatType = "supergroup" if supergroup else "group"
        if supergroup:
            chat_id = -(10**12 + next(self._supergroup_ids))
        else:
            chat_id = -next(self._group_ids)
        chat = Chat(chat_id, kind, title=title)
        self.groups[chat_id] = chat
        return chat

    def chat_instance(self, bot_id: int, chat_id: int) -> str:
        """Stable chat_instance string for a bot and chat pair."""
        key = (bot_id, chat_id)
        if key not in self._chat_instances:
            self._chat_instances[key] = str(self.rng.randrange(-(2**63), 2**63))
        return self._chat_instances[key]

    def next_query_id(self) -> str:
        """A fresh callback query id, a long decimal string like Telegram's."""
        return str(4_000_000_000_000_000_000 + next(self._query_ids) * 7919)

    def resolve_chat(self, bot: BotAccount, raw: Any, *, for_send: bool = True) -> Chat:
        """Find the chat a bot addresses by chat_id, raising Telegram's errors."""
        chat_id = self.parse_chat_id(raw)
        if chat_id > 0:
            person = self.users.get(chat_id)
            if person is None or person.is_bot:
                raise chat_not_found()
            chat = self.private_chat(bot, person, create=False)
            if chat is None or not chat.started:
                if for_send:
                    raise forbidden("bot can't initiate conversation with a user")
                raise chat_not_found()
            if chat.blocked and for_send:
                raise forbidden("bot was blocked by the user")
            return chat
        group = self.groups.get(chat_id)
        if group is None or bot.id not in group.members:
            raise chat_not_found()
        if group.migrated_to is not None:
            raise chat_migrated(group.migrated_to)
        if not group.is_active_member(bot.id):
            kind = "supergroup chat" if group.type == "supergroup" else "group chat"
            if bot.id in group.kicked_bots:
                raise forbidden(f"bot was kicked from the {kind}")
            raise forbidden(f"bot is not a member of the {kind}")
        return group

    def parse_chat_id(self, raw: Any) -> int:
        """chat_id as int; '@username' resolves public groups."""
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        if isinstance(raw, bool):
            raise chat_not_found()
        if isinstance(raw, int):
            return raw
        text = str(raw).strip()
        if text.startswith("@"):
            for group in self.groups.values():
                if group.username and group.username.lower() == text[1:].lower():
                    return group.id
            raise chat_not_found()
        try:
            return int(text)
        except ValueError:
            raise chat_not_found() from None

    # ----- messages -------------------------------------------------------------------

    def add_message(self, chat: Chat, sender: User, **fields: Any) -> Message:
        """Store a new message in a chat and wake whoever waits for it."""
        message = Message(chat, chat.next_message_id, sender, wall_now(), **fields)
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        for waiter in self._chat_waiters.pop(id(chat), []):
            if not waiter.done():
                waiter.set_result(None)
        self.changed()
        return message

    def get_message(self, chat: Chat, message_id: Any) -> Message | None:
        """A live (not deleted) message by id."""
        try:
            message = chat.messages.get(int(message_id))
        except (TypeError, ValueError):
            return None
        return None if message is None or message.deleted else message

    def receives(self, bot: BotAccount, chat: Chat, message: Message) -> bool:
        """Privacy mode as documented: which group messages reach this bot."""
        if message.sender.id == bot.id:
            return False
        if chat.type == "private":
            return chat.bot_id == bot.id
        status = chat.status_of(bot.id)
        if status not in ("member", "administrator", "creator"):
            return False
        if not bot.privacy_mode or status == "administrator":
            return True
        if SERVICE_KEYS & message.service.keys():
            return True
        if message.reply_to is not None and message.reply_to.sender.id == bot.id:
            return True
        return self._command_for(bot, message)

    @staticmethod
    def _command_for(bot: BotAccount, message: Message) -> bool:
        """True when the message starts with a command meant for this bot (or any bot)."""
        text = message.text if message.text is not None else message.caption
        entities: list[Entity] = (
            message.entities if message.text is not None else (message.caption_entities)
        )
        if not text:
            return False
        first = next((e for e in entities if e["offset"] == 0), None)
        if first is None or first["type"] != "bot_command":
            return False
        command = text[: first["length"]]
        if "@" not in command:
            return True
        return command.split("@", 1)[1].lower() == bot.username.lower()

    def dispatch(self, chat: Chat, message: Message, kind: str = "message") -> None:
        """Deliver a person's message (or edit) to every bot that may see it."""
        if chat.type == "private":
            bot = self.bots.get(chat.bot_id or 0)
            targets = [bot] if bot is not None else []
        else:
            targets = [self.bots[uid] for uid in chat.members if uid in self.bots]
        payload: dict[str, Any] | None = None
        for bot in targets:
            if self.receives(bot, chat, message):
                payload = payload or message_json(message)
                self.queues[bot.id].push(kind, payload)

    def emit(self, bot: BotAccount, kind: str, payload: dict[str, Any]) -> None:
        """Queue one update of the given kind for a bot."""
        self.queues[bot.id].push(kind, payload)

    # ----- waiting ----------------------------------------------------------------------

    def changed(self) -> None:
        """Wake every generic waiter (wait_for)."""
        waiters, self._change_waiters = self._change_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float,  # noqa: ASYNC109
    ) -> Any:
        """Wait until predicate() is truthy, re-checking on every state change."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout} s")
            waiter: asyncio.Future[None] = loop.create_future()
            self._change_waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                continue

    async def next_message(
        self,
        chat: Chat,
        predicate: Callable[[Message], bool],
        timeout: float,  # noqa: ASYNC109
        after_id: int | None = None,
    ) -> Message:
        """Wait for a message newer than after_id (default: now) that satisfies predicate."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen = chat.next_message_id - 1 if after_id is None else after_id
        while True:
            for message_id in range(seen + 1, chat.next_message_id):
                seen = message_id
                message = chat.messages.get(message_id)
                if message is not None and predicate(message):
                    return message
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no matching message in chat {chat.id} within {timeout} s")
            waiter: asyncio.Future[None] = loop.create_future()
            self._chat_waiters.setdefault(id(chat), []).append(waiter)
            self.changed()  # someone now waits for this chat (see waiting_in)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                continue

    def waiting_in(self, chat: Chat) -> int:
        """How many wait for a message in the chat (next_message) right now."""
        return sum(not w.done() for w in self._chat_waiters.get(id(chat), []))

    def store_file(self, kind: str, data: bytes, **fields: Any) -> StoredFile:
        """Keep an uploaded file and give it Telegram-like ids."""
        file_id = f"{kind[:2].upper()}AC{secrets.token_urlsafe(30)}"
        unique = f"AgAD{secrets.token_urlsafe(9)}"
        path = f"{kind}s/file_{len(self.files)}"
        filename = fields.get("filename")
        if isinstance(filename, str) and "." in filename:
            path += "." + filename.rsplit(".", 1)[1]
        stored = StoredFile(file_id, unique, kind, data, file_path=path, **fields)
        self.files[file_id] = stored
        self.files_by_path[path] = stored
        return stored

    def file_by_path(self, path: str) -> StoredFile | None:
        """Find a stored file by the file_path getFile returned."""
        return self.files_by_path.get(path)


def require(condition: bool, error: ApiError) -> None:
    """Raise the Telegram error unless condition holds."""
    if not condition:
        raise error
