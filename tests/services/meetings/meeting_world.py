"""The meeting tests' world: a notifier that posts invitations, the network, the plan."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fakes import FakeNotifier
from sqlalchemy import select

from services.access import Actor
from services.container import Services
from services.meetings.rsvp import RsvpPress
from services.meetings.views import (
    Headcount,
    MeetingDetails,
    MeetingMessage,
    MeetingPlanned,
    TalkingPointsView,
)
from services.ports import Sent
from storage.models import MeetingInvite, Person

# The meeting: Friday 4 December 2026, 18:30 in Amsterdam; answers until Wednesday 18:30.
STARTS = datetime(2026, 12, 4, 17, 30, tzinfo=UTC)
DEADLINE = datetime(2026, 12, 2, 17, 30, tzinfo=UTC)
DETAILS = MeetingDetails(STARTS, "Politiebureau Overvecht", "Couscous", DEADLINE)
CHIEF = Actor(3001, "Chef Overvecht")
OVERVECHT_GROUP, KANALENEILAND_GROUP = -100, -200
FATIMA, MEHMET, SANNE = 2001, 2002, 2101


class Crash(Exception):
    """The process dies here (raised from inside a send)."""


@dataclass
class MeetingNotifier(FakeNotifier):
    """FakeNotifier plus the meeting methods; can 'crash' before a chat's send."""

    posts: list[tuple[int, int, MeetingMessage]] = field(default_factory=list)
    edits: list[tuple[int, int, MeetingMessage]] = field(default_factory=list)
    headcounts: list[tuple[int, Headcount]] = field(default_factory=list)
    points: list[tuple[int, TalkingPointsView]] = field(default_factory=list)
    crash_before: set[int] = field(default_factory=set)
    script: dict[int, list[Sent]] = field(default_factory=lambda: defaultdict(list))
    next_id: int = 700

    async def send_meeting(
        self, chat_id: int, message: MeetingMessage, language: str | None = None
    ) -> Sent:
        """Post an invitation, or crash / answer as scripted."""
        if chat_id in self.crash_before:
            self.crash_before.discard(chat_id)
            raise Crash(f"before sending to {chat_id}")
        if self.script.get(chat_id):
            return self.script[chat_id].pop(0)
        self.next_id += 1
        self.posts.append((chat_id, self.next_id, message))
        return Sent(True, message_id=self.next_id)

    async def edit_meeting(
        self, chat_id: int, message_id: int, message: MeetingMessage, language: str | None = None
    ) -> Sent:
        """Record an edit of a posted invitation."""
        self.edits.append((chat_id, message_id, message))
        return Sent(True, message_id=message_id)

    async def send_headcount(
        self, chat_id: int, headcount: Headcount, language: str | None = None
    ) -> Sent:
        """Record a headcount."""
        self.headcounts.append((chat_id, headcount))
        return Sent(True, message_id=1)

    async def send_talking_points(
        self, chat_id: int, points: TalkingPointsView, language: str | None = None
    ) -> Sent:
        """Record talking points sent to someone coming."""
        self.points.append((chat_id, points))
        return Sent(True, message_id=1)

    def posted_to(self, chat_id: int) -> list[MeetingMessage]:
        """Every invitation posted to a chat."""
        return [m for cid, _, m in self.posts if cid == chat_id]


@dataclass
class Net:
    """Overvecht (chief, Fatima, Mehmet) and Kanaleneiland (Sanne), both with groups."""

    overvecht: int
    kanaleneiland: int


async def plan(services: Services, net: Net, actor: Actor = CHIEF) -> int:
    """The chief plans the Overvecht meeting; return its id."""
    planned = await services.meetings.planner.plan(actor, [net.overvecht], DETAILS)
    assert isinstance(planned, MeetingPlanned), planned
    return planned.meeting_id


async def own_press(services: Services, who: int, meeting_id: int, answer: str) -> RsvpPress:
    """A press on the person's own private invitation (in flight if not sent yet)."""
    async with services.uow() as uow:
        stored = await uow.session.scalar(
            select(MeetingInvite.message_id)
            .join(Person, Person.id == MeetingInvite.person_id)
            .where(MeetingInvite.meeting_id == meeting_id, Person.telegram_user_id == who)
        )
    return RsvpPress(who, meeting_id, answer, who, stored or 1)
