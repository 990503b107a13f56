"""Uploads: sendDocument, sendPhoto and getFile, with files kept in memory."""

from __future__ import annotations

import mimetypes
from typing import Any

from sandbox.entities import utf16_len
from sandbox.errors import bad_request
from sandbox.images import image_size, photo_sizes
from sandbox.keyboards import parse_reply_markup
from sandbox.methods.base import Call, formatted, method, reply_target, target_chat
from sandbox.models import Chat, StoredFile
from sandbox.serialize import message_json


def _existing(call: Call, field: str) -> list[StoredFile]:
    """Files referenced by file_id (re-sending); URLs cannot be fetched here."""
    ref = call.params.get_str(field)
    if not ref:
        raise bad_request(f"there is no {field} in the request")
    if ref.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")
    photos = call.world.photo_sets.get(ref)
    if photos is not None:
        return photos
    stored = call.world.files.get(ref)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return [stored]


def _send_with_media(call: Call, chat: Chat, **media: Any) -> dict[str, Any]:
    """Common tail of media sends: caption, keyboard, reply, flood check, store."""
    caption, caption_entities = formatted(call, "caption", "parse_mode", "caption_entities")
    if caption is not None and utf16_len(caption) > 1024:
        raise bad_request("message caption is too long")
    inline, other = parse_reply_markup(call.params.get_json("reply_markup"))
    reply_to = reply_target(call, chat)
    call.limiter.check(call.bot.id, chat.id)
    message = call.world.add_message(
        chat,
        call.bot.user,
        caption=caption or None,
        caption_entities=caption_entities if caption else [],
        reply_markup=inline,
        reply_keyboard=other,
        reply_to=reply_to,
        **media,
    )
    return message_json(message)


@method("sendDocument")
async def send_document(call: Call) -> dict[str, Any]:
    """sendDocument: a multipart upload or a known file_id."""
    chat = target_chat(call)
    upload = call.params.upload("document")
    if upload is None:
        document = _existing(call, "document")[-1]
    else:
        if not upload.data:
            raise bad_request("file must be non-empty")
        filename = upload.filename or "document"
        mime = upload.content_type
        if not mime or mime == "application/octet-stream":
            mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        document = call.world.store_file(
            "document", upload.data, filename=filename, mime_type=mime
        )
    return _send_with_media(call, chat, document=document)


@method("sendPhoto")
async def send_photo(call: Call) -> dict[str, Any]:
    """sendPhoto: an uploaded image (PNG/JPEG/GIF/WebP/BMP) or a known photo file_id."""
    chat = target_chat(call)
    upload = call.params.upload("photo")
    if upload is None:
        sizes = _existing(call, "photo")
    else:
        dims = image_size(upload.data)
        if dims is None or min(dims) <= 0:
            raise bad_request("IMAGE_PROCESS_FAILED")
        sizes = []
        for width, height in photo_sizes(*dims):
            sizes.append(
                call.world.store_file(
                    "photo",
                    upload.data,
                    filename=upload.filename,
                    mime_type="image/jpeg",
                    width=width,
                    height=height,
                )
            )
        for size in sizes:
            call.world.photo_sets[size.file_id] = sizes
    return _send_with_media(call, chat, photo=sizes)


@method("getFile")
async def get_file(call: Call) -> dict[str, Any]:
    """getFile: the file_path to download through base_file_url."""
    stored = call.world.files.get(call.params.get_str("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }
