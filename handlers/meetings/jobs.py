"""Time-driven meeting work: keep the group counts fresh; and in a slower sweep, send what a
stop left unsent, headcounts at the RSVP deadline, reminders, forget dietary needs.

The database holds every deadline and every unsent invitation; two repeating jobs wake the
services up, so a restart simply carries on (claims and marks keep it from doubling). The
counts job is one query when nothing changed; everything else waits for the sweep, which
is due every `sweep_interval` seconds (half a minute for the real bot).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application

from handlers.context import BotContext
from services.container import Services

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def start_sending(application: AnyApplication, services: Services, meeting_id: int) -> None:
    """Send a stored meeting's invitations in the background (the tick job resumes them)."""
    application.create_task(
        services.meetings.sender.deliver_pending(meeting_id), name=f"meeting-{meeting_id}"
    )


async def refresh_counts(context: BotContext) -> None:
    """Edit the group invitations whose count changed (at most once per interval each)."""
    await context.services.meetings.rsvps.refresh()


async def sweep(context: BotContext) -> None:
    """One pass: unsent invitations, headcounts, reminders, action owners, needs to forget."""
    meetings = context.services.meetings
    done = await meetings.sender.deliver_pending(None)
    if done.sent or done.failed:
        log.info("meeting invitations: %d sent, %d failed", done.sent, done.failed)
    sent = await meetings.headcount.send_due()
    if sent:
        log.info("sent %d headcount(s) at the RSVP deadline", sent)
    reminded = await meetings.reminders.send_due()
    if reminded:
        log.info("sent %d meeting reminder(s)", reminded)
    owners = await meetings.actions.remind_due()
    if owners:
        log.info("reminded %d action owner(s)", owners)
    await meetings.dietary.forget_after_meetings()


def schedule(application: AnyApplication, counts_every: float, sweep_every: float) -> None:
    """Run the counts job and the sweep (its first pass resumes what a stop left unsent)."""
    job_queue = application.job_queue
    assert job_queue is not None
    once: dict[str, object] = {"coalesce": True, "max_instances": 1}
    job_queue.run_repeating(
        refresh_counts, interval=counts_every, first=counts_every, name="meeting-counts",
        job_kwargs=dict(once),
    )  # fmt: skip
    # Not at once: start-up has its own work (closing overdue check-ins, resuming their
    # broadcasts), and invitations left unsent by a stop can wait one interval.
    job_queue.run_repeating(
        sweep, interval=sweep_every, first=sweep_every, name="meeting-sweep", job_kwargs=dict(once)
    )
