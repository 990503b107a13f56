"""The lead process's look for pulses that are due: each becomes an ordinary check-in."""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import JobQueue

from handlers.checkins.jobs import schedule_close, start_broadcast
from handlers.context import BotContext

log = logging.getLogger(__name__)


async def start_due_pulses(context: BotContext) -> None:
    """Start the pulses whose time has come; send each like /peiling and set its deadline."""
    services = context.services
    for started in await services.pulses.start_due():
        start_broadcast(context.application, services, started.checkin_id)
        if context.job_queue is not None:
            schedule_close(context.job_queue, started.checkin_id, started.closes_at, services)


def schedule(job_queue: JobQueue[Any], interval: float) -> None:
    """Look regularly (and soon after start: a pulse missed while down goes late, once)."""
    job_queue.run_repeating(
        start_due_pulses,
        interval=interval,
        first=1.0,
        name="start-due-pulses",
        job_kwargs={"coalesce": True, "max_instances": 1},
    )
