"""Where updates come in: handled or kept in the inbox before Telegram may forget them.

Polling: PTB confirms a batch of updates by asking for the next one. Before that request
goes out, each answer press of the batch is either handled (its answer committed) or kept in
the inbox: a burst of presses is handled within milliseconds and costs the inbox nothing,
while a press stuck behind a slow update of the same person is kept after SETTLE, and handled
at the next start if the process dies. Every other update is kept as it arrives. Webhook:
PTB answers Telegram 200 once the update is in its queue, so putting it there keeps it first.

When the database is down nothing can be kept, and nothing could be stored either: the
updates go on to their handlers, which tell each person plainly that nothing was stored
(and the outage is logged once). Holding them back would leave people without any answer.
"""

from __future__ import annotations

import asyncio
import contextlib
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

# How long (seconds) the next getUpdates waits for the updates of the last batch to be handled
# before it keeps those that are not: a burst's presses are committed within milliseconds, and
# an update stuck behind a slow one holds the next poll back no longer than this.
SETTLE = 0.05


class KeepingUpdatesRequest(UpdatesRequest):
    """The getUpdates connection: a batch is handled or kept before it is confirmed.

    Asking for the next updates confirms the last batch: that request waits (at most SETTLE)
    until each of its answer presses is handled, and keeps the rest first; other updates are
    kept as they arrive. What is kept is the
    update as Telegram sent it; `trim_message_of` (see UpdatesRequest) only spares PTB
    parsing what no handler reads of a pressed message.
    """

    __slots__ = ("_keeping", "_parsed", "_settle_presses", "_settled", "_unconfirmed", "keep")

    def __init__(
        self,
        connection_pool_size: int = 1,
        trim_message_of: tuple[str, ...] = (),
        settle_presses_of: tuple[str, ...] = (),
    ) -> None:
        super().__init__(connection_pool_size, trim_message_of)
        self.keep: Keep | None = None  # set once the database is there (post_init)
        # Presses whose data starts with one of these are waited for (see SETTLE); every
        # other update is kept on arrival, as a webhook update is.
        self._settle_presses = settle_presses_of
        # The body just fetched and its parse: PTB parses that same body next (parse_json_payload,
        # with no await in between), and need not parse it a second time.
        self._parsed: tuple[bytes, JSONDict] | None = None
        # The last batch's updates neither handled nor kept yet (id: JSON as Telegram sent it).
        self._unconfirmed: dict[int, str] = {}
        self._keeping: set[int] = set()  # those of them being kept right now
        self._settled = asyncio.Event()

    def handled(self, update_id: int) -> bool:
        """Note an update as handled; tell whether the inbox may hold it (and must forget it)."""
        if self._unconfirmed.pop(update_id, None) is None or update_id in self._keeping:
            # Kept (from an earlier batch, replayed from the inbox at start), or being kept.
            return True
        if not self._unconfirmed:
            self._settled.set()
        return False

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
        """Fetch updates once the last batch is handled or kept."""
        fetching = url.endswith("/getUpdates")
        if fetching and self._unconfirmed:
            await self._settle()
        status, body = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        self._parsed = None
        if self.keep is not None and status == 200 and fetching:
            parsed, updates = _split(body)
            quick, others = self._sorted(parsed, updates)
            if others:
                await self._keep(others)
            if quick:
                self._unconfirmed = dict(quick)
                self._settled.clear()
            if parsed is not None:
                self._parsed = (body, parsed)
        return status, body

    def _sorted(
        self, parsed: JSONDict | None, updates: list[tuple[int, str]]
    ) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
        """The presses worth waiting for (answers: committed within milliseconds), the rest.

        The rest are kept at once: a command or a wizard's button may take a while, and an
        erasure (/vergeetmij) must find, and delete, the very update that asked for it.
        """
        result = parsed.get("result") if parsed is not None else None
        if not self._settle_presses or not isinstance(result, list):
            return [], updates
        quick = {
            update["update_id"]
            for update in result
            if isinstance(update, dict)
            and isinstance(query := update.get("callback_query"), dict)
            and str(query.get("data", "")).startswith(self._settle_presses)
        }
        return (
            [u for u in updates if u[0] in quick],
            [u for u in updates if u[0] not in quick],
        )

    async def _keep(self, updates: Sequence[tuple[int, str]]) -> None:
        assert self.keep is not None
        try:
            await self.keep(updates)
        except Exception as exc:  # the database is down: see the module's docstring
            log.debug("could not keep %d update(s): %s", len(updates), type(exc).__name__)

    async def _settle(self) -> None:
        """Wait a moment for the last batch to be handled; keep whatever is not."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._settled.wait(), SETTLE)
        left = list(self._unconfirmed.items())
        self._keeping = {update_id for update_id, _ in left}
        if left and self.keep is not None:
            await self._keep(left)
        # Only now (not if cancelled meanwhile: PTB's last getUpdates at a stop tries again).
        for update_id in self._keeping:
            self._unconfirmed.pop(update_id, None)
        self._keeping = set()

    def _load(self, payload: bytes) -> JSONDict:
        """PTB's parse of the body: the one made when it was fetched, if it is that body."""
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
