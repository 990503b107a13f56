"""Render sandbox objects in the exact JSON shapes the Bot API sends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.models import BotAccount, CallbackQuery, Chat, Message, StoredFile, User

JSON = dict[str, Any]

ADMIN_RIGHTS: JSON = {
    "can_be_edited": False,
    "can_manage_chat": True,
    "can_change_info": True,
    "can_delete_messages": True,
    "can_invite_users": True,
    "can_restrict_members": True,
    "can_pin_messages": True,
    "can_manage_topics": False,
    "can_promote_members": False,
    "can_manage_video_chats": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
    "is_anonymous": False,
}


def ts(moment: datetime) -> int:
    """Unix time in whole seconds, as Telegram's date fields."""
    return int(moment.timestamp())


def user_json(user: User) -> JSON:
    """A User object."""
    data: JSON = {"id": user.id, "is_bot": user.is_bot, "first_name": user.first_name}
    if user.last_name:
        data["last_name"] = user.last_name
    if user.username:
        data["username"] = user.username
    if user.language_code and not user.is_bot:
        data["language_code"] = user.language_code
    return data


def me_json(bot: BotAccount) -> JSON:
    """The User object getMe returns, with the bot-only fields."""
    data = user_json(bot.user)
    data.update(
        can_join_groups=bot.can_join_groups,
        can_read_all_group_messages=not bot.privacy_mode,
        supports_inline_queries=bot.supports_inline_queries,
        can_connect_to_business=False,
        has_main_web_app=False,
    )
    return data


def chat_json(chat: Chat) -> JSON:
    """The short Chat object embedded in messages and updates."""
    if chat.type == "private":
        assert chat.person is not None
        data: JSON = {"id": chat.id, "first_name": chat.person.first_name}
        if chat.person.last_name:
            data["last_name"] = chat.person.last_name
        if chat.person.username:
            data["username"] = chat.person.username
        data["type"] = "private"
        return data
    data = {"id": chat.id, "title": chat.title or "", "type": chat.type}
    if chat.username:
        data["username"] = chat.username
    if chat.type == "group":
        data["all_members_are_administrators"] = True
    return data


def chat_full_json(chat: Chat) -> JSON:
    """The ChatFullInfo object getChat returns."""
    data = chat_json(chat)
    data.pop("all_members_are_administrators", None)
    data.update(
        accent_color_id=0,
        max_reaction_count=11,
        accepted_gift_types={
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    )
    if chat.is_group:
        data["permissions"] = {
            key: True
            for key in (
                "can_send_messages",
                "can_send_audios",
                "can_send_documents",
                "can_send_photos",
                "can_send_videos",
                "can_send_video_notes",
                "can_send_voice_notes",
                "can_send_polls",
                "can_send_other_messages",
                "can_add_web_page_previews",
                "can_change_info",
                "can_invite_users",
                "can_pin_messages",
                "can_manage_topics",
            )
        }
    if chat.migrated_from is not None:
        data["migrated_from_chat_id"] = chat.migrated_from
    return data


def member_json(user: User, status: str) -> JSON:
    """A ChatMember object of the subtype matching the status."""
    data: JSON = {"user": user_json(user), "status": status}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update(ADMIN_RIGHTS)
    elif status == "kicked":
        data["until_date"] = 0
    return data


def member_update_json(
    chat: Chat, actor: User, date: datetime, user: User, old: str, new: str
) -> JSON:
    """A ChatMemberUpdated object (my_chat_member / chat_member)."""
    return {
        "chat": chat_json(chat),
        "from": user_json(actor),
        "date": ts(date),
        "old_chat_member": member_json(user, old),
        "new_chat_member": member_json(user, new),
    }


def document_json(file: StoredFile) -> JSON:
    """A Document object."""
    data: JSON = {}
    if file.filename:
        data["file_name"] = file.filename
    if file.mime_type:
        data["mime_type"] = file.mime_type
    data.update(file_id=file.file_id, file_unique_id=file.file_unique_id, file_size=file.size)
    return data


def photo_size_json(file: StoredFile) -> JSON:
    """A PhotoSize object."""
    return {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_size": file.size,
        "width": file.width or 0,
        "height": file.height or 0,
    }


def message_json(message: Message, *, with_reply: bool = True) -> JSON:
    """A Message object, as the bot sees it."""
    data: JSON = {
        "message_id": message.message_id,
        "from": user_json(message.sender),
        "chat": chat_json(message.chat),
        "date": ts(message.date),
    }
    if message.edit_date is not None:
        data["edit_date"] = ts(message.edit_date)
    if with_reply and message.reply_to is not None:
        data["reply_to_message"] = message_json(message.reply_to, with_reply=False)
    if message.text is not None:
        data["text"] = message.text
        if message.entities:
            data["entities"] = message.entities
    if message.document is not None:
        data["document"] = document_json(message.document)
    if message.photo is not None:
        data["photo"] = [photo_size_json(size) for size in message.photo]
    if message.caption is not None:
        data["caption"] = message.caption
        if message.caption_entities:
            data["caption_entities"] = message.caption_entities
    data.update(message.service)
    if message.reply_markup is not None:
        data["reply_markup"] = message.reply_markup
    return data


def callback_query_json(query: CallbackQuery) -> JSON:
    """A CallbackQuery object."""
    data: JSON = {
        "id": query.id,
        "from": user_json(query.sender),
        "message": message_json(query.message),
        "chat_instance": query.chat_instance,
    }
    if query.data is not None:
        data["data"] = query.data
    return data
