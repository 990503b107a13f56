"""Chat information and membership: getChat, getChatMember(Count), leaveChat."""

from __future__ import annotations

from typing import Any

from sandbox.errors import bad_request
from sandbox.methods.base import Call, method, target_chat
from sandbox.serialize import chat_full_json, member_json, member_update_json, user_json


@method("getChat")
async def get_chat(call: Call) -> dict[str, Any]:
    """getChat: a ChatFullInfo."""
    return chat_full_json(target_chat(call, for_send=False))


@method("getChatMember")
async def get_chat_member(call: Call) -> dict[str, Any]:
    """getChatMember: the ChatMember subtype for the user's status."""
    chat = target_chat(call, for_send=False)
    user_id = call.params.get_int("user_id")
    if user_id is None:
        raise bad_request("user_id is empty")
    user = call.world.users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    if chat.type == "private" and user.id not in (chat.id, call.bot.id):
        raise bad_request("user not found")
    return member_json(user, chat.status_of(user.id))


@method("getChatAdministrators")
async def get_chat_administrators(call: Call) -> list[dict[str, Any]]:
    """getChatAdministrators: the creator and administrators of a group."""
    chat = target_chat(call, for_send=False)
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    return [
        member_json(call.world.users[uid], status)
        for uid, status in chat.members.items()
        if status in ("creator", "administrator")
    ]


@method("getChatMemberCount", "getChatMembersCount")
async def get_chat_member_count(call: Call) -> int:
    """getChatMemberCount: members present, bots included."""
    return target_chat(call, for_send=False).member_count


@method("leaveChat")
async def leave_chat(call: Call) -> bool:
    """leaveChat: the bot leaves a group; later sends get 403."""
    chat = target_chat(call, for_send=False)
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    bot = call.bot
    old = chat.status_of(bot.id)
    chat.members[bot.id] = "left"
    me = user_json(bot.user)
    message = call.world.add_message(
        chat, bot.user, service={"left_chat_participant": me, "left_chat_member": me}
    )
    call.world.emit(
        bot,
        "my_chat_member",
        member_update_json(chat, bot.user, message.date, bot.user, old, "left"),
    )
    return True
