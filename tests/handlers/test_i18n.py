"""The catalogs: Dutch first and complete, English in step, placeholders filled and escaped."""

from __future__ import annotations

import string

import pytest

from handlers.i18n import Safe, keys, t, translations
from sandbox.entities import ParseError, parse_html


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_english_has_exactly_the_dutch_keys() -> None:
    assert keys("en") == keys("nl")


@pytest.mark.parametrize("key", sorted(keys("nl")))
def test_placeholders_agree_between_languages(key: str) -> None:
    nl = translations("nl").gettext(key)
    en = translations("en").gettext(key)
    assert nl != key and en != key
    assert _placeholders(nl) == _placeholders(en)


def test_user_input_is_escaped_unless_marked_safe() -> None:
    text = t("start.welcome", "nl", name="<b>Ali & co</b>")
    assert "&lt;b&gt;Ali &amp; co&lt;/b&gt;" in text
    assert "<b>Ali" in t("start.welcome", "nl", name=Safe("<b>Ali</b>"))


def test_unknown_language_falls_back_to_dutch() -> None:
    assert t("help.footer", "fr") == t("help.footer", "nl")
    assert t("help.footer", "en") != t("help.footer", "nl")
    assert t("help.footer", "tr") != t("help.footer", "nl")


def test_a_text_a_catalog_lacks_falls_back_to_dutch() -> None:
    # The /peiling wizard is for chiefs: Turkish and Arabic show it in Dutch for now.
    assert "peiling.ask_event" not in keys("tr")
    assert t("peiling.ask_event", "tr") == t("peiling.ask_event", "nl")


def test_missing_key_and_missing_placeholder_fail_loudly() -> None:
    with pytest.raises(KeyError):
        t("does.not.exist")
    with pytest.raises(KeyError, match="placeholder"):
        t("start.welcome", "nl")


def test_bidirectional_overrides_in_someones_text_cannot_turn_a_message_around() -> None:
    from handlers.i18n import Safe, t

    shown = t(
        "checkin.summary.free_text",
        "nl",
        who=Safe("Bondgenoot 3"),
        text="rustig\u202e gnillevel\u2066 en\u2069 \u202bklaar\u202c",
    )

    assert not any(ch in shown for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert "rustig gnillevel en klaar" in shown


class _AnyValue(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "1"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_text_is_html_telegram_accepts(language: str) -> None:
    """Texts go out with parse_mode HTML: a literal "<wijk>" made Telegram refuse a message."""
    catalog = translations(language)
    refused = []
    for key in sorted(keys(language)):
        texts = {catalog.gettext(key), *(catalog.ngettext(key, key, n) for n in (1, 2))}
        for text in texts - {key}:
            try:
                parse_html(text.format_map(_AnyValue()))
            except ParseError as exc:
                refused.append(f"{key}: {exc}")
    assert refused == []


@pytest.mark.parametrize(
    ("language", "median", "rate", "when", "day"),
    [
        ("nl", "3,5", "35%", "ma 7 dec 21:00", "7 dec 2026"),
        ("en", "3.5", "35%", "Mon 7 Dec 21:00", "7 Dec 2026"),
        ("tr", "3,5", "%35", "7 Ara Pzt 21:00", "7 Ara 2026"),
        ("ar", "3.5", "35%", "الاثنين، 7 ديسمبر 21:00", "7 ديسمبر 2026"),
    ],
)
def test_numbers_and_dates_are_written_as_the_language_writes_them(
    language: str, median: str, rate: str, when: str, day: str
) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from handlers.i18n import date, moment, number, percent

    at = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)
    amsterdam = ZoneInfo("Europe/Amsterdam")
    assert (number(3.5, language), number(4.0, language)) == (median, "4")
    assert percent(0.35, language) == rate
    assert moment(at, amsterdam, language) == when
    assert date(at, amsterdam, language) == day


def test_each_language_is_named_in_itself() -> None:
    from handlers.i18n import LANGUAGES, language_name

    names = [language_name(code) for code in LANGUAGES]
    assert names == ["Nederlands", "English", "العربية", "Türkçe"]
