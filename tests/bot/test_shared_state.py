"""user_data shared by webhook workers through the database (bot/shared_state.py, issue 13).

Two SharedUserData instances on one database stand for two worker processes.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import select, update

from bot.app import shares_user_data
from bot.settings import Settings
from bot.shared_state import SharedUserData
from services.outbox import Deps
from services.user_states import UserStates
from storage.engine import create_engine, make_sessionmaker
from storage.models import UserState
from storage.uow import UnitOfWorkFactory
from tests.services.fakes import FakeClock

USER = 4242


class Worker:
    """One worker's persistence, counting its writes to the database."""

    def __init__(self, states: UserStates) -> None:
        self.persistence = SharedUserData()
        self.persistence.states = states
        self.user_data: dict[Any, Any] = {}


@pytest.fixture
async def states(db_url: str) -> AsyncIterator[tuple[UserStates, FakeClock]]:
    engine = create_engine(db_url)
    clock = FakeClock(datetime(2026, 12, 5, 9, 0, tzinfo=UTC))
    deps = Deps(UnitOfWorkFactory(make_sessionmaker(engine)), clock, cast(Any, None))
    yield UserStates(deps), clock
    await engine.dispose()


async def _rows(states: UserStates) -> list[tuple[int, bytes, datetime]]:
    async with states._deps.uow() as uow:
        found = await uow.session.execute(select(UserState).order_by(UserState.telegram_user_id))
        return [(r.telegram_user_id, r.data, r.updated_at) for (r,) in found]


async def test_a_worker_reads_what_another_wrote(states: tuple[UserStates, FakeClock]) -> None:
    store, _ = states
    a, b = Worker(store), Worker(store)
    await a.persistence.refresh_user_data(USER, a.user_data)
    a.user_data["draft"] = {"event": "Brand bij de moskee", "districts": [1, 2]}
    await a.persistence.update_user_data(USER, a.user_data)

    await b.persistence.refresh_user_data(USER, b.user_data)
    assert b.user_data == {"draft": {"event": "Brand bij de moskee", "districts": [1, 2]}}
    # B goes on; A's next update sees B's step, not its own stale one.
    b.user_data["draft"]["districts"] = [1]
    await b.persistence.update_user_data(USER, b.user_data)
    await a.persistence.refresh_user_data(USER, a.user_data)
    assert a.user_data == {"draft": {"event": "Brand bij de moskee", "districts": [1]}}
    # Finished (the dict emptied) on A: the row goes, and B's copy is emptied too.
    a.user_data.clear()
    await a.persistence.update_user_data(USER, a.user_data)
    assert await _rows(store) == []
    await b.persistence.refresh_user_data(USER, b.user_data)
    assert b.user_data == {}


async def test_an_unchanged_dict_is_not_written(states: tuple[UserStates, FakeClock]) -> None:
    store, clock = states
    a, b = Worker(store), Worker(store)
    a.user_data["awaiting"] = {"kind": "free_text", "checkin": 3}
    await a.persistence.update_user_data(USER, a.user_data)
    ((_, data, written),) = await _rows(store)
    clock.advance(minutes=5)
    # The same dict again, on the writer and on a worker that read it: no write.
    await a.persistence.update_user_data(USER, dict(a.user_data))
    await b.persistence.refresh_user_data(USER, b.user_data)
    await b.persistence.update_user_data(USER, b.user_data)
    assert await _rows(store) == [(USER, data, written)]
    # A change is written, with its time.
    b.user_data["awaiting"]["checkin"] = 4
    await b.persistence.update_user_data(USER, b.user_data)
    ((_, _, rewritten),) = await _rows(store)
    assert rewritten == clock.now()


async def test_an_unreadable_row_is_empty_and_logged_without_content(
    states: tuple[UserStates, FakeClock], caplog: pytest.LogCaptureFixture
) -> None:
    store, _ = states
    await store.save(USER, b"\x80\x05geheime wijk Overvecht")  # not a pickle of today's code
    worker = Worker(store)
    worker.user_data["old"] = 1
    with caplog.at_level(logging.WARNING, logger="bot.shared_state"):
        await worker.persistence.refresh_user_data(USER, worker.user_data)
    assert worker.user_data == {}
    assert "could not be read" in caplog.text and "Overvecht" not in caplog.text
    # The next step is stored over it.
    worker.user_data["draft"] = "nieuw"
    await worker.persistence.update_user_data(USER, worker.user_data)
    fresh = Worker(store)
    await fresh.persistence.refresh_user_data(USER, fresh.user_data)
    assert fresh.user_data == {"draft": "nieuw"}


async def test_states_older_than_a_day_are_forgotten(states: tuple[UserStates, FakeClock]) -> None:
    store, clock = states
    await store.save(USER, b"old")
    await store.save(USER + 1, b"new")
    async with store._deps.uow() as uow:
        await uow.session.execute(
            update(UserState)
            .where(UserState.telegram_user_id == USER)
            .values(updated_at=clock.now() - timedelta(days=1, minutes=1))
        )
        await uow.commit()
    assert await store.forget_old() == 1
    assert [row[0] for row in await _rows(store)] == [USER + 1]


def test_only_webhook_workers_on_postgresql_share_user_data() -> None:
    def settings(mode: str, url: str) -> Settings:
        return Settings(
            mode=mode,
            database_url=url,
            webhook={"url": "https://b.example.org", "secret_token": "s3cr3t-tok"},
        )

    assert shares_user_data(settings("webhook", "postgresql+asyncpg://u@h/db"))
    assert not shares_user_data(settings("polling", "postgresql+asyncpg://u@h/db"))
    assert not shares_user_data(settings("webhook", "sqlite+aiosqlite:///x.db"))
