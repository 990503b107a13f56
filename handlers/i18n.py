"""Texts by key from gettext catalogs (Dutch first), with plural forms, escaped input and
numbers and dates in the reader's locale.

Every feature keeps its own `.po` file per language in `handlers/locales/<lang>/LC_MESSAGES/`;
all of a language's files are merged into one catalog (once, cached). Message ids are keys
(`start.welcome`), the Dutch catalog is the reference, other languages fall back to Dutch.
A language is a folder: adding `locales/<lang>/` with its `.po` files adds it, no code change.
Each file says its language's `Plural-Forms`, and `tn()` chooses the form by it.
"""

from __future__ import annotations

import html
import io
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_skeleton, format_time
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

LOCALES = Path(__file__).with_name("locales")
DEFAULT_LANGUAGE = "nl"


def _discover(folder: Path) -> tuple[str, ...]:
    """The languages with a catalog folder: Dutch first, then English, then the rest by code."""
    found = {p.parent.parent.name for p in folder.glob("*/LC_MESSAGES/*.po")}
    return tuple(sorted(found, key=lambda code: (code != "nl", code != "en", code)))


LANGUAGES = _discover(LOCALES)
# Languages written right to left (Arabic): filled-in names and numbers get Unicode isolates.
RTL = frozenset(code for code in LANGUAGES if Locale.parse(code).text_direction == "rtl")


class Safe(str):
    """A string that is already HTML and must not be escaped again."""

    __slots__ = ()


def _merged_catalog(language: str, folder: Path = LOCALES) -> Catalog:
    merged = Catalog(locale=language, domain="bondgenoten")
    plural_forms: tuple[str, str] | None = None
    for po in sorted((folder / language / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            # A plural entry with more forms than its Plural-Forms allows is an error, not a
            # warning: a silently dropped form would show an empty message.
            part = read_po(fh, abort_invalid=True)
        if plural_forms is None:
            plural_forms = po.name, part.plural_forms
            # The file's own header, not the locale's default, decides the forms.
            merged.mime_headers = [("Plural-Forms", part.plural_forms)]
        elif part.plural_forms != plural_forms[1]:
            raise ValueError(
                f"{language}/{po.name}: Plural-Forms {part.plural_forms!r} differs from "
                f"{plural_forms[0]}'s {plural_forms[1]!r}"
            )
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
    """All text keys a language's own catalog defines (without the Dutch fallback)."""
    return {
        str(m.id if isinstance(m.id, str) else m.id[0]) for m in _merged_catalog(language) if m.id
    }


def _language(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def language_name(language: str) -> str:
    """A language's name in itself, e.g. 'Türkçe' for tr."""
    name = Locale.parse(language).get_display_name(language) or language
    return name[:1].upper() + name[1:]


# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): in a name or a free
# text they could turn the rest of someone else's alert or summary around visually.
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
FSI, PDI = "\u2068", "\u2069"


def neutral(value: str) -> str:
    """Drop the bidirectional controls that reach beyond the text they stand in."""
    return value.translate(_BIDI_CONTROLS)


def _isolate(value: Any) -> Any:
    # A Latin name or a number inside an Arabic sentence keeps its own direction and does not
    # pull the words around it along. A value of several lines is a block of its own.
    text = str(value)
    if not text or "\n" in text:
        return value
    isolated = f"{FSI}{text}{PDI}"
    return Safe(isolated) if isinstance(value, Safe) or not isinstance(value, str) else isolated


def _copied(text: str, name: str, value: Any) -> bool:
    # What a reader copies - an id in <code>, a link - must stay exactly itself; so must a value
    # on a line of its own, where there are no words around to keep in order.
    alone = rf"<code>\{{{name}\}}</code>|(?:^|\n)\{{{name}\}}(?:\n|$)"
    return str(value).startswith(("http://", "https://")) or re.search(alone, text) is not None


def _fill(text: str, key: str, values: dict[str, Any], language: str = DEFAULT_LANGUAGE) -> str:
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
    if language in RTL:
        escaped = {k: v if _copied(text, k, v) else _isolate(v) for k, v in escaped.items()}
    try:
        return text.format(**escaped)
    except (KeyError, IndexError) as exc:
        raise KeyError(f"text {key!r} needs placeholder {exc}") from exc


def t(key: str, language: str | None = None, **values: Any) -> str:
    """Return the text for key in a language, with placeholders filled and input escaped."""
    lang = _language(language)
    text = translations(lang).gettext(key)
    if text == key:
        raise KeyError(f"no text {key!r} in the catalog")
    return _fill(text, key, values, lang)


def tn(key: str, n: int, language: str | None = None, **values: Any) -> str:
    """Return the plural-aware text for key and count n (n is also the `{n}` placeholder)."""
    lang = _language(language)
    text = translations(lang).ngettext(key, key, n)
    if text == key:
        raise KeyError(f"no text {key!r} in the catalog")
    return _fill(text, key, {"n": n, **values}, lang)


# Numbers and dates: the reader's locale decides the decimal comma, the names of weekdays and
# months and their order (Babel, from CLDR). Western digits in every language. English readers
# here live in Europe: day before month, as in British English ('Mon 2 Dec', not 'Mon, Dec 2').
_FORMAT_LOCALES = {"en": "en_GB"}


def _locale(language: str | None) -> str:
    lang = _language(language)
    return _FORMAT_LOCALES.get(lang, lang)


def number(value: float, language: str | None = None) -> str:
    """A figure with at most one decimal: '3,5' in Dutch, '3.5' in English, '4' for 4.0."""
    return str(format_decimal(value, "#,##0.#", locale=_locale(language)))


def percent(fraction: float, language: str | None = None) -> str:
    """A share as a whole percentage: '35%' in Dutch and English, '%35' in Turkish."""
    return str(format_percent(fraction, locale=_locale(language)))


def moment(value: datetime, tz: ZoneInfo, language: str | None = None) -> str:
    """A moment in the local zone with weekday, e.g. 'ma 2 dec 21:00' or 'Mon 2 Dec 21:00'."""
    local = value.astimezone(tz)
    clock = format_time(local, "HH:mm", tzinfo=tz, locale=_locale(language))
    return f"{day(local, language)} {clock}"


def day(value: datetime, language: str | None = None) -> str:
    """A weekday with day and month, e.g. 'ma 2 dec' (value already in the local zone)."""
    return str(format_skeleton("MMMEd", value, locale=_locale(language)))


def date(value: datetime, tz: ZoneInfo | None = None, language: str | None = None) -> str:
    """A date with the year, e.g. '3 dec 2026', '3 Dec 2026' (in tz, when given)."""
    local = value.astimezone(tz) if tz is not None else value
    return str(format_skeleton("yMMMd", local, locale=_locale(language)))


def short_date(value: datetime, language: str | None = None) -> str:
    """Day and month without the year, for a chart's axis: '3 dec', '3 Dec'."""
    return str(format_skeleton("MMMd", value, locale=_locale(language))).rstrip(".")
