"""Start and stop the bot: `bondgenoten run` (one line per failure), and async for tests/demo."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.app import AnyApp, build_application
from bot.leader import AnotherProcess, Lead, lead_for
from bot.logging_setup import LogFormat, configure_logging
from bot.settings import Settings
from bot.web import ListenError, WebServer
from storage.engine import describe_location
from storage.migrate import DatabaseProblem, NewerDatabase, upgrade_url

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2
# Waiting for Telegram at start-up: 1 s, then doubling, at most a minute between attempts.
RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 60.0


def run_bot(
    settings: Settings,
    *,
    log_format: LogFormat = "text",
    debug: bool = False,
    health_port: int | None = None,
) -> int:
    """Apply migrations, then run the bot until SIGTERM or Ctrl-C; return the exit status."""
    secrets = [
        s.get_secret_value()
        for s in (settings.token, settings.webhook.secret_token, settings.privacy.pseudonym_key)
        if s is not None
    ]
    configure_logging("DEBUG" if debug else settings.logging.level, secrets, log_format)
    for warning in settings.warnings():
        log.warning("%s", warning)
    where = describe_location(settings.database_url)
    log.info("database: %s", where)
    try:
        asyncio.run(_run(settings, health_port))
    except InvalidToken:
        return _failed(
            "Telegram rejected the bot token: get the right one from @BotFather (/mybots, "
            "API Token) and set it in BONDGENOTEN_TOKEN",
            EXIT_CONFIG,
            debug,
        )
    except NewerDatabase as exc:
        return _failed(f"cannot start: {exc}", EXIT_FAILED, debug)
    except AnotherProcess as exc:
        return _failed(f"cannot start: {exc}", EXIT_FAILED, debug)
    except LeadLost as exc:
        return _failed(f"stopped: {exc}", EXIT_FAILED, debug)
    except DatabaseProblem as exc:
        return _failed(f"cannot start: {exc}", EXIT_CONFIG, debug)
    except ListenError as exc:
        return _failed(f"cannot start: {exc}", EXIT_FAILED, debug)
    except (SQLAlchemyError, OSError) as exc:
        reason = _first_line(exc)
        return _failed(f"cannot use the database ({where}): {reason}", EXIT_FAILED, debug)
    except TelegramError as exc:
        return _failed(f"a request to Telegram failed: {_first_line(exc)}", EXIT_FAILED, debug)
    return EXIT_OK


async def _run(settings: Settings, health_port: int | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    revision = await upgrade_url(settings.database_url)
    log.info("database at revision %s", revision)
    lead = lead_for(settings.database_url)
    polling = settings.mode != "webhook"
    # Polling: only the leader polls (a standby waits here). Webhook: every worker takes the
    # updates it is sent, and only the leader runs the jobs (it may become leader later).
    if polling:
        if not await lead.take(stop):
            return
        log.info("leading on this database: this process polls and runs the jobs")
    app = build_application(settings, lead_at_start=polling)
    started = asyncio.Event()
    watch = asyncio.create_task(_lead(app, lead, stop, started, taken=polling))
    try:
        await serve(app, settings, stop, health_port=health_port, started=started)
    finally:
        lost = watch.done() and not watch.cancelled() and watch.result()
        watch.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watch
        await lead.release()
    if lost:
        raise LeadLost(
            "lost the lead on the database (another process took it while this one's "
            "connection was broken)"
        )


class LeadLost(Exception):
    """The database lock that made this process the leader is gone."""


async def _lead(
    app: AnyApp, lead: Lead, stop: asyncio.Event, started: asyncio.Event, *, taken: bool
) -> bool:
    """Take the lead if not yet taken (then run the jobs); stop the bot if it is lost."""
    if not taken:
        if not await lead.take(stop):
            return False
        await started.wait()  # the services exist once the application runs
        take = getattr(app, "take_the_lead", None)
        if take is not None:
            await take()
        log.info("leading on this database: this worker runs the jobs")
    await lead.lost()
    log.error("another process leads on the database now: stopping this one")
    stop.set()
    return True


async def serve(
    app: AnyApp,
    settings: Settings,
    stop: asyncio.Event,
    *,
    health_port: int | None = None,
    started: asyncio.Event | None = None,
) -> None:
    """Run the application, polling or on a webhook, until `stop` is set.

    Telegram unreachable at start-up (no network yet, DNS, a time-out) is waited out with
    a capped backoff, one log line per attempt; `stop` ends the wait at once.
    """
    try:
        reached = await retrying(app.initialize, stop, "reach Telegram")
    except BaseException:
        await app.bot.shutdown()  # close the connections the failed attempts opened
        raise
    if not reached:
        await app.bot.shutdown()
        return
    assert app.updater is not None
    web: WebServer | None = None
    try:
        if app.post_init:
            await app.post_init(app)
        if settings.mode == "webhook":
            webhook = settings.webhook
            assert webhook.url is not None and webhook.secret_token is not None
            secret = webhook.secret_token.get_secret_value()
            web = WebServer(app, webhook_path=webhook.path, secret_token=secret)
            await web.start(webhook.listen, webhook.port)

            async def register() -> None:
                await app.bot.set_webhook(
                    f"{str(webhook.url).rstrip('/')}/{webhook.path}",
                    secret_token=secret,
                    allowed_updates=Update.ALL_TYPES,
                )

            if not await retrying(register, stop, "register the webhook"):
                return
        else:
            await app.updater.start_polling(
                allowed_updates=Update.ALL_TYPES, error_callback=_polling_failed
            )
            if health_port is not None:
                web = WebServer(app)
                await web.start("127.0.0.1", health_port)
        await app.start()
        if started is not None:
            started.set()
        log.info("running (%s); stop with Ctrl-C or SIGTERM", settings.mode)
        await stop.wait()
        log.info("stopping")
    finally:
        if web is not None:
            await web.stop()
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


async def retrying(
    action: Callable[[], Awaitable[object]], stop: asyncio.Event, what: str
) -> bool:
    """Run action until it gets through to Telegram; False if `stop` came first.

    Only network trouble is retried: a rejected token or a refused request is raised.
    """
    delay = RETRY_FIRST_SECONDS
    attempt = 1
    while not stop.is_set():
        try:
            await action()
            return True
        except NetworkError as exc:  # TimedOut is one too
            log.warning(
                "cannot %s (attempt %d): %s; trying again in %g s",
                what,
                attempt,
                _first_line(exc),
                delay,
            )
        try:
            await asyncio.wait_for(stop.wait(), timeout=delay)
        except TimeoutError:
            pass
        delay = min(delay * 2, RETRY_MAX_SECONDS)
        attempt += 1
    return False


def _polling_failed(exc: TelegramError) -> None:
    # PTB's default logs a whole traceback for every failed poll; it retries by itself.
    log.warning("polling Telegram failed, retrying: %s", _first_line(exc))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _failed(message: str, status: int, debug: bool) -> int:
    log.error("%s", message, exc_info=debug)
    return status


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
