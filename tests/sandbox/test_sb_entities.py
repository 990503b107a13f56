"""Text entities: commands, mentions, URLs, UTF-16 offsets, trimming."""

from __future__ import annotations

import pytest

from sandbox.entities import ParseError, auto_entities, format_text, parse_html, utf16_len


def kinds(text: str) -> list[tuple[str, str]]:
    """(type, covered text) of the auto-detected entities (ASCII text only)."""
    return [
        (e["type"], text[e["offset"] : e["offset"] + e["length"]]) for e in auto_entities(text)
    ]


def test_utf16_length_counts_surrogate_pairs() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("😀") == 2
    assert utf16_len("é👍🏽") == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start", [("bot_command", "/start")]),
        ("/start payload-1", [("bot_command", "/start")]),
        ("/vote@test_bot yes", [("bot_command", "/vote@test_bot")]),
        ("see /help now", [("bot_command", "/help")]),
        ("a/b and path/x", []),
        ("/ alone", []),
        ("mail me@example.com", [("email", "me@example.com")]),
        ("ping @someone_here", [("mention", "@someone_here")]),
        ("visit https://example.org/x?y=1.", [("url", "https://example.org/x?y=1")]),
        ("bare example.com works", [("url", "example.com")]),
        ("file.txt is not a url", []),
        ("#tag and #123", [("hashtag", "#tag")]),
    ],
)
def test_auto_entities(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


def test_command_offsets_after_emoji_are_utf16() -> None:
    assert auto_entities("😀 /go") == [{"offset": 3, "length": 3, "type": "bot_command"}]


def test_parse_html_unknown_entities_stay_literal() -> None:
    text, entities = parse_html("a & b &nbsp; c > d")
    assert (text, entities) == ("a & b &nbsp; c > d", [])


def test_parse_html_empty_tags_make_no_entity() -> None:
    assert parse_html("<b></b>x") == ("x", [])


def test_parse_html_text_mention_and_custom_emoji() -> None:
    text, entities = parse_html(
        '<a href="tg://user?id=42">Al</a> <tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert text == "Al 👍"
    assert entities[0]["type"] == "text_mention" and entities[0]["user"]["id"] == 42
    assert entities[1] == {
        "offset": 3,
        "length": 2,
        "type": "custom_emoji",
        "custom_emoji_id": "5368324170671202286",
    }
    with pytest.raises(ParseError, match="Invalid custom emoji identifier"):
        parse_html('<tg-emoji emoji-id="x">👍</tg-emoji>')


def test_parse_html_attribute_errors() -> None:
    with pytest.raises(ParseError, match=r'Expected equal sign .* tag "a" at byte offset 0'):
        parse_html("<a href>x</a>")
    with pytest.raises(ParseError, match="Unexpected end of name token at byte offset 8"):
        parse_html("<a href=x!y>x</a>")


def test_format_text_trims_and_shifts_entities() -> None:
    text, entities = format_text("  <b>hi</b> /cmd  \n", "HTML")
    assert text == "hi /cmd"
    assert entities == [
        {"offset": 0, "length": 2, "type": "bold"},
        {"offset": 3, "length": 4, "type": "bot_command"},
    ]


def test_format_text_keeps_explicit_entities_without_parse_mode() -> None:
    explicit = [{"offset": 0, "length": 2, "type": "italic"}]
    assert format_text("hi", None, explicit) == ("hi", explicit)
