"""/privacy and the intake agreement state the same retention periods, from the configuration."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.people.intake_texts import agreement_text
from handlers.privacy.texts import privacy_text, retention_lines
from services.intake import InvitationValid
from services.privacy.policy import PrivacyPolicy, Retention
from storage.models import Role

AMS = ZoneInfo("Europe/Amsterdam")
POLICY = PrivacyPolicy(
    retention=Retention(
        free_texts_days=1,
        answers_days=400,
        invitations_days=14,
        audit_days=1000,
        left_people_days=60,
    ),
    contact="privacy@utrecht.example",
)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_privacy_and_the_agreement_render_the_configured_periods(language: str) -> None:
    lines = retention_lines(POLICY, language)
    offer = InvitationValid(
        "Overvecht", Role.KEY_FIGURE, POLICY.agreement_version, datetime.now(UTC), None, None
    )
    statement = privacy_text(POLICY, language)
    agreement = agreement_text(offer, AMS, language, POLICY)
    assert lines in statement and lines in agreement
    for figure in ("1 ", "400 ", "14 ", "1000 ", "60 "):
        assert figure in lines
    assert "privacy@utrecht.example" in statement
    # The singular: one day, not one days.
    assert (" 1 dag " if language == "nl" else " 1 day ") in lines


def test_the_agreement_version_follows_the_promises() -> None:
    assert POLICY.agreement_version == "2026-12-v3/1-400-14-1000-60-a"
    assert PrivacyPolicy().agreement_version != POLICY.agreement_version
    assert len(PrivacyPolicy(Retention(9999, 9999, 9999, 9999, 9999)).agreement_version) <= 40


def test_without_a_contact_privacy_points_to_the_coordinator() -> None:
    assert "coördinator" in privacy_text(PrivacyPolicy(), "nl")
