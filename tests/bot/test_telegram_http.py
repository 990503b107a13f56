"""PTB's requests over aiohttp: what reaches the server, and how failures come back to PTB."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram_http import AiohttpRequest, UpdatesRequest


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[dict[str, object]]]]:
    seen: list[dict[str, object]] = []

    async def handle(request: web.Request) -> web.Response:
        if request.path.endswith("/slow"):
            await asyncio.sleep(2)
        form = await request.post()
        fields: dict[str, object] = {}
        for name, value in form.items():
            fields[name] = value.file.read() if isinstance(value, web.FileField) else value
        seen.append({"type": request.content_type, "fields": fields})
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}", seen
    await runner.cleanup()


def _data(**values: object) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in values.items()])


async def test_a_plain_call_is_a_form_with_json_encoded_values(
    server: tuple[str, list[dict[str, object]]],
) -> None:
    url, seen = server
    request = AiohttpRequest()
    await request.initialize()
    try:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Rustig", callback_data="a:1")]])
        status, body = await request.do_request(
            f"{url}/sendMessage",
            "POST",
            _data(chat_id=-100, text="Hoe is de stemming? é & =", reply_markup=keyboard),
        )
    finally:
        await request.shutdown()
    assert status == 200 and json.loads(body) == {"ok": True, "result": True}
    [call] = seen
    assert call["type"] == "application/x-www-form-urlencoded"
    fields = call["fields"]
    assert isinstance(fields, dict)
    assert fields["chat_id"] == "-100"
    assert fields["text"] == "Hoe is de stemming? é & ="
    assert json.loads(str(fields["reply_markup"]))["inline_keyboard"][0][0]["text"] == "Rustig"


async def test_a_file_goes_as_multipart(server: tuple[str, list[dict[str, object]]]) -> None:
    url, seen = server
    request = AiohttpRequest()
    await request.initialize()
    try:
        document = InputFile(b"wijk;stemming\r\nOvervecht;2\r\n", filename="export.csv")
        sent = _data(chat_id=7, document=document)
        await request.do_request(f"{url}/sendDocument", "POST", sent)
    finally:
        await request.shutdown()
    [call] = seen
    assert call["type"] == "multipart/form-data"
    fields = call["fields"]
    assert isinstance(fields, dict)
    assert fields["chat_id"] == "7"
    assert b"Overvecht;2" in next(v for v in fields.values() if isinstance(v, bytes))


async def test_a_slow_answer_is_timed_out_and_a_closed_port_a_network_error(
    server: tuple[str, list[dict[str, object]]],
) -> None:
    url, _ = server
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.do_request(f"{url}/slow", "POST", _data(chat_id=1), read_timeout=0.2)
        with pytest.raises(NetworkError):
            await request.do_request("http://127.0.0.1:9/getMe", "POST")
    finally:
        await request.shutdown()


def _updates(*presses: tuple[str, dict[str, object]]) -> bytes:
    result = [
        {
            "update_id": n,
            "callback_query": {
                "id": str(n),
                "from": {"id": 7, "is_bot": False, "first_name": "Sanne"},
                "chat_instance": "1",
                "data": data,
                "message": {
                    "message_id": 40 + n,
                    "date": 1764900000,
                    "chat": {"id": -100, "type": "supergroup", "title": "Wijk"},
                    "text": "Hoe is de sfeer?",
                    "reply_markup": markup,
                },
            },
        }
        for n, (data, markup) in enumerate(presses)
    ]
    return json.dumps({"ok": True, "result": result}).encode()


def test_updates_trim_the_pressed_message_only_of_the_presses_named() -> None:
    markup = {"inline_keyboard": [[{"text": "Rustig", "callback_data": "a:1:2:1"}]]}
    request = UpdatesRequest(trim_message_of=("a:",))

    body = _updates(("a:1:2:1", markup), ("fd:1", markup))
    parsed = request.parse_json_payload(body)
    answer, other = (u["callback_query"] for u in parsed["result"])

    # What an answer press's handler reads is all there; the text and buttons it never
    # reads are not.
    assert answer["message"] == {
        "message_id": 40,
        "date": 1764900000,
        "chat": {"id": -100, "type": "supergroup", "title": "Wijk"},
    }
    assert answer["data"] == "a:1:2:1"
    assert other == json.loads(body)["result"][1]["callback_query"]
    # PTB reads the trimmed press as an ordinary, accessible message in that chat.
    update = Update.de_json(parsed["result"][0], None)
    assert update.callback_query is not None
    message = update.callback_query.message
    assert isinstance(message, Message)
    assert update.effective_chat is not None
    assert (message.message_id, message.chat.id, update.effective_chat.id) == (40, -100, -100)
    # Naming none, it parses exactly as PTB does.
    assert UpdatesRequest().parse_json_payload(_updates(("a:1:2:1", markup))) == json.loads(
        _updates(("a:1:2:1", markup))
    )
