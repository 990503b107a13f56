"""A whole network presses at once: every press answered right, every answer stored once.

The presses arrive together, so the bot stores them in shared transactions
(handlers/checkins/answers.py); a person who presses twice in a row must still see their first
press noted and the second as a change, in that order. The sandbox enforces Telegram's
flood limits here and the bot paces itself (bot/flood.py): no 429 may come back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

import seeding as seed
from bot.app import build_application
from bot.runner import running
from bot.settings import Settings
from sandbox import Sandbox
from sandbox.models import BotAccount, Message
from sandbox.people import Person, wait_answer
from services.checkins import ALL
from services.checkins.outcomes import CheckInStarted
from storage.models import Answer, AnswerChange
from storage.models import Person as PersonRow
from tests.e2e.e2e_world import services_of

GROUPS, PER_GROUP, TWICE = 3, 20, 5
LABELS = ["Rustig", "Onderwerp van gesprek", "Onrust", "Spanning loopt op", "Weet niet"]
CODES = {"Rustig": 1, "Onderwerp van gesprek": 2, "Onrust": 3, "Spanning loopt op": 4}
CODES["Weet niet"] = 0


async def test_a_burst_of_presses_is_answered_and_stored_exactly(
    sandbox: Sandbox,
    tg_bot: BotAccount,
    coordinator: Person,
    make_settings: Callable[..., Settings],
    db_url: str,
) -> None:
    people = [sandbox.add_person(f"Bondgenoot {n}", language_code="nl") for n in range(60)]
    chats = [
        await coordinator.create_group(f"Wijk {g}", people[g::GROUPS], [tg_bot])
        for g in range(GROUPS)
    ]
    # The bot never saw these groups being made: the database says they are linked.
    sandbox.world.queues[tg_bot.id].drop_pending()
    groups = [
        seed.Group(c.id, tuple(p.id for p in people[g::GROUPS])) for g, c in enumerate(chats)
    ]
    await seed.network(db_url, groups, datetime.now(UTC))

    sandbox.set_flood_limits(True)
    application = build_application(make_settings(telegram_flood_limits=True))
    async with running(application, poll_timeout=1):
        services = services_of(application)
        started = await services.checkins.start.start_checkin(
            services.actor(coordinator.id, "Cor"), "Brand bij de moskee", ALL, timedelta(hours=2)
        )
        assert isinstance(started, CheckInStarted)
        await services.checkins.broadcast.broadcast(started.checkin_id)
        posted = {chat.id: sandbox.sent(chat, tg_bot)[-1] for chat in chats}

        def message_of(person: Person) -> Message:
            return next(posted[c.id] for c in chats if c.is_active_member(person.id))

        # Everybody at once; the first few press another button straight after the first.
        plan = [(p, LABELS[n % len(LABELS)]) for n, p in enumerate(people)]
        plan += [(p, LABELS[(n + 1) % len(LABELS)]) for n, p in enumerate(people[:TWICE])]
        queries = await asyncio.gather(*(p.tap(message_of(p), text=t) for p, t in plan))
        answers = [await wait_answer(q, timeout=20) for q in queries]
        # Read while the bot still runs: it owns the engine.
        async with services.uow() as uow:
            stored = dict(
                (
                    await uow.session.execute(
                        select(PersonRow.telegram_user_id, Answer.code).join(
                            PersonRow, PersonRow.id == Answer.person_id
                        )
                    )
                ).all()
            )
            history = (
                await uow.session.execute(
                    select(PersonRow.telegram_user_id, AnswerChange.code)
                    .join(PersonRow, PersonRow.id == AnswerChange.person_id)
                    .order_by(AnswerChange.id)
                )
            ).all()

    for n, ((_, label), answer) in enumerate(zip(plan, answers, strict=True)):
        first = n < len(people)
        said = f"Genoteerd: {label} — je kunt dit wijzigen tot " if first else "Gewijzigd naar"
        assert (answer.text or "").startswith(said), (n, answer.text)
        assert first or (answer.text or "").startswith(f"Gewijzigd naar {label} — ")
    assert not [c for c in sandbox.calls() if c.error_code == 429]

    wanted = {p.id: CODES[label] for p, label in plan}  # the last press of each person wins
    assert stored == wanted
    for (person, first), (_, second) in zip(plan[:TWICE], plan[len(people) :], strict=True):
        assert [code for uid, code in history if uid == person.id] == [CODES[first], CODES[second]]
    assert len(history) == len(people) + TWICE
