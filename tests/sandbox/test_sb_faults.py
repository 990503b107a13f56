"""Fault injection: errors of each kind, per chat, counted, and hangs."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import aiohttp
import pytest

from sandbox import BotAccount, Person, Sandbox

if TYPE_CHECKING:
    from tests.sandbox.conftest import Api


@pytest.fixture
async def alice(sb: Sandbox, bot: BotAccount) -> Person:
    person = sb.add_person("Alice")
    await person.start(bot)
    return person


@pytest.mark.parametrize(
    ("code", "kwargs", "expected"),
    [
        (
            429,
            {"retry_after": 7},
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 7",
                "parameters": {"retry_after": 7},
            },
        ),
        (
            403,
            {},
            {
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: bot was blocked by the user",
            },
        ),
        (
            400,
            {"description": "Bad Request: chat not found"},
            {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
        ),
        (500, {}, {"ok": False, "error_code": 500, "description": "Internal Server Error"}),
        (
            400,
            {
                "migrate_to_chat_id": -1001234567890,
                "description": "Bad Request: group chat was upgraded to a supergroup chat",
            },
            {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: group chat was upgraded to a supergroup chat",
                "parameters": {"migrate_to_chat_id": -1001234567890},
            },
        ),
    ],
)
async def test_injected_errors(
    sb: Sandbox, api: Api, alice: Person, code: int, kwargs: dict, expected: dict
) -> None:
    sb.inject_fault("sendMessage", error_code=code, **kwargs)
    status, body = await api("sendMessage", chat_id=alice.id, text="x")
    assert (status, body) == (code, expected)
    assert sb.sent(alice.chat_with(sb.bot("test_bot"))) == []
    assert (await api("sendMessage", chat_id=alice.id, text="x"))[0] == 200


async def test_bad_gateway_is_an_html_page(sb: Sandbox, api: Api, alice: Person, bot) -> None:
    sb.inject_fault("SENDMESSAGE", error_code=502)
    url = f"{sb.base_url}{bot.token}/sendMessage"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data={"chat_id": str(alice.id), "text": "x"}) as response,
    ):
        text = await response.text()
    assert response.status == 502 and response.content_type == "text/html"
    assert "<title>502 Bad Gateway</title>" in text
    assert sb.calls("sendMessage")[-1].error_code == 502


async def test_fault_count_chat_filter_and_method_wildcard(
    sb: Sandbox, api: Api, alice: Person, bot
) -> None:
    bob = sb.add_person("Bob")
    await bob.start(bot)
    sb.inject_fault("sendMessage", 2, error_code=403, chat_id=bob.id)
    assert (await api("sendMessage", chat_id=alice.id, text="a"))[0] == 200
    assert (await api("sendMessage", chat_id=bob.id, text="b"))[0] == 403
    assert (await api("sendMessage", chat_id=bob.id, text="b"))[0] == 403
    assert (await api("sendMessage", chat_id=bob.id, text="b"))[0] == 200
    sb.inject_fault("*", 3, error_code=500)
    assert [(await api("getMe"))[0] for _ in range(4)] == [500, 500, 500, 200]
    sb.inject_fault("getMe", 5, error_code=500)
    sb.clear_faults()
    assert (await api("getMe"))[0] == 200


async def test_hang_makes_the_client_time_out(sb: Sandbox, api: Api, alice: Person, bot) -> None:
    sb.inject_fault("sendMessage", hang=0.6)
    started = time.monotonic()
    with pytest.raises(asyncio.TimeoutError):
        await api("sendMessage", chat_id=alice.id, text="slow", http_timeout=0.2)
    assert time.monotonic() - started < 0.5
    # Like a real timeout, the message may still be delivered after the hang.
    message = await sb.next_message(alice.chat_with(bot), after=1, timeout=3)
    assert message.text == "slow"


async def test_hang_then_error(sb: Sandbox, api: Api, alice: Person) -> None:
    sb.inject_fault("sendMessage", hang=0.2, error_code=429, retry_after=3)
    started = time.monotonic()
    status, body = await api("sendMessage", chat_id=alice.id, text="x")
    assert time.monotonic() - started >= 0.2
    assert (status, body["parameters"]) == (429, {"retry_after": 3})


def test_fault_needs_an_effect(sb: Sandbox) -> None:
    with pytest.raises(ValueError):
        sb.inject_fault("sendMessage")
