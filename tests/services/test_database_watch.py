"""A database outage: logged once, coordinators told once it lasts, and told of its end."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fakes import FakeClock, FakeNotifier
from sqlalchemy.exc import OperationalError

from services.health import DatabaseWatch
from services.outbox import Deps
from storage.uow import UnitOfWorkFactory


class Switchable:
    """A unit-of-work factory whose database can be switched off."""

    def __init__(self, real: UnitOfWorkFactory) -> None:
        self.real, self.down = real, False

    def __call__(self) -> Any:
        if self.down:
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))
        return self.real()


@pytest.fixture
def switch(uow_factory: UnitOfWorkFactory) -> Switchable:
    return Switchable(uow_factory)


@pytest.fixture
def watch(switch: Switchable, clock: FakeClock, notifier: FakeNotifier) -> DatabaseWatch:
    deps = Deps(switch, clock, notifier)  # type: ignore[arg-type]
    return DatabaseWatch(deps, [1001, 1002], "nl")


async def test_an_outage_is_logged_once_and_told_after_three_minutes(
    watch: DatabaseWatch,
    switch: Switchable,
    clock: FakeClock,
    notifier: FakeNotifier,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert await watch.probe()
    switch.down = True
    began = clock.now()

    with caplog.at_level(logging.INFO, logger="services.health"):
        for _ in range(5):
            assert not await watch.probe()
            clock.advance(seconds=30)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in errors] == [
        "database unreachable: OperationalError: (builtins.ConnectionRefusedError) "
        "connection refused"
    ]
    assert notifier.transcript == []  # two minutes: not yet

    clock.advance(minutes=1)
    await watch.probe()
    await watch.probe()
    told = [(to, key) for to, key, _ in notifier.transcript]
    assert told == [(1001, "health.database_down"), (1002, "health.database_down")]
    assert notifier.transcript[0][2] == {"since": began}

    switch.down = False
    assert await watch.probe()
    assert [key for _, key, _ in notifier.transcript[2:]] == ["health.database_back"] * 2
    assert watch.down_since is None


async def test_a_short_outage_tells_nobody(
    watch: DatabaseWatch, switch: Switchable, clock: FakeClock, notifier: FakeNotifier
) -> None:
    switch.down = True
    await watch.probe()
    clock.advance(minutes=1)
    switch.down = False
    await watch.probe()
    assert notifier.transcript == []


async def test_a_webhook_worker_that_does_not_lead_logs_an_outage_and_leaves_telling_to_the_leader(
    watch: DatabaseWatch,
    switch: Switchable,
    clock: FakeClock,
    notifier: FakeNotifier,
    caplog: pytest.LogCaptureFixture,
) -> None:
    watch.tells_coordinators = False
    switch.down = True
    with caplog.at_level(logging.INFO, logger="services.health"):
        for _ in range(8):
            assert not await watch.probe()
            clock.advance(seconds=30)
    assert [r.levelno for r in caplog.records].count(logging.ERROR) == 1
    assert notifier.transcript == []
    # It takes the lead while the outage lasts: now the coordinators hear of it, once.
    watch.tells_coordinators = True
    await watch.probe()
    await watch.probe()
    assert [key for _, key, _ in notifier.transcript] == ["health.database_down"] * 2
