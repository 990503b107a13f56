"""`bondgenoten run` as a real process: polling and webhook, clean stop, no token in the logs."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import text

from sandbox import Sandbox
from sandbox.models import BotAccount
from storage.engine import create_engine
from tests.e2e.conftest import TOKEN


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _run_bot(env: dict[str, str], *args: str) -> AsyncIterator[asyncio.subprocess.Process]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


@pytest.fixture
def bot_env(sandbox: Sandbox, tg_bot: BotAccount, db_url: str, tmp_path: object) -> dict[str, str]:
    """The environment of a bot process pointed at the sandbox, logging everything."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BONDGENOTEN_")}
    env.update(
        BONDGENOTEN_CONFIG=os.devnull,
        BONDGENOTEN_TOKEN=TOKEN,
        BONDGENOTEN_DATABASE_URL=db_url,
        BONDGENOTEN_TELEGRAM_API_URL=sandbox.base_url,
        BONDGENOTEN_TELEGRAM_FILE_URL=sandbox.base_file_url,
        BONDGENOTEN_LOGGING__LEVEL="DEBUG",
    )
    return env


async def _stop(proc: asyncio.subprocess.Process) -> str:
    proc.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)
    return stderr.decode()


async def test_polling_process_answers_stops_on_sigterm_and_never_logs_the_token(
    sandbox: Sandbox, tg_bot: BotAccount, bot_env: dict[str, str]
) -> None:
    async for proc in _run_bot(bot_env):
        fatima = sandbox.add_person("Fatima", language_code="nl")
        await fatima.start(tg_bot)
        reply = await sandbox.next_message(fatima.chat_with(tg_bot), timeout=30)
        assert reply.text is not None and reply.text.startswith("Welkom bij Bondgenoten")
        logs = await _stop(proc)
        assert proc.returncode == 0, logs
    # The logs did record the requests (so the test can see a leak) but never the token.
    assert "getUpdates" in logs
    assert TOKEN not in logs
    assert TOKEN.split(":", 1)[1] not in logs
    assert "[REDACTED]" in logs


async def test_webhook_process_checks_the_secret_token(
    sandbox: Sandbox, tg_bot: BotAccount, bot_env: dict[str, str]
) -> None:
    port = _free_port()
    secret = "webhook_secret_for_tests_0123456789"
    bot_env.update(
        BONDGENOTEN_MODE="webhook",
        BONDGENOTEN_WEBHOOK__LISTEN="127.0.0.1",
        BONDGENOTEN_WEBHOOK__PORT=str(port),
        BONDGENOTEN_WEBHOOK__URL=f"http://127.0.0.1:{port}",
        BONDGENOTEN_WEBHOOK__SECRET_TOKEN=secret,
    )
    async for proc in _run_bot(bot_env):
        await sandbox.wait_for(lambda: sandbox.calls("setWebhook", ok=True), timeout=30)
        call = sandbox.calls("setWebhook", ok=True)[0]
        assert call.params["url"] == f"http://127.0.0.1:{port}/telegram"
        assert call.params["secret_token"] == secret

        ali = sandbox.add_person("Ali", language_code="nl")
        await ali.start(tg_bot)
        reply = await sandbox.next_message(ali.chat_with(tg_bot), timeout=30)
        assert reply.text is not None and reply.text.startswith("Welkom bij Bondgenoten, Ali")

        # Someone who does not know the secret cannot feed the bot updates.
        async with aiohttp.ClientSession() as http:
            forged = await http.post(
                f"http://127.0.0.1:{port}/telegram",
                json={"update_id": 1},
                headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
            )
            assert forged.status == 403
        logs = await _stop(proc)
        assert proc.returncode == 0, logs
    assert secret not in logs and TOKEN not in logs


async def _health(port: int) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/healthz") as r:
        return r.status, await r.json()


async def _line_with(proc: asyncio.subprocess.Process, text: str, seen: list[str]) -> str:
    """Read the process's stderr until a line contains text; keep every line read in seen."""
    assert proc.stderr is not None
    while True:
        raw = await asyncio.wait_for(proc.stderr.readline(), timeout=30)
        assert raw, f"the process ended before saying {text!r}: {seen}"
        seen.append(raw.decode())
        if text in seen[-1]:
            return seen[-1]


async def test_webhook_mode_answers_healthz_on_its_own_port(
    sandbox: Sandbox, tg_bot: BotAccount, bot_env: dict[str, str]
) -> None:
    port = _free_port()
    bot_env.update(
        BONDGENOTEN_MODE="webhook",
        BONDGENOTEN_WEBHOOK__LISTEN="127.0.0.1",
        BONDGENOTEN_WEBHOOK__PORT=str(port),
        BONDGENOTEN_WEBHOOK__URL=f"http://127.0.0.1:{port}",
        BONDGENOTEN_WEBHOOK__SECRET_TOKEN="webhook_secret_for_tests_0123456789",
    )
    async for proc in _run_bot(bot_env):
        await sandbox.wait_for(lambda: sandbox.calls("setWebhook", ok=True), timeout=30)
        status, report = await _health(port)
        assert status == 200
        assert report["database"] == "ok" and report["sends_pending"] == 0
        assert report["last_update_at"] is None

        ali = sandbox.add_person("Ali", language_code="nl")
        await ali.start(tg_bot)
        await sandbox.next_message(ali.chat_with(tg_bot), timeout=30)
        status, report = await _health(port)
        assert (status, report["status"]) == (200, "ok")
        assert report["last_update_at"] is not None
        logs = await _stop(proc)
        assert proc.returncode == 0, logs


async def test_polling_mode_answers_healthz_on_the_health_port(
    sandbox: Sandbox, tg_bot: BotAccount, bot_env: dict[str, str]
) -> None:
    port = _free_port()
    bot_env["BONDGENOTEN_LOGGING__LEVEL"] = "INFO"
    async for proc in _run_bot(bot_env, "--health-port", str(port), "--log-format", "json"):
        seen: list[str] = []
        await _line_with(proc, "running (polling)", seen)
        status, report = await _health(port)
        assert (status, report["status"], report["database"]) == (200, "ok", "ok")
        seen += (await _stop(proc)).splitlines(keepends=True)
        assert proc.returncode == 0, seen
    # Every log line is one JSON object; Alembic's start-up lines stay below INFO.
    entries = [json.loads(line) for line in seen]
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    assert not [e for e in entries if e["logger"].startswith("alembic")]
    # No coordinators in this environment: the first real run is told so.
    assert any(
        e["level"] == "WARNING" and e["message"].startswith("no coordinators") for e in entries
    )
    assert any(e["message"].startswith("database: SQLite file /") for e in entries) or any(
        e["message"].startswith("database: postgresql+asyncpg://") for e in entries
    )


async def test_a_rejected_token_is_one_line_and_no_byte_of_any_output_holds_it(
    sandbox: Sandbox, tg_bot: BotAccount, bot_env: dict[str, str]
) -> None:
    unknown = "7099999999:AAHnotKnownToTheSandbox-rejected_0123456789"
    bot_env["BONDGENOTEN_TOKEN"] = unknown
    outputs = []
    for level in ("DEBUG", "INFO"):
        bot_env["BONDGENOTEN_LOGGING__LEVEL"] = level
        async for proc in _run_bot(bot_env):
            stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
            assert proc.returncode == 2, stderr
            outputs.append(stdout + stderr)
            errors = [line for line in stderr.decode().splitlines() if " ERROR " in line]
            assert len(errors) == 1, stderr
            assert errors[0].endswith(
                "Telegram rejected the bot token: get the right one from @BotFather (/mybots, "
                "API Token) and set it in BONDGENOTEN_TOKEN"
            )
            if level == "INFO":
                assert b"Traceback" not in stderr
    # At DEBUG the traceback is shown (with the token masked), so a leak would show here.
    assert b"Traceback" in outputs[0] and b"[REDACTED]" in outputs[0]
    for output in outputs:
        assert unknown.encode() not in output
        assert unknown.split(":", 1)[1].encode() not in output


async def test_without_telegram_at_start_up_it_waits_with_backoff_and_stops_on_sigterm(
    bot_env: dict[str, str],
) -> None:
    closed = _free_port()  # nothing listens here: connection refused, like no network
    bot_env["BONDGENOTEN_TELEGRAM_API_URL"] = f"http://127.0.0.1:{closed}/bot"
    bot_env["BONDGENOTEN_LOGGING__LEVEL"] = "INFO"
    async for proc in _run_bot(bot_env):
        seen: list[str] = []
        first = await _line_with(proc, "cannot reach Telegram (attempt 1)", seen)
        assert first.rstrip().endswith("trying again in 1 s")
        second = await _line_with(proc, "cannot reach Telegram (attempt 2)", seen)
        assert second.rstrip().endswith("trying again in 2 s")
        logs = "".join(seen) + await _stop(proc)
        assert proc.returncode == 0, logs
    assert "Traceback" not in logs
    assert len([line for line in logs.splitlines() if "cannot reach" in line]) == 2


async def test_telegram_gone_while_polling_is_one_line_per_failure_and_sigterm_still_stops(
    sandbox: Sandbox, tg_bot: BotAccount, bot_env: dict[str, str]
) -> None:
    bot_env["BONDGENOTEN_LOGGING__LEVEL"] = "INFO"
    async for proc in _run_bot(bot_env):
        seen: list[str] = []
        await _line_with(proc, "running (polling)", seen)
        await sandbox.stop()  # Telegram unreachable from now on
        await _line_with(proc, "polling Telegram failed, retrying: ", seen)
        logs = "".join(seen) + await _stop(proc)
        assert proc.returncode == 0, logs
    # PTB's last poll on the way out fails too; that is one line as well.
    assert "Traceback" not in logs
    assert all(line[:4].isdigit() for line in logs.splitlines()), logs


async def test_a_database_newer_than_the_software_stops_run_with_one_line(
    bot_env: dict[str, str], db_url: str
) -> None:
    engine = create_engine(db_url)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed9999'"))
    await engine.dispose()
    bot_env["BONDGENOTEN_LOGGING__LEVEL"] = "INFO"
    async for proc in _run_bot(bot_env):
        _, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
        assert proc.returncode == 1, stderr
    errors = [line for line in stderr.decode().splitlines() if " ERROR " in line]
    assert len(errors) == 1 and "Traceback" not in stderr.decode()
    assert errors[0].endswith(
        "cannot start: the database is at revision 'f00dfeed9999', which this version of "
        "Bondgenoten does not know: the database is newer than the software. Run the newer "
        "version again, or restore the backup made before its upgrade"
    )


async def test_a_health_port_already_taken_is_one_line(
    sandbox: Sandbox, tg_bot: BotAccount, bot_env: dict[str, str]
) -> None:
    bot_env["BONDGENOTEN_LOGGING__LEVEL"] = "INFO"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async for proc in _run_bot(bot_env, "--health-port", str(port)):
            _, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
            assert proc.returncode == 1, stderr
    errors = [line for line in stderr.decode().splitlines() if " ERROR " in line]
    assert len(errors) == 1 and "Traceback" not in stderr.decode()
    assert errors[0].endswith(
        f"cannot start: cannot listen on 127.0.0.1:{port}: Address already in use"
    )
