"""Message text handling: Telegram's HTML parse mode, auto-detected entities, UTF-16 offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

Entity = dict[str, Any]

ALLOWED_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji"}
    | {"span", "pre", "code", "blockquote"}
)
_SIMPLE = {
    "i": "italic",
    "em": "italic",
    "b": "bold",
    "strong": "bold",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
_SPACES = b" \t\r\n\x00\x0b"
_TRIM = " \t\r\n\x0b\x0c"


class ParseError(Exception):
    """An HTML parse failure; str() is tdlib's message without the Bot API prefix."""


def utf16_len(text: str) -> int:
    """Length of text in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _decode_entity(data: bytes, pos: int) -> tuple[int, int]:
    """Decode an HTML entity at data[pos] ('&'); return (code point or 0, new position)."""
    n = len(data)

    def at(k: int) -> int:
        return data[k] if k < n else 0

    end = pos + 1
    value = 0
    if at(end) == ord("#"):
        end += 1
        if at(end) == ord("x"):
            end += 1
            while chr(at(end)) in "0123456789abcdefABCDEF":
                value = value * 16 + int(chr(at(end)), 16)
                end += 1
        else:
            while ord("0") <= at(end) <= ord("9"):
                value = value * 10 + at(end) - ord("0")
                end += 1
        if value == 0 or value >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while chr(at(end)).isascii() and chr(at(end)).isalpha():
            end += 1
        name = data[pos + 1 : end]
        value = {b"lt": 60, b"gt": 62, b"amp": 38, b"quot": 34}.get(name, 0)
        if not value:
            return 0, pos
    return value, end + 1 if at(end) == ord(";") else end


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int
    out_pos: int


def _checked_link(url: str) -> str | None:
    """Normalise an <a href>; None when Telegram would silently drop the link."""
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return None
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url):
        scheme = url.split(":", 1)[0].lower()
        return url if scheme in {"http", "https", "tg", "ton", "ftp"} else None
    if re.match(r"^[\w-]+(\.[\w-]+)+(:\d+)?(/.*)?$", url):
        return f"http://{url}"
    return None


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Parse Telegram-flavoured HTML into plain text and entities, as tdlib does."""
    data = text.encode("utf-8", "surrogatepass")
    n = len(data)

    def at(k: int) -> int:
        return data[k] if k < n else 0

    def name_of(start: int, stop: int) -> str:
        return data[start:stop].decode("utf-8", "replace").lower()

    out = bytearray()
    entities: list[Entity] = []
    stack: list[_Open] = []
    utf16 = 0
    i = 0
    while i < n:
        c = data[i]
        if c == ord("&"):
            code, new_i = _decode_entity(data, i)
            if code:
                utf16 += 1 + (code > 0xFFFF)
                out += chr(code).encode("utf-8", "surrogatepass")
                i = new_i
                continue
        if c != ord("<"):
            if c & 0xC0 != 0x80:
                utf16 += 1 + (c >= 0xF0)
            out.append(c)
            i += 1
            continue
        begin = i
        i += 1
        if at(i) != ord("/"):
            while at(i) not in _SPACES and at(i) != ord(">"):
                i += 1
            if at(i) == 0:
                raise ParseError(f"Unclosed start tag at byte offset {begin}")
            tag = name_of(begin + 1, i)
            if tag not in ALLOWED_TAGS:
                raise ParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            i, argument = _parse_attributes(data, i, tag, begin)
            if tag == "span" and argument != "spoiler":
                raise ParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
            stack.append(_Open(tag, argument, utf16, len(out)))
            i += 1
            continue
        if not stack:
            raise ParseError(f"Unexpected end tag at byte offset {begin}")
        while at(i) not in _SPACES and at(i) != ord(">"):
            i += 1
        end_tag = name_of(begin + 2, i)
        while at(i) in _SPACES and at(i) != 0:
            i += 1
        if at(i) != ord(">"):
            raise ParseError(f"Unclosed end tag at byte offset {begin}")
        top = stack[-1]
        if end_tag and end_tag != top.tag:
            raise ParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{top.tag}>", '
                f'found "</{end_tag}>"'
            )
        if utf16 > top.offset:
            _close_entity(entities, top, utf16, bytes(out))
        stack.pop()
        i += 1
    if stack:
        raise ParseError(f"Can't find end tag corresponding to start tag {stack[-1].tag}")
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    plain = out.decode("utf-8", "surrogatepass")
    try:
        plain.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        ) from exc
    return plain, sort_entities(entities)


def _parse_attributes(data: bytes, i: int, tag: str, begin: int) -> tuple[int, str]:
    """Parse the attributes of a start tag; return (index of '>', tag argument)."""
    n = len(data)

    def at(k: int) -> int:
        return data[k] if k < n else 0

    argument = ""
    while at(i) != ord(">"):
        while at(i) != 0 and at(i) in _SPACES:
            i += 1
        if at(i) == ord(">"):
            break
        attr_begin = i
        while at(i) not in _SPACES and at(i) not in (ord("="), ord(">")):
            i += 1
        attr = data[attr_begin:i].decode("utf-8", "replace")
        if not attr:
            raise ParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
        while at(i) != 0 and at(i) in _SPACES:
            i += 1
        if at(i) != ord("="):
            if tag == "blockquote" and attr.lower() == "expandable":
                argument = "expandable"
                continue
            raise ParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {begin}'
            )
        i += 1
        while at(i) != 0 and at(i) in _SPACES:
            i += 1
        if at(i) == 0:
            raise ParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
        value = bytearray()
        if at(i) not in (ord("'"), ord('"')):
            token_begin = i
            while chr(at(i)).isascii() and (chr(at(i)).isalnum() or at(i) in b".-") and at(i):
                i += 1
            value += data[token_begin:i].lower()
            if at(i) not in _SPACES and at(i) != ord(">"):
                raise ParseError(f"Unexpected end of name token at byte offset {token_begin}")
        else:
            quote = at(i)
            i += 1
            while at(i) != quote and at(i) != 0:
                if at(i) == ord("&"):
                    code, new_i = _decode_entity(data, i)
                    if code:
                        value += chr(code).encode("utf-8", "surrogatepass")
                        i = new_i
                        continue
                value.append(at(i))
                i += 1
            if at(i) == quote:
                i += 1
        if at(i) == 0:
            raise ParseError(f"Unclosed start tag at byte offset {begin}")
        text_value = value.decode("utf-8", "replace")
        if tag == "a" and attr == "href":
            argument = text_value
        elif tag == "code" and attr == "class" and text_value.startswith("language-"):
            argument = text_value[9:]
        elif tag == "span" and attr == "class" and text_value.startswith("tg-"):
            argument = text_value[3:]
        elif tag == "tg-emoji" and attr == "emoji-id":
            argument = text_value
    return i, argument


def _close_entity(entities: list[Entity], top: _Open, utf16: int, out: bytes) -> None:
    """Append the entity for a closed tag, merging pre/code pairs like tdlib."""
    offset, length = top.offset, utf16 - top.offset
    last = entities[-1] if entities else None
    same_span = last is not None and last["offset"] == offset and last["length"] == length
    if top.tag in _SIMPLE:
        entities.append({"offset": offset, "length": length, "type": _SIMPLE[top.tag]})
    elif top.tag == "tg-emoji":
        if not top.argument.isdigit() or int(top.argument) == 0:
            raise ParseError("Invalid custom emoji identifier specified")
        entities.append(
            {
                "offset": offset,
                "length": length,
                "type": "custom_emoji",
                "custom_emoji_id": top.argument,
            }
        )
    elif top.tag == "a":
        url = top.argument or out[top.out_pos :].decode("utf-8", "replace")
        mention = re.fullmatch(r"tg://user\?id=(\d+)", url)
        if mention:
            entities.append(
                {
                    "offset": offset,
                    "length": length,
                    "type": "text_mention",
                    "user": {"id": int(mention.group(1)), "is_bot": False, "first_name": ""},
                }
            )
        elif (checked := _checked_link(url)) is not None:
            entities.append(
                {"offset": offset, "length": length, "type": "text_link", "url": checked}
            )
    elif top.tag == "pre":
        if last is not None and same_span and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
        else:
            entities.append({"offset": offset, "length": length, "type": "pre"})
    elif top.tag == "code":
        if last is not None and same_span and last["type"] == "pre" and top.argument:
            last["language"] = top.argument
        else:
            entity: Entity = {"offset": offset, "length": length, "type": "code"}
            if top.argument:
                entity["language"] = top.argument
            entities.append(entity)
    elif top.tag == "blockquote":
        kind = "expandable_blockquote" if top.argument == "expandable" else "blockquote"
        entities.append({"offset": offset, "length": length, "type": kind})


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """Order entities as Telegram does: by offset, longer first, then by type priority."""
    return sorted(
        entities, key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 50))
    )


def trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip leading/trailing whitespace as Telegram does, shifting and clipping entities."""
    stripped_left = text.lstrip(_TRIM)
    shift = utf16_len(text[: len(text) - len(stripped_left)])
    result = stripped_left.rstrip(_TRIM)
    size = utf16_len(result)
    fixed: list[Entity] = []
    for entity in entities:
        start = max(0, entity["offset"] - shift)
        end = min(size, entity["offset"] + entity["length"] - shift)
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    return result, fixed


_COMMAND = re.compile(r"(?<![\w/<>])/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?(?![\w/<>])")
_MENTION = re.compile(r"(?<!\w)@[a-zA-Z0-9_]{5,32}(?!\w)")
_HASHTAG = re.compile(r"(?<!\w)#\w*[^\W\d_]\w*(?!\w)")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}(?!\w)")
_TLDS = "com|org|net|io|nl|de|eu|be|fr|uk|me|app|dev|info|ru|ua|es|it|co|ai|tv|xyz"
_URL = re.compile(
    r"(?<![\w@/.-])(?:https?://[^\s<>\"]+|(?:[a-zA-Z0-9-]+\.)+(?:" + _TLDS + r")"
    r"(?::\d{1,5})?(?:/[^\s<>\"]*)?)(?![\w@])",
    re.IGNORECASE,
)


def auto_entities(text: str, existing: list[Entity] | None = None) -> list[Entity]:
    """Entities Telegram detects by itself: bot_command, mention, hashtag, url, email."""
    blocked = [
        (e["offset"], e["offset"] + e["length"])
        for e in existing or []
        if e["type"] in {"code", "pre", "text_link", "text_mention"}
    ]
    found: list[tuple[int, int, str]] = []
    for kind, pattern in (
        ("bot_command", _COMMAND),
        ("email", _EMAIL),
        ("url", _URL),
        ("mention", _MENTION),
        ("hashtag", _HASHTAG),
    ):
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "url":
                while end > start and text[end - 1] in ".,;:!?)'":
                    end -= 1
            if any(s < end and start < e for s, e, _ in found):
                continue
            found.append((start, end, kind))
    result: list[Entity] = []
    for start, end, kind in found:
        offset = utf16_len(text[:start])
        length = utf16_len(text[start:end])
        if any(s < offset + length and offset < e for s, e in blocked):
            continue
        result.append({"offset": offset, "length": length, "type": kind})
    return result


def format_text(
    text: str, parse_mode: str | None, explicit: list[Entity] | None = None
) -> tuple[str, list[Entity]]:
    """Apply parse_mode (HTML supported), trim, and add auto-detected entities."""
    entities: list[Entity] = []
    mode = (parse_mode or "").strip().lower()
    if mode == "html":
        text, entities = parse_html(text)
    elif mode in {"markdown", "markdownv2"}:
        raise ParseError(f"sandbox supports parse_mode HTML only, got {parse_mode}")
    elif mode:
        raise UnsupportedParseMode(parse_mode or "")
    elif explicit:
        entities = [dict(e) for e in explicit]
    text, entities = trim(text, entities)
    entities = sort_entities(entities + auto_entities(text, entities))
    return text, entities


class UnsupportedParseMode(Exception):
    """parse_mode is not one Telegram knows."""
