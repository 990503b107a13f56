"""What a group, a chief and a coordinator read: the check-in message, report and summary."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from handlers.checkins.answer_keyboards import AnswerPress
from handlers.checkins.render import MESSAGE_LIMIT, render_checkin, render_report, render_summary
from handlers.render import render
from services.checkins.scale import DEFAULT_SCALE
from services.checkins.views import (
    CheckInMessage,
    CheckInSummary,
    Comparison,
    Count,
    DeliveryReport,
    DistrictSummary,
    FreeText,
    TallyView,
    Undelivered,
)
from services.ports import Notice

AMS = ZoneInfo("Europe/Amsterdam")
CLOSES = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)  # maandag 21:00 in Amsterdam


def _message(*, open_: bool = True, shown: bool = True, responded: int = 7) -> CheckInMessage:
    counts = tuple(
        Count(str(level.code), level.label_key, {1: 3, 3: 4}.get(level.code, 0))
        for level in DEFAULT_SCALE.levels
    )
    return CheckInMessage(
        checkin_id=12,
        district_id=3,
        district="Overvecht",
        event="Aanslag op moskee <Québec>",
        closes_at=CLOSES,
        open=open_,
        tally=TallyView(responded, 12, shown, counts if shown else ()),
        choices=DEFAULT_SCALE.levels if open_ else (),
    )


def test_open_group_message_shows_question_deadline_tally_and_six_buttons() -> None:
    text, keyboard = render_checkin(_message(), AMS, "nl")
    assert "Aanslag op moskee &lt;Québec&gt;" in text
    assert "Hoe is de stemming in <b>Overvecht</b>?" in text
    assert "Antwoorden kan tot ma 7 dec 21:00." in text
    assert "7 van 12 bondgenoten hebben gereageerd." in text
    assert "Rustig 3 · Onrust 4" in text
    assert keyboard is not None
    labels = [b.text for row in keyboard.inline_keyboard for b in row]
    assert labels == [
        "Rustig",
        "Onderwerp van gesprek",
        "Onrust",
        "Spanning loopt op",
        "Acuut",
        "Weet niet",
    ]
    data = [b.callback_data for row in keyboard.inline_keyboard for b in row]
    assert AnswerPress.parse(str(data[2])) == AnswerPress(12, 3, 3)


def test_hidden_tally_shows_only_the_response_count() -> None:
    text, _ = render_checkin(_message(shown=False, responded=1), AMS, "nl")
    assert "1 van 12 bondgenoten heeft gereageerd." in text
    assert "Rustig" not in text
    assert "getoond als de peiling sluit" in text


def test_closed_message_has_no_buttons_and_says_gesloten() -> None:
    text, keyboard = render_checkin(_message(open_=False), AMS, "nl")
    assert "Gesloten." in text and keyboard is None
    assert "Antwoorden kan tot" not in text


def test_report_names_failed_districts_and_reasons() -> None:
    report = DeliveryReport(
        checkin_id=12,
        event="Couppoging",
        closes_at=CLOSES,
        sent=("Overvecht", "Zuilen"),
        undelivered=(Undelivered("Kanaleneiland", "kicked", "Forbidden: bot was kicked"),),
        pending=(),
    )
    text = render_report(report, AMS, "nl")
    assert "Verstuurd naar 2 wijken: Overvecht, Zuilen" in text
    assert "Kanaleneiland: bot is uit de groep verwijderd (Forbidden: bot was kicked)" in text


def _district(name: str, texts: int = 0) -> DistrictSummary:
    return DistrictSummary(
        district_id=1,
        district=name,
        responded=3,
        key_figures=4,
        response_rate=0.75,
        counts=(Count("1", "scale.1", 1), Count("3", "scale.3", 2)),
        median=3.0,
        directions=(Count("rising", "direction.rising", 2),),
        themes=(Count("polarisatie", "theme.polarisatie", 1),),
        contact_requests=1,
        free_texts=tuple(FreeText(chr(65 + i % 26), "x" * 900 + "<b>") for i in range(texts)),
        previous=None,
    )


def test_summary_shows_rate_median_and_escaped_free_text() -> None:
    summary = CheckInSummary(12, "Couppoging", CLOSES, CLOSES, (_district("Zuilen", 1),), ())
    (text,) = render_summary(summary, AMS, "nl")
    assert "<b>Zuilen</b>: 3 van 4 gereageerd (75%)" in text
    assert "Mediaan: 3 (Onrust)" in text
    assert "1 contactverzoek" in text
    assert "&lt;b&gt;" in text


def test_long_summary_is_split_without_cutting_lines() -> None:
    summary = CheckInSummary(12, "E", CLOSES, CLOSES, (_district("A", 6), _district("B", 6)), ())
    parts = render_summary(summary, AMS, "nl")
    assert len(parts) > 1
    assert all(len(p) <= MESSAGE_LIMIT for p in parts)
    assert sum(p.count("Bondgenoot ") for p in parts) == 12


def _compared(median_delta: float | None, rate_delta: float | None) -> DistrictSummary:
    previous = Comparison(
        checkin_id=9,
        event="Couppoging",
        closed_at=CLOSES,
        median=2.0,
        response_rate=0.5,
        median_delta=median_delta,
        response_rate_delta=rate_delta,
    )
    return replace(_district("Overvecht"), previous=previous)


def _one(district: DistrictSummary, language: str = "nl") -> str:
    summary = CheckInSummary(12, "Aanslag", CLOSES, CLOSES, (district,), ())
    (text,) = render_summary(summary, AMS, language)
    return text


def test_comparison_shows_response_rate_change_next_to_median_change() -> None:
    text = _one(_compared(1.0, 0.25))
    expected = "vorige peiling (Couppoging): mediaan +1, respons +25 procentpunten"
    assert f"Ten opzichte van {expected}" in text
    text = _one(_compared(-0.5, -0.01), "en")
    assert "previous check-in (Couppoging): median -0.5, response -1 percentage point" in text


def test_comparison_without_a_previous_median_still_shows_the_response_change() -> None:
    text = _one(_compared(None, 0.0))
    assert "(Couppoging): respons 0 procentpunten" in text
    assert "mediaan +" not in text


def test_no_comparison_line_when_nothing_can_be_compared() -> None:
    assert "vorige peiling" not in _one(_compared(None, None))


def test_half_step_median_names_both_levels() -> None:
    text = _one(replace(_district("Overvecht"), median=3.5))
    assert "Mediaan: 3,5 — tussen Onrust en Spanning loopt op" in text
    english = _one(replace(_district("Overvecht"), median=1.5), "en")
    assert "Median: 1.5 — between Calm and Talked about" in english


def _period(opened: datetime, closed: datetime) -> str:
    summary = CheckInSummary(12, "E", opened, closed, (_district("A"),), ())
    return render_summary(summary, AMS, "nl")[0].split("\n")[1]


def test_period_reads_naturally_for_same_minute_same_day_and_longer() -> None:
    opened = datetime(2026, 12, 7, 8, 0, 5, tzinfo=UTC)
    same_minute = _period(opened, opened.replace(second=50))
    assert same_minute == "Kort open: ma 7 dec 09:00, binnen dezelfde minuut weer dicht."
    assert _period(opened, opened.replace(hour=20)) == "Open van ma 7 dec 09:00 tot 21:00."
    later = _period(opened, datetime(2026, 12, 8, 8, 0, tzinfo=UTC))
    assert later == "Open van ma 7 dec 09:00 tot di 8 dec 09:00."


def test_summary_says_where_a_district_stands_against_its_usual_level() -> None:
    above = _one(replace(_district("Overvecht"), baseline=2.0, baseline_checkins=5))
    assert "Gebruikelijk: mediaan 2 (laatste 5 peilingen) — nu 1 hoger" in above
    level = _one(replace(_district("Overvecht"), baseline=3.0, baseline_checkins=3), "en")
    assert "Usual level: median 3 (last 3 check-ins) — now at that level" in level
    below = _one(replace(_district("Overvecht"), baseline=3.5, baseline_checkins=4))
    assert "— nu 0,5 lager" in below
    assert "nog niet bekend" in _one(_district("Overvecht"))


def test_baseline_alert_reads_as_the_issue_says() -> None:
    params = {"district": "Overvecht", "event": "Couppoging", "checkin_id": 7}
    notice = Notice("baseline.alert_above", params | {"median": 4.0, "usual": 2.0})
    text = render(notice, AMS, "nl")
    assert "<b>Overvecht</b>: duidelijk onrustiger dan gebruikelijk — mediaan 4, normaal 2" in text
    rising = render(Notice("baseline.alert_rising", params | {"median": 4.5}), AMS, "en")
    assert "tension is rising" in rising and "(median 4.5)" in rising
