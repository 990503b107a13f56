"""Time-driven feedback work: resume sends a stop interrupted; remind chiefs once.

Both only wake the service; the database says what is pending and who was reminded, so
running them again (or after a restart) neither doubles a message nor skips one.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, JobQueue

from handlers.context import BotContext
from handlers.feedback.texts import sent_text
from services.container import Services

log = logging.getLogger(__name__)

# How often the database is asked whose feedback reminder is due (a reminder may come
# this much later than the configured days; nobody needs it to the minute).
REMIND_EVERY_SECONDS = 15 * 60.0
REMIND_JOB = "feedback-reminders"


def start_sending(
    application: Application[Any, Any, Any, Any, Any, Any],
    services: Services,
    feedback_id: int,
    report_to: int,
) -> None:
    """Send stored feedback in the background, then tell the writer where it went."""

    async def send() -> None:
        sent = await services.feedback.send(feedback_id)
        try:
            await application.bot.send_message(
                report_to,
                sent_text(sent, services.languages.of(report_to)),
                parse_mode=ParseMode.HTML,
            )
        except TelegramError as exc:  # the groups have it; only the report is lost
            log.info("feedback report for check-in %s not sent: %s", sent.checkin_id, exc)

    application.create_task(send(), name=f"feedback-{feedback_id}")


async def remind(context: BotContext) -> None:
    """Remind each chief once whose check-in closed N days ago without feedback."""
    reminded = await context.services.feedback.remind_due()
    if reminded:
        log.info("reminded %d chief(s) about feedback", reminded)


async def resume(context: BotContext) -> None:
    """Send feedback a stop left pending or in flight (claims older than this start)."""
    assert context.job is not None
    started_at = context.job.data  # None: other workers send too, only stale claims are free
    assert started_at is None or isinstance(started_at, datetime)
    context.application.create_task(
        context.services.feedback.sender.deliver(None, claimed_before=started_at),
        name="feedback-resume",
    )


def schedule(job_queue: JobQueue[Any], services: Services, *, alone: bool = True) -> None:
    """At start-up: resume the sends at once, then look for due reminders now and then.

    alone=False: other webhook workers may be sending; their fresh claims are left to them.
    """
    job_queue.run_once(
        resume,
        when=0,
        data=services.clock.now() if alone else None,
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
