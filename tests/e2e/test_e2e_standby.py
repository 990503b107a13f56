"""Two `bondgenoten run` against one database: one leads, the other waits or is refused.

On PostgreSQL the second process waits as a hot standby (it does not poll, so Telegram sees
no second poller) and takes over within seconds when the first is killed. On SQLite the
second process is refused with one line.
"""

from __future__ import annotations

import asyncio

import pytest

from sandbox import Sandbox
from sandbox.models import BotAccount
from sandbox.people import Person
from tests.e2e.processes import bot_process, line_with, process_env

pytestmark = pytest.mark.e2e


async def welcome(sandbox: Sandbox, person: Person, bot: BotAccount) -> str:
    started = await person.start(bot)
    reply = await sandbox.next_message(started.chat, after=started, timeout=30)
    return reply.text or ""


async def test_a_second_process_waits_as_standby_and_takes_over_or_is_refused(
    sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person, db_url: str
) -> None:
    env = process_env(sandbox, db_url, coordinator)
    async with bot_process(env, capture=True) as first:
        await line_with(first, "running (polling)")
        async with bot_process(env, capture=True) as second:
            if db_url.startswith("sqlite"):
                line = await line_with(second, "cannot start")
                assert "another bondgenoten process is running on this SQLite database" in line
                assert await asyncio.wait_for(second.wait(), 30) == 1
                assert (await welcome(sandbox, coordinator, tg_bot)).startswith("Welkom")
                return
            await line_with(second, "standby: another process leads on this database")
            assert (await welcome(sandbox, coordinator, tg_bot)).startswith("Welkom")
            polls = len(sandbox.calls("getUpdates"))
            first.kill()
            await first.wait()
            await line_with(second, "running (polling)", timeout=15)
            fatima = sandbox.add_person("Fatima", language_code="nl")
            assert (await welcome(sandbox, fatima, tg_bot)).startswith("Welkom")
            # Never two pollers at once: no 409 Conflict was ever answered.
            assert [c for c in sandbox.calls("getUpdates") if c.error_code == 409] == []
            assert len(sandbox.calls("getUpdates")) > polls
