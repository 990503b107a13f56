"""HTTP control API under /sandbox/… so another process can drive the simulated world."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox import actions
from sandbox.limits import FloodLimits, Window, min_wall_time
from sandbox.models import BotAccount, CallbackAnswer, Chat, Message
from sandbox.people import Person, wait_answer
from sandbox.serialize import chat_json, message_json, ts, user_json

if TYPE_CHECKING:
    from sandbox.core import Sandbox

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ControlError(Exception):
    """A bad control request; becomes {"ok": false, "error": ...}."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def view_json(message: Message) -> dict[str, Any]:
    """A message as the Bot API renders it, plus sandbox-only history fields."""
    data = message_json(message)
    data["deleted"] = message.deleted
    data["edits"] = [
        {"date": ts(e.date), "text": e.text, "reply_markup": e.reply_markup} for e in message.edits
    ]
    if message.reply_keyboard is not None:
        data["reply_keyboard"] = message.reply_keyboard
    return data


def answer_json(answer: CallbackAnswer | None) -> dict[str, Any] | None:
    """A callback answer as JSON."""
    if answer is None:
        return None
    return {
        "text": answer.text,
        "show_alert": answer.show_alert,
        "url": answer.url,
        "cache_time": answer.cache_time,
        "date": ts(answer.date),
    }


def bot_json(bot: BotAccount) -> dict[str, Any]:
    """A bot's sandbox record."""
    return {
        **user_json(bot.user),
        "token": bot.token,
        "can_join_groups": bot.can_join_groups,
        "privacy_mode": bot.privacy_mode,
    }


class Control:
    """Route handlers bound to one Sandbox."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb

    # ----- helpers ----------------------------------------------------------------------

    def person(self, ref: Any) -> Person:
        """A person by user id."""
        try:
            return self.sb.person(int(ref))
        except (KeyError, TypeError, ValueError):
            raise ControlError(f"unknown person {ref!r}", 404) from None

    def bot(self, ref: Any) -> BotAccount:
        """A bot by token, id or username."""
        try:
            return self.sb.bot(ref)
        except KeyError:
            raise ControlError(f"unknown bot {ref!r}", 404) from None

    def chat(self, body: dict[str, Any]) -> Chat:
        """A chat from chat_id (+ bot for private chats)."""
        try:
            chat_id = int(body["chat_id"])
        except (KeyError, TypeError, ValueError):
            raise ControlError("chat_id is required") from None
        if chat_id < 0:
            chat = self.sb.world.groups.get(chat_id)
            if chat is None:
                raise ControlError(f"unknown chat {chat_id}", 404)
            return chat
        if body.get("bot") is None:
            raise ControlError("bot is required for a private chat")
        return self.person(chat_id).chat_with(self.bot(body["bot"]))

    def message(self, chat: Chat, body: dict[str, Any], key: str = "message_id") -> Message:
        """A message of the chat by id."""
        try:
            return chat.messages[int(body[key])]
        except (KeyError, TypeError, ValueError):
            raise ControlError(f"unknown message {body.get(key)!r}", 404) from None

    # ----- setup ------------------------------------------------------------------------

    async def add_bot(self, body: dict[str, Any]) -> Any:
        """POST /sandbox/bots"""
        bot = self.sb.add_bot(
            body.get("token"),
            body.get("username", "sandbox_bot"),
            first_name=body.get("first_name"),
            can_join_groups=bool(body.get("can_join_groups", True)),
            privacy_mode=bool(body.get("privacy_mode", True)),
        )
        return bot_json(bot)

    async def list_bots(self, body: dict[str, Any]) -> Any:
        """GET /sandbox/bots"""
        return [bot_json(b) for b in self.sb.world.bots.values()]

    async def add_person(self, body: dict[str, Any]) -> Any:
        """POST /sandbox/people"""
        person = self.sb.add_person(
            body["first_name"],
            body.get("last_name"),
            username=body.get("username"),
            language_code=body.get("language_code", "en"),
            user_id=body.get("id"),
        )
        return user_json(person.user)

    async def create_group(self, body: dict[str, Any]) -> Any:
        """POST /sandbox/groups"""
        creator = self.person(body["creator"])
        chat = await creator.create_group(
            body.get("title", "Group"),
            [self.person(m) for m in body.get("members", [])],
            [self.bot(b) for b in body.get("bots", [])],
            supergroup=bool(body.get("supergroup", False)),
            username=body.get("username"),
        )
        return chat_json(chat)

    # ----- people acting ------------------------------------------------------------------

    async def start(self, body: dict[str, Any]) -> Any:
        """POST /sandbox/start"""
        person = self.person(body["person"])
        return view_json(await person.start(self.bot(body["bot"]), body.get("payload")))

    async def send(self, body: dict[str, Any]) -> Any:
        """POST /sandbox/send"""
        person = self.person(body["person"])
        if "chat_id" in body and int(body["chat_id"]) < 0:
            chat = self.chat(body)
        else:
            chat = actions.open_private(self.sb.world, person.user, self.bot(body["bot"]))
        reply_to = None
        if body.get("reply_to_message_id") is not None:
            reply_to = self.message(chat, body, "reply_to_message_id")
        return view_json(await person.send(chat, str(body["text"]), reply_to))

    async def edit(self, body: dict[str, Any]) -> Any:
        """POST /sandbox/edit"""
        person = self.person(body["person"])
        message = self.message(self.chat(body), body)
        return view_json(await person.edit(message, str(body["text"])))

    async def press(self, body: dict[str, Any]) -> Any:
        """POST /sandbox/press"""
        person = self.person(body["person"])
        message = self.message(self.chat(body), body)
        if body.get("forged"):
            query = await person.forge_press(message, str(body.get("data", "")))
        else:
            query = await person.tap(message, body.get("data"), text=body.get("text"))
        answer = None
        if body.get("wait", True):
            try:
                answer = await wait_answer(query, float(body.get("timeout", 5.0)))
            except TimeoutError:
                raise ControlError("bot did not answer the callback query in time", 408) from None
        return {"query_id": query.id, "answer": answer_json(answer)}

    async def membership(self, body: dict[str, Any], action: str) -> Any:
        """POST /sandbox/{add_bot,remove_bot,set_bot_admin,join,leave}"""
        person = self.person(body["person"])
        chat = self.chat(body)
        if action == "add_bot":
            await person.add_bot(chat, self.bot(body["bot"]), admin=bool(body.get("admin")))
        elif action == "remove_bot":
            await person.remove_bot(chat, self.bot(body["bot"]))
        elif action == "set_bot_admin":
            await person.set_bot_admin(chat, self.bot(body["bot"]), bool(body.get("admin", True)))
        elif action == "join":
            inviter = self.person(body["invited_by"]) if body.get("invited_by") else None
            return view_json(await person.join(chat, invited_by=inviter))
        else:
            remover = self.person(body["removed_by"]) if body.get("removed_by") else None
            return view_json(await person.leave(chat, removed_by=remover))
        return True

    async def block(self, body: dict[str, Any], blocked: bool) -> Any:
        """POST /sandbox/block and /sandbox/unblock"""
        person = self.person(body["person"])
        bot = self.bot(body["bot"])
        await (person.block(bot) if blocked else person.unblock(bot))
        return True

    async def migrate(self, body: dict[str, Any]) -> Any:
        """POST /sandbox/migrate"""
        return chat_json(await self.person(body["person"]).migrate(self.chat(body)))

    # ----- reading ------------------------------------------------------------------------

    async def messages(self, body: dict[str, Any]) -> Any:
        """GET /sandbox/messages?chat_id=&bot=&only_bot=&include_deleted="""
        chat = self.chat(body)
        include_deleted = str(body.get("include_deleted", "")).lower() in ("1", "true")
        messages = chat.message_list(include_deleted)
        if str(body.get("only_bot", "")).lower() in ("1", "true"):
            messages = [m for m in messages if m.sender.is_bot and not m.service]
        return [view_json(m) for m in messages]

    async def wait_message(self, body: dict[str, Any]) -> Any:
        """POST /sandbox/wait_message {chat_id, bot?, timeout?, after_message_id?}"""
        chat = self.chat(body)
        sender = self.bot(body["from_bot"]) if body.get("from_bot") else None
        try:
            message = await self.sb.next_message(
                chat,
                bot=sender,
                timeout=float(body.get("timeout", 5.0)),
                after=body.get("after_message_id"),
            )
        except TimeoutError:
            raise ControlError("no message in time", 408) from None
        return view_json(message)

    async def callback_answer(self, body: dict[str, Any]) -> Any:
        """GET /sandbox/callback_answers/{query_id}"""
        return answer_json(self.sb.callback_answer(str(body["query_id"])))

    async def commands(self, body: dict[str, Any]) -> Any:
        """GET /sandbox/commands?bot=&scope=<json>&language_code="""
        scope = body.get("scope")
        if isinstance(scope, str):
            scope = json.loads(scope)
        return self.sb.commands(self.bot(body["bot"]), scope, body.get("language_code", ""))

    async def file_info(self, body: dict[str, Any]) -> Any:
        """GET /sandbox/files/{file_id}/info"""
        stored = self.sb.world.files.get(str(body["file_id"]))
        if stored is None:
            raise ControlError("unknown file", 404)
        return {
            "file_id": stored.file_id,
            "filename": stored.filename,
            "kind": stored.kind,
            "mime_type": stored.mime_type,
            "size": stored.size,
            "width": stored.width,
            "height": stored.height,
        }

    async def updates(self, body: dict[str, Any]) -> Any:
        """GET /sandbox/updates?bot="""
        return self.sb.pending_updates(self.bot(body["bot"]))

    # ----- limits, faults, log --------------------------------------------------------------

    async def flood(self, body: dict[str, Any]) -> Any:
        """POST /sandbox/flood {enabled, overall?, private_chat?, group?}"""
        limits = (
            _limits(body) if any(k in body for k in ("overall", "private_chat", "group")) else None
        )
        self.sb.set_flood_limits(bool(body.get("enabled", True)), limits)
        return True

    async def add_fault(self, body: dict[str, Any]) -> Any:
        """POST /sandbox/faults"""
        fault = self.sb.inject_fault(
            str(body["method"]),
            int(body.get("count", 1)),
            error_code=body.get("error_code"),
            description=body.get("description"),
            retry_after=body.get("retry_after"),
            migrate_to_chat_id=body.get("migrate_to_chat_id"),
            chat_id=body.get("chat_id"),
            bot=self.bot(body["bot"]) if body.get("bot") else None,
            hang=body.get("hang"),
        )
        return fault.to_json()

    async def list_faults(self, body: dict[str, Any]) -> Any:
        """GET /sandbox/faults"""
        return [f.to_json() for f in self.sb.faults.rules]

    async def clear_faults(self, body: dict[str, Any]) -> Any:
        """DELETE /sandbox/faults"""
        self.sb.clear_faults()
        return True

    async def calls(self, body: dict[str, Any]) -> Any:
        """GET /sandbox/calls?method=&bot=&chat_id=&ok=&since="""
        ok = body.get("ok")
        records = self.sb.calls(
            body.get("method"),
            bot=self.bot(body["bot"]) if body.get("bot") else None,
            chat_id=int(body["chat_id"]) if body.get("chat_id") else None,
            ok=None if ok is None else str(ok).lower() in ("1", "true"),
            since=float(body["since"]) if body.get("since") else None,
        )
        return [r.to_json() for r in records]

    async def clear_calls(self, body: dict[str, Any]) -> Any:
        """DELETE /sandbox/calls"""
        self.sb.clear_calls()
        return True

    async def min_wall_time(self, body: dict[str, Any]) -> Any:
        """POST /sandbox/min_wall_time {counts: {chat_id: n}, overall?, private_chat?, group?}"""
        counts = {int(k): int(v) for k, v in dict(body["counts"]).items()}
        return min_wall_time(counts, _limits(body))

    async def health(self, body: dict[str, Any]) -> Any:
        """GET /sandbox/health"""
        return {"base_url": self.sb.base_url, "base_file_url": self.sb.base_file_url}


def _limits(body: dict[str, Any]) -> FloodLimits:
    """FloodLimits from [count, seconds] pairs, defaults where absent."""
    default = FloodLimits()
    windows = {}
    for key in ("overall", "private_chat", "group"):
        value = body.get(key)
        windows[key] = Window(int(value[0]), float(value[1])) if value else getattr(default, key)
    return FloodLimits(**windows)


def _wrap(call: Callable[[dict[str, Any]], Awaitable[Any]]) -> Handler:
    """Turn a body→result coroutine into an aiohttp handler with JSON errors."""

    async def handler(request: web.Request) -> web.StreamResponse:
        body: dict[str, Any] = dict(request.query)
        body.update(request.match_info)
        if request.can_read_body:
            try:
                payload = await request.json()
            except ValueError:
                return web.json_response({"ok": False, "error": "invalid JSON"}, status=400)
            if isinstance(payload, dict):
                body.update(payload)
        try:
            result = await call(body)
        except ControlError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=exc.status)
        except (actions.SandboxError, KeyError, TypeError, ValueError) as exc:
            return web.json_response(
                {"ok": False, "error": f"{type(exc).__name__}: {exc}"}, status=400
            )
        return web.json_response({"ok": True, "result": result})

    return handler


def add_control_routes(app: web.Application, sb: Sandbox) -> None:
    """Mount /sandbox/… routes."""
    c = Control(sb)
    r = app.router
    post: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {
        "bots": c.add_bot,
        "people": c.add_person,
        "groups": c.create_group,
        "start": c.start,
        "send": c.send,
        "edit": c.edit,
        "press": c.press,
        "add_bot": lambda b: c.membership(b, "add_bot"),
        "remove_bot": lambda b: c.membership(b, "remove_bot"),
        "set_bot_admin": lambda b: c.membership(b, "set_bot_admin"),
        "join": lambda b: c.membership(b, "join"),
        "leave": lambda b: c.membership(b, "leave"),
        "block": lambda b: c.block(b, True),
        "unblock": lambda b: c.block(b, False),
        "migrate": c.migrate,
        "wait_message": c.wait_message,
        "flood": c.flood,
        "faults": c.add_fault,
        "min_wall_time": c.min_wall_time,
    }
    for name, func in post.items():
        r.add_post(f"/sandbox/{name}", _wrap(func))
    get: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {
        "bots": c.list_bots,
        "messages": c.messages,
        "commands": c.commands,
        "updates": c.updates,
        "faults": c.list_faults,
        "calls": c.calls,
        "health": c.health,
        "callback_answers/{query_id}": c.callback_answer,
        "files/{file_id}/info": c.file_info,
    }
    for name, func in get.items():
        r.add_get(f"/sandbox/{name}", _wrap(func))
    r.add_delete("/sandbox/faults", _wrap(c.clear_faults))
    r.add_delete("/sandbox/calls", _wrap(c.clear_calls))
    r.add_get("/sandbox/files/{file_id}", _raw_file(sb))


def _raw_file(sb: Sandbox) -> Handler:
    """GET /sandbox/files/{file_id}: the stored bytes."""

    async def handler(request: web.Request) -> web.StreamResponse:
        stored = sb.world.files.get(request.match_info["file_id"])
        if stored is None:
            return web.json_response({"ok": False, "error": "unknown file"}, status=404)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    return handler
