"""`bondgenoten play` on the command line: refusals in one line, a clean stop on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from storage.engine import create_engine, make_sessionmaker
from storage.migrate import upgrade_url
from storage.models import District


async def _add_district(url: str) -> None:
    engine = create_engine(url)
    async with make_sessionmaker(engine)() as s:
        s.add(District(name="Noord", name_key="noord", created_at=datetime.now(UTC)))
        await s.commit()
    await engine.dispose()


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line speaks the configured language; these tests read English."""
    monkeypatch.setenv("BONDGENOTEN_LANGUAGE", "en")


def test_play_refuses_a_database_that_holds_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'used.db'}"
    asyncio.run(upgrade_url(url))
    asyncio.run(_add_district(url))

    status = main(["play", "--no-browser", "--database", url])

    out, err = capsys.readouterr()
    assert (status, out) == (2, "")
    assert err == (
        f"error: --database {url} already holds districts or people: play needs an empty "
        "database (or none: leave out --database for a temporary one)\n"
    )


def test_play_refuses_a_port_that_cannot_be(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["play", "--no-browser", "--port", "70000"])

    out, err = capsys.readouterr()
    assert (status, out, err) == (2, "", "error: --port must be between 0 and 65535\n")


@pytest.mark.e2e
def test_play_on_a_given_database_serves_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'mine.db'}"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "play", "--no-browser", "--database", url],
        cwd=tmp_path,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "BONDGENOTEN_LANGUAGE": "en"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    watchdog = threading.Timer(120, process.kill)  # a start that hangs ends the readline too
    watchdog.start()
    try:
        lines = [process.stdout.readline(), process.stdout.readline()]
        assert re.search(r"open http://127\.0\.0\.1:\d+/ ", lines[1]), lines
    finally:
        watchdog.cancel()
        process.send_signal(signal.SIGINT)
        rest = process.communicate(timeout=60)[0]
    assert process.returncode == 0, rest
    assert rest.strip().endswith("bondgenoten play: stopped"), rest
    assert (tmp_path / "mine.db").exists()  # the network it built stays for a look afterwards
