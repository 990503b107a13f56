"""The sandbox and the bots as separate processes, and a client for the sandbox's HTTP API."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

READY_TIMEOUT = 60.0
STOP_GRACE = 2.0


class BenchError(RuntimeError):
    """Something the benchmark needs did not happen (a process died, a wait timed out)."""


@dataclass(frozen=True)
class BotAccount:
    """A bot registered in the sandbox."""

    token: str
    username: str


class SandboxClient:
    """The sandbox's control API (/sandbox/…) and Bot API (/bot<token>/…) over HTTP."""

    def __init__(self, url: str, connections: int = 32) -> None:
        self.url = url
        self._http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=connections),
            timeout=aiohttp.ClientTimeout(total=120),
        )

    async def close(self) -> None:
        """Close the connections."""
        await self._http.close()

    async def control(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """Call /sandbox/<path>; return its result or raise with the sandbox's reason."""
        kwargs: dict[str, Any] = {}
        if method == "GET" and body:
            kwargs["params"] = {k: str(v) for k, v in body.items() if v is not None}
        elif body is not None:
            kwargs["json"] = dict(body)
        async with self._http.request(method, f"{self.url}/sandbox/{path}", **kwargs) as resp:
            data = await resp.json()
        if not data.get("ok"):
            raise BenchError(f"sandbox {path}: {data.get('error')}")
        return data["result"]

    async def post(self, path: str, **body: Any) -> Any:
        """POST /sandbox/<path> with a JSON body."""
        return await self.control("POST", path, body)

    async def get(self, path: str, **query: Any) -> Any:
        """GET /sandbox/<path>?query."""
        return await self.control("GET", path, query)

    async def bot_api(self, token: str, method: str, **params: Any) -> Any:
        """Call a Bot API method as a bot (the benchmark sets up a bare bot's messages so)."""
        async with self._http.post(f"{self.url}/bot{token}/{method}", json=params) as resp:
            data = await resp.json()
        if not data.get("ok"):
            raise BenchError(f"{method}: {data.get('description')}")
        return data["result"]

    async def calls(self, **query: Any) -> list[dict[str, Any]]:
        """The sandbox's call log, filtered (method, bot, chat_id, ok, since)."""
        found: list[dict[str, Any]] = await self.get("calls", **query)
        return found

    async def drain_updates(self, token: str) -> None:
        """Confirm every update queued for a bot, as if it had handled them (setup only)."""
        last = await self.bot_api(token, "getUpdates", offset=-1, timeout=0)
        if last:
            await self.bot_api(token, "getUpdates", offset=last[-1]["update_id"] + 1, timeout=0)

    async def wait_until(
        self,
        what: str,
        check: Any,
        timeout: float,  # noqa: ASYNC109
        every: float = 0.05,
    ) -> Any:
        """Poll an async check until it returns something truthy, or fail saying what."""
        deadline = time.monotonic() + timeout
        while True:
            found = await check()
            if found:
                return found
            if time.monotonic() > deadline:
                raise BenchError(f"timed out after {timeout:.0f} s waiting for {what}")
            await asyncio.sleep(every)


class Process:
    """A child process with its output in a log file; stopped with SIGTERM, then SIGKILL."""

    def __init__(self, name: str, proc: asyncio.subprocess.Process, log: Path) -> None:
        self.name = name
        self.proc = proc
        self.log = log
        self.started = time.monotonic()

    @property
    def pid(self) -> int:
        """The process id."""
        return self.proc.pid

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the process used so far; 0 once it is gone."""
        try:
            with open(f"/proc/{self.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        # utime and stime: the 14th and 15th fields of stat(5), after pid and (comm).
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def thread_cpu_seconds(self) -> dict[int, float]:
        """CPU time per thread (by thread id) so far: the event loop's, the database driver's."""
        tick = os.sysconf("SC_CLK_TCK")
        found: dict[int, float] = {}
        try:
            tids = os.listdir(f"/proc/{self.pid}/task")
        except OSError:
            return found
        for tid in tids:
            try:
                with open(f"/proc/{self.pid}/task/{tid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[int(tid)] = (int(fields[11]) + int(fields[12])) / tick
        return found

    def profile(self, on: bool) -> None:
        """Start (on) or stop and write (off) the profile of a process run under BENCH_PROFILE."""
        if os.environ.get("BENCH_PROFILE") and self.alive():
            self.proc.send_signal(signal.SIGUSR1 if on else signal.SIGUSR2)

    def alive(self) -> bool:
        """Tell whether it still runs."""
        return self.proc.returncode is None

    def check_alive(self) -> None:
        """Fail with the end of its log if it died."""
        if not self.alive():
            raise BenchError(f"{self.name} exited with {self.proc.returncode}:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        """The last lines of its log."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """SIGTERM, and SIGKILL if it is not gone after `grace` seconds."""
        if not self.alive():
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), grace)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()


async def spawn(
    name: str, args: Sequence[str], log: Path, env: Mapping[str, str] | None = None
) -> Process:
    """Start `python <args>` with stdout and stderr in a log file.

    With BENCH_PROFILE=<folder>, a module run with `-m` runs under bench.profiled, writing
    `<folder>/<log's name>.prof` when told (see Process.profile).
    """
    profiles = os.environ.get("BENCH_PROFILE")
    if profiles and args and args[0] == "-m":
        out_file = Path(profiles) / f"{log.stem}.prof"
        args = ["-m", "bench.profiled", str(out_file), *args]
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            *args,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
            stdin=asyncio.subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
        )
    return Process(name, proc, log)


async def start_sandbox(
    bots: Sequence[BotAccount], log: Path, *, flood_limits: bool = True
) -> tuple[Process, SandboxClient]:
    """Start `python -m sandbox` on a free port; return it once it answers."""
    args = ["-m", "sandbox", "--host", "127.0.0.1", "--port", "0"]
    for bot in bots:
        args += ["--bot", f"{bot.token}:{bot.username}"]
    if flood_limits:
        args.append("--flood-limits")
    process = await spawn("sandbox", args, log)
    deadline = time.monotonic() + READY_TIMEOUT
    # The sandbox prints one line with its address when it listens.
    while True:
        process.check_alive()
        for line in process.log.read_text(errors="replace").splitlines():
            if line.startswith("sandbox listening on "):
                url = line.split()[3]
                return process, SandboxClient(url)
        if time.monotonic() > deadline:
            await process.stop()
            raise BenchError(f"the sandbox did not start:\n{process.tail()}")
        await asyncio.sleep(0.02)


def bot_env(
    sandbox_url: str,
    token: str,
    database_url: str,
    coordinators: Sequence[int] = (),
    **extra: str,
) -> dict[str, str]:
    """The environment of `bondgenoten run` against the sandbox (no config file)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BONDGENOTEN_")}
    env.update(
        BONDGENOTEN_CONFIG=os.devnull,
        BONDGENOTEN_TOKEN=token,
        BONDGENOTEN_DATABASE_URL=database_url,
        BONDGENOTEN_TELEGRAM_API_URL=f"{sandbox_url}/bot",
        BONDGENOTEN_TELEGRAM_FILE_URL=f"{sandbox_url}/file/bot",
        BONDGENOTEN_COORDINATORS=",".join(str(c) for c in coordinators),
        # The bot's log (in the work directory, kept with --keep): BENCH_BOT_LOG_LEVEL=DEBUG
        # when a scenario needs looking into.
        BONDGENOTEN_LOGGING__LEVEL=os.environ.get("BENCH_BOT_LOG_LEVEL", "WARNING"),
        # The figures must not depend on the hour the bench runs: quiet hours would hold a
        # broadcast's private copies until morning, and reminders would add sends of their own.
        BONDGENOTEN_CHECKINS__QUIET_HOURS_START="00:00",
        BONDGENOTEN_CHECKINS__QUIET_HOURS_END="00:00",
        BONDGENOTEN_CHECKINS__REMINDERS_PER_PERSON="0",
    )
    env.update(extra)
    return env


async def start_bot(env: Mapping[str, str], log: Path) -> Process:
    """Start `bondgenoten run` (as `python -m bot run`)."""
    return await spawn("bot", ["-m", "bot", "run"], log, env)


async def wait_polling(sandbox: SandboxClient, process: Process, token: str) -> float:
    """Wait until a bot process starts polling; return when (time.monotonic()).

    PTB deletes any webhook just before its first getUpdates; the sandbox logs a call when
    it ends, and a long poll ends only when an update comes, so the first sign is that one.
    """

    async def polled() -> float | None:
        process.check_alive()
        calls = await sandbox.calls(method="deleteWebhook", bot=token, since=process.started)
        return float(calls[0]["monotonic"]) if calls else None

    found: float = await sandbox.wait_until(f"{process.name} to poll", polled, READY_TIMEOUT)
    return found
