"""PTB's requests to Telegram over aiohttp instead of httpx.

PTB's own HTTPXRequest costs about 2 ms of CPU per request on this machine, and more when
requests overlap (httpx's connection pool): a bare PTB application answers a few hundred
presses a second, however fast the rest of the bot is. aiohttp does the same request in a
tenth of that. PTB takes any `BaseRequest`; this one follows PTB's own ptbcontrib
AiohttpRequest, cut down to what the bot uses (no proxies).

Timeouts as PTB means them: `connect` to open a connection, `read` between bytes of the
answer (a long poll passes its own), `pool` to wait for a free connection. aiohttp has no
write timeout: an upload is bounded by the read timeout of its answer instead.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from handlers.errors import note_answered

# PTB's HTTPXRequest defaults, so nothing changes but the speed.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
MEDIA_READ_TIMEOUT = 20.0


class AiohttpRequest(BaseRequest):
    """Make PTB's requests with one aiohttp session and a bounded connection pool."""

    __slots__ = ("_pool_size", "_session")

    def __init__(self, connection_pool_size: int = 1) -> None:
        self._pool_size = connection_pool_size
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds a long poll's timeout to it)."""
        return READ_TIMEOUT

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown)."""
        if self._session is None or self._session.closed:
            # Made here, not in __init__: the session belongs to the loop that runs the bot.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return the HTTP status and the body."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        if request_data is not None and url.endswith("/answerCallbackQuery"):
            # Noted before it is sent: an answer whose outcome is unknown may have arrived,
            # and a second answer to the same press would only be refused.
            note_answered(str(request_data.parameters.get("callback_query_id")))
        files = request_data is not None and request_data.contains_files
        read = _given(read_timeout, MEDIA_READ_TIMEOUT if files else READ_TIMEOUT)
        connect = _given(connect_timeout, CONNECT_TIMEOUT)
        pool = _given(pool_timeout, POOL_TIMEOUT)
        timeout = aiohttp.ClientTimeout(
            total=None,
            # aiohttp's `connect` covers waiting for a pooled connection and opening one.
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            data, headers = _body(request_data)
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as exc:
            # No connection, so nothing was sent: trying again cannot post anything twice.
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
        except TimeoutError as exc:  # aiohttp's timeouts are TimeoutErrors too
            # The request went out and no answer came: Telegram may have done it.
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


class UpdatesRequest(AiohttpRequest):
    """The getUpdates request, which trims a pressed message to what handlers read.

    A callback query carries the whole message that was pressed: its text, formatting,
    sender and keyboard. For the presses whose data starts with one of `trim_message_of`
    (answer presses), the handler reads only the message's id and chat: PTB parses just
    those (and the date, which tells an accessible message from an inaccessible one). The
    check-in's text with its formatting and five buttons were half of PTB's parse of each
    press (bench: 120 of 175 µs); what the inbox keeps is the update as Telegram sent it.
    """

    __slots__ = ("_trim",)

    def __init__(
        self, connection_pool_size: int = 1, trim_message_of: tuple[str, ...] = ()
    ) -> None:
        super().__init__(connection_pool_size)
        self._trim = trim_message_of

    # PTB's is a staticmethod; this one needs the request's prefixes, and PTB calls it bound.
    def parse_json_payload(self, payload: bytes) -> JSONDict:  # type: ignore[override]
        """Parse the answer as PTB does, then trim the pressed messages no handler reads."""
        parsed = self._load(payload)
        result = parsed.get("result")
        if self._trim and isinstance(result, list):
            for update in result:
                _trim_message(update, self._trim)
        return parsed

    def _load(self, payload: bytes) -> JSONDict:
        """The answer as PTB parses it (bot/inbox.py reuses the parse it made first)."""
        return BaseRequest.parse_json_payload(payload)


# What an answer press's handler reads of the pressed message (and PTB needs to parse one).
_KEPT = ("message_id", "date", "chat")


def _trim_message(update: Any, prefixes: tuple[str, ...]) -> None:
    query = update.get("callback_query") if isinstance(update, dict) else None
    if not isinstance(query, dict) or not str(query.get("data", "")).startswith(prefixes):
        return
    message = query.get("message")
    if isinstance(message, dict):
        query["message"] = {key: message[key] for key in _KEPT if key in message}


def _given(value: ODVInput[float], default: float) -> float | None:
    """A timeout passed for this request, else the default (None: wait forever)."""
    return default if isinstance(value, DefaultValue) else value


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _body(
    request_data: RequestData | None,
) -> tuple[aiohttp.FormData | bytes | None, dict[str, str] | None]:
    """Form fields as PTB encodes them (JSON strings); multipart when files go along.

    A plain form is encoded here, not by aiohttp.FormData: that one builds a multipart
    writer (with a random boundary) for every request, a third of a callback answer's cost.
    """
    if request_data is None or not request_data.parameters:
        return None, None
    if not request_data.contains_files:
        return request_data.url_encoded_parameters().encode(), FORM
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form, None
