"""Assemble the PTB Application: settings in, wired application out."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.ext import Application, ApplicationBuilder

from bot.compose import build_services
from bot.flood import FloodLimiter, urgently
from bot.inbox import KeepingQueue, KeepingUpdatesRequest
from bot.log_privacy import protect_logs
from bot.ordering import PerPersonOrder
from bot.settings import Settings
from bot.shared_state import SharedUserData
from bot.telegram_http import AiohttpRequest
from handlers.checkins.answer_keyboards import AnswerPress
from handlers.checkins.jobs import recover, stop_aware_sleep
from handlers.context import CONTEXT_TYPES, BotContext, BotData
from handlers.districts.jobs import sweep_unlinked_groups
from handlers.errors import answers_noted
from handlers.feedback.jobs import schedule as schedule_feedback
from handlers.health.jobs import WATCH_INTERVAL, forget_handled_updates, watch_database
from handlers.i18n import LANGUAGES, t
from handlers.language import settle as settle_language
from handlers.meetings import jobs as meeting_jobs
from handlers.notifier import TelegramNotifier
from handlers.privacy.jobs import (
    RETENTION_FIRST_SECONDS,
    RETENTION_INTERVAL_SECONDS,
    ask_new_agreement,
    enforce_retention,
)
from handlers.pulse import jobs as pulse_jobs
from handlers.registry import register
from handlers.send_priority import drop_bulk
from services.commands import menu_name
from services.ports import Clock, SystemClock
from storage.engine import create_engine, make_sessionmaker
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

# Opt in to PTB 22's future behaviour: durations such as RetryAfter.retry_after as timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "1")

# Webhook workers: how often the leader looks for updates a stopped worker kept but did not
# handle, and how long one must have waited to count as left behind (not still in hand).
INBOX_REPLAY_SECONDS = 15.0
LEFT_BEHIND_AFTER = timedelta(seconds=60)

AnyApp = Application[Any, Any, Any, Any, Any, Any]
AnyBuilder = ApplicationBuilder[Any, Any, Any, Any, Any, Any]


class BotApplication(AnyApp):
    """PTB's Application, where the replies to a person's update go before background sends."""

    # When the last update from Telegram came, for the health report (bot/web.py).
    last_update_at: datetime | None = None
    # Run the jobs and the recovery: at start-up, or once this process has the lead
    # (bot/leader.py: webhook workers beside each other). Set by build_application.
    take_the_lead: Callable[[], Awaitable[None]] | None = None
    # Whether this process runs the jobs: a check-in's deadline is scheduled only where they
    # run (handlers/checkins/jobs.py); the leader's sweep finds those another worker started.
    leading: bool = False
    # The getUpdates connection, told of each handled update (polling; None in webhook mode).
    updates_request: KeepingUpdatesRequest | None = None

    async def process_update(self, update: object) -> None:
        """Handle an update; what its handlers send (not the tasks they start) goes first."""
        if isinstance(update, Update):
            self.last_update_at = datetime.now(UTC)
        # Jobs, broadcasts and tasks a handler starts (a follow-up panel, an export) keep
        # their turn among each other: under a burst of presses the panels must not starve
        # the tally edits. PTB runs this in the update's own task (concurrent updates), the
        # error handler included, which must know whether the press was already answered.
        services = getattr(self.bot_data, "services", None)  # None before post_init
        if isinstance(update, Update) and services is not None:
            # Before any handler: whoever is new since start-up gets their language settled,
            # so every handler reads the sender's language from memory.
            await settle_language(services.languages, update)
        with answers_noted():
            await urgently(super().process_update(update))
        if isinstance(update, Update) and services is not None:
            await self._share_user_data(update)
            # Handled now: before its batch is confirmed to Telegram, or kept meanwhile and
            # to be forgotten (bot/inbox.py).
            request = self.updates_request
            if request is None or request.handled(update.update_id):
                services.inbox.handled(update.update_id)

    async def _share_user_data(self, update: Update) -> None:
        # Webhook workers on PostgreSQL: the sender's user_data goes to the database right
        # away (if it changed), so their next update may land on another worker.
        user = update.effective_user
        if not isinstance(self.persistence, SharedUserData) or user is None:
            return
        data = self.user_data.get(user.id)
        if data is None:
            return
        try:
            await self.persistence.update_user_data(user.id, data)
        except Exception as exc:  # the update was handled; the next worker starts afresh
            log.warning("could not share a conversation state: %s", type(exc).__name__)

    async def stop(self) -> None:
        """Stop, without first waiting for the follow-up panels still queued (bulk)."""
        dropped = drop_bulk()
        if dropped:
            log.warning(
                "stopping: %d follow-up panel(s) not sent (their answers are stored)", dropped
            )
        await super().stop()


def throughput(
    builder: AnyBuilder,
    *,
    flood_limits: bool = True,
    updates_request: AiohttpRequest | None = None,
) -> AnyBuilder:
    """How fast the bot takes in updates and sends; the benchmark's bare app uses it too."""
    builder = (
        # Presses of different people are handled together (so they can share a commit);
        # one person's updates, and one group's messages, still go in order.
        builder.concurrent_updates(PerPersonOrder())
        # aiohttp, not PTB's default httpx: a tenth of the cost per request (telegram_http).
        .request(AiohttpRequest(connection_pool_size=64))
        .get_updates_request(updates_request or AiohttpRequest())
    )
    # Sliding windows like Telegram's own; AIORateLimiter's buckets overflow them (flood).
    return builder.rate_limiter(FloodLimiter(max_retries=3)) if flood_limits else builder


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    sweep_interval: float = 30.0,
    tally_interval: float = 2.0,
    lead_at_start: bool = True,
    retention_interval: float = RETENTION_INTERVAL_SECONDS,
) -> AnyApp:
    """Build the Application; the database and services come to life in post_init.

    sweep_interval: seconds between looks at time-driven work the database holds (groups
    left unlinked past their grace period, reminders due, the meetings' sweep); tally_interval:
    seconds between looks for group messages whose tally changed (each message is still edited
    at most once per settings.checkins.tally_edit_interval_seconds); retention_interval:
    seconds between runs of the retention job (a day). Tests shorten them, and pass a clock.
    lead_at_start=False: the jobs and the recovery wait for `take_the_lead` (a webhook worker
    that is not the leader on its database yet).
    """
    if settings.token is None:
        raise ValueError("no bot token configured (set BONDGENOTEN_TOKEN)")
    protect_logs()
    engine_holder: dict[str, Any] = {}
    # An answer press's handler reads only the pressed message's id and chat, not its buttons.
    # And a burst of them is committed before it is confirmed: no inbox write (bot/inbox.py).
    updates_request = KeepingUpdatesRequest(
        trim_message_of=(f"{AnswerPress.prefix}:",), settle_presses_of=(f"{AnswerPress.prefix}:",)
    )
    queue = KeepingQueue()
    # Webhook workers on PostgreSQL may take turns with one person's updates: their
    # user_data (wizard drafts, awaited text) lives in the database. Elsewhere: in memory.
    shared = SharedUserData() if shares_user_data(settings) else None

    async def post_init(app: AnyApp) -> None:
        engine = create_engine(settings.database_url)
        engine_holder["engine"] = engine
        bot_data: BotData = app.bot_data
        services = build_services(
            settings,
            UnitOfWorkFactory(make_sessionmaker(engine)),
            clock or SystemClock(),
            TelegramNotifier(app.bot, settings.tz, settings.language),
            stop_aware_sleep(app),
        )
        bot_data.services = services
        if shared is not None:
            shared.states = services.user_states
        # From now on an update is kept before Telegram may forget it; those kept by a process
        # that died before handling them are handled first.
        updates_request.keep = services.inbox.keep
        if settings.mode == "webhook":
            queue.keep = services.inbox.keep
        await services.people.sync_coordinators(settings.coordinators)
        # After the sync: coordinators new from the config are stored, without a language yet.
        await services.languages.load()
        services.database.tells_coordinators = lead_at_start  # and once it takes the lead
        assert app.job_queue is not None
        app.job_queue.run_repeating(
            forget_handled_updates, interval=1.0, first=1.0, name="forget_handled_updates"
        )
        app.job_queue.run_repeating(
            watch_database, interval=WATCH_INTERVAL, first=WATCH_INTERVAL, name="watch_database"
        )
        if lead_at_start:
            await take_the_lead(app)
        await set_start_menus(app.bot, settings.language)
        log.info("bot @%s ready on %s", app.bot.username, _safe_db(settings.database_url))

    async def take_the_lead(app: AnyApp) -> None:
        services = app.bot_data.services
        assert services is not None and app.job_queue is not None
        if isinstance(app, BotApplication):
            app.leading = True
        services.database.tells_coordinators = True
        if settings.mode == "webhook":
            # Other workers handle updates beside this one: an update kept a while ago and
            # still not handled was left by a worker that died; the recent ones are theirs.
            app.job_queue.run_repeating(
                replay_left_behind,
                interval=INBOX_REPLAY_SECONDS,
                first=1.0,
                name="inbox-replay",
                job_kwargs={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            )
        else:
            # Updates a process kept but died before handling are handled first.
            for payload in await services.inbox.unfinished():
                queue.put_nowait(Update.de_json(json.loads(payload), app.bot))
        app.job_queue.run_repeating(
            sweep_unlinked_groups, interval=sweep_interval, first=1.0, name="sweep_unlinked_groups"
        )
        app.job_queue.run_repeating(
            enforce_retention,
            interval=retention_interval,
            first=min(RETENTION_FIRST_SECONDS, retention_interval),
            name="retention",
        )
        # Soon after start: a new version (new words or new periods) comes with a restart.
        app.job_queue.run_repeating(
            ask_new_agreement, interval=retention_interval, first=1.0, name="agreement"
        )
        # The database holds deadlines and unsent deliveries: close the overdue, schedule the
        # rest, resume broadcasts a stop interrupted, keep tallies fresh.
        alone = settings.mode != "webhook"  # webhook workers may be sending beside this one
        await recover(app, services, tally_interval, sweep_interval, alone=alone)
        # Feedback to the groups a stop interrupted, and the one reminder when none came.
        schedule_feedback(app.job_queue, services, alone=alone)
        # Meetings keep their deadlines and unsent invitations in the database too: counts
        # are kept fresh like tallies; a sweep resumes sends, headcounts and reminders.
        meeting_jobs.schedule(app, tally_interval, sweep_interval)
        # Recurring pulses whose time came (a missed one once, late): a regular look.
        pulse_jobs.schedule(app.job_queue, sweep_interval)

    replayed: set[int] = set()

    async def replay_left_behind(context: BotContext) -> None:
        # Each at most once per process: one still in hand here is not put in twice.
        found, new = set(), 0
        for payload in await context.services.inbox.unfinished(LEFT_BEHIND_AFTER):
            data = json.loads(payload)
            found.add(update_id := int(data["update_id"]))
            if update_id not in replayed:
                replayed.add(update_id)
                queue.put_nowait(Update.de_json(data, context.bot))
                new += 1
        if new:
            log.info("handling %d update(s) a stopped worker left unhandled", new)
        replayed.intersection_update(found)

    async def post_shutdown(app: AnyApp) -> None:
        services = app.bot_data.services
        if services is not None:
            with contextlib.suppress(Exception):  # what stays is handled again: harmless
                await services.inbox.forget_handled()
        app.bot_data.services = None
        engine = engine_holder.pop("engine", None)
        if engine is not None:
            await engine.dispose()

    builder: AnyBuilder = (
        Application.builder()
        .application_class(BotApplication)
        .token(settings.token.get_secret_value())
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .context_types(CONTEXT_TYPES)
        .update_queue(queue)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if shared is not None:
        builder = builder.persistence(shared)
    app = throughput(
        builder, flood_limits=settings.telegram_flood_limits, updates_request=updates_request
    ).build()
    register(app)
    if isinstance(app, BotApplication):
        app.take_the_lead = functools.partial(take_the_lead, app)
        if settings.mode == "polling":
            app.updates_request = updates_request
    return app


def shares_user_data(settings: Settings) -> bool:
    """Whether user_data goes through the database: webhook workers on PostgreSQL."""
    from sqlalchemy.engine import make_url

    backend = make_url(settings.database_url).get_backend_name()
    return settings.mode == "webhook" and backend == "postgresql"


# What a stranger's private chat offers before the bot knows them (a per-chat menu replaces it).
START_MENU = ("start", "taal", "help")


async def set_start_menus(bot: Bot, default: str) -> None:
    """The private chats' menu: in the configured language, and per language Telegram shows."""
    for code in ("", *LANGUAGES):
        lang = code or default
        menu = [BotCommand(menu_name(n, lang), t(f"command.{n}", lang)) for n in START_MENU]
        await bot.set_my_commands(
            menu, scope=BotCommandScopeAllPrivateChats(), language_code=code or None
        )


def _safe_db(url: str) -> str:
    # Keep a password in a database URL out of the logs.
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
