"""What may be exported: the request, its period in local days, and who may see which districts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.access import Actor, Need, resolve_district
from services.exports.outcomes import (
    BadPeriod,
    ExportFormat,
    ExportKind,
    NamesNotAllowed,
    Refused,
)
from services.outcomes import DENIED, Denied, UnknownDistrict
from storage.models import District
from storage.queries import exports
from storage.queries.exports import Window

# Whoever runs the command line can read the config and the database: they may see everything.
# resolve_district only looks at is_coordinator for such an actor.
_COMMAND_LINE = Actor(0, "command line", is_coordinator=True)


@dataclass(frozen=True)
class ExportRequest:
    """What someone asks to export; empty districts mean all (a chief: all of their own)."""

    format: ExportFormat
    kind: ExportKind = "answers"
    since: date | None = None
    until: date | None = None
    districts: tuple[str, ...] = ()
    names: bool = False
    # Summaries only: blank the figures of rows with fewer respondents than this; None takes
    # the configured export.min_respondents (suppression is never off: k = 1 hides nothing).
    min_respondents: int | None = None
    # Answers and summaries: include practice check-ins (issue 17), marked in a column.
    practice: bool = False


@dataclass(frozen=True)
class ExportFilter:
    """A request resolved and allowed: the rows to read, and names or not."""

    window: Window
    districts: tuple[str, ...]  # the names, () for all (never for a chief)
    names: bool


def local_days(since: date | None, until: date | None, tz: ZoneInfo) -> Window | BadPeriod:
    """The UTC interval of whole local days, both ends included.

    Midnight is taken in the local zone, so a day across a clock change is 23 or 25 hours.
    """
    if since is not None and until is not None and since > until:
        return BadPeriod(since.isoformat(), until.isoformat())
    start = None if since is None else datetime.combine(since, time.min, tzinfo=tz)
    after = None if until is None else until + timedelta(days=1)
    end = None if after is None else datetime.combine(after, time.min, tzinfo=tz)
    return Window(start=start, end=end)


async def resolve(
    session: AsyncSession, actor: Actor | None, request: ExportRequest, tz: ZoneInfo
) -> ExportFilter | Refused:
    """Check the request against the actor's rights; actor None is the command line."""
    period = local_days(request.since, request.until, tz)
    if isinstance(period, BadPeriod):
        return period
    period = replace(period, practice=request.practice and request.kind != "audit")
    names = request.names and request.kind == "answers"
    if actor is None or actor.is_coordinator:
        if request.kind == "audit" or not request.districts:
            return ExportFilter(period, (), names)
        chosen = await _districts(session, actor or _COMMAND_LINE, request.districts)
    else:
        # The audit log shows everybody's doings: coordinators only.
        own = await exports.chief_districts(session, actor.telegram_user_id)
        if request.kind == "audit" or not own:
            return DENIED
        if request.names:
            return NamesNotAllowed()
        chosen = await _districts(session, actor, request.districts) if request.districts else own
    if isinstance(chosen, Denied | UnknownDistrict):
        return chosen
    window = replace(period, district_ids=frozenset(d.id for d in chosen))
    return ExportFilter(window, tuple(d.name for d in chosen), names)


async def _districts(
    session: AsyncSession, actor: Actor, names: tuple[str, ...]
) -> list[District] | Denied | UnknownDistrict:
    found: dict[int, District] = {}
    for name in names:
        # Need.CHIEF: a chief gets Denied for another district and for an unknown one alike.
        district = await resolve_district(session, actor, name, Need.CHIEF)
        if isinstance(district, Denied | UnknownDistrict):
            return district
        found[district.id] = district
    return sorted(found.values(), key=lambda d: d.name_key)
