"""The composition root hands every setting of issue 12 to the services that use it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from bot.compose import build_services
from bot.settings import Settings
from services.checkins.rules import BaselineRules
from services.ports import Clock


class _Stopped:
    def now(self) -> datetime:
        return datetime(2026, 12, 5, tzinfo=UTC)


def test_baseline_and_feedback_settings_reach_the_services() -> None:
    settings = Settings(
        baseline={
            "checkins": 8,
            "min_checkins": 4,
            "min_answers": 5,
            "steps_above": 0.5,
            "rising_level": 3,
        },
        feedback={"reminder_after_days": 2},
    )
    clock: Clock = _Stopped()
    services = build_services(settings, uow=None, clock=clock)  # type: ignore[arg-type]
    assert services.checkin_settings.baseline == BaselineRules(8, 4, 5, 0.5, 3)
    assert services.feedback_reminder_after == timedelta(days=2)
    assert Settings().baseline.checkins == BaselineRules().checkins  # the same defaults


def test_a_baseline_cannot_need_more_check_ins_than_it_takes() -> None:
    with pytest.raises(ValidationError, match=r"min_checkins \(6\) cannot exceed checkins \(5\)"):
        Settings(baseline={"min_checkins": 6})
