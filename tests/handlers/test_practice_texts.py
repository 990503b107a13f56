"""What a practice check-in ("oefening") looks like: the mark on everything, the toggle, wiping."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.checkins.answers import answer_text
from handlers.checkins.closing import listing_lines
from handlers.checkins.practice import ASK, WipePress, confirm_keyboard, parse_wipe, refusal_text
from handlers.checkins.render import render_checkin, render_report, render_summary
from handlers.checkins.wizard_draft import PRACTICE, Draft, choose
from handlers.checkins.wizard_keyboards import preview_keyboard
from handlers.checkins.wizard_texts import sent_text
from handlers.i18n import t
from services.checkins import DEFAULT_SCALE
from services.checkins.outcomes import CheckInLine, CheckInStarted, Recorded, Unknown
from services.checkins.practice import NotPractice, StillOpen
from services.checkins.tally import tally_view
from services.checkins.views import (
    CheckInMessage,
    CheckInSummary,
    Comparison,
    Count,
    DeliveryReport,
    DistrictSummary,
)
from services.outcomes import DENIED
from storage.models import CheckInStatus

AMS = ZoneInfo("Europe/Amsterdam")
CLOSES = datetime(2026, 11, 2, 20, 0, tzinfo=UTC)
NL, EN = "🧪 Oefening — telt niet mee", "🧪 Practice — does not count"


def _message(practice: bool) -> CheckInMessage:
    return CheckInMessage(
        checkin_id=7,
        district_id=1,
        district="Zuilen",
        event="Kennismaking",
        closes_at=CLOSES,
        open=True,
        tally=tally_view(DEFAULT_SCALE, {}, 4, True),
        choices=DEFAULT_SCALE.levels,
        practice=practice,
    )


@pytest.mark.parametrize(("language", "mark"), [("nl", NL), ("en", EN)])
def test_the_group_message_and_private_copies_carry_the_mark_under_the_head(
    language: str, mark: str
) -> None:
    text, _ = render_checkin(_message(True), AMS, language)
    assert text.split("\n")[1] == mark
    private, _ = render_checkin(replace(_message(True), private=True, reminder=True), AMS, "nl")
    assert NL in private
    plain, _ = render_checkin(_message(False), AMS, language)
    assert mark not in plain


def test_the_answer_confirmation_starts_with_the_mark() -> None:
    recorded = Recorded(7, "Zuilen", 1, "scale.1", CLOSES, True, False, "E", practice=True)
    assert answer_text(recorded, AMS, "nl").startswith(f"{NL}\nGenoteerd: Rustig")
    assert not answer_text(replace(recorded, practice=False), AMS, "nl").startswith("🧪")


def test_summary_report_sent_text_and_listing_are_marked() -> None:
    previous = Comparison(6, "Eerder", CLOSES, 2.0, 0.5, 1.0, 0.25)
    district = DistrictSummary(
        1, "Zuilen", 2, 4, 0.5, (Count("1", "scale.1", 2),), 1.0, (), (), 0, (), previous, 2.0, 5
    )
    summary = CheckInSummary(7, "Kennismaking", CLOSES, CLOSES, (district,), (), practice=True)
    (text,) = render_summary(summary, AMS, "nl")
    assert text.split("\n")[1] == NL
    # Practice is compared with nothing: no usual level, no previous check-in.
    assert "Ten opzichte van" not in text and "gebruikelijk" not in text.lower()
    (real,) = render_summary(replace(summary, practice=False), AMS, "nl")
    assert "Ten opzichte van" in real and "Gebruikelijk" in real and NL not in real
    report = DeliveryReport(7, "Kennismaking", CLOSES, ("Zuilen",), (), (), practice=True)
    assert render_report(report, AMS, "nl").split("\n")[1] == NL
    started = CheckInStarted(7, "Kennismaking", CLOSES, True, ("Zuilen",), (), practice=True)
    assert sent_text(started, AMS, "nl").split("\n")[1] == NL
    line = CheckInLine(
        7, "Kennismaking", CheckInStatus.CLOSED, CLOSES, CLOSES, CLOSES, ("Zuilen",), 2, 4, None,
        practice=True,
    )  # fmt: skip
    lines = listing_lines([line], AMS, DEFAULT_SCALE, "nl")
    assert lines[lines.index(next(x for x in lines if "#7" in x)) + 1] == NL


def test_the_confirm_step_toggles_practice() -> None:
    draft = Draft("abc", ())
    labels = [b.text for row in preview_keyboard(draft, None, "nl").inline_keyboard for b in row]
    assert labels == ["🧪 Oefening? Tik om als oefening te versturen", "✅ Versturen", "Annuleren"]
    assert choose(draft, PRACTICE, 0, False) is None and draft.practice
    labels = [b.text for row in preview_keyboard(draft, None, "en").inline_keyboard for b in row]
    assert labels[0] == "🧪 Practice: on — does not count (tap to turn off)"
    choose(draft, PRACTICE, 0, False)
    assert not draft.practice


def test_wipe_command_parsing_buttons_and_refusals() -> None:
    assert parse_wipe("wis 12") == parse_wipe("wis #12") == parse_wipe("WIS 12") == 12
    assert parse_wipe("") is parse_wipe("wis") is parse_wipe("wis twaalf") is None
    assert parse_wipe("12") is None
    data = [
        str(b.callback_data) for row in confirm_keyboard(12, "nl").inline_keyboard for b in row
    ]
    assert data == ["ow:12:1", "ow:12:2"]
    assert WipePress.parse("ow:12:0") == WipePress(12, ASK)
    assert refusal_text(NotPractice(3), 3, "nl") == t("practice.wipe.not_practice", "nl", id=3)
    assert "nog open" in refusal_text(StillOpen(3), 3, "nl")
    assert refusal_text(Unknown(), 3, "en") == "There is no check-in #3 (any more)."
    assert refusal_text(DENIED, 3, "nl") == "Alleen coördinatoren kunnen oefeningen wissen."


def test_a_practice_summary_still_gets_its_chart() -> None:
    from handlers.checkins.charts import summary_pngs

    district = DistrictSummary(
        1, "Zuilen", 2, 4, 0.5, (Count("1", "scale.1", 2),), 1.0, (), (), 0, (), None
    )
    summary = CheckInSummary(7, "Kennismaking", CLOSES, CLOSES, (district,), (), practice=True)
    [png] = summary_pngs(summary, "nl")
    assert (
        png.startswith(b"\x89PNG")
        and png != summary_pngs(replace(summary, practice=False), "nl")[0]
    )
