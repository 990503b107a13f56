"""Bulk sends: marked per task, and dropped at a stop instead of holding it up."""

from __future__ import annotations

import asyncio

from handlers.send_priority import drop_bulk, in_bulk, is_bulk


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
