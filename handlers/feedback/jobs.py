"""Time-driven feedback work: resume sends a stop interrupted; remind chiefs once.

Both only wake the service; the database says what is pending and who was reminded, so
running them again (or after a restart) neither doubles a message nor skips one.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from telegram.ext import JobQueue

from handlers.context import BotContext
from services.container import Services

log = logging.getLogger(__name__)

# How often the database is asked whose feedback reminder is due (a reminder may come
# this much later than the configured days; nobody needs it to the minute).
REMIND_EVERY_SECONDS = 15 * 60.0
REMIND_JOB = "feedback-reminders"


async def remind(context: BotContext) -> None:
    """Remind each chief once whose check-in closed N days ago without feedback."""
    reminded = await context.services.feedback.remind_due()
    if reminded:
        log.info("reminded %d chief(s) about feedback", reminded)


async def resume(context: BotContext) -> None:
    """Send feedback a stop left pending or in flight (claims older than this start)."""
    assert context.job is not None
    started_at = context.job.data
    assert isinstance(started_at, datetime)
    context.application.create_task(
        context.services.feedback.sender.deliver(None, claimed_before=started_at),
        name="feedback-resume",
    )


def schedule(job_queue: JobQueue[Any], services: Services) -> None:
    """At start-up: resume the sends at once, then look for due reminders now and then."""
    job_queue.run_once(
        resume,
        when=0,
        data=services.clock.now(),
        name="feedback-resume",
        job_kwargs={"misfire_grace_time": None},
    )
    job_queue.run_repeating(
        remind,
        interval=REMIND_EVERY_SECONDS,
        first=60.0,
        name=REMIND_JOB,
        job_kwargs={"coalesce": True, "max_instances": 1},
    )
