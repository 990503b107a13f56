"""Bot command lists per scope and language: set/get/deleteMyCommands."""

from __future__ import annotations

import re
from typing import Any

from sandbox.errors import bad_request
from sandbox.methods.base import Call, method

SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE = re.compile(r"^([a-z]{2})?$")

ScopeKey = tuple[int, str, int | None, int | None, str]


def scope_key(call: Call) -> ScopeKey:
    """Validate scope and language_code and build the storage key."""
    scope = call.params.get_json("scope", "can't parse BotCommandScope JSON object") or {
        "type": "default"
    }
    if not isinstance(scope, dict) or scope.get("type") not in SCOPES:
        raise bad_request("unsupported bot command scope type")
    kind = str(scope["type"])
    chat_id: int | None = None
    user_id: int | None = None
    if kind in ("chat", "chat_administrators", "chat_member"):
        chat = call.world.resolve_chat(call.bot, scope.get("chat_id"), for_send=False)
        chat_id = chat.id
        if kind != "chat" and chat.type == "private":
            raise bad_request("can't use specified scope in private chats")
    if kind == "chat_member":
        raw_user = scope.get("user_id")
        try:
            user_id = int(raw_user) if raw_user is not None else None
        except (TypeError, ValueError):
            user_id = None
        if user_id is None or user_id not in call.world.users:
            raise bad_request("user not found")
    language = call.params.get_str("language_code") or ""
    if not _LANGUAGE.match(language):
        raise bad_request("invalid language code specified")
    return (call.bot.id, kind, chat_id, user_id, language)


@method("setMyCommands")
async def set_my_commands(call: Call) -> bool:
    """setMyCommands: store the list for a scope and language ([] deletes it)."""
    commands = call.params.get_json("commands", "can't parse commands JSON object")
    if not isinstance(commands, list):
        raise bad_request('field "commands" must be an Array')
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    cleaned: list[dict[str, str]] = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("BotCommand must be an Object")
        name = str(command.get("command", "")).strip().removeprefix("/")
        description = str(command.get("description", "")).strip()
        if not _COMMAND.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("command description must be non-empty")
        cleaned.append({"command": name, "description": description})
    key = scope_key(call)
    if cleaned:
        call.world.commands[key] = cleaned
    else:
        call.world.commands.pop(key, None)
    return True


@method("getMyCommands")
async def get_my_commands(call: Call) -> list[dict[str, Any]]:
    """getMyCommands: exactly the list stored for this scope and language."""
    return [dict(c) for c in call.world.commands.get(scope_key(call), [])]


@method("deleteMyCommands")
async def delete_my_commands(call: Call) -> bool:
    """deleteMyCommands: remove the list for this scope and language."""
    call.world.commands.pop(scope_key(call), None)
    return True
