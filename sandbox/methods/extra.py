"""Less central methods a bot commonly calls: captions, pins, invite links, bot profile."""

from __future__ import annotations

import secrets
from typing import Any

from sandbox.entities import utf16_len
from sandbox.errors import NOT_MODIFIED, ApiError, bad_request
from sandbox.methods.base import Call, formatted, method, target_chat
from sandbox.methods.messages import apply_edit, inline_only, own_message
from sandbox.models import Chat
from sandbox.serialize import message_json, user_json


def _require_admin(call: Call, chat: Chat, detail: str) -> None:
    """Groups need the bot to be an administrator for this."""
    if chat.is_group and chat.status_of(call.bot.id) not in ("administrator", "creator"):
        raise bad_request(detail)


@method("editMessageCaption")
async def edit_message_caption(call: Call) -> dict[str, Any]:
    """editMessageCaption: new caption (and keyboard) of a media message."""
    chat = target_chat(call)
    message = own_message(call, chat, "message to edit not found")
    if message.document is None and message.photo is None:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = formatted(call, "caption", "parse_mode", "caption_entities")
    if caption is not None and utf16_len(caption) > 1024:
        raise bad_request("message caption is too long")
    markup = inline_only(call)
    if (caption or None, entities, markup) == (
        message.caption,
        message.caption_entities,
        message.reply_markup,
    ):
        raise ApiError(400, NOT_MODIFIED)
    message.caption, message.caption_entities = caption or None, entities if caption else []
    return apply_edit(call, message, message.text, message.entities, markup)


@method("deleteMessages")
async def delete_messages(call: Call) -> bool:
    """deleteMessages: delete several messages; missing ones are skipped."""
    chat = target_chat(call, for_send=False)
    ids = call.params.get_json("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message identifiers are not specified")
    is_admin = chat.status_of(call.bot.id) in ("administrator", "creator")
    found = False
    for message_id in ids:
        message = call.world.get_message(chat, message_id)
        if message is None:
            continue
        if message.sender.id == call.bot.id or chat.type == "private" or is_admin:
            message.deleted = True
            found = True
    if not found:
        raise bad_request("message to delete not found")
    call.world.changed()
    return True


@method("pinChatMessage")
async def pin_chat_message(call: Call) -> bool:
    """pinChatMessage: needs admin rights in groups."""
    chat = target_chat(call)
    _require_admin(call, chat, "not enough rights to manage pinned messages in the chat")
    message = call.world.get_message(chat, call.params.get_int("message_id"))
    if message is None:
        raise bad_request("message to pin not found")
    chat.pinned = [mid for mid in chat.pinned if mid != message.message_id]
    chat.pinned.append(message.message_id)
    if chat.is_group:
        call.world.add_message(
            chat, call.bot.user, service={"pinned_message": message_json(message)}
        )
    return True


@method("unpinChatMessage")
async def unpin_chat_message(call: Call) -> bool:
    """unpinChatMessage: the given message, or the most recent pin."""
    chat = target_chat(call)
    _require_admin(call, chat, "not enough rights to manage pinned messages in the chat")
    message_id = call.params.get_int("message_id")
    if message_id is None and chat.pinned:
        message_id = chat.pinned[-1]
    if message_id not in chat.pinned:
        raise bad_request("message to unpin not found")
    chat.pinned.remove(message_id)
    return True


@method("createChatInviteLink", "exportChatInviteLink")
async def create_chat_invite_link(call: Call) -> Any:
    """createChatInviteLink (a ChatInviteLink) / exportChatInviteLink (the primary link)."""
    chat = target_chat(call)
    if chat.type == "private":
        raise bad_request("can't invite members to a private chat")
    _require_admin(call, chat, "not enough rights to manage chat invite links")
    link = f"https://t.me/+{secrets.token_urlsafe(12)}"
    call.world.invite_links[link] = chat.id
    if call.method.lower() == "exportchatinvitelink":
        return link
    result: dict[str, Any] = {
        "invite_link": link,
        "creator": user_json(call.bot.user),
        "creates_join_request": call.params.get_bool("creates_join_request"),
        "is_primary": False,
        "is_revoked": False,
    }
    if call.params.get_str("name"):
        result["name"] = call.params.get_str("name")
    expire = call.params.get_int("expire_date")
    if expire:
        result["expire_date"] = expire
    limit = call.params.get_int("member_limit")
    if limit:
        result["member_limit"] = limit
    return result


_PROFILE = {
    "name": ("name", 64),
    "description": ("description", 512),
    "shortdescription": ("short_description", 120),
}


@method("setMyName", "setMyDescription", "setMyShortDescription")
async def set_my_profile(call: Call) -> bool:
    """setMyName / setMyDescription / setMyShortDescription per language."""
    kind = call.method.lower().removeprefix("setmy")
    field, limit = _PROFILE[kind]
    value = call.params.get_str(field) or ""
    if len(value) > limit:
        raise bad_request(f"bot {field.replace('_', ' ')} is too long")
    key = (call.bot.id, kind, call.params.get_str("language_code") or "")
    if value:
        call.world.profile[key] = value
    else:
        call.world.profile.pop(key, None)
    return True


@method("getMyName", "getMyDescription", "getMyShortDescription")
async def get_my_profile(call: Call) -> dict[str, str]:
    """getMyName / getMyDescription / getMyShortDescription."""
    kind = call.method.lower().removeprefix("getmy")
    field, _ = _PROFILE[kind]
    key = (call.bot.id, kind, call.params.get_str("language_code") or "")
    default = call.bot.user.first_name if kind == "name" else ""
    return {field: call.world.profile.get(key, default)}


@method("setChatMenuButton")
async def set_chat_menu_button(call: Call) -> bool:
    """setChatMenuButton: stored per chat (0 = default)."""
    button = call.params.get_json("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in (
        "default",
        "commands",
        "web_app",
    ):
        raise bad_request("unsupported menu button type")
    chat_id = call.params.get_int("chat_id") or 0
    call.world.menu_buttons[(call.bot.id, chat_id)] = button
    return True


@method("getChatMenuButton")
async def get_chat_menu_button(call: Call) -> dict[str, Any]:
    """getChatMenuButton: the stored button, 'commands' by default."""
    chat_id = call.params.get_int("chat_id") or 0
    stored = call.world.menu_buttons.get((call.bot.id, chat_id))
    if stored is None:
        stored = call.world.menu_buttons.get((call.bot.id, 0), {"type": "commands"})
    return stored


@method("close", "logOut")
async def close(call: Call) -> bool:
    """close / logOut: accepted, no effect in the sandbox."""
    return True
