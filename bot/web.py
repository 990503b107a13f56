"""The bot's own web server: Telegram's webhook (webhook mode) and `GET /healthz` (both modes).

PTB's built-in webhook server (tornado) cannot serve another path, so this one, on aiohttp
which the bot already uses, takes its place: the same checks (the secret token header, JSON
body), updates handed to the Application's queue as PTB's server does.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from telegram import Update

from bot.app import AnyApp
from services.health import HealthService

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"


class ListenError(Exception):
    """The web server cannot listen where it was told to (port taken, address not ours)."""


class WebServer:
    """Serve /healthz, and the webhook when a path and secret are given."""

    def __init__(
        self, app: AnyApp, *, webhook_path: str | None = None, secret_token: str | None = None
    ) -> None:
        self._app = app
        self._secret = (secret_token or "").encode()
        routes = [web.get(HEALTH_PATH, self._health)]
        if webhook_path is not None:
            if not secret_token:
                raise ValueError("a webhook needs a secret token")
            path = "/" + webhook_path.strip("/")
            routes += [web.post(path, self._webhook), web.post(path + "/", self._webhook)]
        self._web = web.Application()
        self._web.add_routes(routes)
        self._runner: web.AppRunner | None = None

    async def start(self, host: str, port: int) -> None:
        """Listen on host:port; a port taken or an address not ours is a ListenError."""
        self._runner = web.AppRunner(self._web, access_log=None)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, host, port).start()
        except OSError as exc:
            await self.stop()
            # asyncio's own words repeat the address; the system's are enough.
            why = os.strerror(exc.errno) if exc.errno else str(exc)
            raise ListenError(f"cannot listen on {host}:{port}: {why}") from None
        log.info("web server listening on %s:%d (%s)", host, port, HEALTH_PATH)

    async def stop(self) -> None:
        """Stop listening; requests in progress finish first."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.debug("webhook request without the right secret token refused")
            return web.Response(status=403)
        try:
            data = await request.json()
            update = Update.de_json(data, self._app.bot)
        except (ValueError, TypeError, KeyError):
            log.warning("webhook request with a body that is not an update refused")
            return web.Response(status=400)
        await self._app.update_queue.put(update)
        return web.Response()

    async def _health(self, request: web.Request) -> web.Response:
        report, healthy = await health_report(self._app)
        return web.Response(
            status=200 if healthy else 503,
            text=json.dumps(report),
            content_type="application/json",
        )


async def health_report(app: AnyApp) -> tuple[dict[str, Any], bool]:
    """What /healthz says: the database reachable, when the last update came, sends pending."""
    last: datetime | None = getattr(app, "last_update_at", None)
    report: dict[str, Any] = {
        "status": "starting",
        "database": "unknown",
        "last_update_at": None if last is None else last.isoformat(timespec="seconds"),
        "seconds_since_last_update": (
            None if last is None else round((datetime.now(UTC) - last).total_seconds(), 1)
        ),
        "sends_pending": None,
    }
    services = app.bot_data.services
    if services is None or not app.running:
        return report, False
    database = await HealthService(services.uow).database()
    report["database"] = "ok" if database.reachable else f"unreachable: {database.problem}"
    report["sends_pending"] = database.sends_pending
    report["status"] = "ok" if database.reachable else "failing"
    return report, database.reachable
