"""The flood limiter: no window ever holds more sends than it allows, 429s are waited out."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.flood import FloodLimiter


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
