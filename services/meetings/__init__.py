"""Meetings with a meal: planning, invitations, RSVPs, dietary needs, the headcount."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from services.checkins.scale import CheckInSettings
from services.group_lifecycle import GroupLifecycle
from services.meetings.actions import ActionService
from services.meetings.cadence import CadenceService
from services.meetings.changes import MeetingChanges
from services.meetings.dietary import DietaryService
from services.meetings.headcount import HeadcountService
from services.meetings.planning import MeetingPlanner
from services.meetings.reminders import ReminderService, ReminderTimes
from services.meetings.rsvp import RsvpService
from services.meetings.sending import InvitationSender
from services.meetings.talking import TalkingPointsService
from services.outbox import Deps
from services.people import PeopleService


@dataclass(frozen=True)
class Meetings:
    """The meeting services, one per responsibility, sharing deps and settings."""

    planner: MeetingPlanner
    sender: InvitationSender
    rsvps: RsvpService
    dietary: DietaryService
    headcount: HeadcountService
    reminders: ReminderService
    changes: MeetingChanges
    cadence: CadenceService
    actions: ActionService
    talking_points: TalkingPointsService

    @classmethod
    def build(
        cls,
        deps: Deps,
        settings: CheckInSettings,
        groups: GroupLifecycle,
        people: PeopleService,
        times: ReminderTimes,
        cadence_days: int = 90,
    ) -> Meetings:
        """Wire the services together."""
        return cls(
            planner=MeetingPlanner(deps),
            sender=InvitationSender(deps, settings, groups, people),
            rsvps=RsvpService(deps, settings, groups),
            dietary=DietaryService(deps),
            headcount=HeadcountService(deps),
            reminders=ReminderService(deps, times),
            changes=MeetingChanges(deps),
            cadence=CadenceService(deps, cadence_days),
            actions=ActionService(deps, times),
            talking_points=TalkingPointsService(
                deps, settings.scale, timedelta(days=cadence_days)
            ),
        )
