"""Planning a meeting: who may invite which districts, the preview, and storing the plan.

Storing makes one group invitation per district and one private invitation per reachable
key figure, all pending; services/meetings/sending.py sends them, claimed and settled.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.access import Actor, actor_person
from services.meetings.views import (
    DistrictOption,
    MeetingDetails,
    MeetingMessage,
    MeetingPlanned,
    PlanRefused,
    RsvpCounts,
)
from services.outbox import Deps
from services.outcomes import DENIED, Denied
from storage.models import (
    ChatStatus,
    DeliveryStatus,
    District,
    Meeting,
    MeetingDelivery,
    MeetingInvite,
    MeetingStatus,
    Role,
)
from storage.queries import audit, chats, checkins, memberships, people

# Lengths the table columns hold; the wizard says so before the database would refuse.
MAX_PLACE, MAX_MEAL, MAX_NOTE = 200, 300, 1000


async def allowed_districts(session: AsyncSession, actor: Actor) -> list[DistrictOption]:
    """The live districts the actor may invite: all for coordinators, else where chief."""
    person = await people.by_telegram_id(session, actor.telegram_user_id)
    own: set[int] = set()
    if person is not None:
        own = {
            m.district_id
            for m, _ in await memberships.of_person(session, person.id)
            if m.role is Role.CHIEF
        }
    live = await checkins.live_districts(session)
    return [
        DistrictOption(d.id, d.name, d.id in own)
        for d in live
        if actor.is_coordinator or d.id in own
    ]


def check_details(details: MeetingDetails, now: datetime) -> PlanRefused | None:
    """Why these details cannot go out now, or None."""
    if details.starts_at <= now:
        return PlanRefused("starts_past")
    if details.rsvp_deadline <= now:
        return PlanRefused("deadline_past")
    if details.rsvp_deadline > details.starts_at:
        return PlanRefused("deadline_after_start")
    return None


class MeetingPlanner:
    """Offer districts, preview an invitation, store a plan with its pending sends."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    async def district_options(self, actor: Actor) -> list[DistrictOption] | Denied:
        """The districts the actor may invite; Denied for someone who may invite none."""
        async with self._deps.uow() as uow:
            options = await allowed_districts(uow.session, actor)
        if not options and not actor.is_coordinator:
            return DENIED
        return options

    async def preview(
        self, actor: Actor, district_ids: Sequence[int], details: MeetingDetails
    ) -> MeetingMessage | PlanRefused:
        """The invitation as the first invited group will see it, or why it cannot go."""
        async with self._deps.uow() as uow:
            chosen = await self._chosen(uow.session, actor, district_ids)
            if isinstance(chosen, PlanRefused):
                return chosen
            # Read inside the unit of work: leaving it rolls back and expires the rows.
            first_id, names = chosen[0].id, tuple(d.name for d in chosen)
        refused = check_details(details, self._deps.clock.now())
        if refused is not None:
            return refused
        return MeetingMessage(
            meeting_id=None,
            district_id=first_id,
            districts=names,
            details=details,
            open=True,
            cancelled=False,
            counts=RsvpCounts(),
        )

    async def plan(
        self, actor: Actor, district_ids: Sequence[int], details: MeetingDetails
    ) -> MeetingPlanned | PlanRefused:
        """Store the meeting and its pending invitations, with an audit entry."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            chosen = await self._chosen(s, actor, district_ids)
            if isinstance(chosen, PlanRefused):
                return chosen
            refused = check_details(details, now)
            if refused is not None:
                return refused
            organiser = await actor_person(s, actor, now)
            meeting = Meeting(
                starts_at=details.starts_at,
                place=details.place[:MAX_PLACE],
                meal=details.meal[:MAX_MEAL],
                rsvp_deadline=details.rsvp_deadline,
                note=details.note[:MAX_NOTE],
                status=MeetingStatus.PLANNED,
                planned_by_id=organiser.id,
                created_at=now,
            )
            s.add(meeting)
            await s.flush()
            invites = 0
            for district in chosen:
                await self._add_group_send(s, meeting, district, now)
                invites += await _add_private_sends(s, meeting, district, now)
            audit.record(
                s,
                at=now,
                actor_telegram_id=actor.telegram_user_id,
                action="meeting.plan",
                subject=f"meeting {meeting.id}",
                details={
                    "districts": [d.name for d in chosen],
                    "starts_at": details.starts_at.isoformat(),
                    "rsvp_deadline": details.rsvp_deadline.isoformat(),
                },
            )
            await uow.commit()
            return MeetingPlanned(meeting.id, tuple(d.name for d in chosen), invites)

    async def _chosen(
        self, s: AsyncSession, actor: Actor, district_ids: Sequence[int]
    ) -> list[District] | PlanRefused:
        options = {o.district_id: o for o in await allowed_districts(s, actor)}
        if not options and not actor.is_coordinator:
            return PlanRefused("denied")
        wanted = sorted(set(district_ids))
        if not wanted:
            return PlanRefused("no_districts")
        if any(i not in options for i in wanted):
            return PlanRefused("denied")  # forged, or the role was taken meanwhile
        found = [await s.get(District, i) for i in wanted]
        chosen = [d for d in found if d is not None]
        return sorted(chosen, key=lambda d: d.name_key)

    @staticmethod
    async def _add_group_send(
        s: AsyncSession, meeting: Meeting, district: District, now: datetime
    ) -> None:
        chat = await chats.of_district(s, district.id)
        linked = chat is not None and chat.status is ChatStatus.LINKED
        s.add(
            MeetingDelivery(
                meeting_id=meeting.id,
                district_id=district.id,
                telegram_chat_id=chat.telegram_chat_id if chat is not None and linked else None,
                status=DeliveryStatus.PENDING if linked else DeliveryStatus.SKIPPED,
                attempts=0,
                last_error=None if linked else "no_group",
                updated_at=now,
            )
        )


async def _add_private_sends(
    s: AsyncSession, meeting: Meeting, district: District, now: datetime
) -> int:
    added = 0
    for _, person in await memberships.of_district(s, district.id, [Role.KEY_FIGURE]):
        # Writing to someone who blocked the bot only costs flood budget.
        reachable = person.privately_reachable
        s.add(
            MeetingInvite(
                meeting_id=meeting.id,
                person_id=person.id,
                district_id=district.id,
                status=DeliveryStatus.PENDING if reachable else DeliveryStatus.SKIPPED,
                attempts=0,
                last_error=None if reachable else "blocked",
                updated_at=now,
            )
        )
        added += int(reachable)
    return added
