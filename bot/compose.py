"""The one composition root: the services of a bot, an export or the demo, from the settings.

`bondgenoten run` (and through it the demo and the benchmark, which run the real bot) and the
command-line export build their services here, so every setting reaches every entrypoint.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import NoReturn, cast

from bot.settings import Settings
from handlers.i18n import LANGUAGES, t
from services.checkins import CheckInSettings
from services.checkins.broadcast import Sleep
from services.checkins.quiet import QuietHours
from services.checkins.rules import BaselineRules
from services.container import Services
from services.ports import Clock, Notifier
from services.privacy.policy import PrivacyPolicy, Retention
from storage.uow import UnitOfWorkFactory


class _NoMessages:
    """The notifier of a command that sends no messages (an export): any use is a bug."""

    def __getattr__(self, name: str) -> NoReturn:
        raise RuntimeError(f"this command sends no messages (asked for {name})")


OFFLINE = cast(Notifier, _NoMessages())


def checkin_settings(settings: Settings) -> CheckInSettings:
    """The check-in loop's knobs that the config file sets; the rest keep their defaults."""
    given, usual = settings.checkins, settings.baseline
    return CheckInSettings(
        tally_interval=timedelta(seconds=given.tally_edit_interval_seconds),
        default_duration=timedelta(hours=given.default_duration_hours),
        quiet_hours=QuietHours(given.quiet_hours_start, given.quiet_hours_end, settings.tz),
        reminders_per_person=given.reminders_per_person,
        reminder_fractions=tuple(given.reminder_at_fractions),
        reminder_before_deadline=tuple(
            timedelta(hours=h) for h in given.reminder_hours_before_deadline
        ),
        baseline=BaselineRules(
            checkins=usual.checkins,
            min_checkins=usual.min_checkins,
            min_answers=usual.min_answers,
            steps_above=usual.steps_above,
            rising_level=usual.rising_level,
        ),
    )


def privacy_policy(settings: Settings) -> PrivacyPolicy:
    """The privacy and retention settings, as the services know them."""
    kept = settings.retention
    return PrivacyPolicy(
        retention=Retention(
            free_texts_days=kept.free_texts_days,
            answers_days=kept.answers_days,
            invitations_days=kept.invitations_days,
            audit_days=kept.audit_days,
            left_people_days=kept.left_people_days,
        ),
        contact=settings.privacy.contact,
        erased_answers=settings.privacy.erased_answers,
        copy_interval=timedelta(minutes=settings.privacy.copy_interval_minutes),
    )


def build_services(
    settings: Settings,
    uow: UnitOfWorkFactory,
    clock: Clock,
    notifier: Notifier = OFFLINE,
    sleep: Sleep = asyncio.sleep,
) -> Services:
    """Build every service from the settings, on this database, clock and notifier."""
    key = settings.privacy.pseudonym_key
    return Services(
        uow=uow,
        clock=clock,
        notifier=notifier,
        tz=settings.tz,
        language=settings.language,
        coordinator_ids=frozenset(settings.coordinators),
        texts=t,
        invitation_expiry_days=settings.invitations.expiry_days,
        link_grace=timedelta(minutes=settings.groups.link_grace_minutes),
        checkin_settings=checkin_settings(settings),
        pseudonym_key=None if key is None else key.get_secret_value().encode(),
        export_min_respondents=settings.export.min_respondents,
        quiet_hours=(settings.checkins.quiet_hours_start, settings.checkins.quiet_hours_end),
        meeting_cadence_days=settings.meetings.cadence_days,
        privacy_policy=privacy_policy(settings),
        sleep=sleep,
        feedback_reminder_after=timedelta(days=settings.feedback.reminder_after_days),
        available_languages=tuple(LANGUAGES),
    )
