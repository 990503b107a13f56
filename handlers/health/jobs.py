"""The job that asks the database, now and then, whether it answers."""

from __future__ import annotations

from handlers.context import BotContext

# Seconds between looks: an outage's end (and a long one) is noticed within this.
WATCH_INTERVAL = 30.0


async def watch_database(context: BotContext) -> None:
    """Probe the database; the watch logs an outage once and tells coordinators of a long one."""
    await context.services.database.probe()
