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

    What is kept is the batch as Telegram sent it; `trim_message_of` (see UpdatesRequest)
    only spares PTB parsing what no handler reads of a pressed message.
    """

    __slots__ = ("_parsed", "keep")

    def __init__(
        self, connection_pool_size: int = 1, trim_message_of: tuple[str, ...] = ()
    ) -> None:
        super().__init__(connection_pool_size, trim_message_of)
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
            parsed, updates = _split(body)
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


def _updates(body: bytes) -> list[tuple[int, str]]:
    """The updates of a getUpdates answer: (id, the update's JSON text as Telegram sent it)."""
    return _split(body)[1]


def _split(body: bytes) -> tuple[JSONDict | None, list[tuple[int, str]]]:
    """Parse a getUpdates answer once: the whole, and each update with its own JSON text.

    Each update's text is cut from the answer while it is parsed, not written anew: a burst
    keeps a few thousand a second. Anything unexpected is parsed the plain way instead.
    """
    try:
        text = body.decode()
        parsed, spans = _scan(text)
    except (UnicodeDecodeError, ValueError, IndexError):
        try:
            whole = json.loads(body)
        except ValueError:
            return None, []
        if not isinstance(whole, dict):
            return None, []
        result = whole.get("result")
        updates = result if isinstance(result, list) else []
        spans = [(u, _dumps(u)) for u in updates]
        parsed = whole
    return parsed, [
        (int(u["update_id"]), raw)
        for u, raw in spans
        if isinstance(u, dict) and isinstance(u.get("update_id"), int)
    ]


_decode = json.JSONDecoder().raw_decode
_SPACE = " \t\n\r"


def _skip(text: str, at: int) -> int:
    while text[at] in _SPACE:
        at += 1
    return at


def _scan(text: str) -> tuple[JSONDict, list[tuple[Any, str]]]:
    """The top-level object, and the items of its "result" list with their source text."""
    parsed: JSONDict = {}
    spans: list[tuple[Any, str]] = []
    at = _skip(text, 0)
    if text[at] != "{":
        raise ValueError("not an object")
    at = _skip(text, at + 1)
    while text[at] != "}":
        key, at = _decode(text, at)
        at = _skip(text, at)
        if not isinstance(key, str) or text[at] != ":":
            raise ValueError("not a key")
        at = _skip(text, at + 1)
        if key == "result" and text[at] == "[":
            items = []
            at = _skip(text, at + 1)
            while text[at] != "]":
                item, end = _decode(text, at)
                items.append(item)
                spans.append((item, text[at:end]))
                at = _skip(text, end)
                if text[at] == ",":
                    at = _skip(text, at + 1)
                elif text[at] != "]":
                    raise ValueError("not a list")
            parsed[key] = items
            at += 1
        else:
            parsed[key], at = _decode(text, at)
        at = _skip(text, at)
        if text[at] == ",":
            at = _skip(text, at + 1)
        elif text[at] != "}":
            raise ValueError("not an object")
    if text[at + 1 :].strip(_SPACE):
        raise ValueError("text after the object")
    return parsed, spans


# Compact, and without the circularity check (a parsed update has no cycles).
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
