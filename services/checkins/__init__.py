"""Check-ins after an event: start, broadcast, answer, follow up, tally, close, summarise."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from services.checkins.answers import AnswerService
from services.checkins.baseline import BaselineWatch
from services.checkins.broadcast import Broadcaster, Sleep
from services.checkins.closing import ClosingService
from services.checkins.followups import FollowUpService
from services.checkins.listing import CheckInListing
from services.checkins.outcomes import ALL, AllDistricts
from services.checkins.practice import PracticeService
from services.checkins.presses import PressBatch
from services.checkins.reminders import ReminderService
from services.checkins.report import DeliveryReports
from services.checkins.scale import DEFAULT_SCALE, CheckInSettings, Level, Scale
from services.checkins.start import CheckInStarter
from services.checkins.summary import SummaryService
from services.checkins.tally import TallyService
from services.group_lifecycle import GroupLifecycle
from services.outbox import Deps
from services.people import PeopleService

__all__ = [
    "ALL",
    "DEFAULT_SCALE",
    "AllDistricts",
    "CheckInSettings",
    "CheckIns",
    "Level",
    "Scale",
]


@dataclass(frozen=True)
class CheckIns:
    """The check-in services, one per responsibility, sharing deps and settings."""

    settings: CheckInSettings
    start: CheckInStarter
    broadcast: Broadcaster
    reports: DeliveryReports
    answers: AnswerService
    presses: PressBatch
    followups: FollowUpService
    tallies: TallyService
    closing: ClosingService
    summaries: SummaryService
    listing: CheckInListing
    reminders: ReminderService
    practice: PracticeService

    @classmethod
    def build(
        cls,
        deps: Deps,
        settings: CheckInSettings,
        groups: GroupLifecycle,
        people: PeopleService,
        sleep: Sleep = asyncio.sleep,
    ) -> CheckIns:
        """Wire the services together."""
        reports = DeliveryReports(deps)
        tallies = TallyService(deps, settings, groups)
        summaries = SummaryService(deps, settings)
        # One watch for presses and follow-ups: they share what it remembers per check-in.
        watch = BaselineWatch(settings.scale, settings.baseline)
        answers = AnswerService(deps, settings, watch)
        return cls(
            settings=settings,
            start=CheckInStarter(deps, settings),
            broadcast=Broadcaster(deps, settings, groups, people, reports, sleep),
            reports=reports,
            answers=answers,
            presses=PressBatch(answers),
            followups=FollowUpService(deps, settings, watch),
            tallies=tallies,
            closing=ClosingService(deps, settings, tallies, summaries),
            summaries=summaries,
            listing=CheckInListing(deps, settings),
            reminders=ReminderService(deps, settings, people),
            practice=PracticeService(deps),
        )
