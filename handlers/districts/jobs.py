"""JobQueue callbacks: thin entrypoints that hand the time-driven work to the services."""

from __future__ import annotations

import logging

from handlers.context import BotContext

log = logging.getLogger(__name__)


async def sweep_unlinked_groups(context: BotContext) -> None:
    """Leave groups that no coordinator linked within the grace period."""
    expired = await context.services.group_lifecycle.expire_unlinked_groups()
    for group in expired:
        log.info("left unlinked group %s", group.chat_id)  # its title may name people
