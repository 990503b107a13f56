"""Start and stop the bot: blocking for `bondgenoten run`, async for tests and the demo."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update

from bot.app import AnyApp, build_application
from bot.logging_setup import configure_logging
from bot.settings import Settings
from storage.migrate import upgrade

log = logging.getLogger(__name__)


def run_bot(settings: Settings) -> None:
    """Apply migrations, then run the bot until SIGTERM or Ctrl-C (polling or webhook)."""
    secrets = [s.get_secret_value() for s in (settings.token, settings.webhook.secret_token) if s]
    configure_logging(settings.logging.level, secrets)
    revision = upgrade(settings.database_url)
    log.info("database at revision %s", revision)
    app = build_application(settings)
    if settings.mode == "webhook":
        webhook = settings.webhook
        assert webhook.url is not None and webhook.secret_token is not None
        app.run_webhook(
            listen=webhook.listen,
            port=webhook.port,
            url_path=webhook.path,
            webhook_url=f"{str(webhook.url).rstrip('/')}/{webhook.path}",
            secret_token=webhook.secret_token.get_secret_value(),
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)


@asynccontextmanager
async def running(app: AnyApp, *, poll_timeout: int = 10) -> AsyncIterator[AnyApp]:
    """Run an application with polling inside an existing event loop, as run_polling does."""
    await app.initialize()
    assert app.updater is not None
    try:
        if app.post_init:
            await app.post_init(app)
        await app.updater.start_polling(
            poll_interval=0.0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
        )
        await app.start()
        yield app
    finally:
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
