"""Escalation: an acute answer or a contact request reaches the district's chiefs at once."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from services.outbox import Outbox
from services.ports import Notice
from storage.models import CheckIn, District, Event, Person, Role
from storage.queries import answers, memberships

Kind = Literal["acute", "contact"]


async def escalate(
    s: AsyncSession,
    outbox: Outbox,
    *,
    kind: Kind,
    checkin: CheckIn,
    event: Event,
    district: District,
    person: Person,
    now: datetime,
) -> bool:
    """Queue an alert to the district's chiefs, once per person, check-in and kind.

    The escalations table's unique key is the guard, so a re-press, a changed-back answer
    or a redelivered update never alerts twice. A district without (reachable) chiefs
    alerts the coordinators instead: an acute signal must reach somebody.
    """
    claimed = await answers.claim_escalation(
        s,
        checkin_id=checkin.id,
        person_id=person.id,
        district_id=district.id,
        kind=kind,
        at=now,
    )
    if not claimed:
        return False
    notice = Notice(
        f"checkin.alert_{kind}",
        {
            "district": district.name,
            "event": event.description,
            # Chiefs know their key figures: the alert says who, so they can reach out.
            "name": person.display_name,
            "telegram_user_id": person.telegram_user_id,
            "checkin_id": checkin.id,
        },
    )
    pairs = await memberships.of_district(s, district.id, [Role.CHIEF])
    chiefs = [p for _, p in pairs if p.privately_reachable]
    if chiefs:
        outbox.tell_many(chiefs, notice)
    else:
        await outbox.tell_coordinators(s, notice)
    return True
