"""The bot's upkeep jobs: asking the database whether it answers; clearing the inbox."""

from __future__ import annotations

from handlers.context import BotContext

# Seconds between looks: an outage's end (and a long one) is noticed within this.
WATCH_INTERVAL = 30.0


async def watch_database(context: BotContext) -> None:
    """Probe the database; the watch logs an outage once and tells coordinators of a long one."""
    await context.services.database.probe()


async def forget_handled_updates(context: BotContext) -> None:
    """Remove the updates handled since the last look from the inbox (kept since receipt)."""
    await context.services.inbox.forget_handled()
