"""Text messages: send, edit, delete, callback answers and chat actions."""

from __future__ import annotations

import time
from typing import Any

from sandbox.errors import NOT_MODIFIED, QUERY_TOO_OLD, ApiError, bad_request
from sandbox.keyboards import parse_reply_markup
from sandbox.methods.base import Call, message_text, method, reply_target, target_chat
from sandbox.models import CallbackAnswer, Chat, Edit, Message, now
from sandbox.serialize import message_json

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


@method("sendMessage")
async def send_message(call: Call) -> dict[str, Any]:
    """sendMessage: text with HTML parse mode, keyboards and replies."""
    chat = target_chat(call)
    text, entities = message_text(call)
    inline, other = parse_reply_markup(call.params.get_json("reply_markup"))
    reply_to = reply_target(call, chat)
    call.limiter.check(call.bot.id, chat.id)
    message = call.world.add_message(
        chat,
        call.bot.user,
        text=text,
        entities=entities,
        reply_markup=inline,
        reply_keyboard=other,
        reply_to=reply_to,
    )
    return message_json(message)


def own_message(call: Call, chat: Chat, missing: str) -> Message:
    """The bot's own live message addressed by message_id, for editing."""
    if "inline_message_id" in call.params and "message_id" not in call.params:
        raise bad_request("MESSAGE_ID_INVALID")
    if "message_id" not in call.params:
        raise bad_request("message identifier is not specified")
    message = call.world.get_message(chat, call.params.get_int("message_id"))
    if message is None:
        raise bad_request(missing)
    if message.sender.id != call.bot.id:
        raise bad_request("message can't be edited")
    return message


def inline_only(call: Call) -> dict[str, Any] | None:
    """reply_markup for edits: only inline keyboards are allowed."""
    inline, other = parse_reply_markup(call.params.get_json("reply_markup"))
    if other is not None:
        raise bad_request("inline keyboard expected")
    return inline


def apply_edit(
    call: Call,
    message: Message,
    text: str | None,
    entities: list[dict[str, Any]],
    markup: dict[str, Any] | None,
) -> dict[str, Any]:
    """Store the previous version, apply the new one, and return the edited message."""
    call.limiter.check(call.bot.id, message.chat.id)
    message.edits.append(
        Edit(
            message.edit_date or message.date, message.text, message.entities, message.reply_markup
        )
    )
    message.text, message.entities, message.reply_markup = text, entities, markup
    message.edit_date = now()
    call.world.changed()
    return message_json(message)


@method("editMessageText")
async def edit_message_text(call: Call) -> dict[str, Any]:
    """editMessageText: new text (and keyboard; omitting it removes the keyboard)."""
    chat = target_chat(call)
    message = own_message(call, chat, "message to edit not found")
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    text, entities = message_text(call)
    markup = inline_only(call)
    if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
        raise ApiError(400, NOT_MODIFIED)
    return apply_edit(call, message, text, entities, markup)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(call: Call) -> dict[str, Any]:
    """editMessageReplyMarkup: replace or remove the inline keyboard."""
    chat = target_chat(call)
    message = own_message(call, chat, "message to edit not found")
    markup = inline_only(call)
    if markup == message.reply_markup:
        raise ApiError(400, NOT_MODIFIED)
    return apply_edit(call, message, message.text, message.entities, markup)


@method("deleteMessage")
async def delete_message(call: Call) -> bool:
    """deleteMessage: own messages anywhere, others' in private chats or as admin."""
    chat = target_chat(call, for_send=False)
    message = call.world.get_message(chat, call.params.get_int("message_id"))
    if message is None:
        raise bad_request("message to delete not found")
    allowed = (
        message.sender.id == call.bot.id
        or chat.type == "private"
        or chat.status_of(call.bot.id) in ("administrator", "creator")
    )
    if not allowed:
        raise bad_request("message can't be deleted")
    message.deleted = True
    message.deleted_date = now()
    call.world.changed()
    return True


@method("answerCallbackQuery")
async def answer_callback_query(call: Call) -> bool:
    """answerCallbackQuery: once per query, before it expires, text up to 200 chars."""
    query_id = call.params.get_str("callback_query_id")
    query = call.world.callbacks.get(query_id or "")
    expired = query is not None and time.monotonic() - query.created > call.callback_timeout
    if query is None or query.bot_id != call.bot.id or query.answer is not None or expired:
        raise ApiError(400, QUERY_TOO_OLD)
    call.chat_id = query.message.chat.id
    text = call.params.get_str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    url = call.params.get_str("url")
    if url and not url.startswith(("https://t.me/", "http://t.me/", "t.me/", "tg://")):
        raise bad_request("URL_INVALID")
    answer = CallbackAnswer(
        text=text or None,
        show_alert=call.params.get_bool("show_alert"),
        url=url or None,
        cache_time=call.params.get_int("cache_time", 0) or 0,
        date=now(),
    )
    query.answer = answer
    if not query.answered.done():
        query.answered.set_result(answer)
    call.world.changed()
    return True


@method("sendChatAction")
async def send_chat_action(call: Call) -> bool:
    """sendChatAction: validated action, no visible effect."""
    target_chat(call)
    action = call.params.get_str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True
