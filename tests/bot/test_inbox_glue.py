"""Updates are kept before PTB may confirm them: from getUpdates, and from the webhook."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

import pytest
from telegram import Update
from telegram._utils.types import JSONDict
from telegram.request import BaseRequest

from bot.inbox import KeepingQueue, KeepingUpdatesRequest, _updates
from bot.telegram_http import AiohttpRequest


def test_a_get_updates_answer_is_split_into_updates_with_their_json() -> None:
    body = json.dumps(
        {"ok": True, "result": [{"update_id": 5, "message": {"text": "hoi"}}, {"x": 1}]}
    ).encode()
    [(update_id, payload)] = _updates(body)
    assert update_id == 5 and json.loads(payload) == {"update_id": 5, "message": {"text": "hoi"}}
    assert _updates(b"not json") == [] and _updates(b'{"ok": false}') == []


async def test_a_webhook_update_is_kept_before_it_is_queued_and_a_failure_does_not_lose_it() -> (
    None
):
    kept: list[int] = []

    async def keep(updates: Sequence[tuple[int, str]]) -> None:
        kept.extend(i for i, _ in updates)
        if updates[0][0] == 2:
            raise OSError("database down")

    queue = KeepingQueue()
    queue.keep = keep
    await queue.put(Update(1))
    await queue.put(Update(2))  # not kept: handled anyway, the person is told what happened
    assert kept == [1, 2]
    assert [queue.get_nowait().update_id, queue.get_nowait().update_id] == [1, 2]


async def test_a_kept_get_updates_answer_is_parsed_once_and_kept_as_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    update = {
        "update_id": 9,
        "callback_query": {
            "id": "q",
            "data": "a:1:2:3",
            "message": {
                "message_id": 4,
                "text": "Hoe is de sfeer?",
                "reply_markup": {"inline_keyboard": []},
            },
        },
    }
    body = json.dumps({"ok": True, "result": [update]}).encode()
    kept: list[tuple[int, str]] = []

    async def keep(updates: Sequence[tuple[int, str]]) -> None:
        kept.extend(updates)

    async def fetched(self: AiohttpRequest, *args: object, **kwargs: object) -> tuple[int, bytes]:
        return 200, body

    monkeypatch.setattr(AiohttpRequest, "do_request", fetched)
    parses = Counter[bytes]()
    ptb_parse = BaseRequest.parse_json_payload

    def counted(payload: bytes) -> JSONDict:
        parses[payload] += 1
        return ptb_parse(payload)

    monkeypatch.setattr(BaseRequest, "parse_json_payload", staticmethod(counted))
    request = KeepingUpdatesRequest(trim_message_of=("a:",))
    request.keep = keep
    _status, payload = await request.do_request("https://x/bot1/getUpdates", "POST")
    parsed = request.parse_json_payload(payload)

    assert parses[body] == 0  # PTB got the parse made when the updates were kept
    [(update_id, text)] = kept
    assert update_id == 9 and text == json.dumps(update)  # kept as sent, keyboard and all
    pressed = parsed["result"][0]["callback_query"]["message"]
    assert "reply_markup" not in pressed and "text" not in pressed  # PTB's not
    # Another body (an error answer, say) is parsed on its own.
    assert request.parse_json_payload(b'{"ok": false}') == {"ok": False}
    assert parses[b'{"ok": false}'] == 1


def test_each_update_is_cut_from_the_answer_as_telegram_wrote_it() -> None:
    updates = [
        {"update_id": 1, "message": {"text": 'Straatfeest \u2014 \u00e9\u00e9n "grap"\n'}},
        {"update_id": 2, "callback_query": {"data": "a:1:2:3", "message": {"text": "{[,]}"}}},
    ]
    for body in (
        json.dumps({"ok": True, "result": updates}).encode(),
        json.dumps({"result": updates, "ok": True}, indent=2, ensure_ascii=False).encode(),
    ):
        texts = dict(_updates(body))
        assert [json.loads(texts[n]) for n in (1, 2)] == updates
        assert all(texts[n] in body.decode() for n in (1, 2))  # slices, not rewritten
    # Not a getUpdates answer, or a broken one: nothing to keep.
    assert _updates(b'{"ok": true, "result": [1, 2]}') == []
    assert _updates(b'{"ok": true, "result": [{"update_id": 1}') == []
