"""Webhook delivery: POST each update as JSON, in order, retrying a few times."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from sandbox.models import BotAccount, now
from sandbox.state import World
from sandbox.updates import WebhookConfig

ReplyHandler = Callable[[BotAccount, dict[str, Any]], Awaitable[None]]


class WebhookDelivery:
    """One delivery task per bot with a webhook; updates go out one at a time."""

    def __init__(
        self,
        world: World,
        max_attempts: int = 5,
        backoff: float = 0.05,
        timeout: float = 10.0,
    ) -> None:
        self.world = world
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.timeout = timeout
        self.reply_handler: ReplyHandler | None = None
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None

    def start(self, bot: BotAccount) -> None:
        """Make sure the bot's delivery task runs."""
        task = self._tasks.get(bot.id)
        if task is None or task.done():
            self._tasks[bot.id] = asyncio.create_task(self._run(bot), name=f"webhook-{bot.id}")

    async def stop(self, bot: BotAccount) -> None:
        """Stop the bot's delivery task (the pending updates stay queued)."""
        task = self._tasks.pop(bot.id, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def close(self) -> None:
        """Stop every task and close the HTTP client."""
        for bot_id in list(self._tasks):
            await self.stop(self.world.bots[bot_id])
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self, bot: BotAccount) -> None:
        """Deliver the bot's pending updates while its webhook is set."""
        queue = self.world.queues[bot.id]
        while queue.webhook is not None:
            await queue.wait_pending()
            hook = queue.webhook
            if hook is None:
                break
            update = queue.pending[0]
            await self._deliver(bot, hook, update)
            if queue.pending and queue.pending[0] is update:
                queue.consume_first()  # wakes the world's waiters

    async def _deliver(self, bot: BotAccount, hook: WebhookConfig, update: dict[str, Any]) -> bool:
        """POST one update, retrying with backoff; record the last error on the hook."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        body = json.dumps(update, ensure_ascii=False).encode("utf-8")
        for attempt in range(self.max_attempts):
            try:
                async with self._session.post(
                    hook.url,
                    data=body,
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=self.timeout),
                ) as response:
                    payload = await response.read()
                    if 200 <= response.status < 300:
                        await self._handle_reply(bot, response.content_type, payload)
                        return True
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
            except TimeoutError:
                error = "Read timeout expired"
            except aiohttp.ClientConnectorError:
                error = "Connection refused"
            except aiohttp.ClientError as exc:
                error = f"Connection error: {type(exc).__name__}"
            hook.last_error_date = now()
            hook.last_error_message = error
            self.world.changed()
            if attempt + 1 < self.max_attempts:
                await asyncio.sleep(self.backoff * 2**attempt)
        return False

    async def _handle_reply(self, bot: BotAccount, content_type: str, payload: bytes) -> None:
        """Run a method returned in the webhook response body, as Telegram allows."""
        if self.reply_handler is None or content_type != "application/json" or not payload:
            return
        with contextlib.suppress(ValueError):
            data = json.loads(payload)
            if isinstance(data, dict) and isinstance(data.get("method"), str):
                await self.reply_handler(bot, data)
