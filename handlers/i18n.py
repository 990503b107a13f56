"""Texts by key from gettext catalogs (Dutch first), with plural forms and escaped input.

Every feature keeps its own `.po` file per language in `handlers/locales/<lang>/LC_MESSAGES/`;
all of a language's files are merged into one catalog at start-up. Message ids are keys
(`start.welcome`), the Dutch catalog is the reference, English falls back to Dutch.
"""

from __future__ import annotations

import html
import io
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = Path(__file__).with_name("locales")
DEFAULT_LANGUAGE = "nl"
LANGUAGES = ("nl", "en")


class Safe(str):
    """A string that is already HTML and must not be escaped again."""

    __slots__ = ()


def _merged_catalog(language: str) -> Catalog:
    merged = Catalog(locale=language, domain="bondgenoten")
    for po in sorted((LOCALES / language / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            part = read_po(fh, locale=language)
        for message in part:
            if message.id:
                if message.id in merged:
                    raise ValueError(f"{po.name}: text key {message.id!r} is defined twice")
                merged[message.id] = message
    return merged


@cache
def translations(language: str) -> Translations:
    """Load (once) the merged catalog of a language, falling back to Dutch."""
    buf = io.BytesIO()
    write_mo(buf, _merged_catalog(language))
    buf.seek(0)
    trans = Translations(fp=buf, domain="bondgenoten")
    if language != DEFAULT_LANGUAGE:
        trans.add_fallback(translations(DEFAULT_LANGUAGE))
    return trans


def keys(language: str = DEFAULT_LANGUAGE) -> set[str]:
    """All text keys a language's catalog defines."""
    return {
        str(m.id if isinstance(m.id, str) else m.id[0]) for m in _merged_catalog(language) if m.id
    }


def _language(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): in a name or a free
# text they could turn the rest of someone else's alert or summary around visually.
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def neutral(value: str) -> str:
    """Drop the bidirectional controls that reach beyond the text they stand in."""
    return value.translate(_BIDI_CONTROLS)


def _fill(text: str, key: str, values: dict[str, Any]) -> str:
    escaped = {
        k: (
            v
            if not isinstance(v, str)
            else Safe(neutral(v))
            if isinstance(v, Safe)
            else html.escape(neutral(v), quote=False)
        )
        for k, v in values.items()
    }
    try:
        return text.format(**escaped)
    except (KeyError, IndexError) as exc:
        raise KeyError(f"text {key!r} needs placeholder {exc}") from exc


def t(key: str, language: str | None = None, **values: Any) -> str:
    """Return the text for key in a language, with placeholders filled and input escaped."""
    text = translations(_language(language)).gettext(key)
    if text == key:
        raise KeyError(f"no text {key!r} in the catalog")
    return _fill(text, key, values)


def tn(key: str, n: int, language: str | None = None, **values: Any) -> str:
    """Return the plural-aware text for key and count n (n is also the `{n}` placeholder)."""
    text = translations(_language(language)).ngettext(key, key, n)
    if text == key:
        raise KeyError(f"no text {key!r} in the catalog")
    return _fill(text, key, {"n": n, **values})
