"""The page and its small API: people, chats, presses, messages typed, live changes.

Served by aiohttp (the sandbox's own web framework) on 127.0.0.1 only. The page is rendered
here with the catalogs' texts; `static/play.js` fetches chats as JSON and listens to
`/api/events` (server-sent events) for the chats that changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

from aiohttp import web

from handlers.i18n import t
from play.page import language_of, page
from play.views import fingerprints, message_view, service_view
from play.world import Player, PlayWorld
from sandbox import Sandbox, SandboxError
from sandbox.models import Chat
from sandbox.people import wait_answer

STATIC = Path(__file__).with_name("static")
WORLD = web.AppKey("world", PlayWorld)
SANDBOX = web.AppKey("sandbox", Sandbox)
STREAMS = web.AppKey("streams", set[asyncio.Task[Any]])
PRESS_TIMEOUT = 15.0
KEEP_ALIVE = 15.0
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class PlayError(Exception):
    """A request the page should not have made: status and a short reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Only this computer, by name; changes only as JSON (another web site cannot post)."""
    host = (request.host or "").rsplit(":", 1)[0]
    if host not in ("127.0.0.1", "localhost", "[::1]"):
        return web.json_response({"error": "unknown host"}, status=403)
    if request.method == "POST" and request.content_type != "application/json":
        return web.json_response({"error": "JSON expected"}, status=415)
    try:
        return await handler(request)
    except PlayError as exc:
        return web.json_response({"error": str(exc)}, status=exc.status)
    except SandboxError:  # what the person cannot do in Telegram either
        return web.json_response({"error": "not possible"}, status=400)


def _player(request: web.Request, raw: Any) -> Player:
    try:
        found = request.app[WORLD].player(int(raw))
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise PlayError(404, "unknown person")
    return found


def _chats_of(request: web.Request, player: Player) -> list[Chat]:
    """The person's private chat with the bot, then the groups they are in."""
    world = request.app[WORLD]
    private = request.app[SANDBOX].private_chat(player.person, world.bot)
    groups = [
        chat
        for chat in request.app[SANDBOX].world.groups.values()
        if chat.is_active_member(player.person.id)
    ]
    return [private, *sorted(groups, key=lambda c: c.title or "")]


def _chat(request: web.Request, player: Player, raw: Any) -> Chat:
    for chat in _chats_of(request, player):
        if str(chat.id) == str(raw):
            return chat
    raise PlayError(404, "not a chat of this person")


def _role(player: Player, language: str) -> str:
    if player.role == "key_figure":
        return t("play.role.key_figure", language, district=", ".join(player.districts))
    return t(f"play.role.{player.role}", language)


async def people(request: web.Request) -> web.Response:
    """GET /api/people: who the visitor can be, with their chats."""
    language = language_of(request)
    bot_name = request.app[WORLD].bot.user.first_name
    found = []
    for player in request.app[WORLD].players:
        chats = [
            {
                "id": chat.id,
                "title": bot_name if chat.type == "private" else chat.title,
                "private": chat.type == "private",
            }
            for chat in _chats_of(request, player)
        ]
        found.append(
            {
                "id": player.person.id,
                "name": player.person.user.full_name,
                "role": player.role,
                "role_label": html.unescape(_role(player, language)),
                "chats": chats,
            }
        )
    return web.json_response(found)


async def chat_history(request: web.Request) -> web.Response:
    """GET /api/chat?person=&chat=: the chat's messages as that person sees them."""
    player = _player(request, request.query.get("person"))
    chat = _chat(request, player, request.query.get("chat"))
    shown = [
        message_view(m, player.person.id)
        for m in request.app[SANDBOX].messages(chat)
        if not m.deleted and (not m.service or service_view(m) is not None)
    ]
    return web.json_response({"id": chat.id, "messages": shown})


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise PlayError(400, "bad JSON") from None
    if not isinstance(body, dict):
        raise PlayError(400, "bad JSON")
    return body


async def press(request: web.Request) -> web.Response:
    """POST /api/press {person, chat, message, data}: press an inline button."""
    body = await _body(request)
    player = _player(request, body.get("person"))
    chat = _chat(request, player, body.get("chat"))
    raw = body.get("message")
    message = chat.messages.get(raw) if isinstance(raw, int) else None
    if message is None or message.deleted:
        raise PlayError(404, "no such message")
    data = str(body.get("data") or "")
    if message.find_button(data=data) is None:
        raise PlayError(400, "no such button")
    query = await player.person.tap(message, data)
    try:
        answer = await wait_answer(query, PRESS_TIMEOUT)
    except TimeoutError:
        raise PlayError(504, "the bot did not answer the press") from None
    return web.json_response({"text": answer.text or "", "alert": bool(answer.show_alert)})


async def send(request: web.Request) -> web.Response:
    """POST /api/send {person, chat, text}: the person writes in a chat."""
    body = await _body(request)
    player = _player(request, body.get("person"))
    chat = _chat(request, player, body.get("chat"))
    text = str(body.get("text") or "").strip()
    if not text or len(text) > 4096:
        raise PlayError(400, "empty or too long")
    where = request.app[WORLD].bot if chat.type == "private" else chat
    sent = await player.person.send(where, text)
    return web.json_response({"id": sent.message_id})


async def file(request: web.Request) -> web.Response:
    """GET /files/{file_id}: a photo inline, a document as a download."""
    try:
        stored = request.app[SANDBOX].file(request.match_info["file_id"])
    except KeyError:
        raise PlayError(404, "no such file") from None
    headers = {}
    if stored.kind != "photo":
        name = (stored.filename or stored.file_unique_id).replace('"', "")
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    # The sandbox keeps what the bot uploaded (the charts are PNG), whatever Telegram would
    # have turned a photo into.
    png = stored.data.startswith(b"\x89PNG")
    kind = "image/png" if png else stored.mime_type or "application/octet-stream"
    return web.Response(body=stored.data, content_type=kind, headers=headers)


def _differs(sb: Sandbox, last: dict[int, tuple[int, int, int]]) -> bool:
    return fingerprints(sb) != last


async def events(request: web.Request) -> web.StreamResponse:
    """GET /api/events: server-sent events naming the chats that changed."""
    sb = request.app[SANDBOX]
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    task = asyncio.current_task()
    assert task is not None
    streams = request.app[STREAMS]
    streams.add(task)
    try:
        last = fingerprints(sb)
        await response.write(b"retry: 1000\nevent: hello\ndata: {}\n\n")
        while True:
            try:
                await sb.wait_for(partial(_differs, sb, last), timeout=KEEP_ALIVE)
            except TimeoutError:
                await response.write(b": still here\n\n")
                continue
            now = fingerprints(sb)
            changed = sorted(cid for cid, mark in now.items() if last.get(cid) != mark)
            last = now
            await response.write(f"data: {json.dumps({'chats': changed})}\n\n".encode())
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        streams.discard(task)
    return response


async def _close_streams(app: web.Application) -> None:
    streams = app[STREAMS]
    tasks = list(streams)
    for task in tasks:
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.gather(*tasks, return_exceptions=True)


def make_app(sb: Sandbox, world: PlayWorld) -> web.Application:
    """The play web application for a running sandbox and its built world."""
    app = web.Application(middlewares=[guard])
    app[SANDBOX] = sb
    app[WORLD] = world
    app[STREAMS] = set[asyncio.Task[Any]]()
    app.on_shutdown.append(_close_streams)
    app.router.add_get("/", page)
    app.router.add_get("/api/people", people)
    app.router.add_get("/api/chat", chat_history)
    app.router.add_post("/api/press", press)
    app.router.add_post("/api/send", send)
    app.router.add_get("/api/events", events)
    app.router.add_get("/files/{file_id}", file)
    app.router.add_static("/static/", STATIC)
    return app
