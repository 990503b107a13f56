"""Fill a database directly through the models: thousands of rows in one statement each.

The scenarios need a network (districts, their linked groups, key figures), open check-ins
and, for the export, a million answers. Building those through Telegram would take longer
than the measurement; what the bot later reads is the same rows either way.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.checkins.scale import DEFAULT_SCALE
from services.checkins.tally import group_messages
from services.intake import AGREEMENT_VERSION
from storage.engine import create_engine, make_sessionmaker
from storage.models import (
    Answer,
    ChatStatus,
    CheckIn,
    CheckInStatus,
    Delivery,
    DeliveryStatus,
    Direction,
    District,
    Event,
    FollowUp,
    Membership,
    Person,
    Role,
)
from storage.models import Chat as ChatRow
from storage.queries import deliveries

CHUNK = 20_000
CODES = (1, 1, 1, 2, 2, 2, 3, 3, 4, 0)  # mostly calm, some unrest; no acute alerts
THEMES = ("radicalisering", "polarisatie", "overlast", "armoede", "discriminatie", "anders")


@dataclass(frozen=True)
class Group:
    """A district's Telegram group as the sandbox made it, and its key figures' ids."""

    chat_id: int
    members: tuple[int, ...]


@dataclass
class Network:
    """What was stored: district ids in the order of the groups, people by Telegram id."""

    district_ids: list[int]
    person_ids: dict[int, int] = field(default_factory=dict)

    def district_names(self) -> list[str]:
        """The districts' names, as `district_name` makes them."""
        return [district_name(i) for i in range(len(self.district_ids))]


def district_name(index: int) -> str:
    """The name of the index-th district: Wijk 001, Wijk 002 …"""
    return f"Wijk {index + 1:03d}"


def chunks(
    rows: Sequence[dict[str, Any]], size: int = CHUNK
) -> Iterator[Sequence[dict[str, Any]]]:
    """The rows in slices of at most `size` (one INSERT each)."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def _insert(conn: AsyncConnection, model: Any, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows; return their new ids in the order given."""
    ids: list[int] = []
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    for part in chunks(rows):
        ids += list((await conn.execute(statement, list(part))).scalars())
    return ids


async def network(
    url: str, groups: Sequence[Group], now: datetime, *, ask_privately: bool = False
) -> Network:
    """Districts with linked groups and their key figures, as if every invitation was used."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            district_ids = await _insert(
                conn,
                District,
                [
                    {
                        "name": district_name(i),
                        "name_key": district_name(i).lower(),
                        "ask_privately": ask_privately,
                        "show_tally": True,
                        "created_at": now,
                    }
                    for i in range(len(groups))
                ],
            )
            await _insert(
                conn,
                ChatRow,
                [
                    {
                        "telegram_chat_id": group.chat_id,
                        "type": "group",
                        "title": f"Bondgenoten {district_name(i)}",
                        "district_id": district_id,
                        "status": ChatStatus.LINKED,
                        "added_at": now,
                        "linked_at": now,
                        "status_changed_at": now,
                    }
                    for i, (group, district_id) in enumerate(
                        zip(groups, district_ids, strict=True)
                    )
                ],
            )
            telegram_ids = [uid for group in groups for uid in group.members]
            person_ids = await _insert(
                conn,
                Person,
                [
                    {
                        "telegram_user_id": uid,
                        "display_name": f"Bondgenoot {uid}",
                        "language": "nl",
                        "is_coordinator": False,
                        "privately_reachable": True,
                        "created_at": now,
                    }
                    for uid in telegram_ids
                ],
            )
            seeded = Network(district_ids, dict(zip(telegram_ids, person_ids, strict=True)))
            await _insert(
                conn,
                Membership,
                [
                    {
                        "person_id": seeded.person_ids[uid],
                        "district_id": district_id,
                        "role": Role.KEY_FIGURE,
                        "joined_at": now,
                        # The version in force: seeded members are not asked to accept anew.
                        "agreement_version": AGREEMENT_VERSION,
                    }
                    for group, district_id in zip(groups, district_ids, strict=True)
                    for uid in group.members
                ],
            )
        return seeded
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class OpenCheckIn:
    """An open check-in to some districts, and how far its group messages got.

    `sent` maps a district's index to the message id its group already shows; the others
    are pending (`claimed`: a send was in flight when the bot stopped).
    """

    districts: tuple[int, ...]
    opened_at: datetime
    closes_at: datetime
    sent: dict[int, int] = field(default_factory=dict)
    claimed: bool = False


async def checkins(
    url: str, seeded: Network, groups: Sequence[Group], specs: Sequence[OpenCheckIn]
) -> list[int]:
    """Store open check-ins with their deliveries; return their ids in order."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            event_ids = await _insert(
                conn,
                Event,
                [
                    {"description": f"Benchmark: gebeurtenis {n + 1}", "created_at": s.opened_at}
                    for n, s in enumerate(specs)
                ],
            )
            ids = await _insert(
                conn,
                CheckIn,
                [
                    {
                        "event_id": event_id,
                        "status": CheckInStatus.OPEN,
                        "show_tally": True,
                        "opened_at": s.opened_at,
                        "closes_at": s.closes_at,
                    }
                    for s, event_id in zip(specs, event_ids, strict=True)
                ],
            )
            rows = []
            for spec, checkin_id in zip(specs, ids, strict=True):
                for index in spec.districts:
                    message_id = spec.sent.get(index)
                    claimed = spec.claimed and message_id is None
                    rows.append(
                        {
                            "checkin_id": checkin_id,
                            "district_id": seeded.district_ids[index],
                            "telegram_chat_id": groups[index].chat_id,
                            "status": DeliveryStatus.PENDING
                            if message_id is None
                            else DeliveryStatus.SENT,
                            "attempts": 1 if claimed or message_id else 0,
                            "message_id": message_id,
                            "updated_at": spec.opened_at,
                            "sent_at": None if message_id is None else spec.opened_at,
                            "last_edited_at": None if message_id is None else spec.opened_at,
                            "claimed_at": spec.opened_at if claimed else None,
                        }
                    )
            await _insert(conn, Delivery, rows)
        return ids
    finally:
        await engine.dispose()


async def answers(
    url: str, seeded: Network, groups: Sequence[Group], count: int, now: datetime
) -> int:
    """Closed check-ins over the past year with `count` answers in all; a fifth followed up.

    Every key figure answers every check-in, so the number of check-ins is count divided by
    the number of key figures (the last one partly answered).
    """
    rng = random.Random(6)
    members = [
        (seeded.person_ids[uid], district_id)
        for group, district_id in zip(groups, seeded.district_ids, strict=True)
        for uid in group.members
    ]
    rounds = -(-count // len(members))
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            opened = [now - timedelta(days=360 * (rounds - n) / rounds) for n in range(rounds)]
            event_ids = await _insert(
                conn,
                Event,
                [
                    {"description": f"Benchmark: gebeurtenis {n + 1}", "created_at": at}
                    for n, at in enumerate(opened)
                ],
            )
            checkin_ids = await _insert(
                conn,
                CheckIn,
                [
                    {
                        "event_id": event_id,
                        "status": CheckInStatus.CLOSED,
                        "show_tally": True,
                        "opened_at": at,
                        "closes_at": at + timedelta(hours=24),
                        "closed_at": at + timedelta(hours=24),
                        "summary_sent_at": at + timedelta(hours=24),
                    }
                    for event_id, at in zip(event_ids, opened, strict=True)
                ],
            )
            left = count
            for checkin_id, at in zip(checkin_ids, opened, strict=True):
                answered = members[: min(left, len(members))]
                left -= len(answered)
                rows, follow = [], []
                for n, (person_id, district_id) in enumerate(answered):
                    moment = at + timedelta(seconds=30 + n % 7200)
                    rows.append(
                        {
                            "checkin_id": checkin_id,
                            "person_id": person_id,
                            "district_id": district_id,
                            "code": rng.choice(CODES),
                            "first_answered_at": moment,
                            "answered_at": moment,
                            "changes": 0,
                        }
                    )
                    if rng.random() < 0.2:
                        follow.append(_follow_up(rng, checkin_id, person_id, moment))
                for part in chunks(rows):
                    await conn.execute(insert(Answer), list(part))
                for part in chunks(follow):
                    await conn.execute(insert(FollowUp), list(part))
            stored = await conn.scalar(select(func.count()).select_from(Answer))
        if engine.dialect.name == "postgresql":
            # A million rows inserted at once: PostgreSQL's autovacuum would gather the
            # planner's statistics within a minute; an export right after must not be judged
            # on a plan made without them.
            async with engine.connect() as conn:
                await conn.execute(text("ANALYZE"))
                await conn.commit()
        return int(stored or 0)
    finally:
        await engine.dispose()


def _follow_up(
    rng: random.Random, checkin_id: int, person_id: int, at: datetime
) -> dict[str, Any]:
    return {
        "checkin_id": checkin_id,
        "person_id": person_id,
        "direction": rng.choice(list(Direction)),
        "themes": rng.sample(THEMES, rng.randint(0, 2)),
        "free_text": rng.choice((None, "Veel gesprekken bij de moskee, geen onrust.")),
        "contact_requested": rng.random() < 0.1,
        "updated_at": at,
    }


async def count(url: str, model: Any, **where: Any) -> int:
    """How many rows of a model match column == value for each keyword."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            query = select(func.count()).select_from(model)
            for column, value in where.items():
                query = query.where(getattr(model, column) == value)
            return int(await conn.scalar(query) or 0)
    finally:
        await engine.dispose()


async def mark_shown(url: str, now: datetime) -> None:
    """Record what every sent group message shows, as the bot does after sending it.

    Otherwise the tally job would find each one changed and edit them all at start-up.
    """
    engine = create_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = await deliveries.shown_in_groups(session, now)
            shown = await group_messages(session, DEFAULT_SCALE, rows)
            for (delivery, _, _, _), message in zip(rows, shown, strict=True):
                delivery.shown_text_hash = message.shown_hash()
            await session.commit()
    finally:
        await engine.dispose()
