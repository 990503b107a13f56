"""Telegram messages as HTML: text plus entities, escaped, with only Telegram's own formatting.

The bot sends HTML parse mode; the sandbox stores what Telegram stores, the plain text and its
entities (offsets in UTF-16 code units). Rendering from entities, never from the bot's HTML,
means nothing but these tags can reach the page.
"""

from __future__ import annotations

import html
import itertools
from typing import Any

_SIMPLE = {
    "bold": "b",
    "italic": "i",
    "underline": "u",
    "strikethrough": "s",
    "code": "code",
    "spoiler": 'span class="spoiler"',
    "blockquote": "blockquote",
    "expandable_blockquote": "blockquote",
}
_SAFE_SCHEMES = ("http://", "https://", "tg://", "mailto:")


def _open_tag(entity: dict[str, Any], text: str) -> tuple[str, str] | None:
    kind = entity.get("type")
    if kind in _SIMPLE:
        tag = _SIMPLE[kind]
        return f"<{tag}>", f"</{tag.split(' ')[0]}>"
    if kind == "pre":
        return "<pre>", "</pre>"
    if kind in ("text_link", "url"):
        url = str(entity.get("url") or text)
        if kind == "url" and "://" not in url:
            url = "https://" + url
        if not url.lower().startswith(_SAFE_SCHEMES):
            return None
        href = html.escape(url, quote=True)
        return f'<a href="{href}" target="_blank" rel="noopener noreferrer">', "</a>"
    if kind in ("bot_command", "mention", "hashtag", "email"):
        return f'<span class="{kind}">', "</span>"
    return None


def _slice(data: bytes, start: int, end: int) -> str:
    return data[start * 2 : end * 2].decode("utf-16-le", errors="replace")


def to_html(text: str | None, entities: list[dict[str, Any]] | None) -> str:
    """The text with its entities as HTML; line breaks as <br>; everything else escaped."""
    if not text:
        return ""
    data = text.encode("utf-16-le")
    size = len(data) // 2
    spans = []
    for entity in entities or []:
        start = max(0, int(entity.get("offset", 0)))
        end = min(size, start + max(0, int(entity.get("length", 0))))
        tags = _open_tag(entity, _slice(data, start, end))
        if tags is not None and end > start:
            spans.append((start, end, tags))
    # Outer entities first where they start together, so that they close last.
    spans.sort(key=lambda s: (s[0], -s[1]))
    bounds = sorted({0, size, *(s[0] for s in spans), *(s[1] for s in spans)})
    out: list[str] = []
    stack: list[tuple[int, int, tuple[str, str]]] = []
    pending = list(spans)
    for here, nxt in itertools.pairwise(bounds):
        # Close what ends here; reopen what had to close with it (improper nesting).
        reopen = []
        while any(s[1] <= here for s in stack):
            top = stack.pop()
            out.append(top[2][1])
            if top[1] > here:
                reopen.append(top)
        for span in reversed(reopen):
            out.append(span[2][0])
            stack.append(span)
        while pending and pending[0][0] == here:
            span = pending.pop(0)
            out.append(span[2][0])
            stack.append(span)
        out.append(html.escape(_slice(data, here, nxt), quote=False).replace("\n", "<br>"))
    out.extend(span[2][1] for span in reversed(stack))
    return "".join(out)
