"""Time-driven check-in work: close at the deadline, refresh tallies, recover at start-up.

The database holds every deadline and every unsent delivery; these jobs only wake the
services up. At start-up `recover` schedules the deadlines of the open check-ins and, as jobs
that run as soon as the bot does, closes what is overdue and resumes the broadcasts a stop
interrupted — safe to run again and again, and to stop halfway.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from telegram.ext import Application, JobQueue

from handlers.context import BotContext
from services.checkins.outcomes import CheckInClosed, NotYetDue
from services.container import Services

log = logging.getLogger(__name__)

# APScheduler skips a job that runs more than a second late by default; a deadline must
# close however late the bot gets to it (a busy loop, a suspended machine).
CLOSE_JOB_KWARGS: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True}
# Start-up work is scheduled before the job queue starts, maybe more than the default
# second of grace before: it must run however late.
START_JOB_KWARGS: dict[str, Any] = {"misfire_grace_time": None}
# When closing fails (the database away for a moment), try again after this many seconds.
CLOSE_RETRY_SECONDS = 30.0

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
AnyJobQueue = JobQueue[Any]


# How often the leader looks in the database for deadlines it has not scheduled: a check-in
# started by another webhook worker (which runs no jobs), or one whose deadline moved.
DEADLINE_SWEEP_SECONDS = 5.0
DEADLINE_SWEEP_JOB = "watch-deadlines"


def close_job_name(checkin_id: int) -> str:
    """The job that closes one check-in: `close-<id>`."""
    return f"close-{checkin_id}"


def leads(application: AnyApplication) -> bool:
    """Whether this process runs the jobs (bot/leader.py); an application without a say does."""
    return bool(getattr(application, "leading", True))


def schedule_close(
    job_queue: AnyJobQueue, checkin_id: int, closes_at: datetime, services: Services
) -> None:
    """(Re)schedule the closing of one check-in at its deadline, by the services' clock.

    Only the leading process schedules; another webhook worker leaves the deadline to the
    leader, whose sweep (`watch_deadlines`) finds it in the database.
    """
    if not leads(job_queue.application):
        return
    for job in job_queue.get_jobs_by_name(close_job_name(checkin_id)):
        job.schedule_removal()
    _schedule_close(job_queue, checkin_id, closes_at, services.clock.now())


def _scheduled(job_queue: AnyJobQueue) -> dict[int, datetime]:
    """The deadline each close job was scheduled for: the deadline sweep's data."""
    for job in job_queue.get_jobs_by_name(DEADLINE_SWEEP_JOB):
        if isinstance(job.data, dict):
            return job.data
    return {}  # no sweep (yet): nothing to tell it


def _schedule_close(
    job_queue: AnyJobQueue,
    checkin_id: int,
    closes_at: datetime,
    now: datetime,
    known: dict[int, datetime] | None = None,
) -> None:
    (_scheduled(job_queue) if known is None else known)[checkin_id] = closes_at
    # A delay rather than a moment: the services' clock (a test's, too) says how far it is.
    job_queue.run_once(
        close_at_deadline,
        when=max((closes_at - now).total_seconds(), 0.0),
        data=checkin_id,
        name=close_job_name(checkin_id),
        job_kwargs=dict(CLOSE_JOB_KWARGS),
    )


async def close_at_deadline(context: BotContext) -> None:
    """Close one check-in because its deadline came; the service edits and summarises."""
    job, job_queue = context.job, context.job_queue
    assert job is not None and job_queue is not None
    retry_queue: AnyJobQueue = job_queue
    checkin_id = int(job.data)  # type: ignore[call-overload]
    services = context.services
    try:
        outcome = await services.checkins.closing.close_checkin(checkin_id, None)
    except Exception:
        retry_queue.run_once(
            close_at_deadline,
            when=CLOSE_RETRY_SECONDS,
            data=checkin_id,
            name=close_job_name(checkin_id),
            job_kwargs=dict(CLOSE_JOB_KWARGS),
        )
        raise
    if isinstance(outcome, NotYetDue):  # woken early (clock skew): sleep on until the deadline
        schedule_close(job_queue, checkin_id, outcome.closes_at, services)
    elif isinstance(outcome, CheckInClosed):
        log.info("closed check-in %s at its deadline", checkin_id)


async def watch_deadlines(context: BotContext) -> None:
    """Schedule the deadlines this process has not (yet) scheduled, as the database holds them.

    A check-in started by another webhook worker, or whose deadline moved, gets its close job
    here; closing is guarded in the database, so a check-in closes once whoever gets to it.
    """
    job_queue, job = context.job_queue, context.job
    assert job_queue is not None and job is not None and isinstance(job.data, dict)
    services = context.services
    known: dict[int, datetime] = job.data
    now = services.clock.now()
    still_open = set()
    for item in await services.checkins.closing.open_checkins():
        still_open.add(item.checkin_id)
        if known.get(item.checkin_id) != item.closes_at:
            for old in job_queue.get_jobs_by_name(close_job_name(item.checkin_id)):
                old.schedule_removal()
            _schedule_close(job_queue, item.checkin_id, item.closes_at, now, known)
            log.info("scheduled the deadline of check-in %s", item.checkin_id)
    for checkin_id in set(known) - still_open:
        del known[checkin_id]


def unschedule_close(job_queue: AnyJobQueue | None, checkin_id: int) -> None:
    """Drop the deadline job of a check-in closed by hand (it would find it closed anyway)."""
    if job_queue is not None:
        for job in job_queue.get_jobs_by_name(close_job_name(checkin_id)):
            job.schedule_removal()


# How often a stop is noticed while a broadcast waits out a retry, and how often the
# database is searched for deliveries whose broadcast task died (the database was away).
STOP_CHECK_SECONDS = 0.5
PENDING_SWEEP_SECONDS = 30.0


def stop_aware_sleep(application: AnyApplication) -> Callable[[float], Awaitable[None]]:
    """A sleep that ends a waiting broadcast when the bot stops.

    PTB's stop waits for every create_task task; a broadcast waiting minutes for a retry would
    hold up a SIGTERM that long. Ending the wait is safe: the delivery stays pending in the
    database and the next start resumes it.
    """

    async def sleep(seconds: float) -> None:
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            if not application.running:
                raise asyncio.CancelledError("the bot is stopping")
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return
            await asyncio.sleep(min(left, STOP_CHECK_SECONDS))

    return sleep


async def sweep_pending_deliveries(context: BotContext) -> None:
    """Send deliveries left pending by a broadcast task that died; claims prevent doubles."""
    done = await context.services.checkins.broadcast.deliver_pending(None)
    if done.sent or done.failed:
        log.info("pending sweep: %d sent, %d failed", done.sent, done.failed)


def start_broadcast(application: AnyApplication, services: Services, checkin_id: int) -> None:
    """Send a stored check-in in the background; the broadcaster reports to the chief."""
    application.create_task(
        services.checkins.broadcast.broadcast(checkin_id), name=f"broadcast-{checkin_id}"
    )


async def resume_broadcasts(context: BotContext) -> None:
    """Send what a stop left pending or in flight (a job, so the application is running)."""
    assert context.job is not None
    started_at = context.job.data  # this process's start: older claims were the last one's
    if started_at is None:  # other workers send beside this one: only stale claims are free
        started_at = context.services.clock.now() - context.services.checkin_settings.claim_lease
    assert isinstance(started_at, datetime)
    context.application.create_task(
        context.services.checkins.broadcast.resume_after_restart(started_at),
        name="broadcast-resume",
    )


async def send_reminders(context: BotContext) -> None:
    """Send the reminders and group nudges whose moment has come (the database knows which)."""
    done = await context.services.checkins.reminders.send_due()
    if done.sent or done.failed or done.nudges:
        log.info(
            "reminders: %d sent, %d failed, %d group nudges", done.sent, done.failed, done.nudges
        )


async def refresh_tallies(context: BotContext) -> None:
    """Edit the group messages whose tally changed (at most once per message per interval)."""
    await context.services.checkins.tallies.refresh_tallies()


async def close_overdue(context: BotContext) -> None:
    """Close what came due while the bot was down, and send summaries a stop left unsent.

    Each closing waits for its summary to reach the coordinators (their chats are paced), so
    this runs as a job after start, not before: people get answers meanwhile. A stop ends it
    between two closings; the rest is still overdue in the database for the next start.
    """
    application = context.application
    try:
        closed = await context.services.checkins.closing.close_overdue(lambda: application.running)
    except Exception:
        if application.running:  # the database away for a moment: try again
            _run_close_overdue(context.job_queue, CLOSE_RETRY_SECONDS)
        raise
    if closed:
        log.info("closed %d overdue check-in(s) at start-up", len(closed))


def _run_close_overdue(job_queue: AnyJobQueue | None, when: float) -> None:
    assert job_queue is not None
    job_queue.run_once(
        close_overdue, when=when, name="close-overdue", job_kwargs=dict(START_JOB_KWARGS)
    )


async def recover(
    application: AnyApplication,
    services: Services,
    tally_every: float,
    remind_every: float = PENDING_SWEEP_SECONDS,
    *,
    alone: bool = True,
) -> None:
    """At start-up: schedule the deadlines; close the overdue and resume sending right after.

    Only what is quick happens here, before the bot takes updates; the slow parts (closings
    send summaries, broadcasts wait for the flood limits) are jobs that run once it does.
    alone=False: other webhook workers may be sending right now, so a send claimed before
    this moment is taken over only once its claim is stale, not at once.
    """
    job_queue = application.job_queue
    assert job_queue is not None
    now = services.clock.now()
    # A fresh queue holds no close jobs yet: no need to look for one to replace (for 1,000
    # check-ins those looks take a third of a second, the scheduling a fiftieth).
    known: dict[int, datetime] = {}
    job_queue.run_repeating(
        watch_deadlines,
        interval=DEADLINE_SWEEP_SECONDS,
        first=DEADLINE_SWEEP_SECONDS,
        data=known,
        name=DEADLINE_SWEEP_JOB,
        job_kwargs={"coalesce": True, "max_instances": 1},
    )
    for item in await services.checkins.closing.open_checkins():
        if item.closes_at > now:
            _schedule_close(job_queue, item.checkin_id, item.closes_at, now, known)
        else:  # the overdue ones are close_overdue's; the deadline sweep leaves them be
            known[item.checkin_id] = item.closes_at
    # Jobs, not create_task here: tasks are only tracked (and awaited on stop) once the
    # application runs, and post_init comes before that.
    _run_close_overdue(job_queue, 0)
    job_queue.run_once(
        resume_broadcasts,
        when=0,
        data=now if alone else None,
        name="resume-broadcasts",
        job_kwargs=dict(START_JOB_KWARGS),
    )
    job_queue.run_repeating(
        sweep_pending_deliveries,
        interval=PENDING_SWEEP_SECONDS,
        first=PENDING_SWEEP_SECONDS,
        name="sweep-pending-deliveries",
        job_kwargs={"coalesce": True, "max_instances": 1},
    )
    # Reminders are due at moments the database and the settings define: a regular look
    # finds them, after a restart too; a look is cheap when nothing is due.
    job_queue.run_repeating(
        send_reminders,
        interval=remind_every,
        first=remind_every,
        name="send-reminders",
        job_kwargs={"coalesce": True, "max_instances": 1},
    )
    job_queue.run_repeating(
        refresh_tallies,
        interval=tally_every,
        first=tally_every,
        name="refresh-tallies",
        job_kwargs={"coalesce": True, "max_instances": 1},
    )
