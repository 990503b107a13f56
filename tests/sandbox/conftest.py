"""Fixtures for the sandbox's own tests: a running Sandbox and a raw HTTP Bot API client."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

# tests/ is on sys.path (tests/conftest.py), so the directory tests/sandbox/ would shadow the
# real `sandbox` package as a namespace package. Put the project root first and drop a shadow.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
if getattr(sys.modules.get("sandbox"), "__file__", "") is None:
    del sys.modules["sandbox"]

from sandbox import BotAccount, Sandbox  # noqa: E402

TOKEN = "123456789:AAHsandboxTESTtokenXXXXXXXXXXXXXXXXX"


class Api:
    """Calls the sandbox over HTTP the way Bot API clients do."""

    def __init__(self, session: aiohttp.ClientSession, sb: Sandbox, token: str) -> None:
        self.session = session
        self.sb = sb
        self.token = token

    async def __call__(
        self,
        method: str,
        *,
        token: str | None = None,
        encoding: str = "form",
        files: dict[str, tuple[str, bytes, str]] | None = None,
        http_timeout: float = 30.0,
        **params: Any,
    ) -> tuple[int, dict[str, Any]]:
        """POST a method; complex values are JSON-encoded in forms, like PTB does."""
        url = f"{self.sb.base_url}{token or self.token}/{method}"
        flat = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        kwargs: dict[str, Any] = {"timeout": aiohttp.ClientTimeout(total=http_timeout)}
        if files is not None:
            form = aiohttp.FormData()
            for key, value in flat.items():
                form.add_field(key, value)
            for key, (filename, data, ctype) in files.items():
                form.add_field(key, data, filename=filename, content_type=ctype)
            kwargs["data"] = form
        elif encoding == "json":
            kwargs["json"] = params
        elif encoding == "query":
            kwargs["params"] = flat
        else:
            kwargs["data"] = flat
        async with self.session.post(url, **kwargs) as response:
            return response.status, json.loads(await response.text())

    async def ok(self, method: str, **params: Any) -> Any:
        """Call a method that must succeed and return its result."""
        status, body = await self(method, **params)
        assert status == 200 and body["ok"] is True, body
        return body["result"]

    async def updates(self, **params: Any) -> list[dict[str, Any]]:
        """getUpdates, confirming what it returns on the next call."""
        result: list[dict[str, Any]] = await self.ok("getUpdates", **params)
        if result:
            await self.ok("getUpdates", offset=result[-1]["update_id"] + 1, timeout=0)
        return result


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    """A started sandbox on a free port."""
    async with Sandbox(seed=1) as sandbox:
        yield sandbox


@pytest.fixture
def bot(sb: Sandbox) -> BotAccount:
    """A bot registered in the sandbox (privacy mode on)."""
    return sb.add_bot(TOKEN, "test_bot", first_name="Test Bot")


@pytest.fixture
async def api(sb: Sandbox, bot: BotAccount) -> AsyncIterator[Api]:
    """A raw HTTP client for the bot."""
    async with aiohttp.ClientSession() as session:
        yield Api(session, sb, bot.token)
