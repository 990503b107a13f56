"""reply_markup validation and the normalised keyboard Telegram echoes back."""

from __future__ import annotations

import re
from typing import Any

from sandbox.errors import bad_request

ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_OPTIONAL = ("style", "icon_custom_emoji_id")
_URL = re.compile(r"^(https?|tg)://\S+$|^[\w-]+(\.[\w-]+)+(:\d+)?(/\S*)?$", re.IGNORECASE)

Markup = dict[str, Any]


def parse_reply_markup(raw: Any) -> tuple[Markup | None, Markup | None]:
    """Validate reply_markup; return (inline keyboard to echo, other keyboard kept aside)."""
    if raw is None:
        return None, None
    if not isinstance(raw, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in raw:
        return {"inline_keyboard": _inline_rows(raw["inline_keyboard"])}, None
    if "keyboard" in raw:
        rows = raw["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
        return None, dict(raw)
    if raw.get("remove_keyboard") or raw.get("force_reply"):
        return None, dict(raw)
    raise bad_request('can\'t find field "inline_keyboard"')


def _inline_rows(rows: Any) -> list[list[dict[str, Any]]]:
    """Validate the rows of an InlineKeyboardMarkup."""
    if not isinstance(rows, list):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    result: list[list[dict[str, Any]]] = []
    for row in rows:
        if not isinstance(row, list):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        result.append([_inline_button(button) for button in row])
    return [row for row in result if row]


def _inline_button(button: Any) -> dict[str, Any]:
    """Validate one InlineKeyboardButton and return it as Telegram echoes it."""
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    present = [key for key in ACTIONS if button.get(key) not in (None, "")]
    if not present:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    echoed: dict[str, Any] = {"text": text}
    action = present[0]
    value = button[action]
    if action == "callback_data":
        if not isinstance(value, str) or len(value.encode("utf-8")) > 64:
            raise bad_request("BUTTON_DATA_INVALID")
    elif action == "url":
        if not isinstance(value, str) or not _URL.match(value.strip()):
            raise bad_request("BUTTON_URL_INVALID")
        value = value.strip()
    echoed[action] = value
    for key in _OPTIONAL:
        if key in button:
            echoed[key] = button[key]
    return echoed
