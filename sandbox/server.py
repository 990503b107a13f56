"""The HTTP face of the Bot API: /bot<token>/<method> and /file/bot<token>/<path>."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from typing import Any

from aiohttp import web

from sandbox.calllog import CallLog, CallRecord
from sandbox.errors import ApiError, not_found, unauthorized
from sandbox.faults import BAD_GATEWAY_HTML, FaultInjector
from sandbox.limits import FloodLimiter
from sandbox.methods import METHODS, Call, Reply
from sandbox.models import BotAccount, now
from sandbox.params import Params
from sandbox.state import World
from sandbox.webhook import WebhookDelivery

_LOG = logging.getLogger("sandbox")
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")


class BotApi:
    """Executes Bot API calls: auth, faults, method dispatch, call log."""

    def __init__(
        self,
        world: World,
        limiter: FloodLimiter,
        faults: FaultInjector,
        log: CallLog,
        webhooks: WebhookDelivery,
        callback_timeout: float = 15.0,
    ) -> None:
        self.world = world
        self.limiter = limiter
        self.faults = faults
        self.log = log
        self.webhooks = webhooks
        self.callback_timeout = callback_timeout
        webhooks.reply_handler = self._webhook_reply

    async def execute(
        self, token: str, method: str, params: Params | None, request: web.Request | None = None
    ) -> tuple[int, dict[str, Any] | str]:
        """Run one call; return (HTTP status, JSON body or raw HTML for a 502)."""
        bot = self.world.bots_by_token.get(token)
        record = CallRecord(token, bot.id if bot else None, method, {}, time.monotonic(), now())
        call: Call | None = None
        try:
            if bot is None:
                raise unauthorized() if _TOKEN.match(token) else not_found()
            handler = METHODS.get(method.lower())
            if handler is None:
                raise not_found()
            if params is None:
                assert request is not None
                params = await Params.from_request(request)
            record.params = params.loggable()
            record.chat_id = self._chat_id_of(params)
            self.log.begin(record)
            fault = self.faults.take(method, bot.id, record.chat_id)
            if fault is not None:
                if fault.hang:
                    await asyncio.sleep(fault.hang)
                error = fault.error()
                if error is not None and error.code == 502:
                    record.error_code, record.description = 502, "Bad Gateway"
                    return 502, BAD_GATEWAY_HTML
                if error is not None:
                    raise error
            call = Call(
                self.world,
                bot,
                params,
                self.limiter,
                self.webhooks,
                self.callback_timeout,
                record.chat_id,
                method,
            )
            result = await handler(call)
            body: dict[str, Any] = {"ok": True}
            if isinstance(result, Reply):
                body["result"] = result.result
                if result.description:
                    body["description"] = result.description
            else:
                body["result"] = result
            record.ok, record.result = True, body["result"]
            return 200, body
        except ApiError as exc:
            record.error_code, record.description = exc.code, exc.description
            return exc.code, exc.to_json()
        except Exception as exc:  # a sandbox bug: answer like Telegram's 500, keep the trace
            _LOG.exception("sandbox failed in %s", method)
            error = ApiError(500, f"Internal Server Error: sandbox bug: {exc!r}")
            record.error_code, record.description = 500, error.description
            return 500, error.to_json()
        finally:
            if call is not None and call.chat_id is not None:
                record.chat_id = call.chat_id
            record.duration = time.monotonic() - record.monotonic
            self.log.add(record)

    def _chat_id_of(self, params: Params) -> int | None:
        """chat_id of the call as an int, if it has a usable one."""
        raw = params.raw("chat_id")
        if raw is None:
            return None
        try:
            return self.world.parse_chat_id(raw)
        except ApiError:
            return None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """aiohttp handler for /bot<token>/<method>."""
        rest = request.match_info["tail"]
        token, _, method = rest.partition("/")
        if not method or "/" in method:
            return _json(404, not_found().to_json())
        status, body = await self.execute(token, method, None, request)
        if isinstance(body, str):
            return web.Response(status=status, text=body, content_type="text/html")
        return _json(status, body)

    async def handle_file(self, request: web.Request) -> web.StreamResponse:
        """aiohttp handler for /file/bot<token>/<file_path>."""
        token = request.match_info["token"]
        stored = self.world.file_by_path(request.match_info["path"])
        if token not in self.world.bots_by_token or stored is None:
            return _json(404, not_found().to_json())
        ctype = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.data, content_type=ctype)

    async def _webhook_reply(self, bot: BotAccount, payload: dict[str, Any]) -> None:
        """Execute a method a webhook returned in its response body."""
        values = {k: v for k, v in payload.items() if k != "method"}
        await self.execute(bot.token, str(payload["method"]), Params(values))


def _json(status: int, body: dict[str, Any]) -> web.Response:
    """A JSON response with Telegram's content type."""
    return web.Response(
        status=status, text=json.dumps(body, ensure_ascii=False), content_type="application/json"
    )


def add_routes(app: web.Application, api: BotApi) -> None:
    """Mount the Bot API and file download routes."""
    app.router.add_route("*", "/bot{tail:.*}", api.handle)
    app.router.add_get("/file/bot{token}/{path:.*}", api.handle_file)
