"""`bondgenoten demo` plays the whole loop without a token, on SQLite and on PostgreSQL."""

from __future__ import annotations

import html
import json
import re
import string

import pytest

from bot.cli import main
from handlers.i18n import keys, t, translations

# The demo runs the real bot against the sandbox over HTTP: end to end.
pytestmark = pytest.mark.e2e


def test_demo_runs_the_loop_and_reports_what_the_chief_sees(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # A plain postgresql:// URL works, as it does in the config file.
    plain = db_url.replace("postgresql+asyncpg://", "postgresql://")
    assert main(["demo", "--json", "--database", plain]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["districts"], result["members"]) == (3, 24)
    assert result["answers_pressed"] == result["answers_stored"] == 24
    assert (result["deliveries_sent"], result["deliveries_failed"]) == (3, 0)
    assert result["delivery_report"].startswith("📬 Verzendrapport peiling #1")
    assert any(a.startswith("🚨 Acuut in Overvecht") for a in result["alerts"])
    assert result["summary_text"][0].startswith("📊 Samenvatting peiling #1")
    by_name = {d["district"]: d for d in result["summary"]["districts"]}
    assert by_name["Overvecht"]["median"] == 3.0
    assert by_name["Zuilen"]["median"] == 1.0
    assert by_name["Kanaleneiland"]["responded"] == by_name["Kanaleneiland"]["key_figures"] == 8
    # One key figure answered only after the reminder, and only they were reminded.
    assert result["reminders_sent"] == 1
    assert result["reminders_to_people_who_had_answered"] == 0
    assert by_name["Zuilen"]["responded"] == 8
    # Jan (who asked, chief of all three), Petra and Ahmed each got a summary.
    assert result["chiefs"] == result["summaries_to_chiefs"] == 3
    # The chief closes the loop: each of the three groups gets the feedback once.
    assert result["feedback_delivered"] == 3
    assert result["feedback_report"].startswith(
        "📬 Terugkoppeling op peiling #1 verstuurd naar Kanaleneiland, Overvecht, Zuilen."
    )
    # After the check-in, the meal: RSVPs by button, dietary needs privately, the headcount.
    meeting = result["meeting"]
    assert (meeting["invited"], meeting["coming"], meeting["maybe"]) == (24, 5, 2)
    assert (meeting["not_coming"], meeting["headcount"]) == (2, 7)
    assert meeting["dietary"] == {
        "halal": 2, "vegetarian": 1, "gluten_free": 1, "nut_allergy": 1
    }  # fmt: skip
    assert meeting["headcount_text"].startswith("📋 Telling bijeenkomst #1")
    assert "Fatima" not in json.dumps(meeting, ensure_ascii=False)
    # Besides check-ins after events: a monthly pulse, scheduled and listed with its buttons.
    pulse = result["pulse"]
    assert pulse["schedules"] == 1
    assert "#1 Maandelijkse peiling: Hoe is de stemming deze maand?" in pulse["scheduled_text"]
    assert (
        "elke eerste maandag van de maand om 10:00, 2 dagen open · Overvecht, Zuilen"
        in (pulse["list_text"])
    )
    assert pulse["buttons"] == ["⏸ Pauzeer #1", "🗑 Verwijder #1"]
    assert pulse["next_due_at"] is not None
    # Someone whose Telegram speaks English is answered in English (issue 16).
    english = result["english_key_figure"]
    assert english["language"] == "en"
    assert english["welcome"].startswith("Welcome to the key figures of Overvecht!")
    # A practice check-in: marked in the group and the confirmation, counted nowhere, wiped.
    practice = result["practice"]
    mark = "🧪 Oefening — telt niet mee"
    assert practice["group_text"].split("\n")[1] == mark
    assert practice["answer_confirmation"].startswith(f"{mark}\nGenoteerd: Rustig")
    assert practice["summary_text"].split("\n")[1] == mark
    assert (practice["answers_stored"], practice["answers_left_after_wipe"]) == (1, 0)
    assert practice["wipe_text"].startswith(f"🗑 Oefening #{practice['checkin_id']} is gewist")


def test_demo_prints_for_people_on_a_temporary_database(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Wat de chef ontving:" in out
    assert "Overvecht: 8 van 8 gereageerd (100%)" in out
    assert "Antwoorden gedrukt 24, opgeslagen 24; bezorgingen verstuurd 3, mislukt 0;" in out
    assert (
        "Herinneringen verstuurd: 1 (aan wie al had geantwoord: 0); samenvattingen bereikten 3 "
        "van de 3 chefs." in out
    )
    assert "terugkoppeling in 3 groepen;" in out
    assert "Eten voor 7 personen (komen + misschien)" in out
    assert "#1 Maandelijkse peiling: Hoe is de stemming deze maand?" in out
    assert "Welcome to the key figures of Overvecht!" in out
    assert "🧪 Oefening — telt niet mee" in out


# District, place and people's names are names, in every language.
_NAMES = re.compile(r"Overvecht|Kanaleneiland|Zuilen|Québec|Al Amal|Bondgenoten")


def _dutch_sentences() -> set[str]:
    """The fixed words of every Dutch text that English says differently, in pieces of at
    least three words, as a reader would see them (no tags, no placeholders)."""
    catalog, english = translations("nl"), translations("en")
    pieces = set()
    for key in keys("nl"):
        for n in (1, 2):
            text = catalog.ngettext(key, key, n) if n == 2 else catalog.gettext(key)
            if text == key or text in (english.gettext(key), english.ngettext(key, key, n)):
                continue
            for literal, *_ in string.Formatter().parse(text):
                plain = _NAMES.sub("", html.unescape(re.sub(r"<[^>]+>", "", literal)))
                for line in plain.splitlines():
                    if len(line.split()) >= 3:
                        pieces.add(line.strip())
    return pieces


def test_demo_in_english_shows_no_dutch_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--language", "en"]) == 0
    out = capsys.readouterr().out
    assert "What the chief received:" in out
    assert "Overvecht: 8 of 8 responded (100%)" in out
    assert "Median: 3 (Unrest)" in out
    assert "Food for 7 people (coming + maybe)" in out
    assert "Answers pressed 24, stored 24; deliveries sent 3, failed 0;" in out
    dutch = sorted(piece for piece in _dutch_sentences() if piece in out)
    assert dutch == []
    # The texts the demo's people type are in English too.
    assert t("demo.event", "en") in out and t("demo.event", "nl") not in out
    assert "Wat " not in out and " de " not in out and " het " not in out


def test_demo_in_turkish_and_arabic_json_says_its_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--language", "tr", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["language"] == "tr"
    assert result["answers_pressed"] == result["answers_stored"] == 24
    assert result["delivery_report"].startswith("📬 Gönderim raporu anket #1")
    assert "Overvecht: 8 kişiden 8 cevap (%100)" in result["summary_text"][0]
    assert result["meeting"]["headcount"] == 7
    assert main(["demo", "--language", "ar"]) == 0
    out = capsys.readouterr().out
    # Latin names in an Arabic sentence are isolated, so they keep their place.
    assert "🚨 حرج في \u2068Overvecht\u2069" in out
    assert "أجاب \u20688\u2069 من أصل \u20688\u2069" in out


def test_demo_refuses_an_unknown_language(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--language", "fr"]) == 2
    assert capsys.readouterr().err == (
        "error: --language 'fr' bestaat niet; kies uit nl, en, ar, tr\n"
    )
