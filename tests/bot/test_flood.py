"""The flood limiter: no window ever holds more sends than it allows, 429s are waited out."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter
from telegram.ext import Application, TypeHandler

from bot.app import BotApplication
from bot.flood import FloodLimiter, Window, is_urgent, urgently
from handlers.send_priority import in_bulk
from sandbox import Sandbox

TOKEN = "7012345678:AAHsandboxTokenForTheFloodTests-xyz_0123"


async def _sends(
    limiter: FloodLimiter, chats: list[int], log: list[tuple[int, float]], flood: set[int]
) -> None:
    loop = asyncio.get_running_loop()

    async def send(chat_id: int) -> bool:
        await asyncio.sleep(0.005)  # the answer takes a moment
        if chat_id in flood:  # this chat answers 429 once
            flood.discard(chat_id)
            raise RetryAfter(timedelta(seconds=0.01))
        log.append((chat_id, loop.time()))
        return True

    await asyncio.gather(
        *(
            limiter.process_request(send, (chat,), {}, "sendMessage", {"chat_id": chat}, None)
            for chat in chats
        )
    )


def _most_in_any_window(times: list[float], seconds: float) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[n:] if t < at + seconds) for n, at in enumerate(times))


async def test_sends_never_overfill_the_overall_or_a_group_window() -> None:
    limiter = FloodLimiter(overall=(5, 0.2), group=(3, 0.3), private=(2, 0.2))
    await limiter.initialize()
    log: list[tuple[int, float]] = []
    await _sends(limiter, [-1] * 7 + [11, 12, 13, 14, 15], log, set())

    assert len(log) == 12
    assert _most_in_any_window([t for _, t in log], 0.2) <= 5
    assert _most_in_any_window([t for c, t in log if c == -1], 0.3) <= 3


async def test_a_private_chat_is_paced_once_it_answered_429() -> None:
    limiter = FloodLimiter(overall=(100, 0.2), private=(2, 0.2))
    await limiter.initialize()
    log: list[tuple[int, float]] = []
    await _sends(limiter, [11] * 3, log, set())
    assert _most_in_any_window([t for _, t in log], 0.2) == 3  # a burst, as Telegram allows

    await _sends(limiter, [11], log, {11})  # answered 429, then sent on the retry
    log.clear()
    await _sends(limiter, [11] * 6, log, set())
    assert len(log) == 6
    assert _most_in_any_window([t for _, t in log], 0.2) <= 2


async def test_other_calls_pass_straight_through() -> None:
    limiter = FloodLimiter(overall=(1, 60.0))
    await limiter.initialize()
    calls: list[str] = []

    async def call(name: str) -> bool:
        calls.append(name)
        return True

    data: dict[str, Any] = {"callback_query_id": "1"}
    async with asyncio.timeout(1):
        for _ in range(3):
            await limiter.process_request(call, ("a",), {}, "answerCallbackQuery", data, None)
        await limiter.process_request(call, ("s",), {}, "sendMessage", {"chat_id": 1}, None)
    assert calls == ["a", "a", "a", "s"]


async def test_a_429_is_waited_out_by_that_request_alone() -> None:
    limiter = FloodLimiter(max_retries=2)
    await limiter.initialize()
    tries = 0

    async def flooded() -> bool:
        nonlocal tries
        tries += 1
        if tries == 1:
            raise RetryAfter(timedelta(seconds=0.05))
        return True

    assert await limiter.process_request(flooded, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert tries == 2

    async def always() -> bool:
        raise RetryAfter(timedelta(seconds=0.01))

    with pytest.raises(RetryAfter):
        await limiter.process_request(always, (), {}, "editMessageText", {"chat_id": -5}, None)


async def test_an_urgent_send_takes_the_next_place_before_waiting_background_sends() -> None:
    limiter = FloodLimiter(overall=(2, 0.1))
    await limiter.initialize()
    order: list[str] = []

    async def send(name: str) -> bool:
        order.append(name)
        return True

    async def background(name: str) -> None:
        await limiter.process_request(send, (name,), {}, "sendMessage", {"chat_id": 1}, None)

    async def reply(name: str) -> None:
        await urgently(background(name))

    # Two fill the window, three more wait for it; then a person's reply comes.
    waiting = [asyncio.create_task(background(f"b{n}")) for n in range(5)]
    await asyncio.sleep(0.01)
    assert order == ["b0", "b1"]
    await reply("r")
    assert order == ["b0", "b1", "r"]  # before b2, which came first
    await asyncio.gather(*waiting)
    assert order == ["b0", "b1", "r", "b2", "b3", "b4"]


async def test_bulk_sends_wait_for_every_normal_and_urgent_send() -> None:
    limiter = FloodLimiter(overall=(1, 0.05))
    await limiter.initialize()
    order: list[str] = []

    async def send(name: str) -> bool:
        order.append(name)
        return True

    async def background(name: str) -> None:
        await limiter.process_request(send, (name,), {}, "sendMessage", {"chat_id": -7}, None)

    # A burst's panels queue first; a tally edit and a reply come after them.
    first = asyncio.create_task(background("tally-0"))
    await asyncio.sleep(0)
    panels = [asyncio.create_task(in_bulk(background(f"panel{n}"))) for n in range(3)]
    await asyncio.sleep(0.01)
    tally = asyncio.create_task(background("tally-1"))
    await asyncio.sleep(0)
    reply = asyncio.create_task(urgently(background("reply")))
    await asyncio.gather(first, *panels, tally, reply)
    assert order == ["tally-0", "reply", "tally-1", "panel0", "panel1", "panel2"]


async def test_only_the_task_itself_is_urgent_not_the_tasks_it_starts() -> None:
    seen: dict[str, bool] = {}

    async def handler() -> None:
        seen["handler"] = is_urgent()
        await asyncio.create_task(started())

    async def started() -> None:
        seen["started"] = is_urgent()

    await urgently(handler())
    assert seen == {"handler": True, "started": False}
    assert not is_urgent()  # urgently ran in this task, but its work is done


async def test_a_request_that_stops_waiting_gives_its_turn_and_place_back() -> None:
    window = Window(1, 0.0)  # a place frees up as soon as its send is answered
    await window.acquire()
    gone = asyncio.create_task(window.acquire())
    after = asyncio.create_task(window.acquire())
    await asyncio.sleep(0)  # both wait for the place
    gone.cancel()
    window.release()
    async with asyncio.timeout(1):
        await after  # the place went to the next in line, not to the cancelled one

    late = asyncio.create_task(window.acquire())
    await asyncio.sleep(0)
    window.release()  # the place is given to `late` at once…
    late.cancel()  # …which is cancelled before it could use it
    with pytest.raises(asyncio.CancelledError):
        await late
    assert window.idle(asyncio.get_running_loop().time())
    async with asyncio.timeout(0.01):
        await window.acquire()


@pytest.mark.parametrize("seed", range(3))
async def test_urgent_and_background_sends_together_never_overfill_a_window(seed: int) -> None:
    rng = random.Random(seed)
    limiter = FloodLimiter(overall=(5, 0.1), group=(3, 0.1))
    await limiter.initialize()
    loop = asyncio.get_running_loop()
    log: list[tuple[int, float]] = []

    async def send(chat_id: int) -> bool:
        await asyncio.sleep(rng.uniform(0.0, 0.01))
        log.append((chat_id, loop.time()))
        return True

    async def one(chat_id: int, urgent: bool) -> None:
        await asyncio.sleep(rng.uniform(0.0, 0.1))
        request = limiter.process_request(
            send, (chat_id,), {}, "sendMessage", {"chat_id": chat_id}, None
        )
        await (urgently(request) if urgent else request)

    chats = [rng.choice([-1, -2, 11, 12, 13]) for _ in range(30)]
    await asyncio.gather(*(one(chat, rng.random() < 0.3) for chat in chats))
    assert len(log) == 30
    assert _most_in_any_window([t for _, t in log], 0.1) <= 5
    for group in (-1, -2):
        assert _most_in_any_window([t for c, t in log if c == group], 0.1) <= 3


async def test_the_bot_sends_urgently_while_handling_an_update_not_in_what_it_starts() -> None:
    seen: dict[str, bool] = {}

    async def started() -> None:
        seen["started"] = is_urgent()

    async def handler(update: object, context: object) -> None:
        seen["handler"] = is_urgent()
        await asyncio.create_task(started())

    async with Sandbox() as sandbox:
        sandbox.add_bot(TOKEN, "urgent_test_bot")
        app = (
            Application.builder()
            .application_class(BotApplication)
            .token(TOKEN)
            .base_url(sandbox.base_url)
            .build()
        )
        app.add_handler(TypeHandler(object, handler))
        async with app:
            await app.process_update(object())
    assert seen == {"handler": True, "started": False}


async def test_the_bot_stops_without_waiting_for_queued_follow_up_panels() -> None:
    async with Sandbox() as sandbox:
        sandbox.add_bot(TOKEN, "bulk_test_bot")
        app = (
            Application.builder()
            .application_class(BotApplication)
            .token(TOKEN)
            .base_url(sandbox.base_url)
            .build()
        )
        async with app:
            await app.start()
            # A panel waiting its turn (here: forever) and a task that must be waited for.
            waiting = app.create_task(in_bulk(asyncio.Event().wait()))
            finished: list[str] = []

            async def needed() -> None:
                await asyncio.sleep(0.05)
                finished.append("needed")

            app.create_task(needed())
            await asyncio.sleep(0)  # both have started
            async with asyncio.timeout(5):
                await app.stop()
    assert waiting.cancelled()
    assert finished == ["needed"]
