"""What the chief reads in the /peiling wizard, in /sluit and /peilingen, and the buttons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.callback_data import decode
from handlers.checkins.closing import close_text, listing_lines, parse_id
from handlers.checkins.wizard_draft import Draft
from handlers.checkins.wizard_keyboards import (
    ClosePick,
    WizardPress,
    close_keyboard,
    districts_keyboard,
    preview_keyboard,
)
from handlers.checkins.wizard_texts import nothing_to_send, preview_text, sent_text, step_text
from services.checkins import ALL, DEFAULT_SCALE
from services.checkins.outcomes import (
    AlreadyClosed,
    CheckInClosed,
    CheckInLine,
    CheckInStarted,
    DistrictChoice,
    Preview,
    RefusedDistrict,
    Unknown,
)
from services.checkins.tally import tally_view
from services.checkins.views import CheckInMessage
from services.outcomes import DENIED
from storage.models import CheckInStatus

AMS = ZoneInfo("Europe/Amsterdam")
CLOSES = datetime(2026, 11, 2, 20, 0, tzinfo=UTC)  # maandag 21:00 in Amsterdam
CHOICES = (
    DistrictChoice("Kanaleneiland", False, None),
    DistrictChoice("Overvecht", True, None),
    DistrictChoice("Zuilen", True, "archived"),
)


def _buttons(markup: object) -> list[tuple[str, str]]:
    rows = getattr(markup, "inline_keyboard", ())
    return [(b.text, str(b.callback_data)) for row in rows for b in row]


def _message(district: str, district_id: int, shown: bool = True) -> CheckInMessage:
    return CheckInMessage(
        checkin_id=None,
        district_id=district_id,
        district=district,
        event="Brand bij <moskee> & buurthuis",
        closes_at=CLOSES,
        open=True,
        tally=tally_view(DEFAULT_SCALE, {}, 12, shown),
        choices=DEFAULT_SCALE.levels,
    )


def test_a_draft_asks_what_is_missing_in_order() -> None:
    draft = Draft("abc", CHOICES, selected={1, 2})
    assert draft.step() == "event"
    draft.event = "Brand"
    assert draft.step() == "districts"
    draft.districts_done = True
    assert draft.step() == "duration"
    draft.until = CLOSES
    assert draft.step() == "tally"
    assert draft.duration_from(CLOSES - timedelta(hours=2)) == timedelta(hours=2)
    draft.show_tally = False
    assert draft.step() == "preview"
    # Own refused districts go along by name, so the service can name them.
    assert draft.targets() == ["Overvecht", "Zuilen"]
    draft.all_districts = True
    assert draft.targets() == ALL


def test_district_toggles_show_state_and_refusals_and_fit_in_callback_data() -> None:
    draft = Draft("abc123", CHOICES, selected={1, 2}, event="Brand")
    markup = districts_keyboard(draft, coordinator=True, language="nl")
    buttons = _buttons(markup)
    assert [text for text, _ in buttons] == [
        "▫️ Kanaleneiland",
        "✅ Overvecht",
        "🚫 Zuilen — wijk is gearchiveerd",
        "▫️ Alle wijken",
        "Verder ➡️",
        "Annuleren",
    ]
    assert decode(buttons[0][1]) == WizardPress("abc123", "d", 0)
    assert all(len(data.encode()) <= 64 for _, data in buttons)
    chief_only = [text for text, _ in _buttons(districts_keyboard(draft, False, "nl"))]
    assert "▫️ Alle wijken" not in chief_only
    assert step_text(draft, "nl") == (
        "<b>Gebeurtenis:</b> Brand\n\n"
        "Welke wijken wil je peilen? Tik op een wijk om die aan of uit te zetten, dan op Verder."
    )


def test_preview_shows_the_group_text_exactly_and_what_goes_where() -> None:
    preview = Preview(
        event="Brand bij <moskee> & buurthuis",
        closes_at=CLOSES,
        show_tally=True,
        messages=(_message("Overvecht", 1), _message("Kanaleneiland", 2)),
        refused=(RefusedDistrict("Zuilen", "archived"),),
    )
    text, sample = preview_text(preview, AMS, "nl")
    assert text == (
        "👀 <b>Voorbeeld</b> — zo ziet de groep van Overvecht het bericht:\n\n"
        "📣 <b>Peiling</b> — Brand bij &lt;moskee&gt; &amp; buurthuis\n"
        "Hoe is de stemming in <b>Overvecht</b>?\n\n"
        "Antwoorden kan tot ma 2 nov 21:00.\n"
        "0 van 12 bondgenoten hebben gereageerd.\n\n"
        "Elke wijk krijgt het bericht met de eigen naam en aantallen.\n"
        "Gaat naar 2 wijken: Overvecht, Kanaleneiland\n"
        "Gaat niet naar:\n"
        "• Zuilen: wijk is gearchiveerd\n"
        "Verdeling: live zichtbaar voor de groepen.\n"
        "Sluit: ma 2 nov 21:00.\n\n"
        "Klopt alles? Tik op <b>Versturen</b>."
    )
    draft = Draft("abc123", CHOICES)
    buttons = _buttons(preview_keyboard(draft, sample, "nl"))
    assert [text for text, _ in buttons][-2:] == ["✅ Versturen", "Annuleren"]
    assert [text for text, _ in buttons][:6] == [
        "Rustig",
        "Onderwerp van gesprek",
        "Onrust",
        "Spanning loopt op",
        "Acuut",
        "Weet niet",
    ]
    # The sample buttons only explain: they carry the wizard's prefix, not an answer's.
    assert all(data.startswith("pl:abc123:p:") for _, data in buttons[:6])


def test_sent_and_nothing_to_send() -> None:
    started = CheckInStarted(
        7, "Brand", CLOSES, True, ("Overvecht",), (RefusedDistrict("Zuilen", "no_group"),)
    )
    assert sent_text(started, AMS, "nl") == (
        "✅ Peiling #7 verstuurd naar 1 wijk: Overvecht; sluit ma 2 nov 21:00.\n"
        "Gaat niet naar:\n• Zuilen: geen groep gekoppeld\n"
        "Je krijgt een verzendrapport zodra alles is afgeleverd."
    )
    assert sent_text(started, AMS, "en").startswith("✅ Check-in #7 sent to 1 district")
    refused = [RefusedDistrict("Zuilen", "archived"), RefusedDistrict("Noord", "unreachable")]
    assert nothing_to_send(refused, "nl") == (
        "Er is geen wijk die deze peiling nu kan krijgen:\n"
        "• Zuilen: wijk is gearchiveerd\n• Noord: groep niet bereikbaar"
    )


def test_close_outcomes_and_the_pick_list() -> None:
    closed = CheckInClosed(3, "Brand <b>", CLOSES, False, (), True)
    assert close_text(closed, 3, AMS, "nl").startswith(
        "🔒 Peiling #3 is gesloten: Brand &lt;b&gt;\n"
    )
    assert close_text(AlreadyClosed(3, CLOSES), 3, AMS, "nl") == (
        "Peiling #3 was al gesloten (ma 2 nov 21:00)."
    )
    assert close_text(Unknown(), 9, AMS, "nl") == "Ik ken geen peiling #9."
    assert close_text(DENIED, 3, AMS, "nl").startswith("Die peiling kun jij niet sluiten")
    assert [parse_id(x) for x in ("12", "#12", " 7 ", "x", "²", "-1")] == [
        12,
        12,
        7,
        None,
        None,
        None,
    ]
    long_event = "Een hele lange beschrijving van wat er gebeurde in de wijk vannacht"
    buttons = _buttons(close_keyboard([(4, long_event), (2, "Kort")], "nl"))
    assert buttons[0][0] == "🔒 #4 Een hele lange beschrijving van wat er…"
    assert decode(buttons[1][1]) == ClosePick(2)


def test_listing_shows_status_times_reach_and_the_own_answer() -> None:
    opened = CLOSES - timedelta(hours=6)
    lines = [
        CheckInLine(
            2, "Brand", CheckInStatus.OPEN, opened, CLOSES, None, ("Overvecht",), 3, 12, 3
        ),
        CheckInLine(1, "Rellen", CheckInStatus.CLOSED, opened, CLOSES, opened, (), 0, 0, None),
    ]
    assert listing_lines(lines, AMS, DEFAULT_SCALE, "nl") == [
        "📋 <b>Peilingen</b> — open en recent",
        "",
        "<b>#2</b> Brand",
        "🟢 open · sluit ma 2 nov 21:00",
        "Overvecht · 3 van 12 gereageerd",
        "Jouw antwoord: Onrust",
        "",
        "<b>#1</b> Rellen",
        "🔒 gesloten ma 2 nov 15:00",
        "nog niet afgeleverd · 0 van 0 gereageerd",
    ]
