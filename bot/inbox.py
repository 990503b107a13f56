"""Where updates come in: kept in the inbox before Telegram may forget them.

Polling: PTB confirms a batch of updates by asking for the next one, so the batch is kept
when its getUpdates answer arrives, before PTB sees it. Webhook: PTB answers Telegram 200
once the update is in its queue, so putting it there keeps it first.

When the database is down nothing can be kept, and nothing could be stored either: the
updates go on to their handlers, which tell each person plainly that nothing was stored
(and the outage is logged once). Holding them back would leave people without any answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput
from telegram.request import RequestData

from bot.telegram_http import UpdatesRequest

log = logging.getLogger(__name__)

Keep = Callable[[Sequence[tuple[int, str]]], Awaitable[None]]


class KeepingUpdatesRequest(UpdatesRequest):
    """The getUpdates connection: each batch is kept before PTB gets it (and confirms it).

    What is kept is the batch as Telegram sent it; `skip_keyboard_of` (see UpdatesRequest)
    only spares PTB parsing keyboards no handler reads.
    """

    __slots__ = ("_parsed", "keep")

    def __init__(
        self, connection_pool_size: int = 1, skip_keyboard_of: tuple[str, ...] = ()
    ) -> None:
        super().__init__(connection_pool_size, skip_keyboard_of)
        self.keep: Keep | None = None  # set once the database is there (post_init)
        # The body just kept and its parse: PTB parses that same body next (parse_json_payload,
        # with no await in between), and need not parse it a second time.
        self._parsed: tuple[bytes, JSONDict] | None = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Fetch updates; keep them before returning, or fail so Telegram keeps them."""
        status, body = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        self._parsed = None
        if self.keep is not None and status == 200 and url.endswith("/getUpdates"):
            parsed = _parse(body)
            updates = _updates_of(parsed)
            if updates:
                try:
                    await self.keep(updates)
                except Exception as exc:  # the database is down: see the module's docstring
                    log.debug("could not keep %d update(s): %s", len(updates), type(exc).__name__)
            if parsed is not None:
                self._parsed = (body, parsed)
        return status, body

    def _load(self, payload: bytes) -> JSONDict:
        """PTB's parse of the body: the one made when it was kept, if it is that body."""
        kept, self._parsed = self._parsed, None
        if kept is not None and kept[0] is payload:
            return kept[1]
        return super()._load(payload)


def _parse(body: bytes) -> JSONDict | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _updates(body: bytes) -> list[tuple[int, str]]:
    """The updates of a getUpdates answer: (id, the update as JSON text)."""
    return _updates_of(_parse(body))


def _updates_of(parsed: JSONDict | None) -> list[tuple[int, str]]:
    result = parsed.get("result") if parsed is not None else None
    if not isinstance(result, list):
        return []
    return [
        (int(u["update_id"]), _dumps(u))
        for u in result
        if isinstance(u, dict) and isinstance(u.get("update_id"), int)
    ]


# Compact, and without the circularity check (a parsed answer has no cycles): a burst keeps
# a few thousand of these a second.
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


class KeepingQueue(asyncio.Queue[Any]):
    """PTB's update queue; in webhook mode an update is kept before the 200 goes back."""

    def __init__(self) -> None:
        super().__init__()
        self.keep: Keep | None = None  # set in webhook mode once the database is there

    async def put(self, item: Any) -> None:
        """Keep a webhook update, then queue it (a failure answers Telegram with an error)."""
        if self.keep is not None and isinstance(item, Update):
            payload = _dumps(item.to_dict())
            try:
                await self.keep([(item.update_id, payload)])
            except Exception as exc:  # the database is down: see the module's docstring
                log.debug("could not keep update %d: %s", item.update_id, type(exc).__name__)
        await super().put(item)
