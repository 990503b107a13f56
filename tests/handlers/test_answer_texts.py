"""What a presser reads, and the follow-up panel, rendered without Telegram."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import CallbackQueryHandler

from handlers.callback_data import decode
from handlers.checkins.answers import TOAST_LIMIT, answer_text, unknown_button
from handlers.checkins.followup_keyboards import (
    FollowContact,
    FollowDirection,
    FollowDone,
    FollowText,
    FollowTheme,
    blank_state,
    done_text,
    panel_keyboard,
    panel_text,
)
from handlers.i18n import keys
from handlers.registry import handlers
from services.checkins.outcomes import (
    AnswerOutcome,
    Closed,
    FollowUpState,
    NotAMember,
    NotForYou,
    OffScale,
    Recorded,
    Unknown,
)
from services.checkins.scale import DEFAULT_SCALE
from storage.models import Direction

TZ = ZoneInfo("Europe/Amsterdam")
CLOSES = datetime(2027, 3, 1, 20, 0, tzinfo=UTC)  # Monday 21:00 in Amsterdam


def recorded(code: int, *, first: bool, changed: bool, district: str = "Overvecht") -> Recorded:
    return Recorded(1, district, code, f"scale.{code}", CLOSES, first, changed)


@pytest.mark.parametrize(
    ("outcome", "nl", "en"),
    [
        (
            recorded(3, first=True, changed=False),
            "Genoteerd: Onrust — je kunt dit wijzigen tot ma 1 mrt 21:00",
            "Noted: Unrest — you can change it until Mon 1 Mar 21:00",
        ),
        (
            recorded(3, first=False, changed=False),
            "Je antwoord staat al op Onrust — wijzigen kan tot ma 1 mrt 21:00",
            "Your answer is already Unrest — you can change it until Mon 1 Mar 21:00",
        ),
        (
            recorded(1, first=False, changed=True),
            "Gewijzigd naar Rustig — wijzigen kan tot ma 1 mrt 21:00",
            "Changed to Calm — you can change it until Mon 1 Mar 21:00",
        ),
        (Closed(CLOSES), "Deze peiling is gesloten.", "This check-in is closed."),
        (
            NotAMember("Overvecht"),
            "Deze vraag is voor de bondgenoten van Overvecht.",
            "This question is for the key figures of Overvecht.",
        ),
        (NotForYou(), "Deze knop werkt niet (meer).", "This button no longer works."),
        (Unknown(), "Deze knop werkt niet (meer).", "This button no longer works."),
        (OffScale("7"), "Deze knop werkt niet (meer).", "This button no longer works."),
    ],
)
def test_answer_texts(outcome: AnswerOutcome, nl: str, en: str) -> None:
    assert answer_text(outcome, TZ, "nl") == nl
    assert answer_text(outcome, TZ, "en") == en


def test_answer_texts_are_plain_and_short() -> None:
    # A callback answer is not HTML: a name is shown as written, never as &amp;.
    assert answer_text(NotAMember("Lombok & Leidseweg"), TZ, "nl") == (
        "Deze vraag is voor de bondgenoten van Lombok & Leidseweg."
    )
    long = answer_text(NotAMember("X" * 300), TZ, "nl")
    assert len(long) == TOAST_LIMIT and long.endswith("…")
    for code in DEFAULT_SCALE.codes:
        text = answer_text(recorded(code, first=True, changed=False), TZ, "nl")
        assert len(text) <= TOAST_LIMIT


def state(**changes: object) -> FollowUpState:
    values: dict[str, object] = {
        "checkin_id": 42,
        "direction": None,
        "themes": (),
        "free_text": None,
        "contact_requested": None,
        "directions": DEFAULT_SCALE.directions,
        "theme_options": DEFAULT_SCALE.themes,
    }
    values.update(changes)
    return FollowUpState(**values)  # type: ignore[arg-type]


def test_blank_panel_offers_every_step_and_a_skip() -> None:
    blank = blank_state(42, DEFAULT_SCALE)
    assert blank == state()
    assert panel_text(blank, "nl") == (
        "Dank je. Wil je meer vertellen? Alles is optioneel.\n"
        "\n"
        "Wil je contact met politie of gemeente?"
    )
    rows = [[b.text for b in row] for row in panel_keyboard(blank, "nl").inline_keyboard]
    assert rows == [
        ["Loopt op", "Gelijk", "Neemt af"],
        ["Radicalisering", "Polarisatie", "Overlast"],
        ["Armoede", "Discriminatie", "Anders"],
        ["💬 Iets vertellen"],
        ["📞 Ja, contact", "Nee"],
        ["Overslaan"],
    ]


def test_panel_marks_choices_and_escapes_the_free_text() -> None:
    filled = state(
        direction=Direction("rising"),
        themes=("polarisatie", "overlast"),
        free_text='<b>"wraak"</b> & meer',
        contact_requested=True,
    )
    assert panel_text(filled, "nl") == (
        "Dank je. Wil je meer vertellen? Alles is optioneel.\n"
        "\n"
        "Richting: loopt op\n"
        "Thema's: polarisatie, overlast\n"
        'Jouw woorden: <i>&lt;b&gt;"wraak"&lt;/b&gt; &amp; meer</i>\n'
        "📞 Je wilt contact met politie of gemeente.\n"
        "\n"
        "Wil je contact met politie of gemeente?"
    )
    rows = [[b.text for b in row] for row in panel_keyboard(filled, "nl").inline_keyboard]
    assert rows[0] == ["✓ Loopt op", "Gelijk", "Neemt af"]
    assert rows[1] == ["Radicalisering", "✓ Polarisatie", "✓ Overlast"]
    assert rows[3:] == [["💬 Tekst wijzigen"], ["✓ 📞 Ja, contact", "Nee"], ["Klaar"]]
    assert done_text(filled, "nl").startswith("Dank je! Dit is genoteerd:\nRichting: loopt op")
    assert done_text(state(contact_requested=False), "nl") == (
        "Dank je! Dit is genoteerd:\nGeen contact nodig."
    )
    assert done_text(state(), "nl") == (
        "Prima, dank je. Je antwoord op de peiling staat genoteerd."
    )


def test_panel_says_which_checkin_and_district_with_input_escaped() -> None:
    about = state(event="Rellen na <voetbal> & vuurwerk", district="Lombok & Leidseweg")
    head_nl = "📣 Peiling #42 — Rellen na &lt;voetbal&gt; &amp; vuurwerk (Lombok &amp; Leidseweg)"
    assert panel_text(about, "nl") == (
        f"{head_nl}\n"
        "Dank je. Wil je meer vertellen? Alles is optioneel.\n"
        "\n"
        "Wil je contact met politie of gemeente?"
    )
    assert panel_text(about, "en").startswith(
        "📣 Check-in #42 — Rellen na &lt;voetbal&gt; &amp; vuurwerk (Lombok &amp; Leidseweg)\n"
        "Thank you. Would you like to tell more?"
    )
    # Above a status line too, and it stays on the panel once the person is done.
    saved = panel_text(about, "nl", head="✅ Je tekst is bewaard.")
    assert saved.startswith(f"{head_nl}\n✅ Je tekst is bewaard.\nDank je.")
    assert done_text(about, "nl") == (
        f"{head_nl}\nPrima, dank je. Je antwoord op de peiling staat genoteerd."
    )
    noted = state(event="Brand", district="Zuilen", contact_requested=False)
    assert done_text(noted, "nl") == (
        "📣 Peiling #42 — Brand (Zuilen)\nDank je! Dit is genoteerd:\nGeen contact nodig."
    )
    assert blank_state(42, DEFAULT_SCALE, event="Brand", district="Zuilen") == state(
        event="Brand", district="Zuilen"
    )


def test_panel_buttons_decode_to_what_they_say() -> None:
    buttons = [b for row in panel_keyboard(state(), "en").inline_keyboard for b in row]
    decoded = [decode(str(b.callback_data)) for b in buttons]
    assert all(len(str(b.callback_data).encode()) <= 64 for b in buttons)
    assert decoded[:3] == [FollowDirection(42, d) for d in ("rising", "same", "easing")]
    assert decoded[3:9] == [FollowTheme(42, theme) for theme in DEFAULT_SCALE.themes]
    assert decoded[9:] == [
        FollowText(42),
        FollowContact(42, True),
        FollowContact(42, False),
        FollowDone(42),
    ]
    # The widest ids still fit Telegram's 64 bytes.
    assert len(FollowTheme(2**53, "discriminatie").encode()) <= 64


@pytest.mark.parametrize(
    "data",
    ["fdir:1", "fdir:x:rising", "fthm:1:a b", "fcon:1:2", "fend", "ftxt:1:2", "fend:1:"],
)
def test_malformed_follow_up_data_decodes_to_nothing(data: str) -> None:
    assert decode(data) is None


def test_every_text_is_in_both_languages() -> None:
    ours = {k for k in keys("nl") if k.startswith(("answer.", "followup."))}
    assert ours == {k for k in keys("en") if k.startswith(("answer.", "followup."))}
    assert {"answer.stale", "followup.about", "followup.intro", "followup.ask_text"} <= ours


def test_the_catch_all_button_handler_comes_last() -> None:
    registered = handlers()
    last = registered[-1]
    assert isinstance(last, CallbackQueryHandler)
    assert last.callback is unknown_button
    assert last.pattern is None
    # It is the only one without a pattern: nobody else's buttons are swallowed.
    open_ended = [
        h for h in registered if isinstance(h, CallbackQueryHandler) and h.pattern is None
    ]
    assert open_ended == [last]
