"""`bondgenoten run` as a real process against the sandbox, for kill and standby tests."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web

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


class Log:
    """A process's stderr, read as it comes (so the pipe never fills), every line kept."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stderr is not None
        self.lines: list[str] = []
        self._changed = asyncio.Condition()
        self._ended = False
        self._reader = asyncio.create_task(self._read(proc.stderr))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        while raw := await stream.readline():
            async with self._changed:
                self.lines.append(raw.decode())
                self._changed.notify_all()
        async with self._changed:
            self._ended = True
            self._changed.notify_all()

    def saying(self, text: str) -> list[str]:
        """The lines read so far that hold text."""
        return [line for line in self.lines if text in line]

    async def line_with(self, text: str, timeout: float = 30) -> str:  # noqa: ASYNC109
        """Wait for a line that holds text (one already read counts); return it."""

        async def wait() -> str:
            async with self._changed:
                while not (found := self.saying(text)):
                    if self._ended:
                        raise AssertionError(f"the process ended without saying {text!r}")
                    await self._changed.wait()
                return found[0]

        try:
            return await asyncio.wait_for(wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"no line with {text!r} in {timeout} s: {self.lines}") from None


@asynccontextmanager
async def logged_process(
    env: dict[str, str],
) -> AsyncIterator[tuple[asyncio.subprocess.Process, Log]]:
    """`bondgenoten run` with its log read as it comes; killed at the end."""
    async with bot_process(env, capture=True) as proc:
        log = Log(proc)
        try:
            yield proc, log
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            await log._reader


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def webhook_env(env: dict[str, str], url: str, port: int) -> dict[str, str]:
    """A webhook worker's environment: it listens on port, Telegram is told to call url."""
    return {
        **env,
        "BONDGENOTEN_MODE": "webhook",
        "BONDGENOTEN_WEBHOOK__LISTEN": "127.0.0.1",
        "BONDGENOTEN_WEBHOOK__PORT": str(port),
        "BONDGENOTEN_WEBHOOK__URL": url,
        "BONDGENOTEN_WEBHOOK__SECRET_TOKEN": WEBHOOK_SECRET,
    }


WEBHOOK_SECRET = "webhook_secret_for_the_standby_tests_0123456789"


def sender_of(update: dict[str, Any]) -> int | None:
    """The Telegram id of the person an update comes from, if any."""
    for value in update.values():
        if isinstance(value, dict) and isinstance(value.get("from"), dict):
            return int(value["from"]["id"])
    return None


class Proxy:
    """A reverse proxy in front of webhook workers, as a deployment would put one.

    A person's updates go to one worker (chosen by their id, or pinned); with `alternate`
    set, each next update of a person goes to the next worker, as a real proxy (which cannot
    read the Telegram user inside the body) spreads them. When that worker does not answer,
    the next one gets the update, as a proxy with health checks would.
    """

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.pinned: dict[int, int] = {}
        # Updates to answer 200 without passing on: as a worker that kept one and died.
        self.swallow = 0
        self.swallowed: list[dict[str, Any]] = []
        self.handled: dict[int, int] = dict.fromkeys(ports, 0)
        # Round robin per person: each update of theirs to the next worker.
        self.alternate = False
        self._turns: dict[int, int] = {}
        # Per person, the workers their updates went to first, in order.
        self.routed: dict[int, list[int]] = {}
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Proxy:
        app = web.Application()
        app.router.add_post("/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._http is not None and self._runner is not None
        await self._http.close()
        await self._runner.cleanup()

    def worker_of(self, person_id: int | None) -> int:
        """The port of the worker a person's updates go to first."""
        if person_id in self.pinned:
            return self.pinned[person_id]
        return self.ports[(person_id or 0) % len(self.ports)]

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        body = await request.read()
        if self.swallow > 0:
            self.swallow -= 1
            self.swallowed.append(json.loads(body))
            return web.Response()
        sender = sender_of(json.loads(body))
        first = self.worker_of(sender)
        if self.alternate and sender is not None:
            turn = self._turns[sender] = self._turns.get(sender, -1) + 1
            first = self.ports[turn % len(self.ports)]
        if sender is not None:
            self.routed.setdefault(sender, []).append(first)
        order = [first] + [p for p in self.ports if p != first]
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        for port in order:
            try:
                async with self._http.post(
                    f"http://127.0.0.1:{port}{request.path}", data=body, headers=headers
                ) as answer:
                    text = await answer.read()
                    if answer.status == 200:
                        self.handled[port] += 1
                    return web.Response(status=answer.status, body=text)
            except aiohttp.ClientConnectionError:
                continue  # that worker is gone: the next one
        return web.Response(status=502)
