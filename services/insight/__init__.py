"""Insight into the sentiment log: trends, the latest state per district, the audit log."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from services.access import Actor
from services.checkins.scale import CheckInSettings
from services.insight.audit import audit_page
from services.insight.overview import district_states
from services.insight.periods import (
    PRESETS,
    Period,
    PeriodProblem,
    Preset,
    parse_period,
)
from services.insight.scope import visible_districts
from services.insight.trend import district_trends
from services.insight.views import (
    AuditLine,
    AuditPage,
    DistrictState,
    DistrictTrend,
    ExportChoices,
    LastCheckIn,
    Overview,
    Trend,
    TrendPoint,
)
from services.outbox import Deps
from services.outcomes import DENIED, Denied, UnknownDistrict

__all__ = [
    "PRESETS",
    "AuditLine",
    "AuditPage",
    "DistrictState",
    "DistrictTrend",
    "ExportChoices",
    "InsightService",
    "LastCheckIn",
    "Overview",
    "Period",
    "PeriodProblem",
    "Preset",
    "Trend",
    "TrendPoint",
    "parse_period",
]


class InsightService:
    """Read-only looks into the log for coordinators and chiefs; nothing here writes."""

    def __init__(
        self,
        deps: Deps,
        tz: ZoneInfo,
        settings: CheckInSettings,
        *,
        min_respondents: int = 5,
        trend_points: int = 10,
        trend_districts: int = 24,
        contact_window: timedelta = timedelta(days=30),
        audit_page_size: int = 10,
    ) -> None:
        self._deps, self._tz, self._settings = deps, tz, settings
        self.min_respondents = min_respondents
        self.trend_points, self.trend_districts = trend_points, trend_districts
        self.contact_window = contact_window
        self.audit_page_size = audit_page_size

    async def trend(
        self, actor: Actor, district: str | None = None
    ) -> Trend | Denied | UnknownDistrict:
        """Return the median and response rate of each closed check-in, per visible district."""
        async with self._deps.uow.read_only() as uow:
            found = await visible_districts(uow.session, actor, district)
            if isinstance(found, Denied | UnknownDistrict):
                return found
            return await district_trends(
                uow.session,
                found,
                self._settings.scale,
                points=self.trend_points,
                max_districts=self.trend_districts,
                min_respondents=self.min_respondents,
            )

    async def overview(self, actor: Actor) -> Overview | Denied:
        """Return each visible district's latest check-in and its recent contact requests."""
        since = self._deps.clock.now() - self.contact_window
        async with self._deps.uow.read_only() as uow:
            found = await visible_districts(uow.session, actor)
            if isinstance(found, Denied | UnknownDistrict):
                return DENIED
            return await district_states(uow.session, found, self._settings.scale, since)

    async def audit(
        self, actor: Actor, *, before: int | None = None, after: int | None = None
    ) -> AuditPage | Denied:
        """Return a page of the audit log, newest first (coordinators only)."""
        if not actor.is_coordinator:
            return DENIED
        async with self._deps.uow.read_only() as uow:
            return await audit_page(
                uow.session, before=before, after=after, size=self.audit_page_size
            )

    async def export_choices(self, actor: Actor) -> ExportChoices | Denied:
        """Return the districts /export may offer, and whether names may be asked for."""
        async with self._deps.uow.read_only() as uow:
            found = await visible_districts(uow.session, actor)
            if isinstance(found, Denied | UnknownDistrict):
                return DENIED
            return ExportChoices(
                tuple(d.name for d in found), actor.is_coordinator, self.min_respondents
            )

    def today(self) -> date:
        """Return today's date in the configured time zone (period presets count from it)."""
        return self._deps.clock.now().astimezone(self._tz).date()
