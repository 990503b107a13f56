"""How a meeting's invitation looks now: details, whether RSVPs are open, the counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.meetings.views import MeetingDetails, MeetingMessage, RsvpCounts
from storage.models import Meeting, MeetingStatus, RsvpAnswer
from storage.queries import districts, meetings


def details_of(meeting: Meeting) -> MeetingDetails:
    """The details of a stored meeting."""
    return MeetingDetails(
        starts_at=meeting.starts_at,
        place=meeting.place,
        meal=meeting.meal,
        rsvp_deadline=meeting.rsvp_deadline,
        note=meeting.note,
    )


def is_open(meeting: Meeting, now: datetime) -> bool:
    """Whether RSVPs are still taken."""
    return meeting.status is MeetingStatus.PLANNED and now < meeting.rsvp_deadline


def total(
    counts: Mapping[tuple[int, int], Mapping[RsvpAnswer, int]], meeting_id: int
) -> RsvpCounts:
    """The counts of one meeting over all its districts."""
    yes = maybe = no = 0
    for (m, _), per in counts.items():
        if m == meeting_id:
            yes += per.get(RsvpAnswer.YES, 0)
            maybe += per.get(RsvpAnswer.MAYBE, 0)
            no += per.get(RsvpAnswer.NO, 0)
    return RsvpCounts(yes, maybe, no)


async def messages_for(
    session: AsyncSession,
    rows: Sequence[tuple[Meeting, int]],
    now: datetime,
    *,
    private: bool = False,
) -> list[MeetingMessage]:
    """The current invitation of each (meeting, district), counted in few queries."""
    ids = sorted({m.id for m, _ in rows})
    if not ids:
        return []
    counts = await meetings.rsvp_counts(session, ids)
    names = await meetings.district_names(session, ids)
    # A group's invitation is in its district's language; a private one in its reader's.
    languages = {} if private else await districts.languages(session, {d for _, d in rows})
    return [
        MeetingMessage(
            meeting_id=meeting.id,
            district_id=district_id,
            districts=tuple(names.get(meeting.id, ())),
            details=details_of(meeting),
            open=is_open(meeting, now),
            cancelled=meeting.status is MeetingStatus.CANCELLED,
            counts=total(counts, meeting.id),
            private=private,
            language=languages.get(district_id),
        )
        for meeting, district_id in rows
    ]
