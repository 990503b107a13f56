"""Start the sandbox, the real bot against it, the network and the page; stop all on Ctrl-C."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import tempfile
import webbrowser
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.app import build_application
from bot.demo.scenario import DEMO_TOKEN, demo_settings
from bot.runner import running
from play.server import make_app
from play.world import PlayWorld, build_world
from sandbox import Sandbox
from storage.migrate import upgrade_url


@dataclass
class Playing:
    """What is running: the sandbox, the world, and the page's address."""

    sandbox: Sandbox
    world: PlayWorld
    url: str


# A line of the command line by its catalog key, with values filled in.
Texts = Callable[..., str]


@asynccontextmanager
async def bot_and_world(database_url: str) -> AsyncIterator[tuple[Sandbox, PlayWorld]]:
    """The sandbox, the real bot polling it on this database, and the network built."""
    async with Sandbox() as sandbox:
        bot = sandbox.add_bot(DEMO_TOKEN, "bondgenoten_demo_bot", first_name="Bondgenoten")
        coordinator = sandbox.add_person("Carla", "Coördinator", language_code="nl")
        await upgrade_url(database_url)
        settings = demo_settings(sandbox, database_url, coordinator)
        # The sandbox enforces no flood limits: pacing would only make the page feel slow; a
        # group's tally may change every second, as in a lively group.
        settings = settings.model_copy(
            update={
                "telegram_flood_limits": False,
                "checkins": settings.checkins.model_copy(
                    update={"tally_edit_interval_seconds": 1}
                ),
            }
        )
        app = build_application(settings, sweep_interval=5.0, tally_interval=0.5)
        async with running(app, poll_timeout=1):
            yield sandbox, await build_world(sandbox, bot, coordinator)


@asynccontextmanager
async def playing(
    database_url: str, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[Playing]:
    """Run everything until the block ends: sandbox, bot (polling), network, web page."""
    async with bot_and_world(database_url) as (sandbox, world):
        runner = web.AppRunner(make_app(sandbox, world), handle_signals=False)
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, port)
            await site.start()
            bound = runner.addresses[0][1]
            yield Playing(sandbox, world, f"http://{host}:{bound}/")
        finally:
            await runner.cleanup()


def _can_show_a_browser() -> bool:
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


async def _serve(
    database_url: str, port: int, open_browser: bool, say: Callable[[str], None], texts: Texts
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    with suppress(NotImplementedError):  # not on Windows; Ctrl-C still stops it there
        loop.add_signal_handler(signal.SIGTERM, stop.set)
    say(texts("cli.play.starting"))
    async with playing(database_url, port=port) as play:
        say(texts("cli.play.open", url=play.url))
        if open_browser and _can_show_a_browser():
            await asyncio.to_thread(webbrowser.open, play.url)
        await stop.wait()


def run_play(database_url: str | None, port: int, open_browser: bool, texts: Texts) -> int:
    """Play until Ctrl-C (or SIGTERM), on a temporary SQLite database unless one is given.

    `texts` gives the command line's lines in the configured language (cli.po)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)

    def say(line: str) -> None:
        print(line, flush=True)

    with tempfile.TemporaryDirectory(prefix="bondgenoten-play-") as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'play.db'}"
        try:
            asyncio.run(_serve(url, port, open_browser, say, texts))
        except KeyboardInterrupt:
            pass
        except OSError as exc:
            print(texts("cli.play.cannot_serve", reason=exc), file=sys.stderr)
            return 1
    say(texts("cli.play.stopped"))
    return 0
