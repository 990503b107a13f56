"""Bulk sends: marked per task, and dropped at a stop instead of holding it up."""

from __future__ import annotations

import asyncio

from handlers.send_priority import BulkQueue, drop_bulk, in_bulk, is_bulk


async def test_only_the_bulk_task_itself_sends_bulk() -> None:
    seen: dict[str, bool] = {}

    async def panel() -> None:
        seen["panel"] = is_bulk()
        await asyncio.create_task(started())

    async def started() -> None:
        seen["started"] = is_bulk()

    await in_bulk(panel())
    assert seen == {"panel": True, "started": False}
    assert not is_bulk()


async def test_a_stop_drops_the_bulk_still_waiting_and_nothing_else() -> None:
    forever = asyncio.Event()
    panels = [asyncio.create_task(in_bulk(forever.wait())) for _ in range(3)]
    other = asyncio.create_task(forever.wait())
    await asyncio.sleep(0)

    assert drop_bulk() == 3
    results = await asyncio.gather(*panels, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)
    assert not other.done()
    assert drop_bulk() == 0  # what was dropped is gone
    other.cancel()


async def test_queued_bulk_work_is_done_in_order_by_a_few_bulk_workers() -> None:
    done: list[int] = []
    bulk: list[bool] = []
    running = 0
    most = 0
    workers: list[asyncio.Task[None]] = []

    async def work(n: int) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        bulk.append(is_bulk())
        await asyncio.sleep(0)
        running -= 1
        if n == 3:
            raise RuntimeError("one panel failed")  # logged; the rest go on
        done.append(n)

    queue = BulkQueue(lambda coroutine: workers.append(asyncio.create_task(coroutine)), workers=2)
    for n in range(10):
        queue.put(lambda n=n: work(n))
    assert len(workers) == 2 and len(queue) == 10
    await asyncio.gather(*workers)
    assert done == [0, 1, 2, 4, 5, 6, 7, 8, 9] and len(queue) == 0
    assert most == 2 and all(bulk)
    queue.put(lambda: work(10))  # idle again: a new worker starts
    await workers[-1]
    assert done[-1] == 10 and len(workers) == 3


async def test_a_stop_drops_the_queued_bulk_work_too() -> None:
    forever = asyncio.Event()
    started: list[int] = []
    workers: list[asyncio.Task[None]] = []

    async def work(n: int) -> None:
        started.append(n)
        await forever.wait()

    queue = BulkQueue(lambda coroutine: workers.append(asyncio.create_task(coroutine)), workers=1)
    for n in range(5):
        queue.put(lambda n=n: work(n))
    await asyncio.sleep(0)
    assert started == [0]

    assert drop_bulk() == 5  # the one under way and the four waiting
    await asyncio.gather(*workers, return_exceptions=True)
    assert started == [0] and len(queue) == 0
    assert drop_bulk() == 0
