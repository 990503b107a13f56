"""Presses that arrive together share one transaction, and one bad press sinks no other."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import cast

import pytest

from services.checkins.answers import AnswerService
from services.checkins.outcomes import AnswerOutcome, Closed, Press, Unknown
from services.checkins.presses import PressBatch


class FakeAnswers:
    """Records each call of record_answers; presses with code 9 make the call fail."""

    def __init__(self) -> None:
        self.calls: list[list[int]] = []

    async def record_answers(self, presses: Sequence[Press]) -> list[AnswerOutcome]:
        self.calls.append([p.telegram_user_id for p in presses])
        await asyncio.sleep(0)  # a commit takes a moment: others arrive meanwhile
        if any(p.code == 9 for p in presses):
            raise RuntimeError("database said no")
        return [CLOSED if p.code == 1 else Unknown() for p in presses]


CLOSED = Closed(datetime(2026, 12, 5, 12, tzinfo=UTC))


def press(person: int, code: int = 1) -> Press:
    return Press(person, 1, 1, 100, code, -500)


def batch_of(fake: FakeAnswers) -> PressBatch:
    return PressBatch(cast(AnswerService, fake))


async def test_presses_arriving_together_are_stored_in_one_call_in_order() -> None:
    fake = FakeAnswers()
    batch = batch_of(fake)

    outcomes = await asyncio.gather(*(batch.record(press(p, 1 + p % 2)) for p in range(1, 6)))

    assert fake.calls == [[1, 2, 3, 4, 5]]
    assert outcomes == [Unknown(), CLOSED, Unknown(), CLOSED, Unknown()]


async def test_a_failing_press_fails_alone_and_the_others_are_stored() -> None:
    fake = FakeAnswers()
    batch = batch_of(fake)

    results = await asyncio.gather(
        batch.record(press(1)),
        batch.record(press(2, 9)),
        batch.record(press(3)),
        return_exceptions=True,
    )

    assert results[0] == CLOSED and results[2] == CLOSED
    assert isinstance(results[1], RuntimeError)
    assert fake.calls == [[1, 2, 3], [1], [2], [3]]


async def test_a_press_after_a_quiet_moment_starts_a_new_batch() -> None:
    fake = FakeAnswers()
    batch = batch_of(fake)

    await batch.record(press(1))
    await batch.record(press(2))

    assert fake.calls == [[1], [2]]


@pytest.mark.parametrize("count", [450])
async def test_a_large_burst_is_cut_into_batches_of_the_limit(count: int) -> None:
    fake = FakeAnswers()
    batch = batch_of(fake)

    await asyncio.gather(*(batch.record(press(p)) for p in range(count)))

    assert [len(c) for c in fake.calls] == [200, 200, 50]
    assert [p for c in fake.calls for p in c] == list(range(count))
