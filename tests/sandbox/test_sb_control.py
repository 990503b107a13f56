"""The HTTP control API under /sandbox/… (what a separate process uses)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from sandbox import Sandbox


class Control:
    """JSON client for /sandbox/…"""

    def __init__(self, session: aiohttp.ClientSession, sb: Sandbox) -> None:
        self.session = session
        self.sb = sb

    async def request(self, verb: str, path: str, **body: Any) -> tuple[int, Any]:
        url = f"{self.sb.url}/sandbox/{path}"
        kwargs: dict[str, Any] = {"params": body} if verb in ("GET", "DELETE") else {"json": body}
        async with self.session.request(verb, url, **kwargs) as response:
            return response.status, await response.json()

    async def post(self, path: str, **body: Any) -> Any:
        status, data = await self.request("POST", path, **body)
        assert status == 200 and data["ok"], data
        return data["result"]

    async def get(self, path: str, **params: Any) -> Any:
        status, data = await self.request("GET", path, **params)
        assert status == 200 and data["ok"], data
        return data["result"]

    async def bot_call(self, token: str, method: str, **params: Any) -> Any:
        url = f"{self.sb.base_url}{token}/{method}"
        async with self.session.post(url, json=params) as response:
            data = await response.json()
        assert data["ok"], data
        return data["result"]


@pytest.fixture
async def ctl(sb: Sandbox) -> AsyncIterator[Control]:
    async with aiohttp.ClientSession() as session:
        yield Control(session, sb)


async def test_drive_a_scenario_over_http(ctl: Control) -> None:
    bot = await ctl.post("bots", token="555:ctl", username="ctl_bot")
    assert bot["id"] == 555 and bot["privacy_mode"] is True
    alice = await ctl.post("people", first_name="Alice", username="alice", language_code="nl")
    bob = await ctl.post("people", first_name="Bob")
    started = await ctl.post("start", person=alice["id"], bot="ctl_bot", payload="inv-7")
    assert started["text"] == "/start inv-7"
    [update] = await ctl.bot_call("555:ctl", "getUpdates")
    assert update["message"]["from"]["language_code"] == "nl"
    markup = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
    sent = await ctl.bot_call(
        "555:ctl", "sendMessage", chat_id=alice["id"], text="Join?", reply_markup=markup
    )
    messages = await ctl.get("messages", chat_id=alice["id"], bot="555", only_bot="true")
    assert [m["text"] for m in messages] == ["Join?"]
    assert messages[0]["reply_markup"] == markup and messages[0]["edits"] == []

    async def bot_answers() -> None:
        updates = await ctl.bot_call(
            "555:ctl", "getUpdates", offset=update["update_id"] + 1, timeout=5
        )
        query = updates[0]["callback_query"]
        await ctl.bot_call(
            "555:ctl",
            "answerCallbackQuery",
            callback_query_id=query["id"],
            text="Welcome",
            show_alert=True,
        )

    answering = asyncio.create_task(bot_answers())
    pressed = await ctl.post(
        "press",
        person=alice["id"],
        chat_id=alice["id"],
        bot="555",
        message_id=sent["message_id"],
        data="ok",
        timeout=5,
    )
    await answering
    assert pressed["answer"]["text"] == "Welcome" and pressed["answer"]["show_alert"] is True
    assert (await ctl.get(f"callback_answers/{pressed['query_id']}"))["text"] == "Welcome"

    group = await ctl.post(
        "groups", creator=alice["id"], title="Street", members=[bob["id"]], bots=["555:ctl"]
    )
    assert group["type"] == "group"
    await ctl.post("send", person=bob["id"], chat_id=group["id"], text="/report@ctl_bot now")
    pending = await ctl.get("updates", bot="ctl_bot")
    assert pending[-1]["message"]["text"] == "/report@ctl_bot now"
    new_group = await ctl.post("migrate", person=alice["id"], chat_id=group["id"])
    assert str(new_group["id"]).startswith("-100")
    await ctl.post(
        "join", person=(await ctl.post("people", first_name="C"))["id"], chat_id=new_group["id"]
    )
    await ctl.post("block", person=alice["id"], bot="ctl_bot")
    status, data = await ctl.request("POST", "send", person=alice["id"], bot="ctl_bot", text="hi")
    assert status == 400 and "blocked" in data["error"]
    await ctl.post("unblock", person=alice["id"], bot="ctl_bot")
    calls = await ctl.get("calls", method="answerCallbackQuery")
    assert len(calls) == 1 and calls[0]["ok"] is True and calls[0]["bot_id"] == 555


async def test_wait_message_and_edit(ctl: Control, sb: Sandbox) -> None:
    await ctl.post("bots", token="9:w", username="w_bot")
    alice = await ctl.post("people", first_name="Alice")
    await ctl.post("start", person=alice["id"], bot="w_bot")
    waiting = asyncio.create_task(
        ctl.request("POST", "wait_message", chat_id=alice["id"], bot="w_bot", timeout=5)
    )
    chat = sb.person(alice["id"]).chat_with(sb.bot("w_bot"))
    await sb.wait_for(lambda: sb.waiting_in(chat))  # the request is in, and waits
    await ctl.bot_call("9:w", "sendMessage", chat_id=alice["id"], text="arrived")
    status, data = await waiting
    assert status == 200 and data["result"]["text"] == "arrived"
    status, data = await ctl.request(
        "POST", "wait_message", chat_id=alice["id"], bot="w_bot", timeout=0.1
    )
    assert status == 408
    edited = await ctl.post(
        "edit",
        person=alice["id"],
        chat_id=alice["id"],
        bot="w_bot",
        message_id=1,
        text="/start again",
    )
    assert edited["text"] == "/start again" and edited["edits"][0]["text"] == "/start"


async def test_faults_flood_calls_and_bounds(ctl: Control, sb: Sandbox) -> None:
    await ctl.post("bots", token="8:f", username="f_bot")
    fault = await ctl.post("faults", method="getMe", count=2, error_code=429, retry_after=4)
    assert fault["remaining"] == 2
    assert len(await ctl.get("faults")) == 1
    async with ctl.session.post(f"{sb.base_url}8:f/getMe") as response:
        assert response.status == 429
        assert (await response.json())["parameters"] == {"retry_after": 4}
    status, _ = await ctl.request("DELETE", "faults")
    assert status == 200 and await ctl.get("faults") == []
    assert await ctl.post("flood", enabled=True, group=[2, 60]) is True
    assert sb.limiter.enabled and sb.limiter.limits.group.count == 2
    await ctl.post("flood", enabled=False)
    assert not sb.limiter.enabled
    bound = await ctl.post("min_wall_time", counts={"-1": 41, "5": 2})
    assert bound == 120
    assert len(await ctl.get("calls")) == 1
    status, _ = await ctl.request("DELETE", "calls")
    assert status == 200 and await ctl.get("calls") == []
    health = await ctl.get("health")
    assert health["base_url"] == sb.base_url


async def test_files_and_commands_are_readable(ctl: Control, sb: Sandbox) -> None:
    await ctl.post("bots", token="7:c", username="c_bot")
    alice = await ctl.post("people", first_name="Alice")
    await ctl.post("start", person=alice["id"], bot="c_bot")
    form = aiohttp.FormData()
    form.add_field("chat_id", str(alice["id"]))
    form.add_field("document", b"PDFDATA", filename="flyer.pdf", content_type="application/pdf")
    async with ctl.session.post(f"{sb.base_url}7:c/sendDocument", data=form) as response:
        file_id = (await response.json())["result"]["document"]["file_id"]
    info = await ctl.get(f"files/{file_id}/info")
    assert (info["filename"], info["mime_type"], info["size"]) == (
        "flyer.pdf",
        "application/pdf",
        7,
    )
    async with ctl.session.get(f"{sb.url}/sandbox/files/{file_id}") as response:
        assert await response.read() == b"PDFDATA"
    await ctl.bot_call(
        "7:c",
        "setMyCommands",
        commands=[{"command": "a", "description": "A"}],
        scope={"type": "all_private_chats"},
        language_code="en",
    )
    commands = await ctl.get(
        "commands",
        bot="c_bot",
        scope=json.dumps({"type": "all_private_chats"}),
        language_code="en",
    )
    assert commands == [{"command": "a", "description": "A"}]


async def test_control_errors(ctl: Control) -> None:
    status, data = await ctl.request("POST", "start", person=1, bot="nobody_bot")
    assert status == 404 and data["ok"] is False
    status, data = await ctl.request("POST", "people", last_name="no first name")
    assert status == 400 and "first_name" in data["error"]
