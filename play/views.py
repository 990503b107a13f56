"""Messages and chats as the page needs them: plain JSON, the HTML already made safe."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from play.render import to_html
from sandbox import Sandbox
from sandbox.models import Message

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def service_view(message: Message) -> dict[str, Any] | None:
    service = message.service
    if not service:
        return None
    if "new_chat_members" in service:
        names = ", ".join(str(m.get("first_name", "")) for m in service["new_chat_members"])
        return {"kind": "joined", "name": names}
    if "left_chat_member" in service:
        return {"kind": "left", "name": str(service["left_chat_member"].get("first_name", ""))}
    if service.get("group_chat_created") or service.get("supergroup_chat_created"):
        return {"kind": "created", "title": message.chat.title or ""}
    return None


def message_view(message: Message, person_id: int) -> dict[str, Any]:
    """One message as the page shows it (HTML already safe)."""
    photo = max(message.photo, key=lambda p: p.width or 0) if message.photo else None
    document = message.document
    text, entities = message.text, message.entities
    if text is None:
        text, entities = message.caption, message.caption_entities
    return {
        "id": message.message_id,
        "mine": message.sender.id == person_id,
        "from_bot": message.from_bot,
        "sender": message.sender.full_name,
        "html": to_html(text, entities),
        "buttons": [
            [
                {
                    "text": str(b.get("text", "")),
                    "data": b.get("callback_data"),
                    "url": b.get("url"),
                }
                for b in row
            ]
            for row in message.keyboard
        ],
        "photo": f"/files/{photo.file_id}" if photo else None,
        "document": (
            {"name": document.filename or "", "url": f"/files/{document.file_id}"}
            if document
            else None
        ),
        "edited": message.edit_date is not None,
        "service": service_view(message),
        "time": message.date.astimezone(AMSTERDAM).strftime("%H:%M"),
    }


def fingerprints(sb: Sandbox) -> dict[int, tuple[int, int, int]]:
    """Per chat: next message id, edits, deletions. Any change shows in one of them."""
    chats = [*sb.world.groups.values(), *sb.world.private.values()]
    return {
        chat.id: (
            chat.next_message_id,
            sum(len(m.edits) for m in chat.messages.values()),
            sum(m.deleted for m in chat.messages.values()),
        )
        for chat in chats
    }
