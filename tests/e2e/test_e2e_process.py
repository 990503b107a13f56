"""`bondgenoten run` as a real process: polling and webhook, clean stop, no token in the logs."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator

import aiohttp
import pytest

from sandbox import Sandbox
from sandbox.models import BotAccount
from tests.e2e.conftest import TOKEN


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _run_bot(env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
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
        fatima = sandbox.add_person("Fatima")
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

        ali = sandbox.add_person("Ali")
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
