"""Talking points from the signals: what happened in each district since its previous
meeting — each check-in with its median and change, the themes most raised, contact
requests, acute alerts, the actions still open — plus the organiser's own notes.

Not an agenda (the meeting has no chair): a short draft the organiser adds to and leaves
lines out of, then sends to those coming. The draft is built fresh each time; only the
notes, the lines left out and the send are stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.access import Actor
from services.checkins.scale import Scale
from services.checkins.stats import median
from services.meetings.actions import open_for
from services.meetings.headcount import may_see
from services.meetings.views import CheckInPoint, DistrictPoints, TalkingPointsView
from services.outbox import Deps, send_all
from services.outcomes import DENIED, Denied
from storage.models import District, Meeting, MeetingStatus, TalkingPoints
from storage.queries import meeting_reminders as reminders
from storage.queries import meetings, signals

MAX_NOTE, MAX_NOTES = 300, 20
TOP_THEMES = 3


class TalkingPointsService:
    """Build the draft, keep the organiser's notes, send it to those coming."""

    def __init__(self, deps: Deps, scale: Scale, first_window: timedelta) -> None:
        self._deps = deps
        self._scale = scale
        # A district's first meeting looks back this far (the cadence): there is no previous.
        self._first_window = first_window

    async def draft(self, actor: Actor, meeting_id: int) -> TalkingPointsView | Denied:
        """The talking points as they stand now."""
        async with self._deps.uow() as uow:
            s = uow.session
            meeting = await s.get(Meeting, meeting_id)
            if meeting is None or not await may_see(s, actor, meeting_id):
                return DENIED
            return await self._build(s, meeting)

    async def add_note(
        self, actor: Actor, meeting_id: int, note: str
    ) -> TalkingPointsView | Denied:
        """Add one of the organiser's own lines to the talking points."""
        now = self._deps.clock.now()
        note = " ".join(note.split())[:MAX_NOTE]
        async with self._deps.uow() as uow:
            s = uow.session
            meeting = await s.get(Meeting, meeting_id)
            if meeting is None or not await may_see(s, actor, meeting_id):
                return DENIED
            row = await _row(s, meeting.id, now)
            if note and len(row.notes) < MAX_NOTES:
                row.notes = [*row.notes, note]
            row.updated_at = now
            await s.flush()
            view = await self._build(s, meeting)
            await uow.commit()
            return view

    async def clear_notes(self, actor: Actor, meeting_id: int) -> TalkingPointsView | Denied:
        """Drop the organiser's own lines (the signals stay: they are what happened)."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            meeting = await s.get(Meeting, meeting_id)
            if meeting is None or not await may_see(s, actor, meeting_id):
                return DENIED
            row = await _row(s, meeting.id, now)
            row.notes, row.updated_at = [], now
            await s.flush()
            view = await self._build(s, meeting)
            await uow.commit()
            return view

    async def toggle_line(
        self, actor: Actor, meeting_id: int, key: str
    ) -> TalkingPointsView | Denied:
        """Leave one generated line out of the talking points, or put it back."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            meeting = await s.get(Meeting, meeting_id)
            if meeting is None or not await may_see(s, actor, meeting_id):
                return DENIED
            view = await self._build(s, meeting)
            row = await _row(s, meeting.id, now)
            if key in row.left_out:
                row.left_out = [k for k in row.left_out if k != key]
            elif key in view.line_keys():  # the key is untrusted: only this draft's lines
                row.left_out = [*row.left_out, key]
            row.updated_at = now
            await s.flush()
            view = await self._build(s, meeting)
            await uow.commit()
            return view

    async def send(self, actor: Actor, meeting_id: int) -> int | Denied:
        """Send the talking points privately to everyone who said yes or maybe; return how many."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            meeting = await s.get(Meeting, meeting_id)
            if meeting is None or not await may_see(s, actor, meeting_id):
                return DENIED
            if meeting.status is MeetingStatus.CANCELLED:
                return DENIED
            view = (await self._build(s, meeting)).kept()
            coming = [p for p in await reminders.coming(s, meeting.id) if p.privately_reachable]
            row = await _row(s, meeting.id, now)
            row.sent_at = now
            await uow.commit()
        notifier = self._deps.notifier
        await send_all(
            self._deps,
            (
                (
                    p.telegram_user_id,
                    partial(notifier.send_talking_points, p.telegram_user_id, view, p.language),
                )
                for p in coming
            ),
        )
        return len(coming)

    async def _build(self, s: AsyncSession, meeting: Meeting) -> TalkingPointsView:
        ids = await meetings.invited_districts(s, meeting.id)
        districts = []
        for district_id in sorted(ids):
            district = await s.get(District, district_id)
            assert district is not None
            districts.append(await self._district(s, district, meeting.starts_at))
        districts.sort(key=lambda d: d.district.casefold())
        row = await s.scalar(select(TalkingPoints).where(TalkingPoints.meeting_id == meeting.id))
        return TalkingPointsView(
            meeting_id=meeting.id,
            starts_at=meeting.starts_at,
            districts=tuple(districts),
            notes=tuple(row.notes) if row is not None else (),
            sent_at=None if row is None else row.sent_at,
            left_out=tuple(row.left_out) if row is not None else (),
        )

    async def _district(
        self, s: AsyncSession, district: District, until: datetime
    ) -> DistrictPoints:
        previous = await signals.previous_meeting(s, district.id, until)
        since = previous if previous is not None else until - self._first_window
        points: list[CheckInPoint] = []
        earlier: float | None = None
        for checkin_id, event, opened_at, codes in await signals.checkin_codes(
            s, district.id, until
        ):
            level = median(codes, self._scale)
            if opened_at >= since:
                change = None if level is None or earlier is None else level - earlier
                points.append(
                    CheckInPoint(checkin_id, event, opened_at, len(codes), level, change)
                )
            if level is not None:
                earlier = level
        themes = await signals.themes(s, district.id, since, until)
        alerts = await signals.escalations(s, [district.id], since, until)
        return DistrictPoints(
            district=district.name,
            since=since,
            checkins=tuple(points),
            themes=tuple(themes.most_common(TOP_THEMES)),
            contact_requests=alerts.get((district.id, "contact"), 0),
            acute_alerts=alerts.get((district.id, "acute"), 0),
            open_actions=tuple(await open_for(s, district.id)),
        )


async def _row(s: AsyncSession, meeting_id: int, now: datetime) -> TalkingPoints:
    row = await s.scalar(select(TalkingPoints).where(TalkingPoints.meeting_id == meeting_id))
    if row is None:
        row = TalkingPoints(meeting_id=meeting_id, notes=[], left_out=[], updated_at=now)
        s.add(row)
    return row
