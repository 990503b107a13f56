"""What the play page shows of a message: Telegram's formatting from entities, all else escaped."""

from __future__ import annotations

from play.render import to_html


def test_messages_render_as_telegram_shows_them_and_nothing_else() -> None:
    text = "Peiling 😀 <script> & link\nregel twee"
    entities = [
        {"type": "bold", "offset": 0, "length": 7},
        {"type": "italic", "offset": 8, "length": 2},  # the emoji: two UTF-16 units
        {"type": "text_link", "offset": 22, "length": 4, "url": "https://example.org/?a=1&b=2"},
        {"type": "text_link", "offset": 11, "length": 8, "url": "javascript:alert(1)"},
    ]

    shown = to_html(text, entities)

    assert shown == (
        "<b>Peiling</b> <i>😀</i> &lt;script&gt; &amp; "
        '<a href="https://example.org/?a=1&amp;b=2" target="_blank" '
        'rel="noopener noreferrer">link</a><br>regel twee'
    )
    overlapping = [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 2, "length": 4},
    ]
    assert to_html("abcdef", overlapping) == "<b>ab<i>cd</i></b><i>ef</i>"


def test_line_breaks_code_and_unknown_entities() -> None:
    shown = to_html("a\n<b>\nx", [{"type": "code", "offset": 2, "length": 3},
                                 {"type": "custom_emoji", "offset": 6, "length": 1}])  # fmt: skip

    assert shown == "a<br><code>&lt;b&gt;</code><br>x"
    assert to_html(None, None) == ""
