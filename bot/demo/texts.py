"""What the demo's people look for on screen, taken from the catalogs in the demo's language.

The story waits for the bot's replies and presses its buttons by what they say: reading those
from the same catalogs as the bot keeps the demo working in every language.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Callable

from handlers.i18n import translations
from sandbox.models import Message

_TAG = re.compile(r"<[^>]+>")


def _forms(key: str, language: str) -> list[str]:
    """The text of a key, or each of its plural forms (Arabic has six)."""
    catalog = translations(language)
    forms = [catalog.gettext(key), *(catalog.ngettext(key, key, n) for n in (0, 1, 2, 3, 11, 100))]
    return list(dict.fromkeys(f for f in forms if f != key))


def _pieces(text: str) -> list[str]:
    """The fixed pieces between a text's placeholders, as the reader sees them (no tags)."""
    return [html.unescape(_TAG.sub("", literal)) for literal, *_ in string.Formatter().parse(text)]


def shows(key: str, language: str) -> Callable[[Message], bool]:
    """A predicate: the message shows this text, whatever was filled in (any plural form)."""
    patterns = [
        re.compile(".*?".join(re.escape(p.strip()) for p in _pieces(form) if p.strip()), re.S)
        for form in _forms(key, language)
    ]
    return lambda m: any(p.search(m.text or "") for p in patterns)


def capital(text: str) -> str:
    """A button label as the follow-up panel shows a direction or theme: capital first."""
    return text[:1].upper() + text[1:]


def numbered(text: str) -> int:
    """The number after the first '#' in a bot's text, e.g. 'Check-in #12 …' → 12."""
    match = re.search(r"#\D{0,2}(\d+)", text)
    if match is None:
        raise RuntimeError(f"no #number in: {text}")
    return int(match.group(1))
