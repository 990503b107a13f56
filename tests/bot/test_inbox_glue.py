"""Updates are kept before PTB may confirm them: from getUpdates, and from the webhook."""

from __future__ import annotations

import json
from collections.abc import Sequence

from telegram import Update

from bot.inbox import KeepingQueue, _updates


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
