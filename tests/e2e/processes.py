"""`bondgenoten run` as a real process against the sandbox, for kill and standby tests."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sandbox import Sandbox
from sandbox.people import Person
from tests.e2e.conftest import TOKEN


def process_env(sandbox: Sandbox, db_url: str, coordinator: Person) -> dict[str, str]:
    """The environment of a bot process pointed at the sandbox and this test's database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BONDGENOTEN_")}
    env.update(
        BONDGENOTEN_CONFIG=os.devnull,
        BONDGENOTEN_TOKEN=TOKEN,
        BONDGENOTEN_DATABASE_URL=db_url,
        BONDGENOTEN_TELEGRAM_API_URL=sandbox.base_url,
        BONDGENOTEN_TELEGRAM_FILE_URL=sandbox.base_file_url,
        BONDGENOTEN_TELEGRAM_FLOOD_LIMITS="false",
        BONDGENOTEN_COORDINATORS=str(coordinator.id),
    )
    return env


@asynccontextmanager
async def bot_process(
    env: dict[str, str], *, capture: bool = False
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`bondgenoten run` as a process (its stderr piped if capture); killed at the end."""
    out = asyncio.subprocess.PIPE if capture else asyncio.subprocess.DEVNULL
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, stdout=asyncio.subprocess.DEVNULL, stderr=out
    )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def line_with(proc: asyncio.subprocess.Process, text: str, timeout: float = 30) -> str:  # noqa: ASYNC109
    """Read the process's stderr until a line holds text; return that line."""
    assert proc.stderr is not None

    async def read() -> str:
        assert proc.stderr is not None
        while line := (await proc.stderr.readline()).decode():
            if text in line:
                return line
        raise AssertionError(f"the process ended without saying {text!r}")

    return await asyncio.wait_for(read(), timeout)
