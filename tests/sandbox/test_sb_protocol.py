"""Bot API protocol: auth, unknown methods, request encodings, method-name case."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import aiohttp

from sandbox import BotAccount, Sandbox

if TYPE_CHECKING:
    from tests.sandbox.conftest import Api


async def test_get_me_shape(api: Api, bot: BotAccount) -> None:
    me = await api.ok("getMe")
    assert me == {
        "id": 123456789,
        "is_bot": True,
        "first_name": "Test Bot",
        "username": "test_bot",
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def test_privacy_off_bot_reads_all_group_messages(sb: Sandbox, api: Api) -> None:
    other = sb.add_bot("42:secret", "loud_bot", privacy_mode=False)
    status, body = await api("getMe", token=other.token)
    assert status == 200
    assert body["result"]["can_read_all_group_messages"] is True
    assert body["result"]["id"] == 42


async def test_unknown_token_is_401(api: Api) -> None:
    status, body = await api("getMe", token="999:nope")
    assert status == 401
    assert body == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_malformed_token_is_404(api: Api) -> None:
    status, body = await api("getMe", token="not-a-token")
    assert (status, body["error_code"], body["description"]) == (404, 404, "Not Found")


async def test_unknown_method_is_404(api: Api) -> None:
    status, body = await api("sendTelepathy", chat_id=1)
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_method_names_are_case_insensitive(api: Api) -> None:
    for name in ("getme", "GETME", "GetMe"):
        assert (await api.ok(name))["username"] == "test_bot"


async def test_get_request_with_query_string(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    alice = sb.add_person("Alice")
    await alice.start(bot)
    url = f"{sb.base_url}{bot.token}/sendMessage"
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, params={"chat_id": str(alice.id), "text": "via GET"}) as response,
    ):
        body = await response.json()
    assert response.status == 200
    assert body["result"]["text"] == "via GET"
    assert body["result"]["chat"]["id"] == alice.id


async def test_form_json_query_and_multipart_are_equivalent(
    sb: Sandbox, api: Api, bot: BotAccount
) -> None:
    alice = sb.add_person("Alice")
    await alice.start(bot)
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    texts = []
    for encoding in ("form", "json", "query"):
        result = await api.ok(
            "sendMessage",
            encoding=encoding,
            chat_id=alice.id,
            text=f"by {encoding}",
            reply_markup=markup,
            disable_notification=True,
        )
        assert result["reply_markup"] == markup
        texts.append(result["text"])
    status, body = await api(
        "sendMessage",
        chat_id=str(alice.id),
        text="by multipart",
        reply_markup=markup,
        files={"unused": ("x.bin", b"\x00", "application/octet-stream")},
    )
    assert status == 200, body
    assert body["result"]["reply_markup"] == markup
    texts.append(body["result"]["text"])
    assert texts == ["by form", "by json", "by query", "by multipart"]
    assert [m.text for m in sb.sent(alice.chat_with(bot))] == texts


async def test_invalid_json_parameter_is_400(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    alice = sb.add_person("Alice")
    await alice.start(bot)
    status, body = await api("sendMessage", chat_id=alice.id, text="x", reply_markup="{oops")
    assert status == 400
    assert body["description"].startswith("Bad Request: can't parse reply_markup")


async def test_every_call_is_recorded(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    start = sb.clock()
    await api.ok("getMe")
    await api("sendMessage", chat_id=555, text="x")
    await api("getMe", token="1:bad")
    records = sb.calls(since=start)
    assert [(r.method, r.ok, r.error_code) for r in records] == [
        ("getMe", True, None),
        ("sendMessage", False, 400),
        ("getMe", False, 401),
    ]
    assert records[0].bot_id == bot.id and records[2].bot_id is None
    assert records[1].params == {"chat_id": "555", "text": "x"}
    assert records[1].chat_id == 555
    assert records[0].wall.tzinfo is not None and records[0].duration >= 0
    assert sb.calls("GETME", ok=True) == [records[0]]
    sb.clear_calls()
    assert sb.calls() == []


async def test_a_waiter_wakes_as_soon_as_a_call_is_recorded(sb: Sandbox, api: Api) -> None:
    loop = asyncio.get_running_loop()
    waiting = asyncio.create_task(sb.wait_for(lambda: sb.calls("getMe"), timeout=30))
    started = loop.time()
    await api.ok("getMe")
    [record] = await waiting
    assert record.method == "getMe"
    assert loop.time() - started < 5  # not at its 30 s timeout


async def test_a_hanging_call_is_in_flight_until_it_is_answered(
    sb: Sandbox, api: Api, bot: BotAccount
) -> None:
    alice = sb.add_person("Alice")
    await alice.start(bot)
    sb.inject_fault("sendMessage", hang=1.0, chat_id=alice.id)
    sending = asyncio.create_task(api("sendMessage", chat_id=alice.id, text="x"))
    [call] = await sb.wait_for(lambda: sb.calls_in_flight("sendMessage", chat_id=alice.id))
    assert call.bot_id == bot.id and call.params == {"chat_id": str(alice.id), "text": "x"}
    assert sb.calls("sendMessage") == []
    status, _ = await sending
    assert status == 200
    assert sb.calls_in_flight() == [] and sb.calls("sendMessage", ok=True) == [call]


async def test_a_waiter_wakes_when_the_bot_takes_its_updates(
    sb: Sandbox, api: Api, bot: BotAccount
) -> None:
    alice = sb.add_person("Alice")
    await alice.start(bot)
    [update] = sb.pending_updates(bot)
    taken = asyncio.create_task(sb.wait_for(lambda: not sb.pending_updates(bot), timeout=30))
    assert (await api.ok("getUpdates", timeout=0)) == [update]
    assert not taken.done()  # returned, but not confirmed yet
    # The next poll confirms it and then waits (long): the waiter wakes before that ends.
    polling = asyncio.create_task(api("getUpdates", offset=update["update_id"] + 1, timeout=20))
    assert await asyncio.wait_for(taken, 5)
    assert not polling.done()
    polling.cancel()
    await asyncio.gather(polling, return_exceptions=True)
