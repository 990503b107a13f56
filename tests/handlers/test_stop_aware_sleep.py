"""A broadcast waiting for a retry lets the bot stop at once; otherwise it sleeps as asked."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from handlers.checkins.jobs import stop_aware_sleep


class _App:
    running = True


async def test_sleeps_the_whole_time_while_running() -> None:
    app = _App()
    sleep = stop_aware_sleep(cast(Any, app))
    loop = asyncio.get_running_loop()
    start = loop.time()
    await sleep(0.3)
    assert loop.time() - start >= 0.29


async def test_a_stop_ends_a_long_wait_within_a_second() -> None:
    app = _App()
    sleep = stop_aware_sleep(cast(Any, app))
    waiting = asyncio.create_task(sleep(300))
    await asyncio.sleep(0)  # it runs until it waits (one step, no time)
    assert not waiting.done()
    app.running = False
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(waiting, timeout=1.5)
