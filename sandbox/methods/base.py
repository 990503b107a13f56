"""The method registry and the context every Bot API method handler receives."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.entities import ParseError, UnsupportedParseMode, format_text, utf16_len
from sandbox.errors import bad_request
from sandbox.limits import FloodLimiter
from sandbox.models import BotAccount, Chat, Message
from sandbox.params import Params
from sandbox.state import World

if TYPE_CHECKING:
    from sandbox.webhook import WebhookDelivery


@dataclass
class Call:
    """One Bot API request: who calls, with which parameters, against which world."""

    world: World
    bot: BotAccount
    params: Params
    limiter: FloodLimiter
    webhooks: WebhookDelivery
    callback_timeout: float = 15.0
    chat_id: int | None = None
    method: str = ""


@dataclass
class Reply:
    """A result plus the optional 'description' Telegram adds to some ok answers."""

    result: Any
    description: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Call], Awaitable[Any]]
METHODS: dict[str, Handler] = {}


def method(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler under one or more (case-insensitive) method names."""

    def register(handler: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = handler
        return handler

    return register


def formatted(
    call: Call, text_key: str, mode_key: str, entities_key: str
) -> tuple[str | None, list[dict[str, Any]]]:
    """Read a text or caption with its parse_mode, turning parse failures into 400s."""
    raw = call.params.get_str(text_key)
    if raw is None:
        return None, []
    explicit = call.params.get_json(entities_key)
    try:
        return format_text(raw, call.params.get_str(mode_key), explicit or None)
    except ParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    except UnsupportedParseMode:
        raise bad_request("unsupported parse_mode") from None


def message_text(call: Call) -> tuple[str, list[dict[str, Any]]]:
    """The text of sendMessage/editMessageText, validated like Telegram."""
    text, entities = formatted(call, "text", "parse_mode", "entities")
    if not text:
        raise bad_request("message text is empty")
    if utf16_len(text) > 4096:
        raise bad_request("message is too long")
    return text, entities


def reply_target(call: Call, chat: Chat) -> Message | None:
    """The message being replied to (reply_parameters or reply_to_message_id)."""
    params = call.params
    allow = params.get_bool("allow_sending_without_reply")
    message_id: Any = None
    reply_parameters = params.get_json("reply_parameters")
    if isinstance(reply_parameters, dict):
        message_id = reply_parameters.get("message_id")
        allow = bool(reply_parameters.get("allow_sending_without_reply", allow))
    elif "reply_to_message_id" in params:
        message_id = params.get_int("reply_to_message_id")
    if message_id is None:
        return None
    target = call.world.get_message(chat, message_id)
    if target is None and not allow:
        raise bad_request("message to be replied not found")
    return target


def target_chat(call: Call, *, for_send: bool = True) -> Chat:
    """Resolve chat_id for this bot and remember it for the call log."""
    chat = call.world.resolve_chat(call.bot, call.params.raw("chat_id"), for_send=for_send)
    call.chat_id = chat.id
    return chat
