"""The /bijeenkomst wizard's draft in the organiser's user_data, and reading typed times.

Like the /peiling draft: memory only (a restart drops it, nothing half-done is stored), one
per person, its id in the callback data so an old wizard's buttons miss a newer draft.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from handlers.context import BotContext
from services.meetings.views import DistrictOption, MeetingDetails

_KEY = "bijeenkomst.draft"

# Button actions: toggle a district, districts done, RSVP deadline (days before), no note,
# send, cancel.
TOGGLE, DISTRICTS_DONE, DEADLINE, NO_NOTE, SEND, CANCEL = "d", "dok", "rd", "nn", "ok", "x"
STEP_ACTIONS: dict[str, frozenset[str]] = {
    "districts": frozenset({TOGGLE, DISTRICTS_DONE}),
    "deadline": frozenset({DEADLINE}),
    "note": frozenset({NO_NOTE}),
    "preview": frozenset({SEND}),
}
# The RSVP deadline buttons: this many days before the meeting, at the same time of day.
DEADLINE_DAYS = (1, 2, 3, 7)

Step = Literal["districts", "when", "place", "meal", "deadline", "note", "preview"]

_WHEN = re.compile(
    r"^\s*(?:\w+\s+)?(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2}|\d{4}))?\s*(?:om\s+|at\s+)?"
    r"(\d{1,2})[:.](\d{2})\s*$",
    re.IGNORECASE,
)


@dataclass
class MeetingDraft:
    """What the organiser chose so far; the service checks it all again on sending."""

    id: str
    options: tuple[DistrictOption, ...]
    selected: set[int] = field(default_factory=set)  # indexes into options
    districts_done: bool = False
    starts_at: datetime | None = None
    place: str | None = None
    meal: str | None = None
    rsvp_deadline: datetime | None = None
    note: str | None = None  # None: not asked yet; "": none
    sent_as: int | None = None

    def district_ids(self) -> list[int]:
        """The chosen districts' ids."""
        return [self.options[i].district_id for i in sorted(self.selected)]

    def details(self) -> MeetingDetails:
        """The meeting as the service takes it (only once every step is answered)."""
        assert self.starts_at and self.place and self.meal and self.rsvp_deadline
        return MeetingDetails(
            self.starts_at, self.place, self.meal, self.rsvp_deadline, self.note or ""
        )

    def step(self) -> Step:
        """The first thing still missing."""
        if not self.districts_done:
            return "districts"
        if self.starts_at is None:
            return "when"
        if self.place is None:
            return "place"
        if self.meal is None:
            return "meal"
        if self.rsvp_deadline is None:
            return "deadline"
        if self.note is None:
            return "note"
        return "preview"


def new_draft(context: BotContext, options: list[DistrictOption]) -> MeetingDraft:
    """Start a draft with the organiser's own districts preselected, replacing an older one."""
    draft = MeetingDraft(secrets.token_urlsafe(4), tuple(options))
    draft.selected = {i for i, o in enumerate(options) if o.own}
    if len(options) == 1:
        draft.selected, draft.districts_done = {0}, True
    user_data: dict[Any, Any] | None = context.user_data
    if user_data is not None:
        user_data[_KEY] = draft
    return draft


def find_draft(context: BotContext, draft_id: str) -> MeetingDraft | None:
    """The person's draft with this id, or None when it is gone or replaced."""
    user_data: dict[Any, Any] | None = context.user_data
    draft = user_data.get(_KEY) if user_data is not None else None
    return draft if isinstance(draft, MeetingDraft) and draft.id == draft_id else None


def drop_draft(context: BotContext) -> None:
    """Forget the person's draft."""
    if context.user_data is not None:
        context.user_data.pop(_KEY, None)


def parse_when(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """Read '18-12 18:30' or 'vr 18-12-2026 18:30' as a local time; None if it is not one.

    Without a year: the next such day from now on. Returned aware, in UTC.
    """
    found = _WHEN.match(text)
    if found is None:
        return None
    day, month, year, hour, minute = found.groups()
    local_now = now.astimezone(tz)
    years = [int(year) + (2000 if len(year) == 2 else 0)] if year else [local_now.year]
    if not year:
        years.append(local_now.year + 1)
    for y in years:
        try:
            at = datetime(y, int(month), int(day), int(hour), int(minute), tzinfo=tz)
        except ValueError:
            return None
        if year or at > local_now:
            return at.astimezone(ZoneInfo("UTC"))
    return None


def deadline_for(starts_at: datetime, days: int, tz: ZoneInfo) -> datetime:
    """The RSVP deadline this many days before the start, at the same local time."""
    local = starts_at.astimezone(tz).replace(tzinfo=None) - timedelta(days=days)
    return local.replace(tzinfo=tz).astimezone(ZoneInfo("UTC"))
