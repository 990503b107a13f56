"""The caterer's headcount: totals per answer and per dietary need, never a name.

Sent to the organiser on request and once, automatically, at the RSVP deadline (the meeting
row is marked before the send, so a restart never sends it twice); also as CSV.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.access import Actor
from services.meetings.messages import details_of, total
from services.meetings.planning import allowed_districts
from services.meetings.views import DIETARY_CODES, OTHER, Headcount
from services.outbox import Deps
from services.outcomes import DENIED, Denied
from storage.models import Meeting, MeetingAction, MeetingInvite, MeetingStatus, Person
from storage.queries import audit, dietary, meetings

# The CSV's columns: one row per count, so a spreadsheet sums it without a pivot.
CSV_HEADER = ("meeting_id", "starts_at_utc", "districts", "kind", "code", "count")


@dataclass(frozen=True)
class HeadcountNotice:
    """A headcount due to one organiser."""

    chat_id: int
    language: str | None
    headcount: Headcount


async def count(s: AsyncSession, meeting: Meeting) -> Headcount:
    """The headcount of one meeting as it stands."""
    counts = total(await meetings.rsvp_counts(s, [meeting.id]), meeting.id)
    names = (await meetings.district_names(s, [meeting.id]))[meeting.id]
    invited = await s.scalar(
        select(func.count(MeetingInvite.id)).where(MeetingInvite.meeting_id == meeting.id)
    )
    needs: Counter[str] = Counter()
    texts: list[str] = []
    for _, codes, text in await dietary.of_attendees(s, [meeting.id]):
        needs.update(c for c in codes if c in DIETARY_CODES)
        if text:
            needs[OTHER] += 1
            texts.append(text)
    return Headcount(
        meeting_id=meeting.id,
        details=details_of(meeting),
        districts=tuple(names),
        invited=int(invited or 0),
        counts=counts,
        dietary={code: needs[code] for code in (*DIETARY_CODES, OTHER) if needs[code]},
        other_needs=tuple(sorted(texts)),
    )


def to_csv(headcount: Headcount) -> bytes:
    """The headcount as CSV (UTF-8 with BOM, so spreadsheets read the accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    base = (
        headcount.meeting_id,
        headcount.details.starts_at.isoformat(),
        " + ".join(headcount.districts),
    )
    c = headcount.counts
    for code, n in (
        ("invited", headcount.invited),
        ("yes", c.yes),
        ("maybe", c.maybe),
        ("no", c.no),
        ("headcount", c.headcount),
    ):
        writer.writerow((*base, "rsvp", code, n))
    for code in (*DIETARY_CODES, OTHER):
        writer.writerow((*base, "dietary", code, headcount.dietary.get(code, 0)))
    return ("\ufeff" + buffer.getvalue()).encode()


# The meetings export: one row per meeting, counts only; no place names of people, no ids.
MEETINGS_HEADER = (
    "meeting_id",
    "starts_at_utc",
    "status",
    "districts",
    "place",
    "meal",
    "invited",
    "yes",
    "maybe",
    "no",
    "headcount",
    *(f"dietary_{code}" for code in (*DIETARY_CODES, OTHER)),
    # Actions as counts and their words; owners and results stay out (they name people).
    "actions_open",
    "actions_closed",
    "actions",
)


@dataclass(frozen=True)
class ActionCounts:
    """A meeting's actions for the export: how many open and closed, and what they were."""

    open: int = 0
    closed: int = 0
    descriptions: tuple[str, ...] = ()


def meetings_csv(rows: list[tuple[Headcount, str, ActionCounts]]) -> bytes:
    """Every meeting with its counts as CSV (UTF-8 with BOM); no personal data."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(MEETINGS_HEADER)
    for h, status, actions in rows:
        c = h.counts
        writer.writerow(
            (
                h.meeting_id,
                h.details.starts_at.isoformat(),
                status,
                " + ".join(h.districts),
                h.details.place,
                h.details.meal,
                h.invited,
                c.yes,
                c.maybe,
                c.no,
                c.headcount,
                *(h.dietary.get(code, 0) for code in (*DIETARY_CODES, OTHER)),
                actions.open,
                actions.closed,
                " | ".join(actions.descriptions),
            )
        )
    return ("\ufeff" + buffer.getvalue()).encode()


class HeadcountService:
    """Headcounts on request, as CSV, and automatically at the RSVP deadline."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    async def headcount(self, actor: Actor, meeting_id: int) -> Headcount | Denied:
        """The headcount of a meeting the actor may see (organiser, chief, coordinator)."""
        async with self._deps.uow() as uow:
            s = uow.session
            meeting = await s.get(Meeting, meeting_id)
            if meeting is None or not await may_see(s, actor, meeting.id):
                return DENIED
            return await count(s, meeting)

    async def upcoming(self, actor: Actor) -> list[Headcount] | Denied:
        """The planned meetings the actor may see that have not yet passed, soonest first."""
        since = self._deps.clock.now() - timedelta(days=1)
        async with self._deps.uow() as uow:
            s = uow.session
            if not actor.is_coordinator and not await allowed_districts(s, actor):
                return DENIED
            found = await s.scalars(
                select(Meeting)
                .where(Meeting.status == MeetingStatus.PLANNED, Meeting.starts_at >= since)
                .order_by(Meeting.starts_at, Meeting.id)
            )
            return [await count(s, m) for m in found if await may_see(s, actor, m.id)]

    async def csv(self, actor: Actor, meeting_id: int) -> bytes | Denied:
        """The headcount as CSV (no names), with an audit entry of who took it."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            meeting = await s.get(Meeting, meeting_id)
            if meeting is None or not await may_see(s, actor, meeting.id):
                return DENIED
            data = to_csv(await count(s, meeting))
            audit.record(
                s,
                at=now,
                actor_telegram_id=actor.telegram_user_id,
                action="meeting.export",
                subject=f"meeting {meeting.id}",
                details={"format": "csv", "what": "headcount"},
            )
            await uow.commit()
            return data

    async def export_meetings(self, actor_telegram_id: int | None) -> tuple[bytes, int]:
        """Every meeting with its counts as CSV, audited; returns the data and the row count.

        For the command line (actor None: whoever runs it on the server) and coordinators.
        """
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            found = list(await s.scalars(select(Meeting).order_by(Meeting.starts_at, Meeting.id)))
            rows = [(await count(s, m), m.status.value, await _actions(s, m.id)) for m in found]
            audit.record(
                s,
                at=now,
                actor_telegram_id=actor_telegram_id,
                action="meeting.export",
                subject="meetings",
                details={"format": "csv", "rows": len(rows)},
            )
            await uow.commit()
        return meetings_csv(rows), len(rows)

    async def due_at_deadline(self) -> list[HeadcountNotice]:
        """Mark the meetings whose RSVP deadline passed; return their headcounts to send.

        Marked and committed before anything is sent: a crash after the commit loses the
        automatic headcount (the organiser can still ask for it), never doubles it.
        """
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            due = await meetings.claim_headcount(s, now)
            notices: list[HeadcountNotice] = []
            for meeting_id in due:
                meeting = await s.get(Meeting, meeting_id)
                assert meeting is not None
                organiser = (
                    await s.get(Person, meeting.planned_by_id) if meeting.planned_by_id else None
                )
                if organiser is not None and organiser.privately_reachable:
                    notices.append(
                        HeadcountNotice(
                            organiser.telegram_user_id,
                            organiser.language,
                            await count(s, meeting),
                        )
                    )
            await uow.commit()
        return notices

    async def send_due(self) -> int:
        """Send the headcounts that came due; return how many went out."""
        sent = 0
        for notice in await self.due_at_deadline():
            result = await self._deps.notifier.send_headcount(
                notice.chat_id, notice.headcount, notice.language
            )
            sent += int(result.ok)
        return sent


async def _actions(s: AsyncSession, meeting_id: int) -> ActionCounts:
    rows = list(
        await s.execute(
            select(MeetingAction.description, MeetingAction.closed_at)
            .where(MeetingAction.meeting_id == meeting_id)
            .order_by(MeetingAction.id)
        )
    )
    closed = sum(1 for _, at in rows if at is not None)
    return ActionCounts(len(rows) - closed, closed, tuple(d for d, _ in rows))


async def may_see(s: AsyncSession, actor: Actor, meeting_id: int) -> bool:
    """Coordinators, and chiefs of every invited district; never a key figure."""
    if actor.is_coordinator:
        return True
    allowed = {o.district_id for o in await allowed_districts(s, actor)}
    invited = await meetings.invited_districts(s, meeting_id)
    return bool(invited) and set(invited) <= allowed
