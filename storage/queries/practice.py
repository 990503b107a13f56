"""Practice check-ins (issue 17): wiping one with everything stored about it."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Answer,
    AnswerChange,
    BaselineAlert,
    CheckIn,
    Delivery,
    Escalation,
    Event,
    Feedback,
    FeedbackReminder,
    FeedbackSend,
    FollowUp,
    MemberDelivery,
    Reminder,
)

# Everything kept per check-in, children first (no cascade is relied on).
_PER_CHECKIN = (
    AnswerChange,
    FollowUp,
    Escalation,
    BaselineAlert,
    Reminder,
    FeedbackReminder,
    Feedback,
    Answer,
    MemberDelivery,
    Delivery,
)


async def counts(session: AsyncSession, checkin_id: int) -> tuple[int, int, int]:
    """How many answers, follow-ups and group deliveries a check-in has."""
    found = []
    for model in (Answer, FollowUp, Delivery):
        n = await session.scalar(
            select(func.count()).select_from(model).where(model.checkin_id == checkin_id)
        )
        found.append(int(n or 0))
    return found[0], found[1], found[2]


async def wipe(session: AsyncSession, checkin: CheckIn) -> None:
    """Delete the check-in, its event and every row that hangs on it."""
    feedback = select(Feedback.id).where(Feedback.checkin_id == checkin.id)
    await session.execute(delete(FeedbackSend).where(FeedbackSend.feedback_id.in_(feedback)))
    for model in _PER_CHECKIN:
        await session.execute(delete(model).where(model.checkin_id == checkin.id))
    event_id = checkin.event_id
    await session.execute(delete(CheckIn).where(CheckIn.id == checkin.id))
    await session.execute(delete(Event).where(Event.id == event_id))
