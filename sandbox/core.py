"""Sandbox: the in-process server plus the Python API tests use to drive and inspect it."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

from aiohttp import web

from sandbox.calllog import CallLog, CallRecord
from sandbox.control import add_control_routes
from sandbox.faults import Fault, FaultInjector
from sandbox.limits import FloodLimiter, FloodLimits
from sandbox.models import BotAccount, CallbackAnswer, Chat, Message, StoredFile
from sandbox.people import Person
from sandbox.server import BotApi, add_routes
from sandbox.state import World
from sandbox.webhook import WebhookDelivery


class Sandbox:
    """A local Telegram Bot API server with simulated people, all on one event loop."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        flood_limits: bool | FloodLimits = False,
        callback_timeout: float = 15.0,
        webhook_attempts: int = 5,
        webhook_backoff: float = 0.05,
        seed: int | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.world = World(seed)
        limits = flood_limits if isinstance(flood_limits, FloodLimits) else None
        self.limiter = FloodLimiter(limits, enabled=bool(flood_limits))
        self.faults = FaultInjector()
        self.log = CallLog(self.world.changed)
        self.webhooks = WebhookDelivery(self.world, webhook_attempts, webhook_backoff)
        self.api = BotApi(
            self.world, self.limiter, self.faults, self.log, self.webhooks, callback_timeout
        )
        self.app = web.Application(client_max_size=60 * 1024 * 1024)
        add_routes(self.app, self.api)
        add_control_routes(self.app, self)
        self._runner: web.AppRunner | None = None
        self._cursors: dict[int, int] = {}

    # ----- lifecycle ------------------------------------------------------------------

    async def start(self) -> Sandbox:
        """Bind (port 0 picks a free port) and serve."""
        self._runner = web.AppRunner(
            self.app, access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        """Stop webhook delivery and the server."""
        await self.webhooks.close()
        for queue in self.world.queues.values():
            queue.end_poll()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Sandbox:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Root URL of the server."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """PTB base_url: PTB appends '<token>/<method>'."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """PTB base_file_url: PTB appends '<token>/<file_path>'."""
        return f"{self.url}/file/bot"

    # ----- setup ----------------------------------------------------------------------

    def add_bot(
        self,
        token: str | None = None,
        username: str = "sandbox_bot",
        *,
        first_name: str | None = None,
        can_join_groups: bool = True,
        privacy_mode: bool = True,
    ) -> BotAccount:
        """Register a bot (token '<id>:<secret>'; generated when omitted)."""
        return self.world.add_bot(token, username, first_name, can_join_groups, privacy_mode)

    def add_person(
        self,
        first_name: str,
        last_name: str | None = None,
        *,
        username: str | None = None,
        language_code: str | None = "en",
        user_id: int | None = None,
    ) -> Person:
        """Create a simulated person."""
        user = self.world.add_person(first_name, last_name, username, language_code, user_id)
        return Person(self.world, user)

    def person(self, user_id: int) -> Person:
        """The Person handle for an existing (non-bot) user id."""
        user = self.world.users.get(user_id)
        if user is None or user.is_bot:
            raise KeyError(f"no person {user_id}")
        return Person(self.world, user)

    def bot(self, ref: str | int) -> BotAccount:
        """A bot by token, id or username."""
        if isinstance(ref, int) and ref in self.world.bots:
            return self.world.bots[ref]
        text = str(ref)
        found = self.world.bots_by_token.get(text) or self.world.bot_by_username(text)
        if found is None and text.lstrip("-").isdigit():
            found = self.world.bots.get(int(text))
        if found is None:
            raise KeyError(f"no bot {ref!r}")
        return found

    # ----- reading state ----------------------------------------------------------------

    def group(self, chat_id: int) -> Chat:
        """A group or supergroup by id."""
        return self.world.groups[chat_id]

    def private_chat(self, person: Person, bot: BotAccount) -> Chat:
        """The private chat between a person and a bot."""
        return person.chat_with(bot)

    def messages(
        self,
        chat: Chat,
        *,
        sender: BotAccount | Person | None = None,
        include_deleted: bool = False,
    ) -> list[Message]:
        """Messages of a chat in order, optionally only those of one sender."""
        sender_id = None if sender is None else sender.id
        return [
            m
            for m in chat.message_list(include_deleted)
            if sender_id is None or m.sender.id == sender_id
        ]

    def sent(self, chat: Chat, bot: BotAccount | None = None) -> list[Message]:
        """What bots (or one bot) sent to a chat, service messages excluded."""
        return [
            m
            for m in chat.message_list()
            if m.sender.is_bot and not m.service and (bot is None or m.sender.id == bot.id)
        ]

    def last_sent(self, chat: Chat, bot: BotAccount | None = None) -> Message | None:
        """The latest message a bot sent to a chat."""
        for message in reversed(chat.messages.values()):
            if message.deleted or message.service or not message.sender.is_bot:
                continue
            if bot is None or message.sender.id == bot.id:
                return message
        return None

    async def next_message(
        self,
        chat: Chat,
        *,
        bot: BotAccount | None = None,
        predicate: Callable[[Message], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
        after: Message | int | None = None,
    ) -> Message:
        """The next bot message in the chat, mailbox-style: each is returned once, in order.

        Without `after`, continues after the message this call last returned for the same
        chat (from the start of the chat the first time), so a reply that arrived before the
        call is not missed. `after` (a Message or message_id) overrides that.
        """
        key = id(chat)
        if after is None:
            after_id: int | None = self._cursors.get(key, 0)
        else:
            after_id = after.message_id if isinstance(after, Message) else int(after)

        def wanted(message: Message) -> bool:
            if not message.sender.is_bot or message.service:
                return False
            if bot is not None and message.sender.id != bot.id:
                return False
            return predicate is None or predicate(message)

        message = await self.world.next_message(chat, wanted, timeout, after_id)
        self._cursors[key] = message.message_id
        return message

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> Any:
        """Wait until predicate() is truthy (re-checked on every state change)."""
        return await self.world.wait_for(predicate, timeout)

    def waiting_in(self, chat: Chat) -> int:
        """How many next_message calls (the control API's wait_message too) wait in the chat.

        For tests of the waiting itself: `await sb.wait_for(lambda: sb.waiting_in(chat))`
        shows a waiter is in place before the message it waits for is sent.
        """
        return self.world.waiting_in(chat)

    def callback_answer(self, query_id: str) -> CallbackAnswer | None:
        """The bot's answer to a callback query, if it answered."""
        query = self.world.callbacks.get(query_id)
        return query.answer if query else None

    def commands(
        self,
        bot: BotAccount,
        scope: dict[str, Any] | None = None,
        language_code: str = "",
    ) -> list[dict[str, str]]:
        """Commands stored by setMyCommands for a scope (default scope when None)."""
        scope = scope or {"type": "default"}
        chat_id = scope.get("chat_id")
        user_id = scope.get("user_id")
        key = (
            bot.id,
            str(scope["type"]),
            None if chat_id is None else int(chat_id),
            None if user_id is None else int(user_id),
            language_code,
        )
        return list(self.world.commands.get(key, []))

    def file(self, file_id: str) -> StoredFile:
        """An uploaded file by file_id (bytes in .data, .filename, .mime_type)."""
        return self.world.files[file_id]

    def pending_updates(self, bot: BotAccount) -> list[dict[str, Any]]:
        """Updates queued for a bot and not yet confirmed."""
        return list(self.world.queues[bot.id].pending)

    # ----- limits, faults, log ------------------------------------------------------------

    def set_flood_limits(self, enabled: bool = True, limits: FloodLimits | None = None) -> None:
        """Switch Telegram's flood limits on or off (counters reset)."""
        self.limiter.configure(enabled, limits)

    @contextlib.contextmanager
    def flood_limits(self, limits: FloodLimits | None = None) -> Iterator[FloodLimiter]:
        """Flood limits on inside a with-block, restored afterwards."""
        before, old_limits = self.limiter.enabled, self.limiter.limits
        self.limiter.configure(True, limits)
        try:
            yield self.limiter
        finally:
            self.limiter.configure(before, old_limits)

    def inject_fault(
        self,
        method: str,
        count: int = 1,
        *,
        error_code: int | None = None,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        chat_id: int | None = None,
        bot: BotAccount | None = None,
        hang: float | None = None,
    ) -> Fault:
        """The next `count` calls of method ('*' = any) fail with error_code and/or hang."""
        if error_code is None and not hang:
            raise ValueError("a fault needs error_code, hang, or both")
        return self.faults.add(
            Fault(
                method,
                count,
                error_code,
                description,
                retry_after,
                migrate_to_chat_id,
                chat_id,
                bot.id if bot else None,
                hang,
            )
        )

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        self.faults.clear()

    def calls(
        self,
        method: str | None = None,
        *,
        bot: BotAccount | None = None,
        chat_id: int | None = None,
        ok: bool | None = None,
        since: float | None = None,
    ) -> list[CallRecord]:
        """Recorded Bot API calls matching the filters (since: a time.monotonic() value)."""
        return self.log.query(method, bot.id if bot else None, chat_id, ok, since)

    def calls_in_flight(
        self,
        method: str | None = None,
        *,
        bot: BotAccount | None = None,
        chat_id: int | None = None,
    ) -> list[CallRecord]:
        """Bot API calls that have arrived and are not answered yet (a hanging fault, a poll).

        A test waits for one to know the bot is waiting on Telegram, e.g. before it changes
        the world under that call: `await sb.wait_for(lambda: sb.calls_in_flight(...))`.
        """
        return self.log.query(method, bot.id if bot else None, chat_id, in_flight=True)

    def clear_calls(self) -> None:
        """Forget the call log."""
        self.log.clear()

    @staticmethod
    def clock() -> float:
        """The monotonic clock used in call records (for `since=`)."""
        return time.monotonic()
