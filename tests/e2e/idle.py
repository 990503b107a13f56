"""The positive sign that the bot is idle, for tests that show something did *not* happen.

Sleeping a moment and then asserting that nothing came proves nothing on a slow machine:
the bot may simply not have got to it yet. `idle` waits until the bot has nothing left to
do, all at once:

- the sandbox holds no update for it (the bot's next poll confirmed each one it took);
- its update queue is empty, and no update is being handled;
- nothing it started is under way: the tasks of `Application.create_task` (a follow-up
  panel, a broadcast, an export) and the job runs (a closing, a tally), which are what
  `Application.stop` would wait for;
- no job is due that has not started yet.

What the bot has not done by then, it is not going to do unprompted (a later job aside:
tests move the clock for that). It is checked in one go, after waiting for whatever was
busy, until a pass finds everything quiet.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from bot.app import AnyApp
from sandbox import Sandbox
from sandbox.models import BotAccount

TIMEOUT = 10.0
# A job that is due but not yet started has no task to wait for: the scheduler starts it on
# its next timer. This is how often the check looks again meanwhile (a poll, not a wait).
DUE_POLL = 0.005


def _busy(app: AnyApp) -> set[asyncio.Future[Any]]:
    """What the bot has under way: created tasks and job runs (PTB's stop awaits both)."""
    # PTB has no public way to list them; these are the sets its own stop() waits for.
    tasks: set[asyncio.Future[Any]] = set(app._Application__create_task_tasks)  # type: ignore[attr-defined]
    if app.job_queue is not None:
        tasks |= set(app.job_queue._executor._pending_futures)
    return {t for t in tasks if not t.done()}


def _due_jobs(app: AnyApp) -> list[str]:
    """Jobs whose time has come that the scheduler has not started yet."""
    if app.job_queue is None:
        return []
    now = datetime.now(UTC)
    jobs = app.job_queue.jobs()
    return [j.name or "?" for j in jobs if j.next_t is not None and j.next_t <= now]


async def idle(
    app: AnyApp,
    sandbox: Sandbox,
    bot: BotAccount,
    timeout: float = TIMEOUT,  # noqa: ASYNC109
) -> None:
    """Wait until the bot has taken and handled every update, and finished what it started."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        left = deadline - loop.time()
        if left <= 0:
            raise TimeoutError(
                f"the bot is not idle after {timeout} s: {len(sandbox.pending_updates(bot))} "
                f"update(s) not taken, {app.update_queue.qsize()} not handled, "
                f"{len(_busy(app))} task(s) or job run(s) under way, due: {_due_jobs(app)}"
            )
        if sandbox.pending_updates(bot):
            await sandbox.wait_for(lambda: not sandbox.pending_updates(bot), left)
        elif not app.update_queue.empty():
            await asyncio.wait_for(app.update_queue.join(), left)
        elif busy := _busy(app):
            await asyncio.wait(busy, timeout=left)
        elif _due_jobs(app):
            await asyncio.sleep(DUE_POLL)
        else:
            return
