"""The daily retention job: a thin entrypoint; the database says what is due."""

from __future__ import annotations

import logging

from handlers.context import BotContext

log = logging.getLogger(__name__)

# Once a day; the first run comes soon after start, so a bot that restarts often (or was
# down at the usual hour) still enforces retention. Runs are idempotent.
RETENTION_INTERVAL_SECONDS = 24 * 60 * 60
RETENTION_FIRST_SECONDS = 60


async def enforce_retention(context: BotContext) -> None:
    """Remove what the configured retention periods say has been kept long enough."""
    run = await context.services.retention.run()
    if run.total:
        # Counts only: what went is in the audit log, never who.
        log.info("retention removed %s", run.counts)
    # Conversations left unfinished for a day (shared by webhook workers): gone.
    gone = await context.services.user_states.forget_old()
    if gone:
        log.info("retention removed %d unfinished conversation state(s)", gone)


async def ask_new_agreement(context: BotContext) -> None:
    """Ask members who accepted an older agreement, once, to accept the one in force."""
    asked = await context.services.agreement.ask_outdated()
    if asked:
        log.info(
            "asked %d member(s) to accept agreement %s", asked, context.services.agreement.version
        )
