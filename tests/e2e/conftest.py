"""End-to-end: the real PTB Application, talking HTTP to the sandbox, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import AnyApp, build_application
from bot.runner import running
from bot.settings import Settings
from sandbox import Sandbox
from sandbox.models import BotAccount
from sandbox.people import Person

TOKEN = "7012345678:AAHsandboxTokenForTheEndToEndTests-xyz_0123"
BOT_USERNAME = "bondgenoten_test_bot"
_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e `e2e`, so `-m "not e2e"` is the fast tier."""
    for item in items:
        if item.path.is_relative_to(_HERE):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """A fresh sandbox Telegram server for this test."""
    async with Sandbox() as sb:
        yield sb


@pytest.fixture
def tg_bot(sandbox: Sandbox) -> BotAccount:
    """Our bot's account in the sandbox (privacy mode on, as BotFather sets it)."""
    return sandbox.add_bot(TOKEN, BOT_USERNAME, first_name="Bondgenoten")


@pytest.fixture
def coordinator(sandbox: Sandbox) -> Person:
    """A coordinator, known to the bot from the config by Telegram user id."""
    return sandbox.add_person("Cor", "Dinator", language_code="nl")


@pytest.fixture
def make_settings(
    sandbox: Sandbox, tg_bot: BotAccount, db_url: str, coordinator: Person
) -> Callable[..., Settings]:
    """Settings pointing the bot at the sandbox and this test's own database."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "token": TOKEN,
            "database_url": db_url,
            "telegram_api_url": sandbox.base_url,
            "telegram_file_url": sandbox.base_file_url,
            # The sandbox enforces no flood limits here; pacing would only slow the tests.
            "telegram_flood_limits": False,
            "coordinators": [coordinator.id],
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
async def app(make_settings: Callable[..., Settings]) -> AsyncIterator[AnyApp]:
    """The real bot, polling the sandbox, with its database migrated."""
    from storage.migrate import upgrade_url

    settings = make_settings()
    await upgrade_url(settings.database_url)
    application = build_application(settings)
    async with running(application, poll_timeout=1):
        yield application
