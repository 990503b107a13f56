"""Updates are handled or kept before PTB may confirm them: from getUpdates, and the webhook."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

import pytest
from telegram import Update
from telegram._utils.types import JSONDict
from telegram.request import BaseRequest

from bot import inbox as inbox_module
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


UPDATE = {
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
BODY = json.dumps({"ok": True, "result": [UPDATE]}).encode()


def _polling(monkeypatch: pytest.MonkeyPatch, events: list[str]) -> KeepingUpdatesRequest:
    """A getUpdates connection whose first fetch brings update 9 (and the next nothing)."""

    async def fetched(self: AiohttpRequest, *args: object, **kwargs: object) -> tuple[int, bytes]:
        events.append("fetch")
        return 200, BODY if events.count("fetch") == 1 else b'{"ok": true, "result": []}'

    monkeypatch.setattr(AiohttpRequest, "do_request", fetched)
    monkeypatch.setattr(inbox_module, "SETTLE", 0.05)
    return KeepingUpdatesRequest(trim_message_of=("a:",), settle_presses_of=("a:",))


async def test_a_batch_not_handled_by_the_next_fetch_is_kept_as_sent_before_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events: list[str] = []
    kept: list[tuple[int, str]] = []

    async def keep(updates: Sequence[tuple[int, str]]) -> None:
        events.append("keep")
        kept.extend(updates)

    request = _polling(monkeypatch, events)
    request.keep = keep
    await request.do_request("https://x/bot1/getUpdates", "POST")
    assert kept == []  # nothing written while it may still be handled in time
    # The next fetch confirms update 9 to Telegram: it is kept first, as Telegram sent it.
    await request.do_request("https://x/bot1/getUpdates", "POST")
    assert events == ["fetch", "keep", "fetch"]
    assert kept == [(9, json.dumps(UPDATE))]
    # Handled later on, it was kept: the inbox must forget it.
    assert request.handled(9) is True


async def test_a_batch_handled_before_the_next_fetch_is_never_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events: list[str] = []

    async def keep(updates: Sequence[tuple[int, str]]) -> None:
        events.append("keep")

    request = _polling(monkeypatch, events)
    request.keep = keep
    await request.do_request("https://x/bot1/getUpdates", "POST")
    assert request.handled(9) is False  # committed before its confirmation: nothing to forget
    await request.do_request("https://x/bot1/getUpdates", "POST")
    assert events == ["fetch", "fetch"]
    # One that came another way (replayed from the inbox at start) is the inbox's to forget.
    assert request.handled(12345) is True


async def test_any_other_update_is_kept_on_arrival_beside_a_press_that_is_waited_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    command = {"update_id": 10, "message": {"message_id": 5, "text": "/vergeetmij"}}
    body = json.dumps({"ok": True, "result": [UPDATE, command]}).encode()
    kept: list[tuple[int, str]] = []

    async def fetched(self: AiohttpRequest, *args: object, **kwargs: object) -> tuple[int, bytes]:
        return 200, body

    async def keep(updates: Sequence[tuple[int, str]]) -> None:
        kept.extend(updates)

    monkeypatch.setattr(AiohttpRequest, "do_request", fetched)
    request = KeepingUpdatesRequest(trim_message_of=("a:",), settle_presses_of=("a:",))
    request.keep = keep
    await request.do_request("https://x/bot1/getUpdates", "POST")
    # Before PTB has it: the command is kept (its handler may take a while, or erase it).
    assert kept == [(10, json.dumps(command))]
    assert request.handled(10) is True  # kept, so the inbox forgets it once handled
    assert request.handled(9) is False  # the press was handled in time: never written


async def test_a_fetched_answer_is_parsed_once_and_ptb_gets_the_trimmed_press(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events: list[str] = []
    parses = Counter[bytes]()
    ptb_parse = BaseRequest.parse_json_payload

    def counted(payload: bytes) -> JSONDict:
        parses[payload] += 1
        return ptb_parse(payload)

    async def keep(updates: Sequence[tuple[int, str]]) -> None:
        pass

    request = _polling(monkeypatch, events)
    monkeypatch.setattr(BaseRequest, "parse_json_payload", staticmethod(counted))
    request.keep = keep
    _status, payload = await request.do_request("https://x/bot1/getUpdates", "POST")
    parsed = request.parse_json_payload(payload)

    assert parses[BODY] == 0  # PTB got the parse made when the updates came in
    pressed = parsed["result"][0]["callback_query"]["message"]
    assert "reply_markup" not in pressed and "text" not in pressed  # PTB's is trimmed
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
