"""Time-driven meeting work: send pending invitations, keep counts fresh, headcounts at the
RSVP deadline, forget dietary needs after the meeting.

The database holds every deadline and every unsent invitation; one repeating job wakes the
services up, so a restart simply carries on (claims and marks keep it from doubling).
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


async def tick(context: BotContext) -> None:
    """One pass: due invitations, count edits, headcounts, reminders, needs to forget."""
    meetings = context.services.meetings
    done = await meetings.sender.deliver_pending(None)
    if done.sent or done.failed:
        log.info("meeting invitations: %d sent, %d failed", done.sent, done.failed)
    await meetings.rsvps.refresh()
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


def schedule(application: AnyApplication, every: float) -> None:
    """Run the meeting tick every few seconds, starting right after start-up."""
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        tick,
        interval=every,
        first=0.5,
        name="meetings-tick",
        job_kwargs={"coalesce": True, "max_instances": 1},
    )
