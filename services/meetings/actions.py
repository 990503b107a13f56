"""Actions agreed at a meeting: an owner (a person of the network or a role), a due date, a
reminder to the owner before it, a list of the open ones, and closing with a result."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.access import Actor, actor_person
from services.meetings.headcount import may_see
from services.meetings.planning import allowed_districts
from services.meetings.reminders import ReminderTimes
from services.meetings.views import ActionRefused, ActionView
from services.outbox import Deps, Outbox
from services.ports import Notice
from storage.models import District, Meeting, MeetingAction, Membership, Person
from storage.queries import audit, meetings, people

# Roles an action can belong to when no single person owns it.
ROLES = ("chef", "gemeente", "politie")
MAX_DESCRIPTION, MAX_RESULT = 300, 300
# The owner hears about an action this long before it is due.
REMIND_BEFORE = timedelta(days=2)


class ActionService:
    """Record, list, remind and close the actions of meetings."""

    def __init__(self, deps: Deps, times: ReminderTimes) -> None:
        self._deps = deps
        self._times = times

    async def add(
        self, actor: Actor, meeting_id: int, owner: str, due_at: datetime, description: str
    ) -> ActionView | ActionRefused:
        """Record an action for a meeting the actor may organise; the owner is told."""
        now = self._deps.clock.now()
        description = " ".join(description.split())
        if not description:
            return ActionRefused("empty")
        if due_at <= now:
            return ActionRefused("due_past")
        outbox = Outbox()
        async with self._deps.uow() as uow:
            s = uow.session
            meeting = await s.get(Meeting, meeting_id)
            if meeting is None or not await may_see(s, actor, meeting_id):
                return ActionRefused("denied")
            invited = await meetings.invited_districts(s, meeting.id)
            found = await _owner(s, owner, invited)
            if isinstance(found, ActionRefused):
                return found
            person, role = found
            district_id = invited[0]
            if person is not None:
                # The action belongs to the owner's own district when the meeting had several.
                mine = await meetings.membership_in(s, person.id, invited)
                district_id = mine[0] if mine else district_id
            creator = await actor_person(s, actor, now)
            action = MeetingAction(
                meeting_id=meeting.id,
                district_id=district_id,
                description=description[:MAX_DESCRIPTION],
                owner_person_id=None if person is None else person.id,
                owner_role=role,
                due_at=due_at,
                created_by_id=creator.id,
                created_at=now,
            )
            s.add(action)
            await s.flush()
            if person is not None and person.id != creator.id:
                outbox.tell(
                    person,
                    Notice(
                        "meeting.action.assigned",
                        {"description": action.description, "due": due_at, "id": action.id},
                    ),
                )
            audit.record(
                s,
                at=now,
                actor_telegram_id=actor.telegram_user_id,
                action="meeting.action",
                subject=f"meeting {meeting.id}",
                details={"action": action.id},
            )
            view = await _view(s, action)
            await uow.commit()
        await outbox.deliver(self._deps)
        return view

    async def open_actions(self, actor: Actor) -> list[ActionView]:
        """The open actions of the districts the actor belongs to or organises, by due date."""
        async with self._deps.uow() as uow:
            s = uow.session
            ids = {o.district_id for o in await allowed_districts(s, actor)}
            person = await people.by_telegram_id(s, actor.telegram_user_id)
            if person is not None:
                ids |= set(
                    await s.scalars(
                        select(Membership.district_id).where(Membership.person_id == person.id)
                    )
                )
            rows = await s.scalars(
                select(MeetingAction)
                .where(MeetingAction.district_id.in_(ids), MeetingAction.closed_at.is_(None))
                .order_by(MeetingAction.due_at, MeetingAction.id)
            )
            return [await _view(s, a) for a in rows]

    async def close(self, actor: Actor, action_id: int, result: str) -> ActionView | ActionRefused:
        """Close an action with a one-line result: its owner, or who may organise the meeting."""
        now = self._deps.clock.now()
        result = " ".join(result.split())
        if not result:
            return ActionRefused("empty")
        async with self._deps.uow() as uow:
            s = uow.session
            action = await s.get(MeetingAction, action_id)
            if action is None:
                return ActionRefused("unknown")
            person = await people.by_telegram_id(s, actor.telegram_user_id)
            owns = person is not None and person.id == action.owner_person_id
            if not owns and not await may_see(s, actor, action.meeting_id):
                return ActionRefused("denied")
            if action.closed_at is not None:
                return ActionRefused("closed")
            closer = await actor_person(s, actor, now)
            action.closed_at, action.closed_by_id = now, closer.id
            action.result = result[:MAX_RESULT]
            view = await _view(s, action)
            await uow.commit()
            return view

    async def may_close(self, actor: Actor, action_id: int) -> ActionView | ActionRefused:
        """The open action, if the actor may close it (before asking them for the result)."""
        async with self._deps.uow() as uow:
            s = uow.session
            action = await s.get(MeetingAction, action_id)
            if action is None:
                return ActionRefused("unknown")
            person = await people.by_telegram_id(s, actor.telegram_user_id)
            owns = person is not None and person.id == action.owner_person_id
            if not owns and not await may_see(s, actor, action.meeting_id):
                return ActionRefused("denied")
            if action.closed_at is not None:
                return ActionRefused("closed")
            return await _view(s, action)

    async def remind_due(self) -> int:
        """Remind owners of actions due within two days, once (marked before sending)."""
        now = self._deps.clock.now()
        if self._times.quiet(now):
            return 0
        outbox = Outbox()
        async with self._deps.uow() as uow:
            s = uow.session
            due = await s.scalars(
                select(MeetingAction).where(
                    MeetingAction.closed_at.is_(None),
                    MeetingAction.reminded_at.is_(None),
                    MeetingAction.due_at <= now + REMIND_BEFORE,
                )
            )
            told = 0
            for action in due:
                action.reminded_at = now
                owner = await _reminded(s, action)
                if owner is not None:
                    outbox.tell(
                        owner,
                        Notice(
                            "meeting.action.reminder",
                            {"description": action.description, "due": action.due_at,
                             "id": action.id},
                        ),
                    )  # fmt: skip
                    told += 1
            await uow.commit()
        await outbox.deliver(self._deps)
        return told


async def _owner(
    s: AsyncSession, owner: str, district_ids: list[int]
) -> tuple[Person | None, str | None] | ActionRefused:
    """A role word, or a member of the invited districts by (the start of) their name."""
    word = owner.strip().strip('"“”').strip()
    if word.casefold() in ROLES:
        return None, word.casefold()
    if not word:
        return ActionRefused("no_owner")
    rows = list(
        await s.scalars(
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.district_id.in_(district_ids))
            .distinct()
        )
    )
    key = word.casefold()
    exact = [p for p in rows if p.display_name.casefold() == key]
    found = exact or [p for p in rows if p.display_name.casefold().startswith(key)]
    if not found:
        return ActionRefused("no_owner")
    if len(found) > 1:
        return ActionRefused("ambiguous_owner")
    return found[0], None


async def _reminded(s: AsyncSession, action: MeetingAction) -> Person | None:
    """Who hears about an action due soon: its owner, or for a role, the organiser."""
    person_id = action.owner_person_id
    if person_id is None:
        meeting = await s.get(Meeting, action.meeting_id)
        person_id = None if meeting is None else meeting.planned_by_id
    return None if person_id is None else await s.get(Person, person_id)


async def _view(s: AsyncSession, action: MeetingAction) -> ActionView:
    district = await s.get(District, action.district_id)
    owner = await s.get(Person, action.owner_person_id) if action.owner_person_id else None
    return ActionView(
        action_id=action.id,
        meeting_id=action.meeting_id,
        district=district.name if district is not None else "",
        description=action.description,
        owner_name=None if owner is None else owner.display_name,
        owner_role=action.owner_role,
        due_at=action.due_at,
        closed_at=action.closed_at,
        result=action.result,
    )


async def open_for(s: AsyncSession, district_id: int) -> list[ActionView]:
    """The open actions of one district, by due date (for the talking points)."""
    rows = await s.scalars(
        select(MeetingAction)
        .where(MeetingAction.district_id == district_id, MeetingAction.closed_at.is_(None))
        .order_by(MeetingAction.due_at, MeetingAction.id)
    )
    return [await _view(s, a) for a in rows]
