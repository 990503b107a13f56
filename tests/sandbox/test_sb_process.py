"""`python -m sandbox` as a separate process."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]


async def test_module_runs_as_a_process() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--bot",
        "4242:processTOKEN:proc_bot",
        "--flood-limits",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 15)).decode()
        match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        assert match, line
        url = match.group(1)
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{url}/bot4242:processTOKEN/getMe") as response:
                me = await response.json()
            async with session.get(f"{url}/sandbox/health") as response:
                health = await response.json()
        assert me["result"]["username"] == "proc_bot" and me["result"]["id"] == 4242
        assert health["result"]["base_url"] == f"{url}/bot"
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 10)
    assert proc.returncode == 0
