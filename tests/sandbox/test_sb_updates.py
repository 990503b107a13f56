"""getUpdates: long polling, offsets, limit, allowed_updates, conflicts."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from sandbox import BotAccount, Sandbox
from sandbox.errors import POLL_CONFLICT, WEBHOOK_CONFLICT

if TYPE_CHECKING:
    from tests.sandbox.conftest import Api


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    sb: Sandbox, api: Api, bot: BotAccount
) -> None:
    alice = sb.add_person("Alice", username="alice")
    poll = asyncio.create_task(api("getUpdates", timeout=20))
    await sb.wait_for(lambda: sb.calls_in_flight("getUpdates"))
    assert not poll.done()
    started = time.monotonic()
    await alice.start(bot, "ref-42")
    status, body = await poll
    assert status == 200
    assert time.monotonic() - started < 1.0
    [update] = body["result"]
    message = update["message"]
    assert message["text"] == "/start ref-42"
    assert message["entities"] == [{"offset": 0, "length": 6, "type": "bot_command"}]
    assert message["from"] == {
        "id": alice.id,
        "is_bot": False,
        "first_name": "Alice",
        "username": "alice",
        "language_code": "en",
    }
    assert message["chat"] == {
        "id": alice.id,
        "first_name": "Alice",
        "username": "alice",
        "type": "private",
    }
    assert message["message_id"] == 1 and isinstance(message["date"], int)


async def test_timeout_elapses_with_empty_result(api: Api) -> None:
    started = time.monotonic()
    assert await api.ok("getUpdates", timeout=0.3) == []
    assert 0.25 < time.monotonic() - started < 2


async def test_offset_confirms_and_limit_caps(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    alice = sb.add_person("Alice")
    await alice.start(bot)
    for i in range(4):
        await alice.send(bot, f"m{i}")
    first = await api.ok("getUpdates", limit=2)
    assert [u["message"]["text"] for u in first] == ["/start", "m0"]
    ids = [u["update_id"] for u in first]
    assert ids[1] == ids[0] + 1
    again = await api.ok("getUpdates", limit=2)
    assert again == first  # not confirmed yet
    rest = await api.ok("getUpdates", offset=ids[1] + 1)
    assert [u["message"]["text"] for u in rest] == ["m1", "m2", "m3"]
    assert [u["update_id"] for u in rest] == [ids[1] + 1, ids[1] + 2, ids[1] + 3]
    assert len(sb.pending_updates(bot)) == 3
    assert await api.ok("getUpdates", offset=rest[-1]["update_id"] + 1) == []
    assert sb.pending_updates(bot) == []


async def test_negative_offset_keeps_only_the_last(sb: Sandbox, api: Api, bot) -> None:
    alice = sb.add_person("Alice")
    await alice.start(bot)
    await alice.send(bot, "one")
    await alice.send(bot, "two")
    result = await api.ok("getUpdates", offset=-1)
    assert [u["message"]["text"] for u in result] == ["two"]


async def test_chat_member_updates_only_when_asked(sb: Sandbox, api: Api, bot) -> None:
    owner = sb.add_person("Owner")
    group = await owner.create_group("G", bots=[bot])
    await owner.set_bot_admin(group, bot)
    joiner = sb.add_person("Joiner")
    await joiner.join(group)
    kinds = [next(k for k in u if k != "update_id") for u in await api.updates()]
    assert "chat_member" not in kinds
    assert kinds == ["my_chat_member", "message", "my_chat_member", "message"]
    await api.ok("getUpdates", allowed_updates=["message", "chat_member"], timeout=0)
    late = sb.add_person("Late")
    await late.join(group)
    updates = await api.updates()
    assert [next(k for k in u if k != "update_id") for u in updates] == ["chat_member", "message"]
    member = updates[0]["chat_member"]
    assert member["old_chat_member"] == {
        "user": {"id": late.id, "is_bot": False, "first_name": "Late", "language_code": "en"},
        "status": "left",
    }
    assert member["new_chat_member"]["status"] == "member"
    assert member["chat"]["id"] == group.id and member["from"]["id"] == late.id
    # allowed_updates persists when omitted; [] restores the default set.
    await owner.send(group, "/ping")
    assert len(await api.updates()) == 1
    await api.ok("getUpdates", allowed_updates=[], timeout=0)
    await sb.add_person("Third").join(group)
    assert [next(k for k in u if k != "update_id") for u in await api.updates()] == ["message"]


async def test_second_poller_terminates_the_first(sb: Sandbox, api: Api) -> None:
    first = asyncio.create_task(api("getUpdates", timeout=5))
    await sb.wait_for(lambda: sb.calls_in_flight("getUpdates"))  # the first one polls
    second = asyncio.create_task(api("getUpdates", timeout=0.2))
    status, body = await first
    assert status == 409
    assert body["description"] == POLL_CONFLICT
    assert (await second)[0] == 200


async def test_get_updates_while_webhook_set_is_409(api: Api) -> None:
    assert await api.ok("setWebhook", url="http://127.0.0.1:9/hook")
    status, body = await api("getUpdates")
    assert status == 409
    assert body == {"ok": False, "error_code": 409, "description": WEBHOOK_CONFLICT}
