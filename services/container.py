"""The services of one running bot, built at start-up and reached through the context."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from services.access import Actor
from services.away import AwayService
from services.checkins import CheckIns, CheckInSettings
from services.checkins.broadcast import Sleep
from services.districts import DistrictService
from services.exports import ExportService
from services.feedback import FeedbackSender, FeedbackService
from services.group_lifecycle import GroupLifecycle
from services.groups import GroupService
from services.health import DatabaseWatch
from services.inbox import Inbox
from services.insight import InsightService
from services.intake import IntakeService
from services.invitations import InvitationService
from services.languages import Languages
from services.meetings import Meetings
from services.meetings.reminders import ReminderTimes
from services.members import MemberService
from services.outbox import Deps
from services.people import PeopleService
from services.ports import Clock, Notifier, Texts
from services.privacy import PrivacyService
from services.privacy.agreement import AgreementService
from services.privacy.policy import PrivacyPolicy
from services.privacy.retention import RetentionService
from services.pulse.service import PulseService
from services.refusals import Refusals
from services.user_states import UserStates
from storage.uow import UnitOfWorkFactory


@dataclass
class Services:
    """Everything the handlers may call; one instance per running Application."""

    uow: UnitOfWorkFactory
    clock: Clock
    notifier: Notifier
    tz: ZoneInfo
    language: str
    coordinator_ids: frozenset[int]
    # The catalogs' texts (handlers/i18n), for what services write themselves (exports).
    texts: Texts
    # From settings.invitations.expiry_days and settings.groups.link_grace_minutes.
    invitation_expiry_days: int = 7
    link_grace: timedelta = timedelta(minutes=10)
    # Scale, limits and timings of check-ins (defaults per issue 4).
    checkin_settings: CheckInSettings = field(default_factory=CheckInSettings)
    # From settings.privacy.pseudonym_key (as bytes) and settings.export.min_respondents.
    # Without a key there are no stable pseudonyms, so answers cannot be exported.
    pseudonym_key: bytes | None = None
    export_min_respondents: int = 5
    # From settings.checkins.quiet_hours_start/_end (local): no reminders in between.
    quiet_hours: tuple[time, time] = (time(22, 0), time(8, 0))
    # From settings.meetings.cadence_days: /overzicht flags a district without a meeting longer.
    meeting_cadence_days: int = 90
    # From settings.privacy and settings.retention: contact, erasure, copies, retention.
    privacy_policy: PrivacyPolicy = field(default_factory=PrivacyPolicy)
    # How background work waits (broadcast retries); the bot's own ends the wait on stop.
    sleep: Sleep = asyncio.sleep
    # From settings.feedback.reminder_after_days.
    feedback_reminder_after: timedelta = timedelta(days=3)
    # The languages the catalogs have (handlers/i18n.LANGUAGES); `language` is the default.
    available_languages: tuple[str, ...] = ("nl", "en")

    def actor(self, telegram_user_id: int, display_name: str) -> Actor:
        """Describe the person behind an update; coordinators are those in the config."""
        return Actor(telegram_user_id, display_name, telegram_user_id in self.coordinator_ids)

    @cached_property
    def deps(self) -> Deps:
        """What each service is built from."""
        return Deps(self.uow, self.clock, self.notifier)

    @cached_property
    def database(self) -> DatabaseWatch:
        """Outages of the database: logged once, coordinators told of a long one."""
        return DatabaseWatch(self.deps, self.coordinator_ids, self.languages.of)

    @cached_property
    def languages(self) -> Languages:
        """Each person's own language and each district group's, kept in memory."""
        return Languages(self.deps, self.language, self.available_languages)

    @cached_property
    def inbox(self) -> Inbox:
        """Updates kept from receipt until handled, replayed after a crash."""
        return Inbox(self.deps)

    @cached_property
    def user_states(self) -> UserStates:
        """Each person's unfinished conversation, shared by webhook workers."""
        return UserStates(self.deps)

    @cached_property
    def refusals(self) -> Refusals:
        """Forged presses and refused commands, counted in the audit log."""
        return Refusals(self.deps)

    @cached_property
    def districts(self) -> DistrictService:
        """Create, list, rename and archive districts."""
        return DistrictService(self.deps)

    @cached_property
    def groups(self) -> GroupService:
        """The bot added to groups, and groups linked to districts."""
        return GroupService(self.deps, self.link_grace)

    @cached_property
    def group_lifecycle(self) -> GroupLifecycle:
        """Groups left unlinked, lost, or migrated to supergroups."""
        return GroupLifecycle(self.deps, self.link_grace)

    @cached_property
    def invitations(self) -> InvitationService:
        """Coordinators' invitations: create, list, revoke."""
        return InvitationService(self.deps, self.invitation_expiry_days)

    @cached_property
    def intake(self) -> IntakeService:
        """Open, accept or decline an invitation link."""
        return IntakeService(self.deps, self.privacy_policy.agreement_version)

    @cached_property
    def members(self) -> MemberService:
        """Rosters, removals, roles taken, leaving."""
        return MemberService(self.deps)

    @cached_property
    def away(self) -> AwayService:
        """Key figures away for a while (/afwezig, /terug)."""
        return AwayService(self.deps)

    @cached_property
    def people(self) -> PeopleService:
        """Coordinators from the config, reachability, command menus."""
        return PeopleService(self.deps)

    @cached_property
    def checkins(self) -> CheckIns:
        """Check-ins: start, broadcast, answers, follow-ups, tallies, closing, summaries."""
        return CheckIns.build(
            self.deps, self.checkin_settings, self.group_lifecycle, self.people, self.sleep
        )

    @cached_property
    def pulses(self) -> PulseService:
        """Recurring pulse check-ins: schedule, list, pause, resume, delete; start when due."""
        return PulseService(self.deps, self.checkin_settings, self.checkins.start, self.tz)

    @cached_property
    def feedback(self) -> FeedbackService:
        """Feedback to the groups after a check-in, sent once each; the reminder about it."""
        sender = FeedbackSender(
            self.deps, self.checkin_settings, self.group_lifecycle, self.people, self.sleep
        )
        return FeedbackService(self.deps, sender, self.feedback_reminder_after)

    @cached_property
    def exports(self) -> ExportService:
        """Exports of answers, per-district summaries and the audit log, to a file."""
        return ExportService(
            self.uow,
            self.clock,
            self.tz,
            pseudonym_key=self.pseudonym_key,
            min_respondents=self.export_min_respondents,
            texts=self.texts,
            language=self.language,
            scale=self.checkin_settings.scale,
        )

    @cached_property
    def insight(self) -> InsightService:
        """Trends, the latest state per district, the audit log, what /export may offer."""
        return InsightService(
            self.deps,
            self.tz,
            self.checkin_settings,
            min_respondents=self.export_min_respondents,
        )

    @cached_property
    def privacy(self) -> PrivacyService:
        """What is kept and how long, copies of a person's data, erasure on request."""
        return PrivacyService(self.deps, self.privacy_policy)

    @cached_property
    def retention(self) -> RetentionService:
        """Remove what has been kept long enough (the daily job, `bondgenoten retention`)."""
        return RetentionService(self.deps, self.privacy_policy)

    @cached_property
    def agreement(self) -> AgreementService:
        """Members asked once to accept a new agreement version, and accepting it."""
        return AgreementService(self.deps, self.privacy_policy.agreement_version)

    @cached_property
    def meetings(self) -> Meetings:
        """Meetings with a meal: plan, invite, RSVPs, dietary needs, headcount."""
        return Meetings.build(
            self.deps,
            self.checkin_settings,
            self.group_lifecycle,
            self.people,
            ReminderTimes(self.tz, *self.quiet_hours),
            self.meeting_cadence_days,
        )
