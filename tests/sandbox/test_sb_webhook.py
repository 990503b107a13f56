"""Webhooks: delivery by POST with the secret header, order, retries, info, deletion."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from aiohttp import web

from sandbox import BotAccount, Sandbox

if TYPE_CHECKING:
    from tests.sandbox.conftest import Api


@dataclass
class Receiver:
    """A tiny webhook endpoint on 127.0.0.1 that records what it gets."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[str | None] = field(default_factory=list)
    fail_next: int = 0
    reply: dict[str, Any] | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        self.secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        if self.fail_next > 0:
            self.fail_next -= 1
            return web.Response(status=500, text="boom")
        self.received.append(await request.json())
        self.arrived.set()
        if self.reply is not None:
            reply, self.reply = self.reply, None
            return web.json_response(reply)
        return web.Response(text="")

    async def wait(self, count: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while len(self.received) < count:
                self.arrived.clear()
                await self.arrived.wait()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    rec.url = f"http://127.0.0.1:{port}/hook"
    yield rec
    await runner.cleanup()


async def test_updates_are_posted_in_order_with_secret(
    sb: Sandbox, api: Api, bot: BotAccount, receiver: Receiver
) -> None:
    status, body = await api("setWebhook", url=receiver.url, secret_token="s3cr3t_-X")
    assert (status, body) == (200, {"ok": True, "result": True, "description": "Webhook was set"})
    alice = sb.add_person("Alice")
    await alice.start(bot)
    for i in range(5):
        await alice.send(bot, f"n{i}")
    await receiver.wait(6)
    texts = [u["message"]["text"] for u in receiver.received]
    assert texts == ["/start", "n0", "n1", "n2", "n3", "n4"]
    ids = [u["update_id"] for u in receiver.received]
    assert ids == sorted(ids) and len(set(ids)) == 6
    assert set(receiver.secrets) == {"s3cr3t_-X"}
    info = await api.ok("getWebhookInfo")
    assert info["url"] == receiver.url and info["pending_update_count"] == 0
    assert info["has_custom_certificate"] is False and info["max_connections"] == 40


async def test_failed_delivery_is_retried_and_reported(
    sb: Sandbox, api: Api, bot: BotAccount, receiver: Receiver
) -> None:
    receiver.fail_next = 2
    await api.ok("setWebhook", url=receiver.url)
    alice = sb.add_person("Alice")
    await alice.start(bot)
    await alice.send(bot, "second")
    await receiver.wait(2)
    assert [u["message"]["text"] for u in receiver.received] == ["/start", "second"]
    assert receiver.secrets == [None, None, None, None]
    info = await api.ok("getWebhookInfo")
    assert (
        info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    )
    assert isinstance(info["last_error_date"], int)


async def test_unreachable_webhook_keeps_updates_pending(
    sb: Sandbox, api: Api, bot: BotAccount
) -> None:
    sb.webhooks.max_attempts = 100
    await api.ok("setWebhook", url="http://127.0.0.1:9/nothing-listens")
    alice = sb.add_person("Alice")
    await alice.start(bot)

    def failed() -> bool:
        hook = sb.world.queues[bot.id].webhook
        return hook is not None and hook.last_error_message == "Connection refused"

    await sb.wait_for(failed, timeout=5)
    info = await api.ok("getWebhookInfo")
    assert info["pending_update_count"] == 1
    assert info["last_error_message"] == "Connection refused"
    status, body = await api("deleteWebhook", drop_pending_updates=True)
    assert (status, body["description"]) == (200, "Webhook was deleted")
    info = await api.ok("getWebhookInfo")
    assert info == {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
    assert (await api("deleteWebhook"))[1]["description"] == "Webhook is already deleted"
    assert await api.ok("getUpdates") == []


async def test_set_webhook_drop_pending_and_validation(sb: Sandbox, api: Api, bot) -> None:
    alice = sb.add_person("Alice")
    await alice.start(bot)
    status, body = await api("setWebhook", url="https://api.example.com/hook")
    assert status == 400 and body["description"].startswith("Bad Request: bad webhook:")
    status, body = await api("setWebhook", url="http://127.0.0.1:9/x", secret_token="no spaces")
    assert (status, body["description"]) == (
        400,
        "Bad Request: secret token contains unallowed characters",
    )
    assert await api.ok("setWebhook", url="http://127.0.0.1:9/x", drop_pending_updates=True)
    assert (await api.ok("getWebhookInfo"))["pending_update_count"] == 0


async def test_webhook_response_can_call_a_method(
    sb: Sandbox, api: Api, bot: BotAccount, receiver: Receiver
) -> None:
    alice = sb.add_person("Alice")
    receiver.reply = {"method": "sendMessage", "chat_id": alice.id, "text": "inline reply"}
    await api.ok("setWebhook", url=receiver.url)
    await alice.start(bot)
    message = await sb.next_message(alice.chat_with(bot), after=0, timeout=5)
    assert message.text == "inline reply" and message.sender.id == bot.id
